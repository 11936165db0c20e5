// Indexed input axons (numerics §5): a core fed through one indexed axon
// gives the same bits as the same synapses fed through one ordinary axon per
// source, and a packet delivers only its own source's synapses of its block.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <engram/emulator/core.hpp>
#include <engram/isa/chip_image.hpp>

#include "core_fixtures.hpp"

namespace engram::test::core_fixtures {
namespace {

using isa::fixtures::fixture_rng;

struct source_run {  // one indexed input-map entry
  std::uint32_t src_core, src_cores, neuron_base, count, index_base;
};

struct network {
  std::vector<source_run> runs;
  std::uint32_t sources = 0;                         // N
  std::vector<std::vector<isa::synapse_word>> rows;  // per source index j
  std::int32_t weight_exp = 0;
};

constexpr std::uint32_t targets = 8;

// Runs of 1..3 source cores with equal slices of 1..12 neurons from a
// neuron_base of 0..3; index_base continues the previous run (so runs after
// the first start off a multiple of 16). Each source has 0..3 synapses; with
// `empty_block`, sources 16..31 have none.
network random_network(std::uint64_t seed, bool empty_block) {
  fixture_rng r(seed);
  network net;
  net.weight_exp = r.between(-2, 3);
  std::uint32_t core = 1;
  const std::uint32_t runs = 2 + r.below(4);
  for (std::uint32_t k = 0; k < runs; ++k) {
    source_run run{core, 1 + r.below(3), r.below(4), 1 + r.below(12), net.sources};
    net.sources += run.src_cores * run.count;
    core += run.src_cores + r.below(2);
    net.runs.push_back(run);
  }
  net.rows.resize(net.sources);
  for (std::uint32_t j = 0; j < net.sources; ++j) {
    if (empty_block && j / 16 == 1) {
      continue;
    }
    const std::uint32_t n = r.below(4);
    for (std::uint32_t s = 0; s < n; ++s) {
      const bool excitatory = r.chance(2, 3);
      const std::int32_t w = r.between(0, 127);
      net.rows[j].push_back(excitatory ? exc(w, 1 + r.below(5), r.below(targets))
                                       : inh(-w, 1 + r.below(5), r.below(targets)));
    }
  }
  return net;
}

isa::core_image target_core() {
  isa::core_image c;
  isa::neuron_config p = example_profile();
  p.threshold_mant = 60;
  p.bias_mant = 0;
  c.profiles = {p};
  for (std::uint32_t n = 0; n < targets; ++n) {
    add_neuron(c, neuron_kind::lif, 0);
  }
  return c;
}

// One ordinary axon per source j (axon j), one ordinary entry per source core.
isa::core_image ordinary_core(const network& net) {
  isa::core_image c = target_core();
  for (std::uint32_t j = 0; j < net.sources; ++j) {
    add_axon(c, net.rows[j], net.weight_exp);
  }
  for (const source_run& run : net.runs) {
    for (std::uint32_t k = 0; k < run.src_cores; ++k) {
      map_inputs(c, run.src_core + k, run.neuron_base, run.count, run.index_base + k * run.count);
    }
  }
  return c;
}

// One indexed axon: the index, then each block's synapses in shuffled order.
isa::core_image indexed_core(const network& net, std::uint64_t seed) {
  fixture_rng r(seed ^ 0x5eed);
  isa::core_image c = target_core();
  const std::uint32_t blocks = (net.sources + 15) / 16;
  std::vector<std::uint32_t> data;
  std::vector<std::uint32_t> index;
  for (std::uint32_t b = 0; b < blocks; ++b) {
    std::vector<isa::synapse_word> block;
    for (std::uint32_t j = b * 16; j < std::min(net.sources, b * 16 + 16); ++j) {
      for (isa::synapse_word w : net.rows[j]) {
        w.source = j % 16;
        block.push_back(w);
      }
    }
    for (std::size_t i = block.size(); i > 1; --i) {
      std::swap(block[i - 1], block[r.below(i)]);
    }
    for (const isa::synapse_word& w : block) {
      data.push_back(static_cast<std::uint32_t>(isa::pack(w)[0]));
    }
    index.push_back(static_cast<std::uint32_t>(isa::pack(isa::index_word{.run_end = static_cast<std::uint32_t>(data.size())})[0]));
  }
  c.axons.push_back({.row_base = 0, .row_len = blocks, .weight_exp = net.weight_exp, .indexed = 1});
  c.synapse_memory = index;
  c.synapse_memory.insert(c.synapse_memory.end(), data.begin(), data.end());
  for (const source_run& run : net.runs) {
    c.input_map.push_back({.src_core = run.src_core, .neuron_base = run.neuron_base, .count = run.count,
                           .axon_base = 0, .indexed = 1, .src_cores = run.src_cores, .index_base = run.index_base});
    c.input_projection.push_back(0);
  }
  return c;
}

TEST(core_indexed, same_bits_as_ordinary_axons_over_random_connectivity) {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const network net = random_network(seed, seed % 2 == 0);
    const isa::core_image ordinary_image = ordinary_core(net);
    const isa::core_image indexed_image = indexed_core(net, seed);
    core ordinary(ordinary_image, 0, 9);
    core indexed(indexed_image, 0, 9);
    // The per-key synapse counts (the simulation's synaptic operations) agree.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> a, b;
    std::uint64_t keys = 0;
    for (const source_run& run : net.runs) {
      for (std::uint32_t k = 0; k < run.src_cores; ++k) {
        for (std::uint32_t n = run.neuron_base; n < run.neuron_base + run.count; ++n) {
          a.clear();
          b.clear();
          ordinary.entries_reached(run.src_core + k, n, a);
          indexed.entries_reached(run.src_core + k, n, b);
          ASSERT_EQ(a.size(), 1u);
          ASSERT_EQ(b.size(), 1u);
          EXPECT_EQ(a[0].second, b[0].second) << "core " << run.src_core + k << " neuron " << n;
          ++keys;
        }
      }
    }
    EXPECT_EQ(keys, net.sources);
    // Lookahead per source core: the smallest delay either way.
    ASSERT_EQ(ordinary.sources().size(), indexed.sources().size());
    fixture_rng r(seed * 77);
    std::uint64_t spikes = 0;
    for (std::uint64_t s = 0; s < 60; ++s) {
      for (const source_run& run : net.runs) {
        for (std::uint32_t k = 0; k < run.src_cores; ++k) {
          for (std::uint32_t n = run.neuron_base; n < run.neuron_base + run.count; ++n) {
            if (s > 0 && r.chance(1, 3)) {
              ordinary.deliver(run.src_core + k, n, 0, s - 1, s);
              indexed.deliver(run.src_core + k, n, 0, s - 1, s);
            }
          }
        }
      }
      ordinary.update(s);
      indexed.update(s);
      for (std::uint32_t n = 0; n < targets; ++n) {
        ASSERT_EQ(ordinary.neuron(n), indexed.neuron(n)) << "step " << s << " neuron " << n;
      }
      ASSERT_EQ(ordinary.spiked(), indexed.spiked()) << "step " << s;
      spikes += indexed.spiked().size();
    }
    EXPECT_EQ(ordinary.counters().synaptic_ops, indexed.counters().synaptic_ops);
    EXPECT_EQ(ordinary.counters().packets_in, indexed.counters().packets_in);
    EXPECT_GT(indexed.counters().synaptic_ops, 0u);
    // No pre traces for an indexed axon.
    EXPECT_EQ(indexed.pre_trace(0), isa::pre_trace_state{});
    (void)spikes;
  }
}

TEST(core_indexed, delivers_only_the_packets_source_of_the_block) {
  // Block 1 holds sources 17 (onto neuron 0) and 18 (onto neuron 1); a packet
  // of source 17 reads both words and delivers one.
  isa::core_image c = target_core();
  const isa::synapse_word w17{.weight = 50, .delay = 1, .target = 0, .source = 1};
  const isa::synapse_word w18{.weight = 50, .delay = 1, .target = 1, .source = 2};
  c.synapse_memory = {static_cast<std::uint32_t>(isa::pack(isa::index_word{.run_end = 0})[0]),
                      static_cast<std::uint32_t>(isa::pack(isa::index_word{.run_end = 2})[0]),
                      static_cast<std::uint32_t>(isa::pack(w17)[0]), static_cast<std::uint32_t>(isa::pack(w18)[0])};
  c.axons.push_back({.row_base = 0, .row_len = 2, .weight_exp = 0, .indexed = 1});
  // Core 4 neurons 5..14 are sources 10..19 (index_base 10: not aligned to 16).
  c.input_map.push_back({.src_core = 4, .neuron_base = 5, .count = 10, .axon_base = 0, .indexed = 1, .src_cores = 1,
                         .index_base = 10});
  c.input_projection.push_back(0);
  core k(c, 0, 1);
  k.update(0);
  k.deliver(4, 12, 0, 0, 1);  // j = 10 + 7 = 17
  k.update(1);
  EXPECT_GT(k.neuron(0).u_exc, 0);
  EXPECT_EQ(k.neuron(1).u_exc, 0);
  EXPECT_EQ(k.counters().synaptic_ops, 1u);
  k.deliver(4, 5, 0, 1, 2);  // j = 10: block 0, empty
  k.update(2);
  EXPECT_EQ(k.neuron(1).u_exc, 0);
  EXPECT_EQ(k.counters().synaptic_ops, 1u);
  EXPECT_EQ(k.counters().packets_in, 2u);
}

}  // namespace
}  // namespace engram::test::core_fixtures
