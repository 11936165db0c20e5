// The chip image's bytes, writing: serialization and image files
// (docs/chip-image.md has the layout). Every value is written explicitly,
// little-endian; ISA records are stored packed, as the generated pack()
// makes them. image_read.cpp reads them back.

#include <engram/isa/chip_image.hpp>

#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <engram/common/atomic_file.hpp>

#include "image_bytes.hpp"

namespace engram::isa {
namespace {

using detail::packed_bytes;
using detail::tag_chip;
using detail::tag_core;
using detail::tag_network;
using detail::tag_populations;
using detail::tag_projections;
using detail::tag_routers;
using detail::tag_slices;

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) {
      c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    table[i] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> crc_table = make_crc_table();

// --- Writing ---------------------------------------------------------------------

class writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }

  // A count of entries that follow: the layout holds 32 bits.
  void count(std::size_t n, std::string_view what) {
    if (n > std::numeric_limits<std::uint32_t>::max()) {
      throw std::length_error("chip image: " + std::string(what) + " has " + std::to_string(n) +
                              " entries, more than a 32-bit count holds");
    }
    u32(static_cast<std::uint32_t>(n));
  }

  void str(const std::string& s) {
    count(s.size(), "a name");
    out_.insert(out_.end(), s.begin(), s.end());
  }

  template <class T>
  void packed(const T& record) {
    const typename T::packed_type words = pack(record);
    for (std::size_t b = 0; b < packed_bytes<T>; ++b) {
      out_.push_back(static_cast<std::uint8_t>(words[b / 8] >> (8 * (b % 8))));
    }
  }

  template <class T>
  void table(const std::vector<T>& records, std::string_view what) {
    count(records.size(), what);
    for (const T& r : records) {
      packed(r);
    }
  }

  // Starts a section: its tag and a length patched by end_section.
  std::size_t begin_section(std::string_view tag) {
    out_.insert(out_.end(), tag.begin(), tag.end());
    const std::size_t at = out_.size();
    u64(0);
    return at;
  }
  void end_section(std::size_t length_at) {
    const std::uint64_t length = out_.size() - length_at - 8;
    for (std::size_t i = 0; i < 8; ++i) {
      out_[length_at + i] = static_cast<std::uint8_t>(length >> (8 * i));
    }
  }

  std::vector<std::uint8_t>& bytes() { return out_; }

 private:
  void put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
  }

  std::vector<std::uint8_t> out_;
};

void write_chip(writer& w, const image_chip& c) {
  w.str(c.name);
  for (std::uint32_t v : {c.mesh_width, c.mesh_height, c.chips_width, c.chips_height, c.neurons,
                          c.synapse_words, c.input_axons, c.output_axons, c.neuron_profiles,
                          c.trace_profiles, c.learning_rules, c.microcode_words, c.router_entries,
                          c.max_delay}) {
    w.u32(v);
  }
  for (double v : {c.clock_mhz, c.cycles_per_synaptic_op, c.cycles_per_neuron_update_active,
                   c.cycles_per_neuron_update_idle, c.cycles_per_learning_update, c.cycles_per_hop_east_west,
                   c.cycles_per_hop_north_south, c.cycles_per_local_spike, c.link_flits_per_cycle,
                   c.synaptic_op_pj, c.synaptic_update_pj, c.neuron_update_active_pj,
                   c.neuron_update_idle_pj, c.spike_local_pj, c.hop_east_west_pj, c.hop_north_south_pj,
                   c.static_power_mw_per_core}) {
    w.f64(v);
  }
  w.u8(c.has_inter_chip ? 1 : 0);
  w.f64(c.inter_chip_cycles_per_hop);
  w.f64(c.inter_chip_hop_pj);
  w.f64(c.inter_chip_link_flits_per_cycle);
}

void write_core(writer& w, const core_image& c) {
  const std::size_t n = c.neuron_count();
  if (c.profile.size() != n || c.initial_state.size() != n || c.emits.size() != n || c.sources.size() != n ||
      c.input_projection.size() != c.input_map.size()) {
    throw std::logic_error("chip image: core at (" + std::to_string(c.x) + "," + std::to_string(c.y) +
                           ") has per-neuron or input-map tables of different sizes");
  }
  w.u16(c.x);
  w.u16(c.y);
  w.count(n, "a core's neurons");
  for (neuron_kind k : c.kinds) {
    w.u8(static_cast<std::uint8_t>(k));
  }
  for (std::uint16_t p : c.profile) {
    w.u16(p);
  }
  for (const neuron_state& s : c.initial_state) {
    w.packed(s);
  }
  for (std::uint8_t e : c.emits) {
    w.u8(e);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (c.kinds[i] == neuron_kind::lif) {
      continue;  // a lif neuron has no program (validate_image checks it is empty)
    }
    const spike_source& s = c.sources[i];
    w.count(s.steps.size(), "a source's steps");
    for (std::uint32_t step : s.steps) {
      w.u32(step);
    }
    w.count(s.payloads.size(), "a source's payloads");
    for (std::uint8_t p : s.payloads) {
      w.u8(p);
    }
    w.u64(s.p32);
    w.u32(s.start_step);
    w.u32(s.end_step);
    w.u32(s.population);
    w.u32(s.index);
  }
  w.table(c.profiles, "profiles");
  w.count(c.input_map.size(), "input_map");
  for (std::size_t i = 0; i < c.input_map.size(); ++i) {
    w.packed(c.input_map[i]);
    w.u32(c.input_projection[i]);
  }
  w.table(c.axons, "axons");
  w.count(c.synapse_memory.size(), "synapse_memory");
  for (std::uint32_t word : c.synapse_memory) {
    w.u32(word);
  }
  w.table(c.pre_trace_profiles, "pre_trace_profiles");
  w.table(c.post_trace_profiles, "post_trace_profiles");
  w.table(c.modulator_traces, "modulator_traces");
  w.table(c.rules, "rules");
  w.table(c.microcode, "microcode");
  w.table(c.routes, "routes");
}

}  // namespace

