// The RTL learning datapath against the emulator core (docs/rtl.md): the
// STDP worked example of docs/numerics.md §10 through the RTL, lock-step
// co-simulation of randomized plastic cores (every factor operand, positive
// and negative scales, negation, tag terms, epochs above 1, modulator
// channels, saturating traces, clamped weights and tags), the learning
// mutant that the co-simulation must catch, naming the synapse and field,
// and `engram cosim` on the busiest core of each plastic example.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include <engram/isa/chip_image.hpp>
#include <engram/rtl/cosim.hpp>
#include <engram/rtl/rtl_core.hpp>

#include "../cli_runner.hpp"
#include "cosim_helpers.hpp"

namespace {

using namespace engram;
using namespace engram::test::rtl_cosim;
using isa::learn_operand;
using isa::learn_target;
using isa::neuron_kind;
using isa::receptor_kind;
using rtl::core_variant;
using rtl::cosimulation;
using rtl::element;
using rtl::mismatch;
using rtl::packet;

/// A row of synapses, each plastic one followed by its PlasticWord.
struct row_entry {
  isa::synapse_word word;
  isa::plastic_word plastic;
};

std::uint32_t add_learning_axon(isa::core_image& c, const std::vector<row_entry>& row, std::int32_t weight_exp,
                                std::uint32_t rule, std::uint32_t pre_profile) {
  isa::axon_entry a;
  a.row_base = static_cast<std::uint32_t>(c.synapse_memory.size());
  a.weight_exp = weight_exp;
  a.learning = 1;
  a.rule = rule;
  a.pre_trace_profile = pre_profile;
  for (const row_entry& e : row) {
    c.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(e.word)[0]));
    if (e.word.plastic) {
      c.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(e.plastic)[0]));
    }
  }
  a.row_len = static_cast<std::uint32_t>(c.synapse_memory.size()) - a.row_base;
  c.axons.push_back(a);
  return static_cast<std::uint32_t>(c.axons.size() - 1);
}

std::uint32_t add_modulator_axon(isa::core_image& c, std::uint32_t channel) {
  isa::axon_entry a;
  a.modulator = 1;
  a.modulator_channel = channel;
  c.axons.push_back(a);
  return static_cast<std::uint32_t>(c.axons.size() - 1);
}

isa::learning_term term(learn_target target, bool negate, std::int32_t scale, learn_operand op0, std::int32_t k0,
                        learn_operand op1 = learn_operand::none, std::int32_t k1 = 0,
                        learn_operand op2 = learn_operand::none, std::int32_t k2 = 0) {
  return {.target = target, .negate = negate ? 1u : 0u, .scale = scale, .op0 = op0, .const0 = k0, .op1 = op1,
          .const1 = k1, .op2 = op2, .const2 = k2, .last = 0};
}

void add_rule(isa::core_image& c, isa::learning_rule r, const std::vector<isa::learning_term>& terms) {
  r.first_term = static_cast<std::uint32_t>(c.microcode.size());
  r.num_terms = static_cast<std::uint32_t>(terms.size());
  for (std::size_t j = 0; j < terms.size(); ++j) {
    c.microcode.push_back(terms[j]);
    c.microcode.back().last = j + 1 == terms.size() ? 1 : 0;
  }
  c.rules.push_back(r);
}

rtl::cosim_options variant_options(core_variant v) {
  rtl::cosim_options o;
  o.variant = v;
  return o;
}

// --- (a) The STDP worked example of numerics §10 ----------------------------------------------

