// The RTL neuron core against the emulator core (docs/rtl.md): the worked
// neuron example of docs/numerics.md §10 through the RTL alone, lock-step
// co-simulation of randomized cores (extreme decays, thresholds, negative
// currents, saturating inputs, the longest delays, refractory edges), and
// mutants with one altered bit that the co-simulation must catch, naming
// the field.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
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
using isa::neuron_kind;
using isa::receptor_kind;
using rtl::core_variant;
using rtl::cosimulation;
using rtl::mismatch;
using rtl::packet;

// --- Building cores by hand ------------------------------------------------------------

using test::core_fixtures::example_profile;  // numerics §10

/// The §10 core: axon 0 excitatory 100 (exp 2), axon 1 inhibitory −60
/// (exp 1), axon 2 a second excitatory 100 (two spikes in step 2), delay 1.
isa::core_image example_core() {
  isa::core_image c;
  c.profiles = {example_profile()};
  add_neuron(c, neuron_kind::lif, 0);
  add_axon(c, {{.weight = 100, .delay = 1, .target = 0, .receptor = receptor_kind::excitatory}}, 2);
  add_axon(c, {{.weight = -60, .delay = 1, .target = 0, .receptor = receptor_kind::inhibitory}}, 1);
  add_axon(c, {{.weight = 100, .delay = 1, .target = 0, .receptor = receptor_kind::excitatory}}, 2);
  map_all_axons(c);
  return c;
}

/// The packets of the §10 example, per step (emitted the step before).
std::vector<std::vector<packet>> example_inputs() {
  std::vector<std::vector<packet>> in(9);
  in[1] = {{src, 0}};
  in[2] = {{src, 0}, {src, 1}, {src, 2}};
  in[3] = {{src, 0}};
  in[5] = {{src, 0}};
  return in;
}

rtl::cosim_options variant_options(core_variant v) {
  rtl::cosim_options o;
  o.variant = v;
  return o;
}

// --- (a) The worked example through the RTL ---------------------------------------------

TEST(rtl_core, reproduces_the_numerics_worked_neuron_example) {
  const isa::core_image image = example_core();
  std::unique_ptr<rtl::rtl_core> core = rtl::make_rtl_core();
  core->load(image);
  struct row {
    std::int32_t u_exc, u_inh, v;
    std::uint32_t refractory;
    bool spike;
  };
  // docs/numerics.md §10, columns u_exc, u_inh, v, refr. out, spike.
  const row table[] = {
      {0, 0, 1000, 0, false},          {25600, 0, 27551, 0, false},     {72162, -7680, 91687, 0, false},
      {84689, -6948, -3200, 2, true},  {69347, -6286, -3200, 1, false}, {82384, -5687, -3200, 0, false},
      {67459, -5145, 60271, 0, false}, {55238, -4655, 108911, 0, false}, {45231, -4211, -3200, 2, true},
  };
  const std::vector<std::vector<packet>> in = example_inputs();
  for (std::uint64_t s = 0; s < 9; ++s) {
    for (const packet& p : in[s]) {
      core->deliver(p.neuron, s - 1);  // the input map is the identity
    }
    core->update(s);
    const isa::neuron_state& st = core->states()[0];
    SCOPED_TRACE("step " + std::to_string(s));
    EXPECT_EQ(st.u_exc, table[s].u_exc);
    EXPECT_EQ(st.u_inh, table[s].u_inh);
    EXPECT_EQ(st.v, table[s].v);
    EXPECT_EQ(st.refractory, table[s].refractory);
    EXPECT_EQ(core->spiked(), table[s].spike ? std::vector<std::uint32_t>{0} : std::vector<std::uint32_t>{});
  }
  // One cycle per LIF neuron and step (the first in the start cycle), one
  // per event and one per synapse word: 9 steps * 1 + 6 events * 2.
  EXPECT_EQ(core->cycles(), 9u * 1 + 6 * 2);
}

TEST(cosim, worked_example_has_no_mismatch) {
  const isa::core_image image = example_core();
  cosimulation sim(image);
  const std::vector<std::vector<packet>> in = example_inputs();
  for (std::uint64_t s = 0; s < in.size(); ++s) {
    const std::vector<mismatch>& ms = sim.step(in[s]);
    EXPECT_TRUE(ms.empty()) << describe(ms);
  }
  EXPECT_EQ(sim.steps(), in.size());
}

