// The chip image: round trips, damaged files, every invariant of
// validate_image, atomic writes, the listing, and `engram inspect`.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <engram/common/error.hpp>
#include <engram/isa/chip_image.hpp>
#include <engram/isa/image_print.hpp>

#include "image_fixtures.hpp"

namespace {

namespace fs = std::filesystem;
namespace isa = engram::isa;
using isa::image_error;
using problem = isa::image_error::problem;
using bytes = std::vector<std::uint8_t>;

// The image_error that deserializing `data` raises (fails the test if none).
std::optional<image_error> deserialize_error(const bytes& data) {
  try {
    (void)isa::deserialize_image(data, "test.engram");
  } catch (const image_error& e) {
    return e;
  }
  ADD_FAILURE() << "deserialize_image accepted the bytes";
  return std::nullopt;
}

std::optional<image_error> validate_error(const isa::chip_image& image) {
  try {
    isa::validate_image(image, "test.engram");
  } catch (const image_error& e) {
    return e;
  }
  ADD_FAILURE() << "validate_image accepted the image";
  return std::nullopt;
}

void put_u32(bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) {
    b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}
void put_u64(bytes& b, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) {
    b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}
std::uint64_t get_u64(const bytes& b, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    v |= std::uint64_t{b[at + i]} << (8 * i);
  }
  return v;
}

// Recomputes the header's checksum after a test edits the payload.
void fix_checksum(bytes& b) {
  put_u32(b, 24, isa::crc32(std::span(b).subspan(isa::image_header_size)));
}

struct section_at {
  std::string tag;
  std::size_t offset;   // of the tag
  std::size_t content;  // of the first content byte
  std::uint64_t length;
};

std::vector<section_at> sections(const bytes& b) {
  std::vector<section_at> out;
  for (std::size_t at = isa::image_header_size; at < b.size();) {
    section_at s{std::string(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + 4)),
                 at, at + 12, get_u64(b, at + 4)};
    out.push_back(s);
    at = s.content + static_cast<std::size_t>(s.length);
  }
  return out;
}

// Offset of the first occurrence of `needle`'s 8 little-endian bytes.
std::size_t find_u64(const bytes& b, std::uint64_t needle) {
  for (std::size_t at = isa::image_header_size; at + 8 <= b.size(); ++at) {
    if (get_u64(b, at) == needle) {
      return at;
    }
  }
  ADD_FAILURE() << "pattern not found";
  return 0;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class temp_dir {
 public:
  temp_dir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("engram_image_" + std::to_string(rd()) + "_" + std::to_string(::getpid()));
    fs::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

bytes read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// --- Checksum and round trips ---------------------------------------------------

TEST(chip_image, crc32_matches_the_ieee_check_value) {
  const std::string text = "123456789";
  EXPECT_EQ(isa::crc32(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())), 0xCBF43926u);
  EXPECT_EQ(isa::crc32({}), 0u);
  const std::array<std::uint8_t, 4> zeros{};
  EXPECT_EQ(isa::crc32(zeros), 0x2144DF1Cu);
}

TEST(chip_image, random_images_round_trip_byte_identically) {
  std::uint64_t plastic = 0;
  std::uint64_t modulator_axons = 0;
  std::uint64_t routes = 0;
  std::uint64_t routers = 0;
  std::size_t kinds_seen[4] = {};
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const isa::chip_image image = isa::fixtures::random_image(seed);
    ASSERT_NO_THROW(isa::validate_image(image)) << seed;
    const bytes first = isa::serialize_image(image);
    const bytes second = isa::serialize_image(image);
    ASSERT_EQ(first, second);
    const isa::chip_image back = isa::deserialize_image(first, "round_trip");
    ASSERT_EQ(back, image);
    ASSERT_EQ(isa::serialize_image(back), first);
    const isa::image_totals t = isa::count_totals(image);
    plastic += t.plastic_synapses;
    routes += t.route_entries;
    routers += t.routers_without_core;
    for (const auto& core : image.cores) {
      for (const auto& a : core.axons) {
        modulator_axons += a.modulator;
      }
      for (auto k : core.kinds) {
        ++kinds_seen[static_cast<int>(k)];
      }
    }
  }
  // The generator exercises every table.
  EXPECT_GT(plastic, 100u);
  EXPECT_GT(modulator_axons, 10u);
  EXPECT_GT(routes, 100u);
  EXPECT_GT(routers, 20u);
  for (std::size_t k : kinds_seen) {
    EXPECT_GT(k, 10u);
  }
}

TEST(chip_image, different_images_give_different_bytes) {
  const isa::chip_image a = isa::fixtures::example_image();
  isa::chip_image b = a;
  b.cores[1].initial_state[2].y3 = 1;
  EXPECT_NE(isa::serialize_image(a), isa::serialize_image(b));
  b = a;
  b.chip.static_power_mw_per_core = 0.81;
  EXPECT_NE(isa::serialize_image(a), isa::serialize_image(b));
}