/// Neuron 0 behind a plastic synapse (weight 40) from axon 0, and a strong
/// plain axon 1 that makes it spike at step 13; pair STDP with E = 1.
isa::core_image stdp_example_core() {
  isa::core_image c;
  // The neuron forgets everything each step; only axon 1's input (127 << 13)
  // reaches the threshold, the plastic synapse's (40 << 0) does not.
  c.profiles = {{.decay_u_exc = 4095, .decay_u_inh = 4095, .decay_v = 4095, .threshold_mant = 100, .bias_mant = 0,
                 .bias_exp = 0, .reset_mant = 0, .refractory_period = 0, .post_trace_profile = 0}};
  add_neuron(c, neuron_kind::lif, 0);
  const isa::trace_config tau10{.decay = 390, .impulse = 4096};
  c.pre_trace_profiles = {tau10, {}};
  c.post_trace_profiles = {tau10, {}, {}};
  add_rule(c, {.epoch = 1, .w_min = 0, .w_max = 127},
           {term(learn_target::weight, false, -11, learn_operand::y0, 0, learn_operand::x1, 0, learn_operand::c, 64),
            term(learn_target::weight, true, -11, learn_operand::x0, 0, learn_operand::y1, 0, learn_operand::c, 72)});
  add_learning_axon(c,
                    {{.word = {.weight = 40, .delay = 1, .target = 0, .receptor = receptor_kind::excitatory,
                               .plastic = 1},
                      .plastic = {}}},
                    -6, 0, 0);
  add_axon(c, {{.weight = 127, .delay = 1, .target = 0, .receptor = receptor_kind::excitatory}}, 7);
  map_all_axons(c);
  return c;
}

std::vector<std::vector<packet>> stdp_example_inputs() {
  std::vector<std::vector<packet>> in(16);
  in[10] = {{src, 0}};  // pre spikes at steps 10 and 15 (x0 = 1)
  in[15] = {{src, 0}};
  in[13] = {{src, 1}};  // the post neuron spikes at step 13
  return in;
}

TEST(rtl_core, reproduces_the_numerics_worked_stdp_example) {
  const isa::core_image image = stdp_example_core();
  std::unique_ptr<rtl::rtl_core> core = rtl::make_rtl_core();
  core->load(image);
  struct row {
    std::uint64_t step;
    std::uint32_t x1, y1;
    std::int32_t weight;
    std::uint32_t weight_frac;
  };
  // docs/numerics.md §10, the STDP table.
  const row table[] = {{10, 4096, 0, 40, 0},   {11, 3706, 0, 40, 0},     {12, 3353, 0, 40, 0},
                       {13, 3033, 4096, 40, 95}, {14, 2744, 3706, 40, 95}, {15, 6578, 3353, 39, 233}};
  const std::vector<std::vector<packet>> in = stdp_example_inputs();
  std::size_t next = 0;
  for (std::uint64_t s = 0; s < in.size(); ++s) {
    for (const packet& p : in[s]) {
      core->deliver(p.neuron, s - 1);
    }
    core->update(s);
    if (next < std::size(table) && table[next].step == s) {
      SCOPED_TRACE("step " + std::to_string(s));
      const row& r = table[next++];
      EXPECT_EQ(core->pre_traces()[0].x1, r.x1);
      EXPECT_EQ(core->states()[0].y1, r.y1);
      const isa::synapse_word w = isa::unpack_synapse_word({core->synapse_memory()[0]});
      const isa::plastic_word pw = isa::unpack_plastic_word({core->synapse_memory()[1]});
      EXPECT_EQ(w.weight, r.weight);
      EXPECT_EQ(pw.weight_frac, r.weight_frac);
    }
  }
  EXPECT_EQ(next, std::size(table));
  EXPECT_EQ(core->spiked(), std::vector<std::uint32_t>{});
  // What the core stores is what it reported.
  EXPECT_EQ(core->read_synapse_memory(), core->synapse_memory());
}