namespace {

// CRC-32 state (before the final inversion) after `bytes`.
std::uint32_t crc_update(std::uint32_t c, std::span<const std::uint8_t> bytes) noexcept {
  for (std::uint8_t b : bytes) {
    c = crc_table[(c ^ b) & 0xFFu] ^ (c >> 8);
  }
  return c;
}

// Hands emit the image's bytes in file order, a header and then a section
// at a time, so that a large image need not be held twice; the header's
// payload length and checksum are 0 here (header_tail gives them).
template <typename Emit>
void emit_image(const chip_image& image, Emit&& emit) {
  writer w;
  w.bytes().insert(w.bytes().end(), image_magic.begin(), image_magic.end());
  w.u32(image_format_version);
  w.u32(0);
  w.u64(0);
  w.u32(0);
  emit(std::span<const std::uint8_t>(w.bytes()));
  auto flush = [&] {
    emit(std::span<const std::uint8_t>(w.bytes()));
    w.bytes().clear();
  };
  w.bytes().clear();

  std::size_t at = w.begin_section(tag_network);
  w.str(image.network_name);
  w.f64(image.dt_ms);
  w.u64(image.seed);
  w.end_section(at);

  at = w.begin_section(tag_chip);
  write_chip(w, image.chip);
  w.end_section(at);

  at = w.begin_section(tag_populations);
  w.count(image.populations.size(), "populations");
  for (const image_population& p : image.populations) {
    w.str(p.name);
    w.u32(p.size);
    w.u8(static_cast<std::uint8_t>(p.kind));
  }
  w.end_section(at);

  at = w.begin_section(tag_projections);
  w.count(image.projections.size(), "projections");
  for (const image_projection& p : image.projections) {
    w.str(p.name);
    w.u32(p.pre);
    w.u32(p.post);
    w.i32(p.weight_exp);
    w.f64(p.weight_lsb_na);
  }
  w.end_section(at);

  at = w.begin_section(tag_slices);
  w.count(image.slices.size(), "slices");
  for (const image_slice& s : image.slices) {
    for (std::uint32_t v : {s.population, s.first, s.count, s.core, s.core_neuron}) {
      w.u32(v);
    }
  }
  w.end_section(at);

  at = w.begin_section(tag_routers);
  w.count(image.routers.size(), "routers");
  for (const image_router& r : image.routers) {
    w.u16(r.x);
    w.u16(r.y);
    w.table(r.entries, "router entries");
  }
  w.end_section(at);
  flush();

  for (const core_image& c : image.cores) {
    at = w.begin_section(tag_core);
    write_core(w, c);
    w.end_section(at);
    flush();
  }
}

// Header bytes 16..27: the payload length and its CRC-32.
std::array<std::uint8_t, 12> header_tail(std::uint64_t length, std::uint32_t crc) {
  std::array<std::uint8_t, 12> out{};
  for (std::size_t i = 0; i < 8; ++i) {
    out[i] = static_cast<std::uint8_t>(length >> (8 * i));
  }
  for (std::size_t i = 0; i < 4; ++i) {
    out[8 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  }
  return out;
}

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> bytes) noexcept {
  return crc_update(0xFFFFFFFFu, bytes) ^ 0xFFFFFFFFu;
}

std::vector<std::uint8_t> serialize_image(const chip_image& image) {
  std::vector<std::uint8_t> out;
  emit_image(image, [&](std::span<const std::uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); });
  const std::uint64_t length = out.size() - image_header_size;
  const auto tail = header_tail(length, crc32(std::span(out).subspan(image_header_size)));
  std::copy(tail.begin(), tail.end(), out.begin() + 16);
  return out;
}

void write_image(const chip_image& image, const std::filesystem::path& file) {
  validate_image(image, file.string());
  if (file.string() == "-") {
    write_file_atomic(file, serialize_image(image), "image");
    return;
  }
  // Section by section into a temporary file, then the header's length and
  // checksum, fsync, rename (common/atomic_file).
  atomic_file_writer out(file, "image");
  std::uint64_t written = 0;
  std::uint32_t crc = 0xFFFFFFFFu;
  emit_image(image, [&](std::span<const std::uint8_t> bytes) {
    out.write(bytes);
    const std::size_t skip = written < image_header_size
                                 ? std::min<std::size_t>(bytes.size(), image_header_size - written)
                                 : 0;
    crc = crc_update(crc, bytes.subspan(skip));
    written += bytes.size();
  });
  const auto tail = header_tail(written - image_header_size, crc ^ 0xFFFFFFFFu);
  out.write_at(16, tail);
  out.commit();
}

}  // namespace engram::isa