TEST(chip_image, header_and_sections_follow_the_documented_layout) {
  const bytes b = isa::serialize_image(isa::fixtures::example_image());
  ASSERT_GT(b.size(), isa::image_header_size);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "ENGRAMIM");
  EXPECT_EQ(b[8], 1);  // version 1, little-endian
  EXPECT_EQ(b[9] | b[10] | b[11], 0);
  EXPECT_EQ(b[12] | b[13] | b[14] | b[15], 0);  // reserved
  EXPECT_EQ(get_u64(b, 16), b.size() - isa::image_header_size);
  std::vector<std::string> tags;
  for (const auto& s : sections(b)) {
    tags.push_back(s.tag);
  }
  EXPECT_EQ(tags, (std::vector<std::string>{"NETW", "CHIP", "POPS", "PROJ", "SLIC", "ROUT", "CORE", "CORE"}));
  // NETW: the name as u32 length + bytes, dt as IEEE bits, the seed.
  const section_at netw = sections(b)[0];
  EXPECT_EQ(netw.length, 4u + 7u + 8u + 8u);
  EXPECT_EQ(std::string(b.begin() + 44, b.begin() + 51), "example");
  EXPECT_EQ(get_u64(b, 51), 0x3FF0000000000000u);  // 1.0
  EXPECT_EQ(get_u64(b, 59), 42u);
}

// --- Damaged files ------------------------------------------------------------

TEST(chip_image, every_truncation_is_refused) {
  const bytes whole = isa::serialize_image(isa::fixtures::example_image());
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const bytes prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
    const auto e = deserialize_error(prefix);
    ASSERT_TRUE(e) << n;
    EXPECT_EQ(e->kind, n == 0 ? problem::not_an_image : problem::truncated) << "prefix of " << n << " bytes";
    EXPECT_EQ(e->source, "test.engram");
    ASSERT_TRUE(e->offset) << n;
    EXPECT_LE(*e->offset, n);
  }
  const auto e = deserialize_error(bytes(whole.begin(), whole.end() - 1));
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->reason, "announces")) << e->reason;
}

TEST(chip_image, every_flipped_payload_bit_is_a_checksum_mismatch) {
  const bytes whole = isa::serialize_image(isa::fixtures::example_image());
  for (std::size_t at = isa::image_header_size; at < whole.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes damaged = whole;
      damaged[at] ^= static_cast<std::uint8_t>(1u << bit);
      const auto e = deserialize_error(damaged);
      ASSERT_TRUE(e);
      ASSERT_EQ(e->kind, problem::checksum_mismatch) << "byte " << at << " bit " << bit << ": " << e->what();
    }
  }
  bytes damaged = whole;
  damaged[24] ^= 1;  // the stored checksum itself
  EXPECT_EQ(deserialize_error(damaged)->kind, problem::checksum_mismatch);
}

TEST(chip_image, wrong_magic_and_version_say_what_they_are) {
  const bytes whole = isa::serialize_image(isa::fixtures::minimal_image());
  bytes b = whole;
  b[0] = 'P';
  auto e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::not_an_image);
  EXPECT_EQ(e->offset, 0u);
  EXPECT_TRUE(contains(e->reason, "not an Engram image")) << e->reason;
  EXPECT_TRUE(contains(e->what(), "test.engram")) << e->what();

  e = deserialize_error(bytes{'{', '"', 'n'});
  EXPECT_EQ(e->kind, problem::not_an_image);

  b = whole;
  put_u32(b, 8, 2);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::unsupported_version);
  EXPECT_EQ(e->offset, 8u);
  EXPECT_TRUE(contains(e->reason, "version 2")) << e->reason;
  EXPECT_TRUE(contains(e->reason, "reads version 1")) << e->reason;

  b = whole;
  put_u32(b, 12, 7);
  EXPECT_EQ(deserialize_error(b)->kind, problem::bad_value);

  b = whole;
  b.push_back(0);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::trailing_bytes);
  EXPECT_TRUE(contains(e->reason, "1 bytes follow")) << e->reason;
}

TEST(chip_image, huge_lengths_are_refused_before_allocating) {
  const bytes whole = isa::serialize_image(isa::fixtures::example_image());
  const auto secs = sections(whole);

  // The header's payload length.
  bytes b = whole;
  put_u64(b, 16, ~std::uint64_t{0});
  auto e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::truncated);
  EXPECT_EQ(e->offset, 16u);

  // A section length.
  b = whole;
  put_u64(b, secs[0].offset + 4, std::uint64_t{1} << 62);
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_length);
  EXPECT_EQ(e->offset, secs[0].offset + 4);
  EXPECT_TRUE(contains(e->reason, "section NETW claims")) << e->reason;

  // Counts of populations, of routers, of a core's neurons, and a name length.
  for (const auto& [section, at] : {std::pair(2, std::size_t{0}), std::pair(5, std::size_t{0}), std::pair(6, std::size_t{4}),
                                    std::pair(0, std::size_t{0})}) {
    b = whole;
    put_u32(b, secs[static_cast<std::size_t>(section)].content + at, 0xFFFFFFFFu);
    fix_checksum(b);
    e = deserialize_error(b);
    EXPECT_EQ(e->kind, problem::bad_length) << e->what();
    EXPECT_EQ(e->section, secs[static_cast<std::size_t>(section)].tag);
    EXPECT_TRUE(contains(e->reason, "count 4294967295")) << e->reason;
  }
}