TEST(cosim, worked_stdp_example_has_no_mismatch) {
  const isa::core_image image = stdp_example_core();
  cosimulation sim(image);
  EXPECT_EQ(sim.learning_axons(), 1u);
  EXPECT_EQ(sim.plastic_synapses(), 1u);
  for (const std::vector<packet>& in : stdp_example_inputs()) {
    const std::vector<mismatch>& ms = sim.step(in);
    EXPECT_TRUE(ms.empty()) << describe(ms);
  }
  EXPECT_EQ(sim.epochs(), 16u);
  EXPECT_TRUE(sim.compare_synapse_memory().empty());
  // Cycles of a learning step (docs/rtl.md): 1 neuron (in the start
  // cycle), 1 axon (the last learning one) visited by the pre-trace engine,
  // and the learning engine: 1 axon lookup + (4 + 2 terms) for the plastic
  // synapse.
  const rtl::cycle_counts& k = sim.rtl().core().cycles_by_phase();
  EXPECT_EQ(k.update, 16u * 1);
  EXPECT_EQ(k.pre_trace, 16u * 1);
  EXPECT_EQ(k.learn, 16u * (1 + 4 + 2));
  EXPECT_EQ(k.mod_trace, 0u);
}

// --- (b) The learning mutant -------------------------------------------------------------------

/// Three plastic synapses from one axon whose rule adds c(1) · 2^-1 = 0.5 to
/// W each epoch: rounding half away from zero gives 1, the mutant 0.
isa::core_image tie_core() {
  isa::core_image c;
  c.profiles = {{.decay_u_exc = 0, .decay_u_inh = 0, .decay_v = 0, .threshold_mant = 1000, .bias_mant = 0,
                 .bias_exp = 0, .reset_mant = 0, .refractory_period = 0, .post_trace_profile = 0}};
  for (int n = 0; n < 3; ++n) {
    add_neuron(c, neuron_kind::lif, 0);
  }
  c.pre_trace_profiles = {{}, {}};
  c.post_trace_profiles = {{}, {}, {}};
  add_rule(c, {.epoch = 2, .w_min = 0, .w_max = 127}, {term(learn_target::weight, false, -1, learn_operand::c, 1)});
  std::vector<row_entry> row;
  for (std::uint32_t n = 0; n < 3; ++n) {
    row.push_back({.word = {.weight = 10, .delay = 1, .target = 2 - n, .receptor = receptor_kind::excitatory,
                            .plastic = 1},
                   .plastic = {}});
  }
  add_learning_axon(c, row, 0, 0, 0);
  map_all_axons(c);
  return c;
}

TEST(cosim, catches_learning_terms_rounded_toward_zero) {
  const isa::core_image image = tie_core();
  {
    cosimulation ok(image);
    for (int s = 0; s < 4; ++s) {
      EXPECT_TRUE(ok.step({}).empty());
    }
    EXPECT_EQ(ok.rtl().plastic_at(0).weight_frac, 2u);  // two epochs, +1 each
  }
  cosimulation sim(image, 0, 0, variant_options(core_variant::mutant_learn_round));
  EXPECT_TRUE(sim.step({}).empty());  // step 0 does not end the epoch (E = 2)
  const std::vector<mismatch> ms = sim.step({});
  // Every synapse of the step, each named by axon, word and target.
  ASSERT_EQ(ms.size(), 3u) << describe(ms);
  for (std::uint32_t k = 0; k < 3; ++k) {
    const mismatch expected{.step = 1, .neuron = 2 - k, .field = "weight_frac", .emulator = 1, .rtl = 0,
                            .what = element::synapse, .axon = 0, .word = 2 * k};
    EXPECT_TRUE(has(ms, expected)) << describe(ms);
  }
  EXPECT_EQ(rtl::to_string(ms.front()), "step 1 synapse axon 0 word 0 target 2 weight_frac: emulator 1, rtl 0");
}

// --- (c) Randomized plastic cores ---------------------------------------------------------------

