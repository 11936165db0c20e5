// One emulated core against docs/numerics.md: the worked examples of §10 bit
// for bit through the whole ingress path (input map, axon, synapse words,
// weight exponent, delay slots), saturation, negative currents, refractory
// edges, delays up to MaxDelay with late delivery, Poisson sources (§9) and
// checkpoints. The expected integers are those of the document's tables, or
// worked out by hand from §5–§8 where a comment shows the arithmetic.
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

#include "../isa/image_fixtures.hpp"

namespace {

using namespace engram;
using emulator::core;
using isa::neuron_kind;
using isa::receptor_kind;

constexpr std::int32_t int24_max = 8388607;
constexpr std::int32_t int24_min = -8388608;

// --- Building one core by hand -------------------------------------------------------

/// The neuron profile of numerics §10.
isa::neuron_config example_profile() {
  return {.decay_u_exc = 742,
          .decay_u_inh = 390,
          .decay_v = 200,
          .threshold_mant = 2000,  // 128000
          .bias_mant = 125,
          .bias_exp = 3,  // 1000
          .reset_mant = -50,  // −3200
          .refractory_period = 2,
          .post_trace_profile = 0};
}

isa::synapse_word exc(std::int32_t weight, std::uint32_t delay, std::uint32_t target = 0) {
  return {.weight = weight, .delay = delay, .target = target, .receptor = receptor_kind::excitatory};
}

isa::synapse_word inh(std::int32_t weight, std::uint32_t delay, std::uint32_t target = 0) {
  return {.weight = weight, .delay = delay, .target = target, .receptor = receptor_kind::inhibitory};
}

void add_neuron(isa::core_image& c, neuron_kind kind, std::uint16_t profile = 0, isa::neuron_state state = {},
                isa::spike_source source = {}) {
  c.kinds.push_back(kind);
  c.profile.push_back(profile);
  c.initial_state.push_back(state);
  c.emits.push_back(0);
  c.sources.push_back(std::move(source));
}

/// Appends an axon whose row holds `row` (fixed synapses); returns its index.
std::uint32_t add_axon(isa::core_image& c, const std::vector<isa::synapse_word>& row, std::int32_t weight_exp) {
  isa::axon_entry a;
  a.row_base = static_cast<std::uint32_t>(c.synapse_memory.size());
  a.row_len = static_cast<std::uint32_t>(row.size());
  a.weight_exp = weight_exp;
  for (const isa::synapse_word& w : row) {
    c.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(w)[0]));
  }
  c.axons.push_back(a);
  return static_cast<std::uint32_t>(c.axons.size() - 1);
}

/// Neurons [neuron_base, neuron_base + count) of `src_core` feed axons from `axon_base` on.
void map_inputs(isa::core_image& c, std::uint32_t src_core, std::uint32_t neuron_base, std::uint32_t count,
                std::uint32_t axon_base) {
  c.input_map.push_back({.src_core = src_core, .neuron_base = neuron_base, .count = count, .axon_base = axon_base});
  c.input_projection.push_back(0);
}

/// One core with one lif neuron of profile `p` (initial state `s`).
isa::core_image one_neuron_core(const isa::neuron_config& p, isa::neuron_state s = {}) {
  isa::core_image c;
  c.profiles = {p};
  add_neuron(c, neuron_kind::lif, 0, s);
  return c;
}

/// A packet: neuron `neuron` of core `src_core` spiked at step `emitted`.
struct packet {
  std::uint32_t src_core = 0;
  std::uint32_t neuron = 0;
  std::uint64_t emitted = 0;
  std::uint32_t payload = 0;
};

/// What one lif neuron shows after a step.
struct row {
  std::uint64_t step;
  std::int32_t u_exc, u_inh, v;
  std::uint32_t refractory;
  bool spike;
  friend bool operator==(const row&, const row&) = default;
};

std::ostream& operator<<(std::ostream& os, const row& r) {
  return os << "step " << r.step << ": u_exc " << r.u_exc << ", u_inh " << r.u_inh << ", v " << r.v
            << ", refractory " << r.refractory << ", spike " << r.spike;
}