TEST(chip_image, malformed_sections_are_refused) {
  const bytes whole = isa::serialize_image(isa::fixtures::example_image());
  const auto secs = sections(whole);

  // A wrong tag.
  bytes b = whole;
  b[secs[1].offset] = 'X';
  fix_checksum(b);
  auto e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_TRUE(contains(e->reason, "expected section CHIP")) << e->reason;

  // A section longer than its content: unread bytes.
  b = whole;
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(secs[0].content + secs[0].length), 0);
  put_u64(b, secs[0].offset + 4, secs[0].length + 1);
  put_u64(b, 16, b.size() - isa::image_header_size);
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_length);
  EXPECT_EQ(e->section, "NETW");
  EXPECT_TRUE(contains(e->reason, "1 unread bytes")) << e->reason;

  // A neuron kind that is none (core 0's first kind byte).
  b = whole;
  b[secs[6].content + 8] = 7;
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_EQ(e->section, "CORE");
  EXPECT_EQ(e->offset, secs[6].content + 8);

  // has_inter_chip must be 0 or 1: it is the CHIP section's byte after the
  // name, 14 u32 figures and 17 doubles.
  b = whole;
  b[secs[1].content + 4 + 4 + 14 * 4 + 17 * 8] = 2;
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_TRUE(contains(e->reason, "has_inter_chip")) << e->reason;

  // Unused bits of a learning term, then an operand that is no learn_operand.
  const isa::chip_image image = isa::fixtures::example_image();
  const std::uint64_t term = isa::pack(image.cores[1].microcode[0])[0];
  const std::size_t term_at = find_u64(whole, term);
  b = whole;
  put_u64(b, term_at, term | std::uint64_t{1} << 60);
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_EQ(e->offset, term_at);
  EXPECT_TRUE(contains(e->reason, "unused bits")) << e->reason;

  b = whole;
  put_u64(b, term_at, (term & ~(std::uint64_t{0xF} << 8)) | std::uint64_t{13} << 8);  // op0 = 13
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_TRUE(contains(e->reason, "learn_operand")) << e->reason;

  // A decodable image that breaks an invariant: validate_image's error, no offset.
  isa::chip_image bad = image;
  bad.cores[1].rules[0].epoch = 0;
  e = deserialize_error(isa::serialize_image(bad));
  EXPECT_EQ(e->kind, problem::invariant);
  EXPECT_EQ(e->source, "test.engram");
  EXPECT_FALSE(e->offset);
  EXPECT_EQ(e->core, 1u);
}

// --- Invariants ---------------------------------------------------------------

struct invariant_case {
  const char* name;
  std::function<void(isa::chip_image&)> mutate;
  std::optional<std::uint32_t> core;
  std::string section;
  std::optional<std::uint64_t> index;
  std::vector<std::string> keywords;
};