// --- (b) Randomized cores --------------------------------------------------------------------

random_core make_random_core(std::uint64_t seed, std::uint64_t steps) {
  std::mt19937_64 rng(seed);
  random_core rc;
  isa::core_image& c = rc.image;
  const auto neurons = static_cast<std::uint32_t>(uniform(rng, 1, 48));
  const auto profiles = static_cast<std::uint32_t>(uniform(rng, 1, 4));
  for (std::uint32_t p = 0; p < profiles; ++p) {
    isa::neuron_config k;
    k.decay_u_exc = random_decay(rng);
    k.decay_u_inh = random_decay(rng);
    k.decay_v = random_decay(rng);
    k.threshold_mant = chance(rng, 0.2) ? pick<std::uint32_t>(rng, {1, 2, 131071, 131070})
                                        : static_cast<std::uint32_t>(uniform(rng, 1, chance(rng, 0.5) ? 4000 : 131071));
    // reset_mant < threshold_mant, down to the most negative.
    k.reset_mant = static_cast<std::int32_t>(
        chance(rng, 0.2) ? pick<std::int64_t>(rng, {-131072, 0, std::int64_t{k.threshold_mant} - 1})
                         : uniform(rng, -131072, std::int64_t{k.threshold_mant} - 1));
    k.bias_mant = static_cast<std::int32_t>(chance(rng, 0.2) ? pick<std::int64_t>(rng, {-4096, 4095, 0})
                                                             : uniform(rng, -4096, 4095));
    k.bias_exp = static_cast<std::uint32_t>(uniform(rng, 0, 7));
    k.refractory_period = chance(rng, 0.5) ? pick<std::uint32_t>(rng, {0, 1, 2, 255})
                                           : static_cast<std::uint32_t>(uniform(rng, 0, 20));
    k.post_trace_profile = static_cast<std::uint32_t>(uniform(rng, 0, 1));
    if (chance(rng, 0.15)) {
      // Threshold edge: the bias alone reaches the threshold exactly.
      k.threshold_mant = static_cast<std::uint32_t>(uniform(rng, 1, 4095));
      k.bias_mant = static_cast<std::int32_t>(k.threshold_mant);
      k.bias_exp = 6;
      k.decay_v = 4095;
      k.reset_mant = static_cast<std::int32_t>(uniform(rng, -64, std::int64_t{k.threshold_mant} - 1));
    }
    c.profiles.push_back(k);
  }
  for (int i = 0; i < 6; ++i) {
    c.post_trace_profiles.push_back({.decay = random_decay(rng),
                                     .impulse = static_cast<std::uint32_t>(
                                         chance(rng, 0.3) ? pick<std::int64_t>(rng, {65535, 4096, 0})
                                                          : uniform(rng, 0, 65535))});
  }
  for (std::uint32_t n = 0; n < neurons; ++n) {
    isa::neuron_state s;
    if (chance(rng, 0.5)) {
      s.u_exc = static_cast<std::int32_t>(chance(rng, 0.2) ? 8388607 : uniform(rng, 0, 8388607));
      s.u_inh = static_cast<std::int32_t>(chance(rng, 0.2) ? -8388608 : uniform(rng, -8388608, 0));
      s.v = static_cast<std::int32_t>(uniform(rng, -8388608, 8388607));
      s.refractory = static_cast<std::uint32_t>(chance(rng, 0.3) ? uniform(rng, 0, 255) : 0);
      s.y1 = static_cast<std::uint32_t>(uniform(rng, 0, 65535));
      s.y2 = static_cast<std::uint32_t>(uniform(rng, 0, 65535));
      s.y3 = static_cast<std::uint32_t>(uniform(rng, 0, 65535));
    }
    // A few source neurons: the RTL keeps them idle, the comparison skips their spikes.
    const neuron_kind kind = chance(rng, 0.05) ? neuron_kind::spike_array : neuron_kind::lif;
    add_neuron(c, kind, static_cast<std::uint16_t>(uniform(rng, 0, profiles - 1)), s);
    if (kind == neuron_kind::spike_array) {
      c.initial_state.back() = {};
      c.profile.back() = 0;
      c.sources.back().steps = {1, 3, 4};
    }
  }
  // Axons: rows of up to 16 synapses; some concentrate on few targets with
  // large weights (saturating accumulators and currents).
  const auto axons = static_cast<std::uint32_t>(uniform(rng, 1, 24));
  const bool long_delays = chance(rng, 0.3);
  for (std::uint32_t a = 0; a < axons; ++a) {
    const bool saturate = chance(rng, 0.2);
    const auto len = static_cast<std::uint32_t>(uniform(rng, 0, saturate ? 16 : 8));
    const auto weight_exp = static_cast<std::int32_t>(saturate ? 7 : uniform(rng, -6, 7));
    std::vector<isa::synapse_word> row;
    for (std::uint32_t i = 0; i < len; ++i) {
      isa::synapse_word w;
      w.receptor = chance(rng, 0.5) ? receptor_kind::excitatory : receptor_kind::inhibitory;
      const std::int32_t mag = static_cast<std::int32_t>(saturate ? 127 : uniform(rng, 0, 127));
      w.weight = w.receptor == receptor_kind::excitatory ? mag : (chance(rng, 0.1) ? -128 : -mag);
      w.delay = static_cast<std::uint32_t>(long_delays ? pick<std::int64_t>(rng, {63, 62, 1, 32})
                                                       : uniform(rng, 1, chance(rng, 0.2) ? 63 : 4));
      w.target = static_cast<std::uint32_t>(uniform(rng, 0, saturate ? std::min<std::uint32_t>(neurons, 2) - 1
                                                                     : neurons - 1));
      row.push_back(w);
    }
    add_axon(c, row, weight_exp);
  }
  map_all_axons(c);
  // Inputs: each source neuron spikes with one probability per core.
  const double rate = pick<double>(rng, {0.02, 0.1, 0.3, 0.7});
  rc.inputs.resize(steps);
  for (std::uint64_t s = 1; s < steps; ++s) {
    for (std::uint32_t a = 0; a < axons; ++a) {
      if (chance(rng, rate)) {
        rc.inputs[s].push_back({src, a});
      }
    }
  }
  return rc;
}