isa::learning_term random_term(std::mt19937_64& rng, bool modulators) {
  static constexpr learn_operand all_ops[] = {
      learn_operand::none, learn_operand::x0, learn_operand::y0, learn_operand::x1, learn_operand::x2,
      learn_operand::y1,   learn_operand::y2, learn_operand::y3, learn_operand::r0, learn_operand::r1,
      learn_operand::w,    learn_operand::t,  learn_operand::c};
  isa::learning_term t;
  t.target = chance(rng, 0.3) ? learn_target::tag : learn_target::weight;
  t.negate = chance(rng, 0.5) ? 1 : 0;
  t.scale = static_cast<std::int32_t>(chance(rng, 0.15)   ? pick<std::int64_t>(rng, {-32, -31, 31, 30, 0})
                                      : chance(rng, 0.25) ? uniform(rng, 0, 6)
                                      : chance(rng, 0.1)  ? uniform(rng, -32, 31)
                                                          : uniform(rng, -14, -1));
  learn_operand* ops[] = {&t.op0, &t.op1, &t.op2};
  std::int32_t* ks[] = {&t.const0, &t.const1, &t.const2};
  for (int f = 0; f < 3; ++f) {
    learn_operand op = all_ops[uniform(rng, 0, 12)];
    if (!modulators && (op == learn_operand::r0 || op == learn_operand::r1)) {
      op = learn_operand::c;  // a rule reads a channel only if the core carries it (numerics §12)
    }
    *ops[f] = op;
    *ks[f] = op == learn_operand::none
                 ? 0
                 : static_cast<std::int32_t>(chance(rng, 0.4)   ? 0
                                             : chance(rng, 0.3) ? pick<std::int64_t>(rng, {-128, 127, 1, -1, 64, 72})
                                                                : uniform(rng, -128, 127));
  }
  return t;
}