TEST(chip_image, validate_names_every_broken_invariant) {
  using isa::learn_operand;
  const std::optional<std::uint64_t> none;
  const std::vector<invariant_case> cases = {
      {"delay 0", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[0]});
         w.delay = 0;
         i.cores[1].synapse_memory[0] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 0, {"delay 0", "1..15"}},
      {"delay above the chip's max_delay", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[2]});
         w.delay = 16;
         i.cores[1].synapse_memory[2] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 2, {"delay 16", "max_delay is 15"}},
      {"target outside the core", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[2]});
         w.target = 3;
         i.cores[1].synapse_memory[2] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 2, {"target 3", "has 3"}},
      {"excitatory synapse with a negative weight", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[5]});
         w.weight = -5;
         i.cores[1].synapse_memory[5] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 5, {"excitatory", "weight -5"}},
      {"inhibitory synapse with a positive weight", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[5]});
         w.receptor = isa::receptor_kind::inhibitory;
         i.cores[1].synapse_memory[5] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 5, {"inhibitory", "weight 12"}},
      {"unused bits of a synapse word", [](auto& i) { i.cores[1].synapse_memory[2] |= 1u << 30; },
       1, "synapse_memory", 2, {"unused bits"}},
      {"plastic synapse in a row without learning", [](auto& i) { i.cores[1].axons[0].learning = 0; },
       1, "synapse_memory", 0, {"plastic", "learning bit is 0"}},
      {"plastic synapse without its PlasticWord", [](auto& i) { i.cores[1].axons[0].row_len = 1; },
       1, "synapse_memory", 0, {"PlasticWord is missing"}},
      {"plastic weight outside the rule's bounds", [](auto& i) { i.cores[1].rules[0].w_max = 30; },
       1, "synapse_memory", 0, {"plastic weight 40", "[0, 30]"}},
      {"row past the synapse memory", [](auto& i) { i.cores[1].axons[3].row_len = 10; },
       1, "axons", 3, {"runs past", "12 words"}},
      {"overlapping rows", [](auto& i) { i.cores[1].axons[1].row_base = 2; },
       1, "axons", 1, {"overlaps the row of axon 0"}},
      {"weight_exp outside -6..7", [](auto& i) { i.cores[1].axons[2].weight_exp = -7; },
       1, "axons", 2, {"weight_exp -7", "-6..7"}},
      {"weight_exp other than the projection's", [](auto& i) { i.cores[1].axons[2].weight_exp = 3; },
       1, "axons", 2, {"weight_exp 3", "input_exc", "2"}},
      {"a field value its field cannot hold", [](auto& i) { i.cores[1].axons[1].row_base = 1u << 20; },
       1, "axons", 1, {"row_base", "20-bit"}},
      {"rule index out of range", [](auto& i) { i.cores[1].axons[1].rule = 1; },
       1, "axons", 1, {"rule 1", "1 rules"}},
      {"rule past the microcode", [](auto& i) { i.cores[1].rules[0].num_terms = 4; },
       1, "rules", 0, {"run past", "3 microcode words"}},
      {"num_terms 0", [](auto& i) { i.cores[1].rules[0].num_terms = 0; },
       1, "rules", 0, {"num_terms 0"}},
      {"last set on a middle term", [](auto& i) { i.cores[1].microcode[1].last = 1; },
       1, "microcode", 1, {"last is 1", "final term"}},
      {"last missing on the final term", [](auto& i) { i.cores[1].microcode[2].last = 0; },
       1, "microcode", 2, {"last is 0"}},
      {"op none with a constant", [](auto& i) { i.cores[1].microcode[0].const2 = 5; },
       1, "microcode", 0, {"op2 is none", "const2 is 5"}},
      {"operand that is no enumerator", [](auto& i) { i.cores[1].microcode[0].op1 = static_cast<learn_operand>(14); },
       1, "microcode", 0, {"learn_operand"}},
      {"two epochs on one core", [](auto& i) {
         auto& c = i.cores[1];
         c.rules.push_back(c.rules[0]);
         c.rules[1].epoch = 2;
       }, 1, "rules", 1, {"epoch 2", "one epoch"}},
      {"w_min above w_max", [](auto& i) { i.cores[1].rules[0].w_min = 50; i.cores[1].rules[0].w_max = 40; },
       1, "rules", 0, {"w_min 50", "w_max 40"}},
      {"rule reading a channel the core does not receive", [](auto& i) { i.cores[1].rules[0].modulator = 3; },
       1, "rules", 0, {"modulator channel 3"}},
      {"input map out of order", [](auto& i) {
         auto& c = i.cores[1];
         std::swap(c.input_map[0], c.input_map[1]);
         std::swap(c.input_projection[0], c.input_projection[1]);
       }, 1, "input_map", 1, {"sorted"}},
      {"input map naming a missing core", [](auto& i) { i.cores[1].input_map[0].src_core = 5; },
       1, "input_map", 0, {"src_core 5"}},
      {"input map neurons outside the source core", [](auto& i) { i.cores[1].input_map[0].neuron_base = 2; },
       1, "input_map", 0, {"neurons 2..5 of core 0", "has 5"}},
      {"input map axons outside the axon table", [](auto& i) { i.cores[1].input_map[1].axon_base = 5; },
       1, "input_map", 1, {"axons 5", "has 5"}},
      {"an axon fed twice", [](auto& i) { i.cores[1].input_map[1].axon_base = 3; },
       1, "input_map", 1, {"axon 3", "two input-map entries"}},
      {"an axon fed by nobody", [](auto& i) { i.cores[1].axons.push_back({}); },
       1, "axons", 5, {"no input-map entry"}},
      {"input map from a silent neuron", [](auto& i) { i.cores[0].emits[2] = 0; },
       1, "input_map", 0, {"neuron 2", "input[2]", "does not emit"}},
      {"route key outside its mask", [](auto& i) { i.cores[1].routes[0].key = 0x1; },
       1, "routes", 0, {"key 0x0000001", "outside its mask 0xffff000"}},
      {"route off the grid", [](auto& i) { i.cores[0].routes[1].ports = 1u << 1; },
       0, "routes", 1, {"west", "edge"}},
      {"route to nowhere", [](auto& i) { i.cores[0].routes[0].ports = 0; },
       0, "routes", 0, {"ports is 0"}},
      {"a router without a core on a core's position", [](auto& i) {
         i.routers = {{1, 0, {{.key = 0, .mask = 0xffff000, .ports = 1u << 1}}}};
       }, none, "routers", 0, {"router (1,0) sits on core 1"}},
      {"routers out of order", [](auto& i) {
         i.chip.mesh_width = 4;
         i.routers = {{3, 0, {}}, {2, 0, {}}};
       }, none, "routers", 1, {"router (2,0) comes after (3,0)", "sorted by (y, x)"}},
      {"a router entry off the grid", [](auto& i) {
         i.chip.mesh_width = 3;
         i.routers = {{2, 0, {{.key = 0, .mask = 0xffff000, .ports = 1u << 4}, {.key = 0, .mask = 0, .ports = 1u << 0}}}};
       }, none, "routers", 0, {"router (2,0) entry 1", "sends east off the edge"}},
      {"two cores at one position", [](auto& i) { i.cores[1].x = 0; },
       1, "position", none, {"core 0 sits at the same position"}},
      {"core outside the grid", [](auto& i) { i.cores[1].y = 1; },
       1, "position", none, {"(1,1)", "2 x 1 grid"}},
      {"more neurons than a core holds", [](auto& i) { i.chip.neurons = 4; },
       0, "neurons", none, {"needs 5 neurons", "has 4"}},
      {"more synapse words than a core holds", [](auto& i) { i.chip.synapse_words = 10; },
       1, "synapse_memory", none, {"needs 12 words", "has 10", "synapse_words"}},
      {"more emitting neurons than output axons", [](auto& i) { i.chip.output_axons = 4; },
       0, "emits", none, {"needs 5 output axons", "output_axons"}},
      {"more routes than router entries", [](auto& i) { i.chip.router_entries = 1; },
       0, "routes", none, {"needs 2 router entries"}},
      {"per-neuron tables of different sizes", [](auto& i) { i.cores[1].emits.pop_back(); },
       1, "emits", none, {"2 entries for 3 neurons"}},
      {"profile index out of range", [](auto& i) { i.cores[1].profile[2] = 1; },
       1, "profile", 2, {"profile 1", "1 profiles"}},
      {"threshold_mant 0", [](auto& i) { i.cores[1].profiles[0].threshold_mant = 0; },
       1, "profiles", 0, {"threshold_mant is 0"}},
      {"reset at the threshold", [](auto& i) { i.cores[1].profiles[0].reset_mant = 2000; },
       1, "profiles", 0, {"reset_mant 2000", "threshold_mant 2000"}},
      {"negative initial excitatory current", [](auto& i) { i.cores[1].initial_state[1].u_exc = -1; },
       1, "initial_state", 1, {"u_exc -1"}},
      {"source steps not ascending", [](auto& i) { i.cores[0].sources[1].steps = {9, 9}; },
       0, "sources", 1, {"not strictly ascending", "9 follows 9"}},
      {"modulator payloads missing", [](auto& i) { i.cores[0].sources[4].payloads.pop_back(); },
       0, "sources", 4, {"1 payloads for 2 steps"}},
      {"a lif neuron with a program", [](auto& i) { i.cores[1].sources[0].steps = {1}; },
       1, "sources", 0, {"lif neuron has a source program"}},
      {"trace profiles not in pairs", [](auto& i) { i.cores[1].pre_trace_profiles.pop_back(); },
       1, "pre_trace_profiles", none, {"not 2"}},
      {"modulator traces of the wrong count", [](auto& i) { i.cores[1].modulator_traces.pop_back(); },
       1, "modulator_traces", none, {"7 entries", "0 or 8"}},
      {"slices overlapping", [](auto& i) { i.slices[2].count = 2; i.populations[1].size = 3; i.slices.push_back({1, 1, 2, 1, 1}); },
       none, "slices", 3, {"\"exc\" neuron 1 is in two slices"}},
      {"a population neuron in no slice", [](auto& i) { i.populations[1].size = 4; },
       none, "populations", 1, {"\"exc\" neurons 3..3", "no slice"}},
      {"a slice whose kind differs from its core's neurons", [](auto& i) { i.cores[0].kinds[4] = isa::neuron_kind::spike_array; i.cores[0].sources[4].payloads.clear(); },
       0, "kinds", 4, {"spike_array", "\"reward\" is modulator"}},
      {"a projection onto a source", [](auto& i) { i.projections[0].post = 0; },
       none, "projections", 0, {"\"input\"", "not lif"}},
      {"two populations with one name", [](auto& i) { i.populations[2].name = "exc"; },
       none, "populations", 2, {"also population 1"}},
      {"dt of zero", [](auto& i) { i.dt_ms = 0; }, none, "network", none, {"dt_ms"}},
      {"max_delay above 63", [](auto& i) { i.chip.max_delay = 64; }, none, "chip", none, {"max_delay 64", "1..63"}},
      {"a chip grid without inter-chip links", [](auto& i) { i.chip.chips_width = 2; }, none, "chip", none, {"inter-chip"}},
      {"a name with a control character", [](auto& i) { i.projections[0].name = "a\nb"; },
       none, "projections", 0, {"control character 0x0a"}},
  };
  ASSERT_GE(cases.size(), 15u);
  for (const invariant_case& c : cases) {
    SCOPED_TRACE(c.name);
    isa::chip_image image = isa::fixtures::example_image();
    c.mutate(image);
    const auto e = validate_error(image);
    if (!e) {
      continue;
    }
    EXPECT_EQ(e->kind, problem::invariant);
    EXPECT_EQ(e->source, "test.engram");
    EXPECT_EQ(e->core, c.core) << e->what();
    EXPECT_EQ(e->section, c.section) << e->what();
    EXPECT_EQ(e->index, c.index) << e->what();
    for (const std::string& k : c.keywords) {
      EXPECT_TRUE(contains(e->reason, k)) << "\"" << k << "\" missing from: " << e->what();
    }
    if (c.core) {
      const std::string where = "core " + std::to_string(*c.core) + " (" + std::to_string(image.cores[*c.core].x) +
                                "," + std::to_string(image.cores[*c.core].y) + ")";
      EXPECT_TRUE(contains(e->what(), where)) << e->what();
    }
  }
}

