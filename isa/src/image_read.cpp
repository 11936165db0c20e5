// The chip image's bytes, reading: deserialization and image files
// (docs/chip-image.md has the layout). Reading checks every length before it
// allocates or reads, so any input either decodes or raises image_error.
// image_write.cpp writes them.

#include <engram/isa/chip_image.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

using problem = image_error::problem;

constexpr std::size_t max_cores = std::size_t{1} << 16;  // AerPacket.src_core is 16 bits

// Printable form of raw bytes for messages: "ENGR\x00\x01".
std::string escape(std::span<const std::uint8_t> raw) {
  std::string out;
  for (std::uint8_t b : raw) {
    if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
      out += static_cast<char>(b);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 15];
    }
  }
  return out;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// --- Reading ---------------------------------------------------------------------

class reader {
 public:
  reader(std::span<const std::uint8_t> data, std::string source)
      : data_(data), source_(std::move(source)), end_(data.size()) {}

  std::size_t offset() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return end_ - pos_; }
  const std::string& source() const noexcept { return source_; }

  [[noreturn]] void fail(problem kind, std::size_t at, std::string reason) const {
    image_error::where w;
    w.source = source_;
    w.offset = at;
    w.section = section_;
    throw image_error(kind, std::move(w), std::move(reason));
  }

  // The next n bytes must be in the current section (or the header).
  void need(std::size_t n, std::string_view what) const {
    if (remaining() < n) {
      fail(problem::truncated, pos_,
           "truncated: expected " + std::to_string(n) + " bytes (" + std::string(what) + "), " +
               std::to_string(remaining()) + (section_.empty() ? " remain in the file" : " remain in the section"));
    }
  }

  std::span<const std::uint8_t> raw(std::size_t n, std::string_view what) {
    need(n, what);
    const auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  std::uint64_t uint(int n, std::string_view what) {
    const auto b = raw(static_cast<std::size_t>(n), what);
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      v |= std::uint64_t{b[static_cast<std::size_t>(i)]} << (8 * i);
    }
    return v;
  }
  std::uint8_t u8(std::string_view what) { return static_cast<std::uint8_t>(uint(1, what)); }
  std::uint16_t u16(std::string_view what) { return static_cast<std::uint16_t>(uint(2, what)); }
  std::uint32_t u32(std::string_view what) { return static_cast<std::uint32_t>(uint(4, what)); }
  std::uint64_t u64(std::string_view what) { return uint(8, what); }
  std::int32_t i32(std::string_view what) { return static_cast<std::int32_t>(u32(what)); }
  double f64(std::string_view what) { return std::bit_cast<double>(u64(what)); }

  bool flag(std::string_view what) {
    const std::size_t at = pos_;
    const std::uint8_t v = u8(what);
    if (v > 1) {
      fail(problem::bad_value, at, std::string(what) + " is " + std::to_string(v) + ", expected 0 or 1");
    }
    return v == 1;
  }

  // A 32-bit count of entries of at least min_bytes each: checked against
  // what remains in the section before anything is allocated.
  std::size_t count(std::string_view what, std::size_t min_bytes) {
    const std::size_t at = pos_;
    const std::uint32_t n = u32(what);
    if (min_bytes > 0 && n > remaining() / min_bytes) {
      fail(problem::bad_length, at,
           "count " + std::to_string(n) + " of " + std::string(what) + " needs at least " +
               std::to_string(std::uint64_t{n} * min_bytes) + " bytes, only " + std::to_string(remaining()) +
               " remain in the section");
    }
    return n;
  }

  std::string str(std::string_view what) {
    const std::size_t n = count(what, 1);
    const auto b = raw(n, what);
    return std::string(b.begin(), b.end());
  }

  // An ISA record, which must be in the canonical form pack() produces:
  // enum fields hold enumerators and unused bits are zero.
  template <class T>
  T packed(std::string_view what) {
    const std::size_t at = pos_;
    const auto b = raw(packed_bytes<T>, what);
    typename T::packed_type words{};
    for (std::size_t i = 0; i < b.size(); ++i) {
      words[i / 8] |= std::uint64_t{b[i]} << (8 * (i % 8));
    }
    const T record = format_traits<T>::unpack(words);
    try {
      if (pack(record) != words) {
        fail(problem::bad_value, at,
             std::string(what) + ": unused bits of the " + std::to_string(T::width) + "-bit " +
                 std::string(format_traits<T>::info.name) + " are set");
      }
    } catch (const field_out_of_range& e) {
      fail(problem::bad_value, at, std::string(what) + ": " + e.what());
    }
    return record;
  }

  template <class T>
  std::vector<T> table(std::string_view what) {
    const std::size_t n = count(what, packed_bytes<T>);
    std::vector<T> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(packed<T>(what));
    }
    return out;
  }

  // Sections: a 4-byte tag, a u64 length, then `length` bytes of content.
  bool at_payload_end() const noexcept { return section_.empty() && pos_ == end_; }

  void open_section(std::string_view tag) {
    const std::size_t at = pos_;
    if (remaining() == 0) {
      fail(problem::truncated, at, "truncated: the payload ends where section " + std::string(tag) + " should start");
    }
    const auto found = raw(4, "a section tag");
    if (std::string_view(reinterpret_cast<const char*>(found.data()), 4) != tag) {
      fail(problem::bad_value, at,
           "expected section " + std::string(tag) + ", found tag \"" + escape(found) + "\"");
    }
    const std::uint64_t length = u64("a section length");
    if (length > remaining()) {
      fail(problem::bad_length, at + 4,
           "section " + std::string(tag) + " claims " + std::to_string(length) + " bytes, only " +
               std::to_string(remaining()) + " remain in the payload");
    }
    section_ = tag;
    payload_end_ = end_;
    end_ = pos_ + static_cast<std::size_t>(length);
  }

  void close_section() {
    if (pos_ != end_) {
      fail(problem::bad_length, pos_,
           "section " + section_ + " has " + std::to_string(end_ - pos_) + " unread bytes at its end");
    }
    section_.clear();
    end_ = payload_end_;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::string source_;
  std::size_t pos_ = 0;
  std::size_t end_;  // end of the current section, or of the data
  std::size_t payload_end_ = 0;
  std::string section_;
};

