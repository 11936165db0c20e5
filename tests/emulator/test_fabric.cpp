// The fabric's trees from the compiler's tables (disjoint aligned blocks,
// looked up by binary search, a tree walked once per run of neurons that take
// the same entries) equal the trees of the same tables made to need the
// general path: a scan of every entry and a walk per neuron.

#include <random>

#include <gtest/gtest.h>

#include <engram/emulator/fabric.hpp>

#include "sim_fixtures.hpp"

namespace {

using namespace engram;
using engram::test::busy_network;
using engram::test::compile_if_fits;
using engram::test::small_chip;

// An entry that every core's keys may reach (no core bits in its mask) but
// no packet matches (neurons with bits 11 and 0 set, 2049 and up), whose
// mask is not a prefix: its table is no longer a set of aligned blocks, and
// its neurons are not a range, so each neuron's tree is walked.
void add_irregular_entry(std::vector<isa::route_entry>& table) {
  isa::route_entry e{};
  e.key = 0x801;
  e.mask = 0x801;
  e.ports = 1;
  table.push_back(e);
}

}  // namespace

TEST(fabric, the_fast_tree_walk_equals_the_general_one) {
  std::mt19937 rng(41);
  int compared = 0;
  for (int trial = 0; trial < 30; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const auto net = busy_network(rng, trial);
    const auto chip = small_chip(rng);
    const auto compiled = compile_if_fits(net, chip);
    if (!compiled) {
      continue;  // does not fit this random chip
    }
    const isa::chip_image& image = *compiled;
    isa::chip_image general = image;
    for (auto& core : general.cores) {
      add_irregular_entry(core.routes);
    }
    for (auto& router : general.routers) {
      add_irregular_entry(router.entries);
    }
    for (const auto& core : image.cores) {
      ASSERT_LE(core.neuron_count(), 2049u);  // the extra entries match no neuron of the image
    }
    const emulator::fabric fast(image);
    const emulator::fabric slow(general);
    for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
      for (std::uint32_t n = 0; n < image.cores[c].neuron_count(); ++n) {
        ASSERT_EQ(fast.tree(c, n), slow.tree(c, n)) << "core " << c << " neuron " << n;
        compared += fast.tree(c, n).destinations.empty() ? 0 : 1;
      }
    }
  }
  EXPECT_GT(compared, 100);
}