random_core make_random_plastic_core(std::uint64_t seed, std::uint64_t steps) {
  std::mt19937_64 rng(seed);
  random_core rc;
  isa::core_image& c = rc.image;
  const auto neurons = static_cast<std::uint32_t>(uniform(rng, 1, 24));
  const auto profiles = static_cast<std::uint32_t>(uniform(rng, 1, 3));
  const auto post_profiles = static_cast<std::uint32_t>(uniform(rng, 1, 3));
  const auto pre_profiles = static_cast<std::uint32_t>(uniform(rng, 1, 3));
  auto random_trace = [&] {
    return isa::trace_config{
        .decay = random_decay(rng),
        .impulse = static_cast<std::uint32_t>(chance(rng, 0.4) ? pick<std::int64_t>(rng, {4096, 65535, 0, 30000})
                                                               : uniform(rng, 0, 65535))};
  };
  for (std::uint32_t p = 0; p < profiles; ++p) {
    isa::neuron_config k;
    k.decay_u_exc = random_decay(rng);
    k.decay_u_inh = random_decay(rng);
    k.decay_v = random_decay(rng);
    // Thresholds low enough that the random input makes neurons spike.
    k.threshold_mant = static_cast<std::uint32_t>(uniform(rng, 1, chance(rng, 0.5) ? 200 : 4000));
    k.reset_mant = static_cast<std::int32_t>(uniform(rng, -2000, std::int64_t{k.threshold_mant} - 1));
    k.bias_mant = static_cast<std::int32_t>(uniform(rng, -200, 400));
    k.bias_exp = static_cast<std::uint32_t>(uniform(rng, 0, 4));
    k.refractory_period = static_cast<std::uint32_t>(uniform(rng, 0, 4));
    k.post_trace_profile = static_cast<std::uint32_t>(uniform(rng, 0, post_profiles - 1));
    c.profiles.push_back(k);
  }
  for (std::uint32_t i = 0; i < 3 * post_profiles; ++i) {
    c.post_trace_profiles.push_back(random_trace());
  }
  for (std::uint32_t i = 0; i < 2 * pre_profiles; ++i) {
    c.pre_trace_profiles.push_back(random_trace());
  }
  for (std::uint32_t n = 0; n < neurons; ++n) {
    isa::neuron_state s;
    if (chance(rng, 0.5)) {
      s.u_exc = static_cast<std::int32_t>(uniform(rng, 0, 200000));
      s.v = static_cast<std::int32_t>(uniform(rng, -100000, 100000));
      s.y1 = static_cast<std::uint32_t>(chance(rng, 0.2) ? 65535 : uniform(rng, 0, 65535));
      s.y2 = static_cast<std::uint32_t>(uniform(rng, 0, 65535));
      s.y3 = static_cast<std::uint32_t>(uniform(rng, 0, 65535));
    }
    add_neuron(c, neuron_kind::lif, static_cast<std::uint16_t>(uniform(rng, 0, profiles - 1)), s);
  }

  // Modulator channels: 0-3 modulator axons; rules read only carried channels.
  const auto modulator_axons = static_cast<std::uint32_t>(chance(rng, 0.6) ? uniform(rng, 1, 3) : 0);
  std::vector<std::uint32_t> channels;
  for (std::uint32_t m = 0; m < modulator_axons; ++m) {
    channels.push_back(static_cast<std::uint32_t>(uniform(rng, 0, 7)));
  }
  if (modulator_axons != 0) {
    for (int ch = 0; ch < isa::modulator_channels; ++ch) {
      isa::trace_config t = random_trace();
      t.impulse = static_cast<std::uint32_t>(pick<std::int64_t>(rng, {1, 16, 255, 65535, uniform(rng, 0, 65535)}));
      c.modulator_traces.push_back(t);
    }
  }

  // Rules: one epoch for all, 1..16 terms each.
  const auto epoch = static_cast<std::uint32_t>(
      chance(rng, 0.3) ? 1 : chance(rng, 0.3) ? pick<std::int64_t>(rng, {2, 3, 5, 63}) : uniform(rng, 1, 63));
  const auto rules = static_cast<std::uint32_t>(uniform(rng, 1, 4));
  std::vector<bool> inhibitory_rule;
  for (std::uint32_t r = 0; r < rules; ++r) {
    isa::learning_rule rule;
    rule.epoch = epoch;
    const bool inh = chance(rng, 0.3);
    inhibitory_rule.push_back(inh);
    if (inh) {
      rule.w_max = static_cast<std::int32_t>(chance(rng, 0.3) ? 0 : uniform(rng, -128, 0));
      rule.w_min = static_cast<std::int32_t>(chance(rng, 0.3) ? -128 : uniform(rng, -128, rule.w_max));
    } else {
      rule.w_min = static_cast<std::int32_t>(chance(rng, 0.3) ? 0 : uniform(rng, 0, 127));
      rule.w_max = static_cast<std::int32_t>(chance(rng, 0.3) ? 127 : uniform(rng, rule.w_min, 127));
    }
    rule.tag_decay = random_decay(rng);
    rule.modulator =
        channels.empty() ? 0 : channels[static_cast<std::size_t>(uniform(rng, 0, std::int64_t(channels.size()) - 1))];
    const auto terms = static_cast<std::uint32_t>(chance(rng, 0.2) ? uniform(rng, 5, 16) : uniform(rng, 1, 4));
    std::vector<isa::learning_term> ts;
    for (std::uint32_t j = 0; j < terms; ++j) {
      ts.push_back(random_term(rng, !channels.empty()));
    }
    add_rule(c, rule, ts);
  }

  // Axons: learning rows (mostly plastic synapses of the rule's sign, some
  // plain ones), plain rows, and the modulator axons, interleaved.
  const auto synapse_axons = static_cast<std::uint32_t>(uniform(rng, 1, 12));
  std::vector<int> order(synapse_axons, 0);
  order.insert(order.end(), modulator_axons, 1);
  std::shuffle(order.begin(), order.end(), rng);
  std::size_t next_channel = 0;
  for (const int kind : order) {
    if (kind == 1) {
      add_modulator_axon(c, channels[next_channel++]);
      continue;
    }
    const auto weight_exp = static_cast<std::int32_t>(uniform(rng, -6, 7));
    const auto len = static_cast<std::uint32_t>(uniform(rng, 0, 8));
    if (chance(rng, 0.75)) {
      const auto r = static_cast<std::uint32_t>(uniform(rng, 0, rules - 1));
      const isa::learning_rule& rule = c.rules[r];
      std::vector<row_entry> row;
      for (std::uint32_t i = 0; i < len; ++i) {
        row_entry e;
        e.word.delay = static_cast<std::uint32_t>(uniform(rng, 1, chance(rng, 0.2) ? 63 : 4));
        e.word.target = static_cast<std::uint32_t>(uniform(rng, 0, neurons - 1));
        if (chance(rng, 0.8)) {
          e.word.plastic = 1;
          e.word.receptor = inhibitory_rule[r] ? receptor_kind::inhibitory : receptor_kind::excitatory;
          e.word.weight = static_cast<std::int32_t>(uniform(rng, rule.w_min, rule.w_max));
          if (chance(rng, 0.5)) {
            e.plastic.weight_frac = static_cast<std::uint32_t>(uniform(rng, 0, 255));
            e.plastic.tag = static_cast<std::int32_t>(chance(rng, 0.2) ? pick<std::int64_t>(rng, {-32768, 32767})
                                                                       : uniform(rng, -32768, 32767));
          }
        } else {
          e.word.receptor = chance(rng, 0.5) ? receptor_kind::excitatory : receptor_kind::inhibitory;
          const auto mag = static_cast<std::int32_t>(uniform(rng, 0, 127));
          e.word.weight = e.word.receptor == receptor_kind::excitatory ? mag : -mag;
        }
        row.push_back(e);
      }
      add_learning_axon(c, row, weight_exp, r, static_cast<std::uint32_t>(uniform(rng, 0, pre_profiles - 1)));
    } else {
      std::vector<isa::synapse_word> row;
      for (std::uint32_t i = 0; i < len; ++i) {
        isa::synapse_word w;
        w.receptor = chance(rng, 0.7) ? receptor_kind::excitatory : receptor_kind::inhibitory;
        const auto mag = static_cast<std::int32_t>(uniform(rng, 0, 127));
        w.weight = w.receptor == receptor_kind::excitatory ? mag : -mag;
        w.delay = static_cast<std::uint32_t>(uniform(rng, 1, 8));
        w.target = static_cast<std::uint32_t>(uniform(rng, 0, neurons - 1));
        row.push_back(w);
      }
      add_axon(c, row, weight_exp);
    }
  }
  map_all_axons(c);

  // Inputs: every axon with one rate per core (high rates saturate traces);
  // modulator events carry a payload.
  const double rate = pick<double>(rng, {0.05, 0.2, 0.5, 0.9});
  rc.inputs.resize(steps);
  for (std::uint64_t s = 1; s < steps; ++s) {
    for (std::uint32_t a = 0; a < c.axons.size(); ++a) {
      if (chance(rng, rate)) {
        const std::uint32_t payload =
            c.axons[a].modulator ? static_cast<std::uint32_t>(chance(rng, 0.3) ? 255 : uniform(rng, 0, 255)) : 0;
        rc.inputs[s].push_back({src, a, payload});
      }
    }
  }
  return rc;
}

