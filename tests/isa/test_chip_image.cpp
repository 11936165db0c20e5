// The chip image: round trips, atomic writes, lookups, the listing, and
// `engram inspect`. Damaged files are in test_image_corruption.cpp, the
// invariants of validate_image in test_image_validation.cpp.
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

#include "image_bytes_helpers.hpp"
#include "../cli_runner.hpp"
#include "image_fixtures.hpp"

namespace {

namespace fs = std::filesystem;
namespace isa = engram::isa;
using isa::image_error;
using problem = isa::image_error::problem;
using isa::fixtures::bytes;
using isa::fixtures::contains;
using isa::fixtures::get_u64;
using isa::fixtures::section_at;
using isa::fixtures::sections;

using engram::test::temp_dir;

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
  EXPECT_EQ(b[8], 2);  // version 2, little-endian
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
  EXPECT_EQ(isa::find_projection(image, "input_exc"), 0u);
  EXPECT_FALSE(isa::find_projection(image, "exc"));
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
  for (const char* part : {"network \"example\" (chip image format 2)", "dt 1 ms, seed 42",
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

using run_result = engram::test::cli_result;
using engram::test::run_cli;

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
