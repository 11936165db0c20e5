// One emulated core against docs/numerics.md: the neuron worked example of
// §10 bit for bit through the whole ingress path (input map, axon, synapse
// words, weight exponent, delay slots), saturation, negative currents,
// refractory edges, delays up to MaxDelay with late delivery. The expected
// integers are those of the document's tables, or worked out by hand from
// §5–§6 where a comment shows the arithmetic. Learning, Poisson sources and
// checkpoints: test_core_learning.cpp.
#include <cstdint>
#include <map>
#include <ostream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <engram/common/philox.hpp>
#include <engram/emulator/checkpoint.hpp>
#include <engram/emulator/core.hpp>
#include <engram/emulator/fixed_point.hpp>
#include <engram/isa/chip_image.hpp>

#include "core_fixtures.hpp"

namespace {

using namespace engram;
using namespace engram::test::core_fixtures;

TEST(core, section10_neuron_table_bit_for_bit) {
  core c(section10_core(1, 0), 0, 0);
  const std::vector<row> rows = run(c, section10_packets, 9);
  ASSERT_EQ(rows.size(), section10_rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i], section10_rows[i]);
  }
}

TEST(core, section10_neuron_fed_by_spike_arrays_on_the_same_core) {
  // The inputs come from spike_array neurons 1..3 of the core itself: a
  // local spike is a packet to itself (§4), emitted in the step it is listed.
  isa::core_image c = section10_core(0, 1);
  add_neuron(c, neuron_kind::spike_array, 0, {}, {.steps = {0, 1, 2, 4}});
  add_neuron(c, neuron_kind::spike_array, 0, {}, {.steps = {1}});
  add_neuron(c, neuron_kind::spike_array, 0, {}, {.steps = {0}});
  c.emits = {0, 1, 1, 1};
  core k(c, 0, 0);
  std::vector<std::vector<std::uint32_t>> spikes;
  for (std::uint64_t s = 0; s < 9; ++s) {
    k.update(s);
    EXPECT_EQ(observe(k, 0), section10_rows[s]);
    spikes.push_back(k.spiked());
    // Egress of step s, delivered at step s + 1.
    for (std::uint32_t n : k.spiked()) {
      if (k.emits(n)) {
        k.deliver(0, n, 0, s, s + 1);
      }
    }
  }
  const std::vector<std::vector<std::uint32_t>> expected = {{1, 3}, {1, 2}, {1}, {0}, {1}, {}, {}, {}, {0}};
  EXPECT_EQ(spikes, expected);
}

TEST(core, packets_of_one_step_in_any_order_give_the_same_bits) {
  std::vector<packet> reversed(section10_packets.rbegin(), section10_packets.rend());
  core c(section10_core(1, 0), 0, 0);
  EXPECT_EQ(run(c, reversed, 9), section10_rows);
}

// --- Saturation and negative currents ---------------------------------------------

TEST(core, excitatory_accumulator_and_u_exc_saturate_at_the_int24_maximum) {
  // Neuron 0: nine synapses of 127 at weight_exp 7 (127 << 13 = 1040384
  // each, 9363456 in all) saturate the accumulator at 2^23 − 1. Neuron 1
  // starts at u_exc 8000000 and gets one: the register saturates.
  isa::neuron_config p{.threshold_mant = 131071, .reset_mant = -100, .refractory_period = 255};  // no decays
  isa::core_image c = one_neuron_core(p);
  add_neuron(c, neuron_kind::lif, 0, {.u_exc = 8000000});
  std::vector<isa::synapse_word> synapses(9, exc(127, 1, 0));
  synapses.push_back(exc(127, 1, 1));
  add_axon(c, synapses, 7);
  map_inputs(c, 1, 0, 1, 0);
  core k(c, 0, 0);
  std::vector<row> n0 = run(k, {{1, 0, 0}, {1, 0, 1}}, 3, 0);
  // v = sat24(0 + 8388607) = 8388607 >= 8388544 (threshold 131071 << 6): a
  // spike, which saturation never hides (§6); then held at reset −6400.
  const std::vector<row> expected0 = {{0, 0, 0, 0, 0, false},
                                      {1, int24_max, 0, -6400, 255, true},
                                      {2, int24_max, 0, -6400, 254, false}};
  EXPECT_EQ(n0, expected0);

  core k1(c, 0, 0);
  std::vector<row> n1 = run(k1, {{1, 0, 0}}, 2, 1);
  const std::vector<row> expected1 = {{0, 8000000, 0, 8000000, 0, false},  // 8000000 < 8388544
                                      {1, int24_max, 0, -6400, 255, true}};
  EXPECT_EQ(n1, expected1);
}