struct learning_stats {
  std::uint64_t compared = 0, synapse_steps = 0, updates = 0, epochs = 0, spikes = 0;
  std::uint64_t saturated_traces = 0, clamped_weights = 0, saturated_tags = 0, modulator_events = 0;
  std::uint64_t cycles = 0, learn_cycles = 0;
  double rtl_seconds = 0, emulator_seconds = 0;
};

void run_random_plastic_core(std::uint64_t seed, std::uint64_t steps, learning_stats& st) {
  const random_core rc = make_random_plastic_core(seed, steps);
  cosimulation sim(rc.image);
  const isa::core_image& c = rc.image;
  for (std::uint64_t s = 0; s < steps; ++s) {
    const std::vector<mismatch>& ms = sim.step(rc.inputs[s]);
    ASSERT_TRUE(ms.empty()) << "plastic core seed " << seed << ":\n" << describe(ms);
    ++st.compared;
    st.spikes += sim.rtl().spiked().size();
    for (const packet& p : rc.inputs[s]) {
      st.modulator_events += c.axons[p.neuron].modulator ? 1 : 0;
    }
    for (std::uint32_t a = 0; a < c.axons.size(); ++a) {
      if (c.axons[a].learning) {
        const isa::pre_trace_state x = sim.rtl().pre_trace(a);
        st.saturated_traces += (x.x1 == 65535 ? 1 : 0) + (x.x2 == 65535 ? 1 : 0);
      }
    }
  }
  // The stored memory equals the emulator's, word for word.
  const std::vector<mismatch> words = sim.compare_synapse_memory();
  ASSERT_TRUE(words.empty()) << "plastic core seed " << seed << ":\n" << describe(words);
  for (const isa::axon_entry& a : c.axons) {
    if (!a.learning) {
      continue;
    }
    const isa::learning_rule& rule = c.rules[a.rule];
    for (const isa::row_synapse& s : isa::decode_row(c, a)) {
      if (s.plastic) {
        const emulator::plastic_state p = sim.rtl().plastic_at(s.address);
        const std::int32_t w = p.weight * 256 + static_cast<std::int32_t>(p.weight_frac);
        st.clamped_weights += (w == rule.w_min * 256 || w == rule.w_max * 256 + 255) ? 1 : 0;
        st.saturated_tags += (p.tag == 32767 || p.tag == -32768) ? 1 : 0;
      }
    }
  }
  st.synapse_steps += std::uint64_t{sim.plastic_synapses()} * steps;
  st.updates += std::uint64_t{sim.plastic_synapses()} * sim.epochs();
  st.epochs += sim.epochs();
  st.cycles += sim.cycles();
  st.learn_cycles += sim.rtl().core().cycles_by_phase().learn;
  st.rtl_seconds += sim.rtl_seconds();
  st.emulator_seconds += sim.emulator_seconds();
  sim.finish();
}