TEST(chip_image, poisson_counter_and_probability_are_checked) {
  isa::chip_image image = isa::fixtures::example_image();
  // input becomes a Poisson population.
  image.populations[0].kind = isa::neuron_kind::poisson;
  for (std::uint32_t i = 0; i < 4; ++i) {
    image.cores[0].kinds[i] = isa::neuron_kind::poisson;
    image.cores[0].sources[i] = {.p32 = isa::p32_always, .population = 0, .index = i};
  }
  ASSERT_NO_THROW(isa::validate_image(image));

  isa::chip_image bad = image;
  bad.cores[0].sources[2].p32 = isa::p32_always + 1;
  auto e = validate_error(bad);
  EXPECT_EQ(e->section, "sources");
  EXPECT_EQ(e->index, 2u);
  EXPECT_TRUE(contains(e->reason, "exceeds 2^32")) << e->reason;

  bad = image;
  bad.cores[0].sources[3].index = 2;
  e = validate_error(bad);
  EXPECT_EQ(e->core, 0u);
  EXPECT_EQ(e->index, 3u);
  EXPECT_TRUE(contains(e->reason, "input[3]")) << e->reason;
}

// --- Files ----------------------------------------------------------------------

TEST(chip_image, write_then_read_gives_the_same_image) {
  temp_dir dir;
  const isa::chip_image image = isa::fixtures::example_image();
  const fs::path file = dir.path() / "net.engram";
  isa::write_image(image, file);
  EXPECT_EQ(isa::read_image(file), image);
  EXPECT_EQ(read_bytes(file), isa::serialize_image(image));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"net.engram"});
}