void read_network(reader& r, chip_image& image) {
  r.open_section(tag_network);
  image.network_name = r.str("the network name");
  image.dt_ms = r.f64("dt_ms");
  image.seed = r.u64("seed");
  r.close_section();
}

void read_chip(reader& r, image_chip& c) {
  r.open_section(tag_chip);
  c.name = r.str("the chip name");
  for (std::uint32_t* v : {&c.mesh_width, &c.mesh_height, &c.chips_width, &c.chips_height, &c.neurons,
                           &c.synapse_words, &c.input_axons, &c.output_axons, &c.neuron_profiles,
                           &c.trace_profiles, &c.learning_rules, &c.microcode_words, &c.router_entries,
                           &c.max_delay}) {
    *v = r.u32("a chip figure");
  }
  for (double* v : {&c.clock_mhz, &c.cycles_per_synaptic_op, &c.cycles_per_neuron_update_active,
                    &c.cycles_per_neuron_update_idle, &c.cycles_per_learning_update, &c.cycles_per_hop_east_west,
                    &c.cycles_per_hop_north_south, &c.cycles_per_local_spike, &c.link_flits_per_cycle,
                    &c.synaptic_op_pj, &c.synaptic_update_pj, &c.neuron_update_active_pj,
                    &c.neuron_update_idle_pj, &c.spike_local_pj, &c.hop_east_west_pj, &c.hop_north_south_pj,
                    &c.static_power_mw_per_core}) {
    *v = r.f64("a chip figure");
  }
  c.has_inter_chip = r.flag("has_inter_chip");
  c.inter_chip_cycles_per_hop = r.f64("inter_chip_cycles_per_hop");
  c.inter_chip_hop_pj = r.f64("inter_chip_hop_pj");
  c.inter_chip_link_flits_per_cycle = r.f64("inter_chip_link_flits_per_cycle");
  r.close_section();
}

neuron_kind read_kind(reader& r, std::string_view what) {
  const std::size_t at = r.offset();
  const auto kind = static_cast<neuron_kind>(r.u8(what));
  if (!is_valid(kind)) {
    r.fail(problem::bad_value, at,
           std::string(what) + " " + std::to_string(static_cast<unsigned>(kind)) +
               " is no neuron kind (0 lif, 1 spike_array, 2 poisson, 3 modulator)");
  }
  return kind;
}