TEST(core, inhibitory_accumulator_u_inh_and_v_saturate_at_the_int24_minimum) {
  // Nine inhibitory synapses of −128 at weight_exp 7 (−1048576 each); bias
  // −4096 << 7 = −524288; no decays.
  isa::neuron_config p{.threshold_mant = 1, .bias_mant = -4096, .bias_exp = 7, .reset_mant = -1};
  isa::core_image c = one_neuron_core(p);
  add_axon(c, std::vector<isa::synapse_word>(9, inh(-128, 1)), 7);
  map_inputs(c, 1, 0, 1, 0);
  core k(c, 0, 0);
  const std::vector<row> rows = run(k, {{1, 0, 0}, {1, 0, 1}}, 4);
  const std::vector<row> expected = {
      {0, 0, 0, -524288, 0, false},
      {1, 0, int24_min, int24_min, 0, false},  // −524288 − 8388608 − 524288, saturated
      {2, 0, int24_min, int24_min, 0, false},  // u_inh: −2^23 − 2^23, saturated
      {3, 0, int24_min, int24_min, 0, false},
  };
  EXPECT_EQ(rows, expected);
}

TEST(core, inhibition_pulls_v_below_reset) {
  // §10 decays, no bias, reset −3200, starting at v = reset; one inhibitory
  // input of −128 << 13 = −1048576 at step 1. v is not bounded by reset.
  isa::neuron_config p = example_profile();
  p.bias_mant = 0;
  p.bias_exp = 0;
  p.refractory_period = 0;
  isa::core_image c = one_neuron_core(p, {.v = -3200});
  add_axon(c, {inh(-128, 1)}, 7);
  map_inputs(c, 1, 0, 1, 0);
  core k(c, 0, 0);
  const std::vector<row> expected = {
      {0, 0, 0, -3043, 0, false},  // decay(−3200, 200)
      {1, 0, -1048576, -1051470, 0, false},  // decay(−3043, 200) = −2894, − 1048576
      {2, 0, -948736, -1948864, 0, false},
      {3, 0, -858402, -2712106, 0, false},
      {4, 0, -776669, -3356347, 0, false},
      {5, 0, -702718, -3895180, 0, false},
  };
  EXPECT_EQ(run(k, {{1, 0, 0}}, 6), expected);
}

// --- Refractory edges (§6) --------------------------------------------------------

isa::neuron_config driven_profile(std::int32_t bias_mant, std::uint32_t bias_exp, std::uint32_t refractory) {
  // No decays, threshold 1000 << 6 = 64000, reset −3200.
  return {.threshold_mant = 1000,
          .bias_mant = bias_mant,
          .bias_exp = bias_exp,
          .reset_mant = -50,
          .refractory_period = refractory};
}

TEST(core, refractory_period_zero_allows_spikes_in_consecutive_steps) {
  // bias 2188 << 5 = 70016 >= 64000: −3200 + 70016 = 66816 >= 64000 again.
  core k(one_neuron_core(driven_profile(2188, 5, 0)), 0, 0);
  const std::vector<row> rows = run(k, {}, 6);
  for (const row& r : rows) {
    EXPECT_EQ(r, (row{r.step, 0, 0, -3200, 0, true}));
  }
}

TEST(core, refractory_period_two_follows_the_section6_table) {
  // bias 2500 << 4 = 40000: v = 40000, then 80000 spikes at t = 1.
  core k(one_neuron_core(driven_profile(2500, 4, 2)), 0, 0);
  const std::vector<row> expected = {
      {0, 0, 0, 40000, 0, false},
      {1, 0, 0, -3200, 2, true},    // t: spike, refractory 2
      {2, 0, 0, -3200, 1, false},   // t+1: entry 2, held at reset
      {3, 0, 0, -3200, 0, false},   // t+2: entry 1, held at reset
      {4, 0, 0, 36800, 0, false},   // t+3: decay(reset) + u + bias = −3200 + 40000
      {5, 0, 0, -3200, 2, true},
      {6, 0, 0, -3200, 1, false},
  };
  EXPECT_EQ(run(k, {}, 7), expected);
}