bool spiked(const core& c, std::uint32_t n) {
  for (std::uint32_t s : c.spiked()) {
    if (s == n) {
      return true;
    }
  }
  return false;
}

row observe(const core& c, std::uint32_t n) {
  const isa::neuron_state s = c.neuron(n);
  return {c.step() - 1, s.u_exc, s.u_inh, s.v, s.refractory, spiked(c, n)};
}

/// Runs steps 0 .. steps-1; each packet is delivered while the core runs
/// step emitted + 1 + late(packet) (on time: late = 0). Returns neuron n's rows.
template <class Late>
std::vector<row> run(core& c, const std::vector<packet>& packets, std::uint64_t steps, std::uint32_t n, Late late) {
  std::multimap<std::uint64_t, packet> due;
  for (const packet& p : packets) {
    due.emplace(p.emitted + 1 + late(p), p);
  }
  std::vector<row> rows;
  for (std::uint64_t s = 0; s < steps; ++s) {
    auto [first, last] = due.equal_range(s);
    for (auto it = first; it != last; ++it) {
      c.deliver(it->second.src_core, it->second.neuron, it->second.payload, it->second.emitted, s);
    }
    c.update(s);
    rows.push_back(observe(c, n));
  }
  return rows;
}

std::vector<row> run(core& c, const std::vector<packet>& packets, std::uint64_t steps, std::uint32_t n = 0) {
  return run(c, packets, steps, n, [](const packet&) { return std::uint64_t{0}; });
}

// --- The neuron of §10 -----------------------------------------------------------------

/// The §10 table: s, u_exc, u_inh, v (after the phase), refractory out, spike.
const std::vector<row> section10_rows = {
    {0, 0, 0, 1000, 0, false},          {1, 25600, 0, 27551, 0, false},
    {2, 72162, -7680, 91687, 0, false}, {3, 84689, -6948, -3200, 2, true},
    {4, 69347, -6286, -3200, 1, false}, {5, 82384, -5687, -3200, 0, false},
    {6, 67459, -5145, 60271, 0, false}, {7, 55238, -4655, 108911, 0, false},
    {8, 45231, -4211, -3200, 2, true},
};

/// The §10 neuron fed from core 1 (neurons 0..2) through three axons:
/// axon 0: excitatory 100 at weight_exp 2 (100 << 8 = 25600), delay 1;
/// axon 1: inhibitory −60 at weight_exp 1 (−60 << 7 = −7680), delay 1;
/// axon 2: excitatory 100 at weight_exp 2, delay 2.
isa::core_image section10_core(std::uint32_t src_core, std::uint32_t neuron_base) {
  isa::core_image c = one_neuron_core(example_profile());
  add_axon(c, {exc(100, 1)}, 2);
  add_axon(c, {inh(-60, 1)}, 1);
  add_axon(c, {exc(100, 2)}, 2);
  map_inputs(c, src_core, neuron_base, 3, 0);
  return c;
}

/// Slots consumed (§10): step 1 exc 25600; step 2 exc 51200 (two spikes:
/// axon 0 emitted at 1, axon 2 emitted at 0 with delay 2) and inh −7680;
/// step 3 exc 25600; step 5 exc 25600.
const std::vector<packet> section10_packets = {
    {1, 0, 0}, {1, 2, 0}, {1, 0, 1}, {1, 1, 1}, {1, 0, 2}, {1, 0, 4},
};

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


// --- Learning: the STDP example of §10 ----------------------------------------------