TEST(chip_image, write_into_a_missing_directory_fails_and_leaves_nothing) {
  temp_dir dir;
  const fs::path file = dir.path() / "no" / "such" / "dir" / "net.engram";
  try {
    isa::write_image(isa::fixtures::example_image(), file);
    FAIL() << "write_image succeeded";
  } catch (const engram::file_error& e) {
    EXPECT_EQ(e.file, file.string());
    EXPECT_TRUE(contains(e.reason, "No such file or directory")) << e.reason;
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(chip_image, overwriting_replaces_the_file_whole) {
  temp_dir dir;
  const fs::path file = dir.path() / "net.engram";
  const isa::chip_image big = isa::fixtures::random_image(11);
  const isa::chip_image small = isa::fixtures::minimal_image();
  isa::write_image(big, file);
  isa::write_image(small, file);
  EXPECT_EQ(read_bytes(file), isa::serialize_image(small));
  EXPECT_EQ(isa::read_image(file), small);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"net.engram"});

  // An invalid image is refused before anything is written.
  isa::chip_image bad = big;
  bad.dt_ms = -1;
  EXPECT_THROW(isa::write_image(bad, file), image_error);
  EXPECT_EQ(read_bytes(file), isa::serialize_image(small));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"net.engram"});

  // A directory in the way: the rename fails, the temporary file is removed.
  fs::create_directory(dir.path() / "taken");
  fs::create_directory(dir.path() / "taken" / "x");
  EXPECT_THROW(isa::write_image(small, dir.path() / "taken"), engram::file_error);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"net.engram", "taken"}));
}

TEST(chip_image, reading_a_missing_or_foreign_file_is_a_user_error) {
  temp_dir dir;
  EXPECT_THROW((void)isa::read_image(dir.path() / "absent.engram"), engram::file_error);
  const fs::path json = dir.path() / "net.json";
  std::ofstream(json) << "{\"name\": \"net\"}";
  try {
    (void)isa::read_image(json);
    FAIL() << "read_image accepted JSON";
  } catch (const image_error& e) {
    EXPECT_EQ(e.kind, problem::not_an_image);
    EXPECT_EQ(e.source, json.string());
  }
  EXPECT_THROW((void)isa::read_image(dir.path()), engram::user_error);
}

// The seed corpus of the image fuzzer holds images of the current format.
// After a format change: ENGRAM_UPDATE_IMAGE_CORPUS=1 engram_tests
// --gtest_filter=chip_image.fuzz_corpus_is_current rewrites them.
TEST(chip_image, fuzz_corpus_is_current) {
  const fs::path corpus = fs::path(ENGRAM_SOURCE_DIR) / "tests" / "fuzz" / "image_corpus";
  const bool update = std::getenv("ENGRAM_UPDATE_IMAGE_CORPUS") != nullptr;
  for (const auto& [name, image] : isa::fixtures::corpus_images()) {
    SCOPED_TRACE(name);
    if (update) {
      isa::write_image(image, corpus / name);
    }
    EXPECT_EQ(read_bytes(corpus / name), isa::serialize_image(image))
        << "regenerate with ENGRAM_UPDATE_IMAGE_CORPUS=1";
    EXPECT_EQ(isa::read_image(corpus / name), image);
  }
}

// --- Lookups and the listing ------------------------------------------------------