TEST(cosim, randomized_cores_match_the_emulator_bit_for_bit) {
  // 1,000 cores x 100 steps = 1e5 compared core-steps by default;
  // tests/rtl/cosim_long.sh raises both (ENGRAM_COSIM_CORES, ENGRAM_COSIM_STEPS).
  const std::uint64_t cores = env_or("ENGRAM_COSIM_CORES", 1000);
  const std::uint64_t steps = env_or("ENGRAM_COSIM_STEPS", 100);
  const std::uint64_t seed0 = env_or("ENGRAM_COSIM_SEED", 20261123);
  std::uint64_t compared = 0, cycles = 0, neuron_steps = 0, spikes = 0, saturated = 0;
  double rtl_seconds = 0, emulator_seconds = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t k = 0; k < cores; ++k) {
    const random_core rc = make_random_core(seed0 + k, steps);
    cosimulation sim(rc.image);
    for (std::uint64_t s = 0; s < steps; ++s) {
      const std::vector<mismatch>& ms = sim.step(rc.inputs[s]);
      ASSERT_TRUE(ms.empty()) << "core seed " << seed0 + k << ":\n" << describe(ms);
      spikes += sim.rtl().spiked().size();
      for (std::uint32_t n = 0; n < sim.rtl().neuron_count(); ++n) {
        const isa::neuron_state st = sim.rtl().neuron(n);
        saturated += (st.u_exc == 8388607 || st.u_inh == -8388608 || st.v == 8388607 || st.v == -8388608) ? 1 : 0;
      }
      ++compared;
    }
    cycles += sim.cycles();
    rtl_seconds += sim.rtl_seconds();
    emulator_seconds += sim.emulator_seconds();
    neuron_steps += std::uint64_t{sim.rtl().neuron_count()} * steps;
    sim.finish();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(compared, cores * steps);
  // The streams exercise what they are meant to: spikes and saturated registers.
  EXPECT_GT(spikes, 0u);
  EXPECT_GT(saturated, 0u);
  std::printf("compared %llu core-steps (%llu neuron-steps, %llu spikes, %llu saturated registers), "
              "in %.2f s; RTL: %llu cycles in %.2f s (%.1f M cycles/s), emulator core: %.3f s\n",
              static_cast<unsigned long long>(compared), static_cast<unsigned long long>(neuron_steps),
              static_cast<unsigned long long>(spikes), static_cast<unsigned long long>(saturated), seconds,
              static_cast<unsigned long long>(cycles), rtl_seconds, static_cast<double>(cycles) / rtl_seconds / 1e6,
              emulator_seconds);
}