/// Neuron 0 (threshold 1000 << 6 = 64000, no bias, reset 0, refractory 20)
/// with y1 = {decay 390, impulse 4096}. Axon 0 (core 1 neuron 0) learns: a
/// plastic excitatory synapse of weight 40 (40 << 6 = 2560 at weight_exp 0),
/// x1 = {390, 4096}. Axon 1 (core 1 neuron 1): a fixed synapse of 127 at
/// weight_exp 3 (65024), which makes the neuron spike in its arrival step.
/// Rule: epoch 1, w 0..127, dw += y0·x1·c(64)·2^−11, dw −= x0·y1·c(72)·2^−11.
isa::core_image stdp_core() {
  isa::core_image c = one_neuron_core(
      {.decay_u_exc = 742, .decay_u_inh = 390, .decay_v = 200, .threshold_mant = 1000, .refractory_period = 20});
  c.pre_trace_profiles = {{.decay = 390, .impulse = 4096}, {}};
  c.post_trace_profiles = {{.decay = 390, .impulse = 4096}, {}, {}};
  const std::uint32_t learning = add_axon(c, {}, 0);
  isa::axon_entry& a = c.axons[learning];
  a.learning = 1;
  a.rule = 0;
  a.pre_trace_profile = 0;
  a.row_len = 2;
  c.synapse_memory.push_back(static_cast<std::uint32_t>(
      isa::pack(isa::synapse_word{.weight = 40, .delay = 1, .target = 0, .plastic = 1})[0]));
  c.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(isa::plastic_word{.tag = 0, .weight_frac = 0})[0]));
  add_axon(c, {exc(127, 1)}, 3);
  map_inputs(c, 1, 0, 2, 0);
  c.rules = {{.first_term = 0, .num_terms = 2, .epoch = 1, .w_min = 0, .w_max = 127, .tag_decay = 0, .modulator = 0}};
  using isa::learn_operand;
  c.microcode = {
      {.target = isa::learn_target::weight, .negate = 0, .scale = -11, .op0 = learn_operand::y0,
       .op1 = learn_operand::x1, .op2 = learn_operand::c, .const2 = 64},
      {.target = isa::learn_target::weight, .negate = 1, .scale = -11, .op0 = learn_operand::x0,
       .op1 = learn_operand::y1, .op2 = learn_operand::c, .const2 = 72, .last = 1},
  };
  return c;
}

TEST(core, section10_stdp_table_bit_for_bit) {
  core k(stdp_core(), 0, 0);
  ASSERT_EQ(k.plastic_count(), 1u);
  EXPECT_EQ(k.plastic_address(0), 0u);
  // Pre packets emitted at 9, 14 and 16 are delivered (x0 = 1) at 10, 15 and
  // 17; the strong input emitted at 12 makes the neuron spike at 13.
  const std::vector<packet> packets = {{1, 0, 9}, {1, 1, 12}, {1, 0, 14}, {1, 0, 16}};
  struct stdp_row {
    std::uint64_t step;
    std::uint32_t x1, y1;
    std::int32_t weight;
    std::uint32_t weight_frac;
    bool spike;
  };
  // Steps 10..15 are the §10 table. Step 17 goes on: x1 = decay(6578) =
  // 5951 at 16, 5384 + 4096 = 9480 at 17; y1 = 2744; dw = −round(2744·72 /
  // 2048) = −round(96.47) = −96; W′ = 10217 − 96 = 10121 = 39·256 + 137.
  const std::map<std::uint64_t, stdp_row> table = {
      {10, {10, 4096, 0, 40, 0, false}},    {11, {11, 3706, 0, 40, 0, false}},
      {12, {12, 3353, 0, 40, 0, false}},    {13, {13, 3033, 4096, 40, 95, true}},
      {14, {14, 2744, 3706, 40, 95, false}}, {15, {15, 6578, 3353, 39, 233, false}},
      {16, {16, 5951, 3033, 39, 233, false}}, {17, {17, 9480, 2744, 39, 137, false}},
      {18, {18, 8577, 2482, 39, 137, false}},
  };
  std::multimap<std::uint64_t, packet> due;
  for (const packet& p : packets) {
    due.emplace(p.emitted + 1, p);
  }
  std::int32_t u_exc_before = 0;
  for (std::uint64_t s = 0; s < 19; ++s) {
    auto [first, last] = due.equal_range(s);
    for (auto it = first; it != last; ++it) {
      k.deliver(1, it->second.neuron, 0, it->second.emitted, s);
    }
    k.update(s);
    const emulator::plastic_state w = k.plastic(0);
    const stdp_row got{s, k.pre_trace(0).x1, k.neuron(0).y1, w.weight, w.weight_frac, spiked(k, 0)};
    const auto it = table.find(s);
    const stdp_row want = it != table.end() ? it->second : stdp_row{s, 0, 0, 40, 0, false};
    EXPECT_EQ(got.x1, want.x1) << "step " << s;
    EXPECT_EQ(got.y1, want.y1) << "step " << s;
    EXPECT_EQ(got.weight, want.weight) << "step " << s;
    EXPECT_EQ(got.weight_frac, want.weight_frac) << "step " << s;
    EXPECT_EQ(got.spike, want.spike) << "step " << s;
    EXPECT_EQ(w.tag, 0) << "step " << s;
    EXPECT_EQ(k.pre_trace(0).x2, 0u) << "step " << s;
    if (s == 17) {
      // Learning at the end of step 15 set the delivered mantissa to 39: the
      // packet delivered at 17 adds 39 << 6 = 2496 (§8), not 40 << 6.
      EXPECT_EQ(k.neuron(0).u_exc, emulator::fp::decay(u_exc_before, 742) + 2496);
      EXPECT_EQ(k.neuron(0).u_exc, 34077);
    }
    u_exc_before = k.neuron(0).u_exc;
  }
  // The synapse memory holds the learned weight and fraction.
  const std::vector<std::uint32_t> memory = k.synapse_memory();
  ASSERT_EQ(memory.size(), 3u);
  const isa::synapse_word sw = isa::unpack_synapse_word({memory[0]});
  EXPECT_EQ(sw.weight, 39);
  EXPECT_EQ(sw.plastic, 1u);
  EXPECT_EQ(sw.delay, 1u);
  const isa::plastic_word pw = isa::unpack_plastic_word({memory[1]});
  EXPECT_EQ(pw.weight_frac, 137u);
  EXPECT_EQ(pw.tag, 0);
  EXPECT_EQ(memory[2], stdp_core().synapse_memory[2]);
}

