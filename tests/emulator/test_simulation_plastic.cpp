// The scheduler with learning: random compiled networks whose projections
// carry pair STDP (additive and multiplicative), triplet STDP, three-factor
// rules fed by modulator sources, G-DHL and sum-of-products rules give the
// lock-step reference's spikes, neuron states (traces included) and plastic
// synapse states (weight, fraction, tag) bit for bit for any thread count
// and window, and the same counters and checkpoint bytes.

#include <random>
#include <string>

#include <gtest/gtest.h>

#include <engram/common/error.hpp>
#include <engram/emulator/simulation.hpp>

#include "sim_fixtures.hpp"

namespace {

using namespace engram;
using engram::test::busy_network;
using engram::test::compile_json;
using engram::test::run_lock_step;
using engram::test::spike_collector;
using nlohmann::json;

// busy_network with plasticity: every rule kind the compiler lowers, two
// modulator sources, and most projections plastic. All rules read the
// post trace y1 with τ = 20 ms (rules onto one population must agree) and
// share one epoch per network (rules on one core must).
json plastic_network(std::mt19937& rng, int seed) {
  json net = busy_network(rng, seed);
  const double epoch = rng() % 3 == 0 ? 3.0 : 1.0;
  json times_a = json::array();
  json times_b = json::array();
  for (int t = 10; t < 150; t += 10 + static_cast<int>(rng() % 30)) {
    times_a.push_back(static_cast<double>(t));
  }
  for (int t = 25; t < 150; t += 20 + static_cast<int>(rng() % 40)) {
    times_b.push_back(static_cast<double>(t));
  }
  net["populations"].push_back(
      {{"name", "dopamine"}, {"size", 1}, {"model", "Modulator"}, {"params", {{"times", times_a}, {"amplitude", 0.8}}}});
  net["populations"].push_back(
      {{"name", "serotonin"}, {"size", 1}, {"model", "Modulator"}, {"params", {{"times", times_b}, {"amplitude", 0.3}}}});
  const json bounds = {{"w_min", 0.0}, {"w_max", 8.0}};
  auto with = [&](json params) {
    params.update(bounds);
    return params;
  };
  json rules = json::array({
      {{"name", "pair"}, {"rule", "pair_stdp"}, {"params", with({{"a_plus", 0.08}, {"a_minus", 0.09}})}},
      {{"name", "soft"},
       {"rule", "pair_stdp"},
       {"params", {{"weight_dependence", "multiplicative"}, {"a_plus", 0.2}, {"a_minus", 0.25}, {"w_min", 0.25}, {"w_max", 8.0}}}},
      {{"name", "triplet"},
       {"rule", "triplet_stdp"},
       {"params", with({{"tau_minus", 20.0}, {"a2_plus", 0.02}, {"a3_plus", 0.06}, {"a2_minus", 0.05}, {"a3_minus", 0.01}})}},
      {{"name", "reward"},
       {"rule", "three_factor"},
       {"modulator", "dopamine"},
       {"params", with({{"tau_eligibility", 300.0}, {"tau_modulator", 50.0}, {"learning_rate", 0.05}})}},
      {{"name", "reward2"},
       {"rule", "three_factor"},
       {"modulator", "serotonin"},
       {"params", with({{"a_minus", 1.3}, {"tau_eligibility", 100.0}, {"tau_modulator", 80.0}, {"learning_rate", 0.1}})}},
      {{"name", "gdhl"},
       {"rule", "gdhl"},
       {"params", with({{"eta_sp", 0.1}, {"eta_ps", 0.05}, {"sigma_nn", -0.1}, {"sigma_pp", 0.2}})}},
      {{"name", "sop"},
       {"rule", "sum_of_products"},
       {"modulator", "dopamine"},
       {"params",
        with({{"dw", "2^-1*x1*y0 - 2^-1*y1*x0 + 2^-9*r1*t"},
              {"dt", "2^3*x1*y0 - 2^2*(w - 64)*x0"},
              {"tau_tag", 200.0},
              {"tau_r", 50.0}})}},
  });
  for (json& r : rules) {
    if (epoch != 1.0) {
      r["epoch"] = epoch;
    }
  }
  net["plasticity"] = rules;
  for (json& p : net["projections"]) {
    if (rng() % 5 != 0) {
      p["plasticity"] = rules[rng() % rules.size()]["name"];
    }
  }
  return net;
}

// small_chip (sim_fixtures.hpp) with room for several rules per core.
compiler::chip_spec plastic_chip(std::mt19937& rng) {
  auto j = json::parse(*compiler::chip_preset_text("tiny"));
  j["mesh"] = {{"width", 2 + rng() % 3}, {"height", 2 + rng() % 2}};
  j["chips"] = {{"width", 1 + rng() % 2}, {"height", 1 + rng() % 2}};
  j["core"]["neurons"] = 8 + rng() % 24;
  j["core"]["synapse_words"] = 1024 + rng() % 3000;
  j["core"]["input_axons"] = 128 + rng() % 200;
  j["core"]["output_axons"] = 64;
  j["core"]["router_entries"] = 64;
  j["core"]["learning_rules"] = 8;
  j["core"]["microcode_words"] = 32;
  j["core"]["trace_profiles"] = 8;
  return compiler::load_chip_text(j.dump(), "chip.json");
}

std::vector<std::vector<emulator::plastic_state>> plastic_of(const emulator::simulation& sim) {
  std::vector<std::vector<emulator::plastic_state>> out;
  for (std::uint32_t c = 0; c < sim.core_count(); ++c) {
    out.emplace_back();
    for (std::uint32_t i = 0; i < sim.core_at(c).plastic_count(); ++i) {
      out.back().push_back(sim.core_at(c).plastic(i));
    }
  }
  return out;
}

bool same(const emulator::plastic_state& a, const emulator::plastic_state& b) {
  return a.weight == b.weight && a.weight_frac == b.weight_frac && a.tag == b.tag;
}

}  // namespace