void read_populations(reader& r, chip_image& image) {
  r.open_section(tag_populations);
  const std::size_t n = r.count("populations", 4 + 4 + 1);
  image.populations.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    image_population p;
    p.name = r.str("a population name");
    p.size = r.u32("a population size");
    p.kind = read_kind(r, "population kind");
    image.populations.push_back(std::move(p));
  }
  r.close_section();
}

void read_projections(reader& r, chip_image& image) {
  r.open_section(tag_projections);
  const std::size_t n = r.count("projections", 4 + 4 + 4 + 4 + 8);
  image.projections.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    image_projection p;
    p.name = r.str("a projection name");
    p.pre = r.u32("projection pre");
    p.post = r.u32("projection post");
    p.weight_exp = r.i32("projection weight_exp");
    p.weight_lsb_na = r.f64("projection weight_lsb_na");
    image.projections.push_back(std::move(p));
  }
  r.close_section();
}

void read_slices(reader& r, chip_image& image) {
  r.open_section(tag_slices);
  const std::size_t n = r.count("slices", 5 * 4);
  image.slices.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    image_slice s;
    s.population = r.u32("slice population");
    s.first = r.u32("slice first");
    s.count = r.u32("slice count");
    s.core = r.u32("slice core");
    s.core_neuron = r.u32("slice core_neuron");
    image.slices.push_back(s);
  }
  r.close_section();
}

void read_routers(reader& r, chip_image& image) {
  r.open_section(tag_routers);
  const std::size_t n = r.count("routers", 2 + 2 + 4);
  image.routers.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    image_router router;
    router.x = r.u16("router x");
    router.y = r.u16("router y");
    router.entries = r.table<route_entry>("router entries");
    image.routers.push_back(std::move(router));
  }
  r.close_section();
}

core_image read_core(reader& r) {
  r.open_section(tag_core);
  core_image c;
  c.x = r.u16("core x");
  c.y = r.u16("core y");
  // Per neuron at least: kind 1, profile 2, state 16, emits 1.
  const std::size_t n = r.count("neurons", 1 + 2 + packed_bytes<neuron_state> + 1);
  c.kinds.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    c.kinds.push_back(read_kind(r, "neuron kind"));
  }
  c.profile.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    c.profile.push_back(r.u16("neuron profile"));
  }
  c.initial_state.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    c.initial_state.push_back(r.packed<neuron_state>("initial state"));
  }
  c.emits.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    c.emits.push_back(r.u8("neuron emits"));
  }
  c.sources.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (c.kinds[i] == neuron_kind::lif) {
      continue;
    }
    spike_source& s = c.sources[i];
    const std::size_t steps = r.count("source steps", 4);
    s.steps.reserve(steps);
    for (std::size_t k = 0; k < steps; ++k) {
      s.steps.push_back(r.u32("a source step"));
    }
    const std::size_t payloads = r.count("source payloads", 1);
    const auto p = r.raw(payloads, "source payloads");
    s.payloads.assign(p.begin(), p.end());
    s.p32 = r.u64("source p32");
    s.start_step = r.u32("source start_step");
    s.end_step = r.u32("source end_step");
    s.population = r.u32("source population");
    s.index = r.u32("source index");
  }
  c.profiles = r.table<neuron_config>("profiles");
  const std::size_t inputs = r.count("input_map", packed_bytes<input_map_entry> + 4);
  c.input_map.reserve(inputs);
  c.input_projection.reserve(inputs);
  for (std::size_t i = 0; i < inputs; ++i) {
    c.input_map.push_back(r.packed<input_map_entry>("input_map"));
    c.input_projection.push_back(r.u32("input_map projection"));
  }
  c.axons = r.table<axon_entry>("axons");
  const std::size_t words = r.count("synapse_memory", 4);
  c.synapse_memory.reserve(words);
  for (std::size_t i = 0; i < words; ++i) {
    c.synapse_memory.push_back(r.u32("synapse_memory"));
  }
  c.pre_trace_profiles = r.table<trace_config>("pre_trace_profiles");
  c.post_trace_profiles = r.table<trace_config>("post_trace_profiles");
  c.modulator_traces = r.table<trace_config>("modulator_traces");
  c.rules = r.table<learning_rule>("rules");
  c.microcode = r.table<learning_term>("microcode");
  c.routes = r.table<route_entry>("routes");
  r.close_section();
  return c;
}