TEST(chip_image, lookups_name_neurons_and_cores) {
  const isa::chip_image image = isa::fixtures::example_image();
  EXPECT_EQ(isa::locate_neuron(image, 1, 2), (isa::neuron_location{1, 2}));
  EXPECT_EQ(isa::locate_neuron(image, 2, 0), (isa::neuron_location{0, 4}));
  EXPECT_FALSE(isa::locate_neuron(image, 1, 3));
  EXPECT_EQ(isa::neuron_name(image, 0, 4), "reward[0]");
  EXPECT_EQ(isa::neuron_name(image, 1, 7), "core 1 neuron 7");
  EXPECT_EQ(isa::neuron_range_name(image, 0, 1, 4), "input[1..3], reward[0]");
  EXPECT_EQ(isa::find_population(image, "exc"), 1u);
  EXPECT_FALSE(isa::find_population(image, "inh"));
  EXPECT_EQ(isa::find_core(image, 1, 0), 1u);
  EXPECT_FALSE(isa::find_core(image, 0, 1));
  const auto row = isa::decode_row(image.cores[1], image.cores[1].axons[1]);
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0].address, 3u);
  EXPECT_TRUE(row[0].plastic);
  EXPECT_EQ(row[1].word.target, 2u);
  EXPECT_FALSE(row[1].plastic);
  const isa::image_totals t = isa::count_totals(image);
  EXPECT_EQ(t.synapses, 8u);
  EXPECT_EQ(t.plastic_synapses, 4u);
  EXPECT_EQ(t.emitting_neurons, 5u);
}

TEST(chip_image, microcode_disassembles_with_mnemonics_and_constants) {
  using isa::learn_operand;
  const isa::chip_image image = isa::fixtures::example_image();
  EXPECT_EQ(isa::disassemble_rule(image.cores[1], 0),
            "rule 0 (epoch 1, w in [0, 127], modulator 0): dw += 2^-2 * x1 * y0; dw -= 2^-2 * y1 * x0; "
            "dt += 2^-3 * (w - 64) * r1");
  EXPECT_EQ(isa::disassemble_term({.target = isa::learn_target::tag}), "dt += 1");
  EXPECT_EQ(isa::disassemble_term({.negate = 1, .scale = 4, .op0 = learn_operand::c, .const0 = -3,
                                   .op2 = learn_operand::x2, .const2 = 5}),
            "dw -= 2^4 * (-3) * (x2 + 5)");
  EXPECT_EQ(isa::port_names(0b010001), "east, local");
  EXPECT_EQ(isa::port_names(0), "none");
  EXPECT_EQ(isa::describe_route_match(image, {.key = 0, .mask = 0}), "any core neurons 0..4095");
  EXPECT_EQ(isa::describe_route_match(image, {.key = 0x0001000, .mask = 0xffffffe}), "core 1 neurons 0..1 (exc[0..1])");
  EXPECT_EQ(isa::describe_route_match(image, {.key = 0x0000001, .mask = 0xfffe001}),
            "cores 0x0000/0xfffe neurons 0x001/0x001");
}

TEST(chip_image, print_shows_summary_and_requested_details) {
  const isa::chip_image image = isa::fixtures::example_image();
  std::ostringstream summary;
  isa::print_image(summary, image);
  const std::string s = summary.str();
  for (const char* part : {"network \"example\" (chip image format 1)", "dt 1 ms, seed 42",
                           "chip \"tiny\": 2 x 1 cores per chip, 1 x 1 chips: a 2 x 1 grid of 2 cores",
                           "8 synapses (4 plastic) in 12 synapse words", "input_exc", "input -> exc"}) {
    EXPECT_TRUE(contains(s, part)) << "\"" << part << "\" missing from:\n" << s;
  }
  // One population row, one core row each.
  EXPECT_TRUE(contains(s, "   1  exc     lif             3  [0..2] on core 1\n")) << s;
  EXPECT_TRUE(contains(s, "  core  x,y  neurons  synapse words  axons in  emitting  routes  rules  microcode  slices\n"))
      << s;
  EXPECT_TRUE(contains(s, "     0  0,0     5/16          0/256      0/32      5/32    2/16    0/2       0/16  "
                          "input[0..3], reward[0]\n"))
      << s;
  EXPECT_TRUE(contains(s, "     1  1,0     3/16         12/256      5/32      0/32    1/16    1/2       3/16  "
                          "exc[0..2]\n"))
      << s;
  EXPECT_FALSE(contains(s, "rule 0")) << s;

  std::ostringstream all;
  isa::print_image(all, image, {.core = 1, .synapses = true, .routes = true, .microcode = true});
  const std::string a = all.str();
  for (const char* part : {
           "core 1 (1,0)\n",
           "    0..2: exc[0..2] lif, profile 0, 0 emitting\n",
           "  profile 0: decay_u_exc=742 decay_u_inh=390 decay_v=200 threshold_mant=2000",
           "  pre-trace profile 0: x1 decay 390, impulse 4096; x2 decay 0, impulse 0\n",
           "    core 0 neurons 0..3 = input[0..3] -> axons 0..3 via projection input_exc\n",
           "    core 0 neuron 4 = reward[0] -> axon 4 (modulator)\n",
           "    axon 1 <- input[1] via input_exc: words 3..5, weight_exp 2, pre-trace profile 0, rule 0\n",
           "      target 1 w=40 d=1 exc plastic tag=0 frac=0\n",
           "      target 2 w=12 d=2 exc\n",
           "    axon 4 <- reward[0]: modulator channel 0\n",
           "    0: key 0x0000000 mask 0xffff000 -> local: core 0 neurons 0..4095 (input[0..3], reward[0])\n",
           "    rule 0 (epoch 1, w in [0, 127], modulator 0): dw += 2^-2 * x1 * y0; dw -= 2^-2 * y1 * x0; "
           "dt += 2^-3 * (w - 64) * r1\n",
       }) {
    EXPECT_TRUE(contains(a, part)) << "\"" << part << "\" missing from:\n" << a;
  }
  EXPECT_FALSE(contains(a, "core 0 (0,0)\n")) << a;

  std::ostringstream routes;
  isa::print_image(routes, image, {.routes = true});
  EXPECT_TRUE(contains(routes.str(), "    0: key 0x0000000 mask 0xffffffc -> east: core 0 neurons 0..3 (input[0..3])\n"))
      << routes.str();
  EXPECT_TRUE(contains(routes.str(), "    1: key 0x0000004 mask 0xfffffff -> east: core 0 neuron 4 (reward[0])\n"))
      << routes.str();

  // A router without a core, listed after the cores' tables.
  isa::chip_image wider = image;
  wider.chip.mesh_width = 3;
  wider.cores[0].routes[0].ports = 1u << 0 | 1u << 4;
  wider.routers = {{2, 0, {{.key = 0x0001000, .mask = 0xffff000, .ports = 1u << 1}}}};
  ASSERT_NO_THROW(isa::validate_image(wider));
  std::ostringstream with_router;
  isa::print_image(with_router, wider, {.routes = true});
  EXPECT_TRUE(contains(with_router.str(), "4 route entries (1 router without a core)")) << with_router.str();
  EXPECT_TRUE(contains(with_router.str(), "\nrouter (2,0), no core there\n  routing table (1 of 16 entries;"))
      << with_router.str();
  EXPECT_TRUE(contains(with_router.str(), "    0: key 0x0001000 mask 0xffff000 -> west: core 1 neurons 0..4095 (exc[0..2])\n"))
      << with_router.str();

  // Deterministic, and the same for the image read back.
  std::ostringstream again;
  isa::print_image(again, isa::deserialize_image(isa::serialize_image(image), "x"),
                   {.core = 1, .synapses = true, .routes = true, .microcode = true});
  EXPECT_EQ(again.str(), a);
}