TEST(simulation_plastic, random_plastic_networks_match_the_lock_step_reference_for_any_threads_and_window) {
  std::mt19937 rng(5150);
  int checked = 0;
  std::size_t multi_core = 0;
  std::size_t plastic_synapses = 0;
  std::size_t weights_moved = 0;
  std::size_t tags_set = 0;
  std::size_t with_modulator = 0;
  for (int trial = 0; trial < 30; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const json net = plastic_network(rng, trial);
    const auto chip = plastic_chip(rng);
    isa::chip_image image;
    try {
      image = compile_json(net, chip);
    } catch (const engram::user_error&) {
      continue;  // does not fit this random chip
    }
    constexpr std::uint64_t steps = 150;
    const auto reference = run_lock_step(image, steps);
    // What learning did in the reference, against the image's initial state.
    const emulator::simulation initial(image, {});
    const auto start = plastic_of(initial);
    bool modulated = false;
    for (const auto& core : image.cores) {
      for (const auto& ax : core.axons) {
        modulated = modulated || ax.modulator == 1;
      }
    }
    with_modulator += modulated ? 1 : 0;
    for (std::size_t c = 0; c < start.size(); ++c) {
      ASSERT_EQ(reference.plastic[c].size(), start[c].size());
      for (std::size_t i = 0; i < start[c].size(); ++i) {
        ++plastic_synapses;
        const auto& a = start[c][i];
        const auto& b = reference.plastic[c][i];
        weights_moved += a.weight != b.weight || a.weight_frac != b.weight_frac ? 1 : 0;
        tags_set += b.tag != 0 ? 1 : 0;
      }
    }
    multi_core += image.cores.size() > 1 ? 1 : 0;
    std::vector<std::uint8_t> first_checkpoint;
    std::vector<emulator::core_counters> first_counters;
    for (unsigned threads : {1u, 2u, 4u, 8u}) {
      for (std::uint32_t window : {1u, 3u, 64u}) {
        SCOPED_TRACE("threads " + std::to_string(threads) + " window " + std::to_string(window));
        emulator::simulation_options options;
        options.threads = threads;
        options.window = window;
        emulator::simulation sim(image, options);
        spike_collector seen;
        sim.run(steps, &seen);
        ASSERT_EQ(sim.step(), steps);
        ASSERT_EQ(seen.spikes, reference.spikes);
        ASSERT_EQ(engram::test::states_of(sim), reference.states);
        const auto plastic = plastic_of(sim);
        ASSERT_EQ(plastic.size(), reference.plastic.size());
        for (std::size_t c = 0; c < plastic.size(); ++c) {
          ASSERT_EQ(plastic[c].size(), reference.plastic[c].size());
          for (std::size_t i = 0; i < plastic[c].size(); ++i) {
            ASSERT_TRUE(same(plastic[c][i], reference.plastic[c][i])) << "core " << c << " synapse " << i;
          }
        }
        if (first_checkpoint.empty()) {
          first_checkpoint = sim.checkpoint();
          first_counters = seen.counters;  // synaptic updates included
        } else {
          ASSERT_EQ(seen.counters, first_counters);
          ASSERT_EQ(sim.checkpoint(), first_checkpoint);  // traces, tags, packets in flight
        }
      }
    }
    ++checked;
  }
  std::printf("  %d networks (%zu on several cores, %zu with modulator axons): %zu plastic synapses, %zu weights "
              "moved, %zu tags non-zero\n",
              checked, multi_core, with_modulator, plastic_synapses, weights_moved, tags_set);
  EXPECT_GE(checked, 15);
  EXPECT_GE(multi_core, 8u);
  EXPECT_GE(with_modulator, 5u);
  // Learning happened, so the comparison means something.
  EXPECT_GT(weights_moved, plastic_synapses / 4);
  EXPECT_GT(tags_set, 100u);
}