TEST(core, learning_epoch_reads_flags_of_the_whole_epoch_and_decays_the_tag_toward_zero) {
  // The §10 STDP core with epoch 4 (learning at the end of steps 3, 7, 11,
  // 15, 19) and a third term on the tag: dt += c(−100), tag_decay 2048.
  isa::core_image img = stdp_core();
  img.rules[0].epoch = 4;
  img.rules[0].num_terms = 3;
  img.rules[0].tag_decay = 2048;
  img.microcode[1].last = 0;
  img.microcode.push_back({.target = isa::learn_target::tag, .scale = 0, .op0 = isa::learn_operand::c,
                           .const0 = -100, .last = 1});
  core k(img, 0, 0);
  // Epoch 8..11: x0e (step 10) but no post spike and y1 = 0: dw = 0.
  // Epoch 12..15: x0e (15) and y0e (13), traces of step 15: x1 = 6578, y1 =
  // 3353: dw = round(6578·64/2048) − round(3353·72/2048) = 206 − 118 = 88.
  // Epoch 16..19: x0e (17), y1 = 2245 at 19: dw = −round(78.93) = −79.
  // Tag: decay(T, 2048) − 100 = −100, −150, −175, −187 (decay(−175) = −87,
  // toward zero), −193.
  struct expect {
    std::int32_t weight;
    std::uint32_t frac;
    std::int32_t tag;
  };
  const std::map<std::uint64_t, expect> at_epoch_end = {
      {3, {40, 0, -100}}, {7, {40, 0, -150}}, {11, {40, 0, -175}}, {15, {40, 88, -187}}, {19, {40, 9, -193}}};
  std::multimap<std::uint64_t, packet> due;
  for (const packet& p : std::vector<packet>{{1, 0, 9}, {1, 1, 12}, {1, 0, 14}, {1, 0, 16}}) {
    due.emplace(p.emitted + 1, p);
  }
  expect now{40, 0, 0};
  for (std::uint64_t s = 0; s < 20; ++s) {
    auto [first, last] = due.equal_range(s);
    for (auto it = first; it != last; ++it) {
      k.deliver(1, it->second.neuron, 0, it->second.emitted, s);
    }
    k.update(s);
    if (const auto it = at_epoch_end.find(s); it != at_epoch_end.end()) {
      now = it->second;
    }
    const emulator::plastic_state w = k.plastic(0);
    EXPECT_EQ(w.weight, now.weight) << "step " << s;
    EXPECT_EQ(w.weight_frac, now.frac) << "step " << s;
    EXPECT_EQ(w.tag, now.tag) << "step " << s;
  }
  EXPECT_EQ(k.pre_trace(0).x1, 7760u);  // ⌊8577·3706/4096⌋: traces do not depend on the epoch
}