TEST(cosim, timestamps_wrap_after_4096_steps) {
  // The RTL takes the packets' 12-bit timestamps (numerics §4); its slot
  // index must stay right across the wrap, with delays up to 63.
  std::uint64_t compared = 0;
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    random_core rc = make_random_core(seed, 4200);
    cosimulation sim(rc.image);
    for (std::uint64_t s = 0; s < rc.inputs.size(); ++s) {
      const std::vector<mismatch>& ms = sim.step(rc.inputs[s]);
      ASSERT_TRUE(ms.empty()) << "core seed " << seed << ":\n" << describe(ms);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 3u * 4200);
}

// --- (c) Mutants must be caught --------------------------------------------------------------

TEST(cosim, catches_decay_rounded_by_floor) {
  // §10, step 3: decay(−7680, 390) = −6948 toward zero; a floor gives −6949.
  const isa::core_image image = example_core();
  cosimulation sim(image, 0, 0, variant_options(core_variant::mutant_decay_floor));
  const std::vector<std::vector<packet>> in = example_inputs();
  for (std::uint64_t s = 0; s < 3; ++s) {
    const std::vector<mismatch>& ms = sim.step(in[s]);
    ASSERT_TRUE(ms.empty()) << describe(ms);
  }
  const std::vector<mismatch> ms = sim.step(in[3]);
  EXPECT_TRUE(has(ms, {3, 0, "u_inh", -6948, -6949})) << describe(ms);
}

TEST(cosim, reports_every_mismatch_of_a_step) {
  // Four identical neurons: the floor mutant differs on each, in one step.
  isa::core_image image;
  image.profiles = {example_profile()};
  for (int n = 0; n < 4; ++n) {
    add_neuron(image, neuron_kind::lif, 0, {.u_exc = 0, .u_inh = -7680, .v = 0});
  }
  add_axon(image, {}, 0);
  map_all_axons(image);
  cosimulation sim(image, 0, 0, variant_options(core_variant::mutant_decay_floor));
  const std::vector<mismatch> ms = sim.step({});
  for (std::uint32_t n = 0; n < 4; ++n) {
    EXPECT_TRUE(has(ms, {0, n, "u_inh", -6948, -6949})) << describe(ms);
  }
}

TEST(cosim, catches_threshold_compared_with_greater_than) {
  // v reaches the threshold exactly: 0 + bias 1024 = 16 << 6.
  isa::core_image image;
  image.profiles = {{.decay_u_exc = 0, .decay_u_inh = 0, .decay_v = 4095, .threshold_mant = 16, .bias_mant = 128,
                     .bias_exp = 3, .reset_mant = -1, .refractory_period = 3, .post_trace_profile = 0}};
  add_neuron(image, neuron_kind::lif, 0);
  add_axon(image, {}, 0);
  map_all_axons(image);
  {
    cosimulation ok(image);
    EXPECT_TRUE(ok.step({}).empty());
    EXPECT_EQ(ok.rtl().spiked(), std::vector<std::uint32_t>{0});
  }
  cosimulation sim(image, 0, 0, variant_options(core_variant::mutant_threshold_gt));
  const std::vector<mismatch> ms = sim.step({});
  EXPECT_TRUE(has(ms, {0, 0, "spike", 1, 0})) << describe(ms);
  EXPECT_TRUE(has(ms, {0, 0, "v", -64, 1024})) << describe(ms);
  EXPECT_TRUE(has(ms, {0, 0, "refractory", 3, 0})) << describe(ms);
  EXPECT_EQ(rtl::to_string(ms.front()).substr(0, 15), "step 0 neuron 0");
}

