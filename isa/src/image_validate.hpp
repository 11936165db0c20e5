#pragma once

// Private pieces of validate_image, shared by its translation units:
// image_validate.cpp (the entry point and the checks of the image as a whole)
// and image_validate_core.cpp (the checks of one core's tables).

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <tuple>
#include <vector>

#include <engram/isa/chip_image.hpp>

namespace engram::isa::detail {

using problem = image_error::problem;

constexpr std::uint64_t max_cores = std::uint64_t{1} << 16;  // AerPacket.src_core
constexpr std::uint32_t isa_max_neurons = 1u << 12;          // SynapseWord.target, InputMapEntry.neuron_base
constexpr std::uint32_t isa_max_synapse_words = 1u << 20;    // AxonEntry.row_base
constexpr std::uint32_t isa_max_input_axons = 1u << 12;      // InputMapEntry.axon_base
constexpr std::size_t max_name_bytes = 256;

inline std::string num(std::int64_t v) { return std::to_string(v); }
inline std::string num(std::uint64_t v) { return std::to_string(v); }
inline std::string num(std::uint32_t v) { return std::to_string(v); }
inline std::string num(std::int32_t v) { return std::to_string(v); }

inline std::string hex(std::uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

class validator {
 public:
  validator(const chip_image& image, std::string_view source) : image_(image), source_(source) {}

  void run();

 private:
  // --- Errors ---------------------------------------------------------------------

  [[noreturn]] void fail(std::string section, std::optional<std::uint64_t> index, std::string reason) const;
  [[noreturn]] void fail_core(std::uint32_t core, std::string table, std::optional<std::uint64_t> index,
                              std::string reason) const;
  void check_name(const std::string& section, std::optional<std::uint64_t> index, const std::string& name) const;

  // --- Network and chip -------------------------------------------------------------

  void check_network() const;
  void check_chip() const;

  // --- Names ----------------------------------------------------------------------

  void check_populations() const;
  void check_projections() const;
  void check_core_positions();

  // --- One core (image_validate_core.cpp) ------------------------------------------

  template <class T>
  void check_fields(std::uint32_t core, const std::string& table, const std::vector<T>& records) const;
  void check_limit(std::uint32_t core, const std::string& table, std::size_t used, std::uint32_t limit,
                   std::string_view limit_name, std::string_view unit) const;
  void check_core(std::uint32_t ci) const;
  void check_neurons(std::uint32_t ci) const;
  void check_profiles(std::uint32_t ci) const;
  void check_trace_index(std::uint32_t ci, const std::string& table, std::size_t index, std::string_view field,
                         std::uint32_t value, std::size_t profiles, std::string_view profile_table) const;
  bool carries_channel(const core_image& c, std::uint32_t channel) const;
  void check_learning(std::uint32_t ci) const;
  void check_axons(std::uint32_t ci) const;
  void check_row(std::uint32_t ci, std::size_t a) const;
  void check_index(std::uint32_t ci, std::size_t a) const;
  void check_blocks(std::uint32_t ci, std::size_t a) const;
  // The checks every SynapseWord passes, ordinary or indexed; returns the word.
  synapse_word check_synapse_word(std::uint32_t ci, std::uint64_t address) const;
  void check_routes(std::uint32_t ci) const;

  // --- Routers ----------------------------------------------------------------------

  // Entries of the router at (x, y); fail_at(entry, reason) raises the error.
  template <class Fail>
  void check_route_table(const std::vector<route_entry>& entries, std::uint64_t x, std::uint64_t y,
                         Fail fail_at) const {
    const std::uint64_t w = image_.chip.grid_width();
    const std::uint64_t h = image_.chip.grid_height();
    for (std::size_t r = 0; r < entries.size(); ++r) {
      const route_entry& e = entries[r];
      if ((e.key & ~e.mask) != 0) {
        fail_at(r, "key " + hex(e.key, 7) + " has bits outside its mask " + hex(e.mask, 7));
      }
      if (e.ports == 0) {
        fail_at(r, "ports is 0: the entry sends its packets nowhere");
      }
      auto sends = [&](route_port p) { return (e.ports >> static_cast<unsigned>(p) & 1u) != 0; };
      const std::pair<route_port, bool> off_grid[] = {
          {route_port::east, x + 1 >= w},
          {route_port::west, x == 0},
          {route_port::north, y + 1 >= h},
          {route_port::south, y == 0},
      };
      for (const auto& [port, at_edge] : off_grid) {
        if (sends(port) && at_edge) {
          fail_at(r, "sends " + std::string(to_string(port)) + " off the edge of the " + num(w) + " x " + num(h) +
                         " grid");
        }
      }
    }
  }

  void check_routers() const;

  // --- Slices and the tables that refer across cores ------------------------------

  void check_slices();
  std::string name_of(std::uint32_t core, std::uint32_t neuron) const;
  void check_input_map(std::uint32_t ci) const;
  // An indexed entry, its axon and its (core, neuron) sources: `fed` per axon
  // (its first entry), `seen` per indexed axon and source index j.
  // (source index begin, end, entry) of what an entry maps to an indexed axon.
  using index_span = std::tuple<std::uint64_t, std::uint64_t, std::uint32_t>;
  void check_indexed_entry(std::uint32_t ci, std::size_t e, std::vector<std::uint32_t>& fed,
                           std::vector<std::vector<index_span>>& seen) const;
  void check_indexed_overlap(std::uint32_t ci, std::vector<std::vector<index_span>>& seen) const;
  // A Poisson source's Philox counter names its population and index.
  void check_source_counters(std::uint32_t ci) const;

  const chip_image& image_;
  std::string_view source_;
  std::map<std::pair<std::uint16_t, std::uint16_t>, std::uint32_t> core_at_;  // position -> core id
  std::vector<std::vector<std::uint32_t>> slice_end_;      // per core, per neuron: one past its slice's end
  std::vector<std::vector<std::uint32_t>> population_of_;  // per core, per neuron (after check_slices)
  std::vector<std::vector<std::uint32_t>> index_of_;
};

}  // namespace engram::isa::detail