TEST(core, modulator_events_add_payload_times_impulse_to_r1) {
  // Axon 0 feeds channel 2 (decay 20, impulse 16), axon 1 channel 5
  // (decay 0, impulse 300). r1 = decay, then + payload · impulse (§5, §7).
  isa::core_image c = one_neuron_core(example_profile());
  c.modulator_traces.assign(isa::modulator_channels, {.decay = 20, .impulse = 16});
  c.modulator_traces[5] = {.decay = 0, .impulse = 300};
  c.axons.push_back({.modulator = 1, .modulator_channel = 2});
  c.axons.push_back({.modulator = 1, .modulator_channel = 5});
  map_inputs(c, 1, 0, 2, 0);
  c.input_projection.back() = isa::no_projection;
  core k(c, 0, 0);
  const std::vector<packet> packets = {{1, 0, 0, 255}, {1, 0, 3, 128}, {1, 1, 0, 255}};
  std::multimap<std::uint64_t, packet> due;
  for (const packet& p : packets) {
    due.emplace(p.emitted + 1, p);
  }
  // Channel 2: 255·16 = 4080 at step 1; ⌊4080·4076/4096⌋ = 4060, 4040;
  // 4020 + 128·16 = 6068 at step 4; 6038.
  const std::vector<std::uint32_t> r2 = {0, 4080, 4060, 4040, 6068, 6038};
  for (std::uint64_t s = 0; s < r2.size(); ++s) {
    auto [first, last] = due.equal_range(s);
    for (auto it = first; it != last; ++it) {
      k.deliver(1, it->second.neuron, it->second.payload, it->second.emitted, s);
    }
    k.update(s);
    EXPECT_EQ(k.modulator_trace(2), r2[s]) << "step " << s;
    // 255 · 300 = 76500 saturates at 65535; no decay keeps it there.
    EXPECT_EQ(k.modulator_trace(5), s >= 1 ? 65535u : 0u) << "step " << s;
    for (std::uint32_t ch : {0u, 1u, 3u, 4u, 6u, 7u}) {
      EXPECT_EQ(k.modulator_trace(ch), 0u) << "channel " << ch << " step " << s;
    }
    // A modulator axon carries no synapses: the neuron sees only its bias.
    EXPECT_EQ(k.neuron(0).u_exc, 0);
  }
}

// --- Poisson sources (§9) ------------------------------------------------------------

isa::core_image poisson_core(std::uint64_t p32, std::uint32_t start_step = 0, std::uint32_t end_step = 0xffffffff) {
  isa::core_image c;
  add_neuron(c, neuron_kind::poisson, 0, {},
             {.p32 = p32, .start_step = start_step, .end_step = end_step, .population = 1, .index = 3});
  c.emits = {1};
  return c;
}

std::vector<std::uint64_t> spike_steps(core& c, std::uint64_t steps) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 0; s < steps; ++s) {
    c.update(s);
    if (spiked(c, 0)) {
      out.push_back(s);
    }
  }
  return out;
}