TEST(core, refractory_period_two_gives_an_interspike_interval_of_three) {
  // A bias above threshold spikes as soon as the neuron may: t, t+3, t+6.
  core k(one_neuron_core(driven_profile(2188, 5, 2)), 0, 0);
  const std::vector<row> rows = run(k, {}, 10);
  for (const row& r : rows) {
    const bool spike = r.step % 3 == 0;
    EXPECT_EQ(r, (row{r.step, 0, 0, -3200, spike ? 2u : 2u - static_cast<std::uint32_t>(r.step % 3), spike}));
  }
}

TEST(core, refractory_from_the_image_holds_v_while_currents_integrate) {
  // Initial refractory 3, v 5000, u_exc 25600; an input of 25600 at step 1
  // enters u_exc although v is held at reset.
  isa::core_image c = one_neuron_core(example_profile(), {.u_exc = 25600, .v = 5000, .refractory = 3});
  add_axon(c, {exc(100, 1)}, 2);
  map_inputs(c, 1, 0, 1, 0);
  core k(c, 0, 0);
  const std::vector<row> expected = {
      {0, 20962, 0, -3200, 2, false},   // decay(25600, 742) = 20962
      {1, 42764, 0, -3200, 1, false},   // decay(20962, 742) = 17164, + 25600
      {2, 35017, 0, -3200, 0, false},
      {3, 28673, 0, 26630, 0, false},   // −3043 + 28673 + 1000
      {4, 23478, 0, 49807, 0, false},
      {5, 19224, 0, 67599, 0, false},
  };
  EXPECT_EQ(run(k, {{1, 0, 0}}, 6), expected);
}

TEST(core, spike_on_v_equal_to_threshold) {
  // bias 1000 << 6 = 64000 = threshold: v >= threshold spikes (§6).
  core at(one_neuron_core(driven_profile(1000, 6, 0)), 0, 0);
  EXPECT_TRUE(run(at, {}, 1)[0].spike);
  // bias 3999 << 4 = 63984, 16 below the threshold: no spike at step 0;
  // 127968 at step 1.
  core below(one_neuron_core(driven_profile(3999, 4, 0)), 0, 0);
  const std::vector<row> expected = {{0, 0, 0, 63984, 0, false}, {1, 0, 0, -3200, 0, true}};
  EXPECT_EQ(run(below, {}, 2), expected);
}

// --- Delays and late delivery (§5, core::sources) -----------------------------------

/// A neuron whose u_exc shows each input only in its arrival step: d = 4095
/// keeps x >> 12, and the input 50 << 6 = 3200 is below 4096.
isa::core_image delay_core(const std::vector<std::uint32_t>& delays) {
  isa::neuron_config p{.decay_u_exc = 4095, .decay_u_inh = 4095, .decay_v = 4095, .threshold_mant = 131071};
  isa::core_image c = one_neuron_core(p);
  for (std::uint32_t d : delays) {
    add_axon(c, {exc(50, d)}, 0);
  }
  map_inputs(c, 1, 0, static_cast<std::uint32_t>(delays.size()), 0);
  return c;
}

TEST(core, input_of_delay_d_enters_the_neuron_at_emission_plus_d) {
  for (std::uint32_t d : {1u, 2u, 17u, 62u, 63u}) {
    const core probe(delay_core({d}), 0, 0);
    ASSERT_EQ(probe.sources().size(), 1u);
    EXPECT_EQ(probe.sources()[0].src_core, 1u);
    EXPECT_EQ(probe.sources()[0].lookahead, d);
    const std::uint64_t t = 5;
    const std::uint64_t steps = t + d + 3;
    std::vector<row> on_time;
    for (std::uint64_t k = 1; k <= d; ++k) {
      // Delivered while the core runs step t + k: the same bits for every k.
      core c(delay_core({d}), 0, 0);
      const std::vector<row> rows = run(c, {{1, 0, t}}, steps, 0, [&](const packet&) { return k - 1; });
      if (k == 1) {
        on_time = rows;
        for (const row& r : rows) {
          const bool arrives = r.step == t + d;
          EXPECT_EQ(r, (row{r.step, arrives ? 3200 : 0, 0, arrives ? 3200 : 0, 0, false})) << "delay " << d;
        }
      } else {
        EXPECT_EQ(rows, on_time) << "delay " << d << " delivered " << k << " steps after emission";
      }
    }
  }
}