TEST(cosim, randomized_plastic_cores_match_the_emulator_bit_for_bit) {
  // 1,000 plastic cores x 100 steps by default; tests/rtl/cosim_long.sh
  // raises both (ENGRAM_COSIM_LEARN_CORES, ENGRAM_COSIM_LEARN_STEPS).
  const std::uint64_t cores = env_or("ENGRAM_COSIM_LEARN_CORES", 1000);
  const std::uint64_t steps = env_or("ENGRAM_COSIM_LEARN_STEPS", 100);
  const std::uint64_t seed0 = env_or("ENGRAM_COSIM_LEARN_SEED", 31415926);
  learning_stats st;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t k = 0; k < cores; ++k) {
    run_random_plastic_core(seed0 + k, steps, st);
    if (HasFatalFailure()) {
      return;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(st.compared, cores * steps);
  // The streams exercise what they are meant to.
  EXPECT_GT(st.updates, 0u);
  EXPECT_GT(st.saturated_traces, 0u);
  EXPECT_GT(st.clamped_weights, 0u);
  EXPECT_GT(st.saturated_tags, 0u);
  EXPECT_GT(st.modulator_events, 0u);
  std::printf("compared %llu plastic core-steps (%llu synapse-steps, %llu learning updates in %llu epoch ends, "
              "%llu spikes, %llu modulator events; at the end %llu clamped weights, %llu saturated tags; "
              "%llu saturated pre traces seen), in %.2f s; RTL: %llu cycles (%llu learning) in %.2f s "
              "(%.1f M cycles/s), emulator core: %.3f s\n",
              static_cast<unsigned long long>(st.compared), static_cast<unsigned long long>(st.synapse_steps),
              static_cast<unsigned long long>(st.updates), static_cast<unsigned long long>(st.epochs),
              static_cast<unsigned long long>(st.spikes), static_cast<unsigned long long>(st.modulator_events),
              static_cast<unsigned long long>(st.clamped_weights), static_cast<unsigned long long>(st.saturated_tags),
              static_cast<unsigned long long>(st.saturated_traces), seconds,
              static_cast<unsigned long long>(st.cycles), static_cast<unsigned long long>(st.learn_cycles),
              st.rtl_seconds, static_cast<double>(st.cycles) / st.rtl_seconds / 1e6, st.emulator_seconds);
}

TEST(cosim, randomized_plastic_cores_catch_the_learning_mutant) {
  // The random streams alone find the rounding mutant, in a learning field.
  std::uint64_t found = 0;
  std::string first;
  for (std::uint64_t k = 0; k < 50 && found == 0; ++k) {
    const random_core rc = make_random_plastic_core(9000 + k, 40);
    cosimulation sim(rc.image, 0, 0, variant_options(core_variant::mutant_learn_round));
    for (std::uint64_t s = 0; s < 40 && found == 0; ++s) {
      const std::vector<mismatch>& ms = sim.step(rc.inputs[s]);
      found += ms.size();
      if (!ms.empty()) {
        first = rtl::to_string(ms.front());
        EXPECT_EQ(ms.front().what, element::synapse) << first;
      }
    }
  }
  EXPECT_GT(found, 0u);
  std::printf("first mismatch of the learning mutant: %s\n", first.c_str());
}

// --- (d) engram cosim on the plastic examples ---------------------------------------------------

void cosim_example(const std::string& name, std::uint32_t plastic, std::uint32_t epochs) {
  const test::temp_dir dir;
  const std::string image = dir.str(name + ".engram");
  test::cli_result r = test::run_cli("compile " + test::example(name) + " -o " + image);
  ASSERT_EQ(r.code, 0) << r.err;
  // Core 0 is the busiest core of each (the one with the learning rows).
  r = test::run_cli("cosim " + image + " --core 0 --steps 1000");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("learning: " + std::to_string(plastic) + " plastic synapses on " + std::to_string(plastic) +
                       " learning axons, " + std::to_string(epochs) + " epoch ends"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("steps compared: 1000,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OK: no mismatch"), std::string::npos) << r.out;
  std::printf("%s", r.out.c_str());
}

TEST(cosim_cli, replays_the_busiest_core_of_distal_reward) { cosim_example("distal_reward", 101, 1000); }

TEST(cosim_cli, replays_the_busiest_core_of_stdp_song2000) { cosim_example("stdp_song2000", 1000, 1000); }

TEST(cosim_cli, replays_the_busiest_core_of_stdp_song2000_correlated) {
  cosim_example("stdp_song2000_correlated", 1000, 1000);
}

// --- (e) Timing calibration -----------------------------------------------------------------------

TEST(cosim_cli, the_calibrated_chip_estimates_the_rtl_cycles_within_10_percent) {
  // rtl/chip/engram-rtl.json (docs/rtl.md, "Timing calibration"): the
  // timing model's estimate for the busiest core of every example against
  // the RTL's measured cycles.
  const std::string chip = std::string(ENGRAM_SOURCE_DIR) + "/rtl/chip/engram-rtl.json";
  const test::temp_dir dir;
  for (const std::string name :
       {"single_neuron", "vogels_abbott_cuba", "stdp_song2000", "stdp_song2000_correlated", "distal_reward"}) {
    SCOPED_TRACE(name);
    const std::string image = dir.str(name + ".engram");
    test::cli_result r = test::run_cli("compile " + test::example(name) + " --chip " + chip + " -o " + image);
    ASSERT_EQ(r.code, 0) << r.err;
    r = test::run_cli("cosim " + image + " --core 0 --steps 300");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const std::string key = "cycles per step estimated against the RTL's ";
    const std::size_t at = r.out.find(key);
    ASSERT_NE(at, std::string::npos) << r.out;
    const std::size_t colon = r.out.find(": ", at + key.size());
    ASSERT_NE(colon, std::string::npos) << r.out;
    const double error = std::stod(r.out.substr(colon + 2));
    EXPECT_LE(std::abs(error), 10.0) << r.out;
    std::printf("%s: %s", name.c_str(), r.out.substr(r.out.rfind('\n', at) + 1, r.out.find('\n', at) - r.out.rfind('\n', at)).c_str());
  }
}

}  // namespace