TEST(core, poisson_source_known_answer) {
  // Seed 42, population 1, index 3, 20 Hz at dt = 1 ms: p32 = 85899346; the
  // first two spikes are at 34 and 91, none at 100.
  constexpr std::uint64_t p32 = 85899346;
  core c(poisson_core(p32), 0, 42);
  const std::vector<std::uint64_t> steps = spike_steps(c, 101);
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps[0], 34u);
  EXPECT_EQ(steps[1], 91u);
  EXPECT_NE(steps.back(), 100u);
  // The u of §9 at steps 34 and 100.
  const philox_key key = philox_key_from_seed(42);
  EXPECT_EQ(philox4x32_10({34, 3, 1, 0}, key)[0], 0x04aba1afu);
  EXPECT_EQ(philox4x32_10({100, 3, 1, 0}, key)[0], 0x8f393d93u);
  // Every step: spike iff u < p32.
  core d(poisson_core(p32), 0, 42);
  for (std::uint64_t s = 0; s < 2000; ++s) {
    d.update(s);
    const std::uint32_t u = philox4x32_10({static_cast<std::uint32_t>(s), 3, 1, 0}, key)[0];
    ASSERT_EQ(spiked(d, 0), u < p32) << "step " << s;
  }
}

TEST(core, poisson_source_window_and_extreme_probabilities) {
  constexpr std::uint64_t p32 = 85899346;
  core late_start(poisson_core(p32, 35), 0, 42);
  const std::vector<std::uint64_t> a = spike_steps(late_start, 92);
  EXPECT_EQ(a, std::vector<std::uint64_t>{91});
  core early_end(poisson_core(p32, 0, 91), 0, 42);
  EXPECT_EQ(spike_steps(early_end, 200), std::vector<std::uint64_t>{34});
  core never(poisson_core(0), 0, 42);
  EXPECT_TRUE(spike_steps(never, 500).empty());
  core always(poisson_core(isa::p32_always), 0, 42);
  EXPECT_EQ(spike_steps(always, 300).size(), 300u);
  // Another seed gives other spikes.
  core other(poisson_core(p32), 0, 43);
  core same(poisson_core(p32), 0, 42);
  EXPECT_NE(spike_steps(other, 2000), spike_steps(same, 2000));
}

// --- Checkpoints --------------------------------------------------------------------

/// Deterministic traffic: at step s, some input-map entries receive a packet
/// from one of their neurons, emitted at s − 1 (payloads for modulators).
void deliver_traffic(core& c, const isa::core_image& img, std::uint64_t s) {
  if (s == 0) {
    return;
  }
  for (std::size_t e = 0; e < img.input_map.size(); ++e) {
    const isa::input_map_entry& m = img.input_map[e];
    if ((s * 31 + e * 7) % 3 == 0) {
      c.deliver(m.src_core, m.neuron_base + static_cast<std::uint32_t>(s % m.count),
                static_cast<std::uint32_t>((s * 37) & 0xff), s - 1, s);
    }
  }
}

std::vector<std::uint8_t> saved(const core& c) {
  emulator::state_writer w;
  c.save(w);
  return w.bytes();
}

TEST(core, checkpoint_round_trip_continues_bit_for_bit) {
  std::size_t cores = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const isa::chip_image image = isa::fixtures::random_image(seed);
    for (std::uint32_t id = 0; id < image.cores.size(); ++id) {
      const isa::core_image& img = image.cores[id];
      core a(img, id, image.seed);
      for (std::uint64_t s = 0; s < 30; ++s) {
        deliver_traffic(a, img, s);
        a.update(s);
      }
      // Saved between steps 29 and 30. Inputs delivered earlier with delays
      // up to 63 still sit in the accumulators: they are part of the state.
      const std::vector<std::uint8_t> bytes = saved(a);
      core b(img, id, image.seed);
      emulator::state_reader in(bytes, "test", 0);
      b.load(in);
      EXPECT_EQ(in.remaining(), 0u);
      EXPECT_EQ(b.step(), 30u);
      EXPECT_EQ(saved(b), bytes) << "seed " << seed << " core " << id;
      for (std::uint64_t s = 30; s < 120; ++s) {
        deliver_traffic(a, img, s);
        deliver_traffic(b, img, s);
        a.update(s);
        b.update(s);
        ASSERT_EQ(a.spiked(), b.spiked()) << "seed " << seed << " core " << id << " step " << s;
        for (std::uint32_t n = 0; n < a.neuron_count(); ++n) {
          ASSERT_EQ(a.neuron(n), b.neuron(n)) << "seed " << seed << " core " << id << " step " << s;
        }
      }
      EXPECT_EQ(saved(a), saved(b)) << "seed " << seed << " core " << id;
      EXPECT_EQ(a.synapse_memory(), b.synapse_memory()) << "seed " << seed << " core " << id;
      ++cores;
    }
  }
  EXPECT_GT(cores, 12u);
}