TEST(core, lookahead_is_the_smallest_delay_or_one_for_learning_and_modulator_axons) {
  isa::core_image c = delay_core({9, 5, 63});
  // A second source core whose row mixes delays 63 and 2.
  add_axon(c, {exc(1, 63), exc(1, 2)}, 0);
  map_inputs(c, 2, 4, 1, 3);
  // A third whose axon learns, a fourth a modulator channel.
  c.pre_trace_profiles = {{390, 4096}, {0, 0}};
  c.post_trace_profiles = {{390, 4096}, {0, 0}, {0, 0}};
  c.rules = {{.first_term = 0, .num_terms = 1, .epoch = 1, .w_min = 0, .w_max = 127}};
  c.microcode = {{.op0 = isa::learn_operand::c, .const0 = 1, .last = 1}};
  const std::uint32_t learning = add_axon(c, {exc(10, 40)}, 0);
  c.axons[learning].learning = 1;
  c.synapse_memory[c.axons[learning].row_base] =
      static_cast<std::uint32_t>(isa::pack(isa::synapse_word{.weight = 10, .delay = 40, .plastic = 1})[0]);
  c.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(isa::plastic_word{})[0]));
  c.axons[learning].row_len = 2;
  map_inputs(c, 3, 0, 1, learning);
  c.axons.push_back({.modulator = 1, .modulator_channel = 2});
  map_inputs(c, 4, 0, 1, static_cast<std::uint32_t>(c.axons.size() - 1));
  c.input_projection.back() = isa::no_projection;
  const core k(c, 0, 0);
  ASSERT_EQ(k.sources().size(), 4u);
  EXPECT_EQ(k.sources()[0].src_core, 1u);
  EXPECT_EQ(k.sources()[0].lookahead, 5u);
  EXPECT_EQ(k.sources()[1].src_core, 2u);
  EXPECT_EQ(k.sources()[1].lookahead, 2u);
  EXPECT_EQ(k.sources()[2].src_core, 3u);
  EXPECT_EQ(k.sources()[2].lookahead, 1u);
  EXPECT_EQ(k.sources()[3].src_core, 4u);
  EXPECT_EQ(k.sources()[3].lookahead, 1u);
}

TEST(core, late_delivery_within_the_lookahead_over_many_steps_gives_the_same_bits) {
  // Delays 63 and 40 (lookahead 40), packets every few steps for 300 steps:
  // the 64 delay slots wrap several times. Each packet is delivered between
  // 1 and 40 steps after its emission; the neuron must not notice.
  isa::neuron_config p = example_profile();
  p.threshold_mant = 200;  // 12800: the neuron spikes now and then
  isa::core_image img = one_neuron_core(p);
  add_axon(img, {exc(60, 63)}, 2);
  add_axon(img, {exc(90, 40), inh(-30, 45)}, 2);
  map_inputs(img, 1, 0, 2, 0);
  std::vector<packet> packets;
  for (std::uint64_t t = 0; t < 300; t += 3) {
    packets.push_back({1, static_cast<std::uint32_t>(t % 2), t});
    if (t % 7 == 0) {
      packets.push_back({1, static_cast<std::uint32_t>(1 - t % 2), t});
    }
  }
  core on_time(img, 0, 0);
  ASSERT_EQ(on_time.sources()[0].lookahead, 40u);
  const std::vector<row> expected = run(on_time, packets, 400);
  std::size_t spikes = 0;
  for (const row& r : expected) {
    spikes += r.spike ? 1 : 0;
  }
  EXPECT_GT(spikes, 5u);
  core late(img, 0, 0);
  const std::vector<row> rows =
      run(late, packets, 400, 0, [](const packet& pk) { return (pk.emitted * 13 + pk.neuron * 7) % 40; });
  EXPECT_EQ(rows, expected);
}


}  // namespace