TEST(cosim, randomized_cores_catch_the_mutants) {
  // The random streams alone (no hand-made case) find both mutants.
  for (const core_variant v : {core_variant::mutant_decay_floor, core_variant::mutant_threshold_gt}) {
    std::uint64_t found = 0;
    for (std::uint64_t k = 0; k < 50 && found == 0; ++k) {
      const random_core rc = make_random_core(7000 + k, 60);
      cosimulation sim(rc.image, 0, 0, variant_options(v));
      for (std::uint64_t s = 0; s < 60 && found == 0; ++s) {
        found += sim.step(rc.inputs[s]).size();
      }
    }
    EXPECT_GT(found, 0u) << rtl::to_string(v);
  }
}

// --- Harness ---------------------------------------------------------------------------------

TEST(cosim, writes_an_fst_trace_on_request) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("engram_cosim_" + std::to_string(::getpid()) + ".fst");
  {
    const isa::core_image image = example_core();
    rtl::cosim_options options;
    options.rtl.trace = file;
    cosimulation sim(image, 0, 0, options);
    for (const std::vector<packet>& in : example_inputs()) {
      EXPECT_TRUE(sim.step(in).empty());
    }
    sim.finish();
  }
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_GT(std::filesystem::file_size(file), 100u);
  std::filesystem::remove(file);
}

TEST(cosim, refuses_cores_it_cannot_run) {
  // A learning axon whose rule is not in the table (numerics §12; the image
  // reader rejects it, a hand-made image may have it).
  isa::core_image image = example_core();
  isa::synapse_word w{.weight = 10, .delay = 1, .target = 0, .receptor = receptor_kind::excitatory, .plastic = 1};
  isa::axon_entry a;
  a.row_base = static_cast<std::uint32_t>(image.synapse_memory.size());
  a.row_len = 2;
  a.learning = 1;
  a.rule = 3;
  image.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(w)[0]));
  image.synapse_memory.push_back(0);
  image.axons.push_back(a);
  try {
    cosimulation sim(image);
    FAIL() << "a learning axon without its rule was accepted";
  } catch (const rtl::unsupported_core& e) {
    EXPECT_EQ(e.part, "learning_axon_rule");
    EXPECT_EQ(e.value, 3u);
    EXPECT_EQ(e.limit, 0u);
  }
  // More neurons than the harness's core holds.
  isa::core_image large = example_core();
  for (std::uint32_t n = 1; n <= rtl::limits().neurons; ++n) {
    add_neuron(large, neuron_kind::lif, 0);
  }
  try {
    cosimulation sim(large);
    FAIL() << "a core larger than the RTL was accepted";
  } catch (const rtl::unsupported_core& e) {
    EXPECT_EQ(e.part, "neurons");
    EXPECT_EQ(std::string(e.what()), "the RTL core cannot run this core: neurons 4097 exceed its 4096");
  }
}

// --- engram cosim ------------------------------------------------------------------------------

std::filesystem::path compiled_example(const std::string& name, const std::string& chip) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("engram_cosim_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path image = dir / (name + ".engram");
  const test::cli_result r = test::run_cli("compile " + std::string(ENGRAM_SOURCE_DIR) + "/examples/" + name +
                                           "/network.json --chip " + chip + " -o " + image.string());
  EXPECT_EQ(r.code, 0) << r.err;
  return image;
}

TEST(cosim_cli, replays_a_compiled_example_without_mismatch) {
  const std::filesystem::path image = compiled_example("single_neuron", "tiny");
  const test::cli_result r = test::run_cli("cosim " + image.string() + " --core 0,0 --steps 200");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("steps compared: 200, packets replayed: 4, spikes: 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OK: no mismatch"), std::string::npos) << r.out;
  std::filesystem::remove_all(image.parent_path());
}

TEST(cosim_cli, refuses_bad_arguments_in_one_line) {
  const std::filesystem::path image = compiled_example("single_neuron", "tiny");
  test::cli_result r = test::run_cli("cosim " + image.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--core N|X,Y is required"), std::string::npos) << r.err;
  r = test::run_cli("cosim " + image.string() + " --core 7,7");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no core of the image sits at (7,7)"), std::string::npos) << r.err;
  r = test::run_cli("cosim " + image.string() + " --core 0 --steps 0");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--steps 0: expected a positive whole number"), std::string::npos) << r.err;
  std::filesystem::remove_all(image.parent_path());
}

}  // namespace