TEST(core, checkpoint_mid_learning_round_trip) {
  // The STDP core, saved after step 13 (the post spike; x1, y1 and the
  // fraction are all non-zero), continues to the §10 values.
  core a(stdp_core(), 0, 0);
  run(a, {{1, 0, 9}, {1, 1, 12}}, 14);
  core b(stdp_core(), 0, 0);
  const std::vector<std::uint8_t> bytes = saved(a);
  emulator::state_reader in(bytes, "test", 0);
  b.load(in);
  EXPECT_EQ(b.plastic(0), (emulator::plastic_state{40, 95, 0}));
  for (core* k : {&a, &b}) {
    k->update(14);
    k->deliver(1, 0, 0, 14, 15);
    k->update(15);
    EXPECT_EQ(k->pre_trace(0).x1, 6578u);
    EXPECT_EQ(k->neuron(0).y1, 3353u);
    EXPECT_EQ(k->plastic(0), (emulator::plastic_state{39, 233, 0}));
  }
  EXPECT_EQ(saved(a), saved(b));
}

TEST(core, checkpoint_of_another_image_is_rejected) {
  core a(section10_core(1, 0), 0, 0);
  run(a, section10_packets, 4);
  const std::vector<std::uint8_t> bytes = saved(a);

  // One neuron more.
  isa::core_image bigger = section10_core(1, 0);
  add_neuron(bigger, neuron_kind::lif);
  core b(bigger, 0, 0);
  emulator::state_reader in_b(bytes, "test", 0);
  EXPECT_THROW(b.load(in_b), emulator::checkpoint_error);

  // One axon more.
  isa::core_image more_axons = section10_core(1, 0);
  add_axon(more_axons, {exc(1, 1)}, 0);
  more_axons.input_map[0].count = 4;
  core c(more_axons, 0, 0);
  emulator::state_reader in_c(bytes, "test", 0);
  EXPECT_THROW(c.load(in_c), emulator::checkpoint_error);

  // A longer delay: more accumulator slots.
  isa::core_image longer = section10_core(1, 0);
  longer.synapse_memory[2] = static_cast<std::uint32_t>(isa::pack(exc(100, 40))[0]);
  core d(longer, 0, 0);
  emulator::state_reader in_d(bytes, "test", 0);
  EXPECT_THROW(d.load(in_d), emulator::checkpoint_error);

  // Another core id.
  core e(section10_core(1, 0), 5, 0);
  emulator::state_reader in_e(bytes, "test", 0);
  EXPECT_THROW(e.load(in_e), emulator::checkpoint_error);

  // Truncated.
  core f(section10_core(1, 0), 0, 0);
  const std::vector<std::uint8_t> cut(bytes.begin(), bytes.end() - 3);
  emulator::state_reader in_f(cut, "test", 0);
  EXPECT_THROW(f.load(in_f), emulator::checkpoint_error);

  // The same image loads, and continues as the original.
  core g(section10_core(1, 0), 0, 0);
  emulator::state_reader in_g(bytes, "test", 0);
  g.load(in_g);
  std::vector<packet> rest;
  for (const packet& p : section10_packets) {
    if (p.emitted + 1 >= 4) {
      rest.push_back(p);
    }
  }
  std::multimap<std::uint64_t, packet> due;
  for (const packet& p : rest) {
    due.emplace(p.emitted + 1, p);
  }
  for (std::uint64_t s = 4; s < 9; ++s) {
    auto [first, last] = due.equal_range(s);
    for (auto it = first; it != last; ++it) {
      g.deliver(1, it->second.neuron, 0, it->second.emitted, s);
    }
    g.update(s);
    EXPECT_EQ(observe(g, 0), section10_rows[s]);
  }
}

}  // namespace