TEST(chip_image, print_handles_every_random_image) {
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const isa::chip_image image = isa::fixtures::random_image(seed);
    std::ostringstream a;
    std::ostringstream b;
    const isa::print_options all{.synapses = true, .routes = true, .microcode = true};
    isa::print_image(a, image, all);
    isa::print_image(b, image, all);
    EXPECT_EQ(a.str(), b.str());
    EXPECT_TRUE(contains(a.str(), "network \"random_" + std::to_string(seed) + "\"")) << seed;
    for (const auto& p : image.populations) {
      EXPECT_TRUE(contains(a.str(), p.name)) << seed;
    }
  }
}

// --- engram inspect ---------------------------------------------------------------

struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

run_result run_cli(const std::string& args) {
  static int counter = 0;
  const fs::path err_file =
      fs::temp_directory_path() / ("engram_inspect_err_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  const std::string command = std::string(ENGRAM_CLI_PATH) + " " + args + " 2>" + err_file.string();
  run_result r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return r;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    r.out.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  r.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  fs::remove(err_file);
  return r;
}

std::size_t line_count(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(chip_image, inspect_command_prints_a_valid_image) {
  temp_dir dir;
  const fs::path file = dir.path() / "example.engram";
  isa::write_image(isa::fixtures::example_image(), file);

  auto r = run_cli("inspect " + file.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(contains(r.out, "network \"example\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "cores (used/limit)")) << r.out;
  EXPECT_FALSE(contains(r.out, "rule 0")) << r.out;

  r = run_cli("inspect --core 1,0 --all " + file.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "dw += 2^-2 * x1 * y0; dw -= 2^-2 * y1 * x0")) << r.out;
  const auto by_id = run_cli("inspect " + file.string() + " --all --core=1");
  EXPECT_EQ(by_id.out, r.out);

  r = run_cli("inspect --microcode - < " + file.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "rule 0 (epoch 1")) << r.out;

  r = run_cli("inspect --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "--microcode")) << r.out;
}

TEST(chip_image, inspect_command_refuses_bad_input_in_one_line) {
  temp_dir dir;
  const fs::path file = dir.path() / "damaged.engram";
  bytes b = isa::serialize_image(isa::fixtures::example_image());
  b[b.size() / 2] ^= 0x10;
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));

  auto r = run_cli("inspect " + file.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, file.string())) << r.err;
  EXPECT_TRUE(contains(r.err, "checksum mismatch")) << r.err;

  r = run_cli("inspect " + (dir.path() / "absent.engram").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "absent.engram")) << r.err;

  const fs::path good = dir.path() / "good.engram";
  isa::write_image(isa::fixtures::example_image(), good);
  for (const char* bad : {"--core 2", "--core 5,5", "--core x", "--cores 1", ""}) {
    r = run_cli(std::string("inspect ") + bad + " " + (std::string(bad).empty() ? "" : good.string()));
    EXPECT_EQ(r.code, 1) << bad;
    EXPECT_EQ(line_count(r.err), 1u) << bad << ": " << r.err;
  }
}

}  // namespace