std::string error_text(int err) { return std::strerror(err); }

}  // namespace

chip_image deserialize_image(std::span<const std::uint8_t> bytes, std::string_view source_name) {
  reader r(bytes, std::string(source_name));

  // Header.
  if (bytes.empty()) {
    r.fail(problem::not_an_image, 0, "not an Engram image: the file is empty");
  }
  const std::size_t magic_bytes = std::min(bytes.size(), image_magic.size());
  if (std::memcmp(bytes.data(), image_magic.data(), magic_bytes) != 0) {
    r.fail(problem::not_an_image, 0,
           "not an Engram image: it starts with \"" + escape(bytes.first(magic_bytes)) + "\", an image with \"" +
               std::string(image_magic) + "\"");
  }
  r.raw(image_magic.size(), "the magic \"ENGRAMIM\"");
  const std::size_t version_at = r.offset();
  const std::uint32_t version = r.u32("the format version");
  if (version != image_format_version) {
    r.fail(problem::unsupported_version, version_at,
           "image format version " + std::to_string(version) + "; this build reads version " +
               std::to_string(image_format_version) + " only (compile the network again with this build)");
  }
  const std::size_t reserved_at = r.offset();
  const std::uint32_t reserved = r.u32("the reserved word");
  if (reserved != 0) {
    r.fail(problem::bad_value, reserved_at, "the reserved header word is " + hex32(reserved) + ", expected 0");
  }
  const std::size_t length_at = r.offset();
  const std::uint64_t length = r.u64("the payload length");
  const std::uint32_t expected_crc = r.u32("the payload checksum");
  if (length > r.remaining()) {
    r.fail(problem::truncated, length_at,
           "truncated: the header announces " + std::to_string(length) + " payload bytes, only " +
               std::to_string(r.remaining()) + " follow");
  }
  if (length < r.remaining()) {
    r.fail(problem::trailing_bytes, image_header_size + length,
           std::to_string(r.remaining() - length) + " bytes follow the " + std::to_string(length) +
               "-byte payload");
  }
  const std::uint32_t actual_crc = crc32(bytes.subspan(image_header_size));
  if (actual_crc != expected_crc) {
    r.fail(problem::checksum_mismatch, image_header_size,
           "checksum mismatch: the header says " + hex32(expected_crc) + ", the payload's CRC-32 is " +
               hex32(actual_crc) + " (the file is damaged)");
  }

  // Payload.
  chip_image image;
  read_network(r, image);
  read_chip(r, image.chip);
  read_populations(r, image);
  read_projections(r, image);
  read_slices(r, image);
  read_routers(r, image);
  while (!r.at_payload_end()) {
    if (image.cores.size() == max_cores) {
      r.fail(problem::bad_value, r.offset(),
             "more than " + std::to_string(max_cores) + " cores (AerPacket.src_core is 16 bits)");
    }
    image.cores.push_back(read_core(r));
  }
  validate_image(image, source_name);
  return image;
}

chip_image read_image(const std::filesystem::path& file) {
  const std::string name = file.string();
  const bool from_stdin = name == "-";
  std::FILE* in = from_stdin ? stdin : std::fopen(name.c_str(), "rb");
  if (in == nullptr) {
    throw file_error(name, "cannot open: " + error_text(errno));
  }
  std::vector<std::uint8_t> bytes;
  std::array<std::uint8_t, 1 << 16> buffer{};
  int err = 0;
  errno = 0;
  for (;;) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), in);
    bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    if (n < buffer.size()) {
      if (std::ferror(in) != 0) {
        err = errno != 0 ? errno : EIO;
      }
      break;
    }
  }
  if (!from_stdin) {
    std::fclose(in);
  }
  if (err != 0) {
    throw file_error(name, "cannot read: " + error_text(err));
  }
  return deserialize_image(bytes, from_stdin ? "<stdin>" : name);
}

}  // namespace engram::isa
