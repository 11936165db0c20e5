// One emulated core against docs/numerics.md, continued: the learning
// engine (the STDP example of §10, epochs, modulator channels), Poisson
// sources (§9) and checkpoints of a core.
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
