// simulation::inject: an external spike at step t gives the same run as the
// same spike listed in the network (SpikeSourceArray spike_times, Modulator
// times/amplitudes) and compiled offline.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/simulation.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram {
namespace {

using nlohmann::json;

// Sensors (a spike array with `times` per neuron), a reward channel, and two
// LIF neurons under reward-modulated STDP, so that injected rewards change
// weights and so later spikes.
json loop_network(const std::vector<std::vector<double>>& times, const std::vector<double>& reward_times,
                  const std::vector<double>& amplitudes) {
  json sensor_times = json::array();
  for (const auto& t : times) {
    sensor_times.push_back(t);
  }
  return {{"format", "engram-network/1"},
          {"name", "loop"},
          {"dt", 1.0},
          {"seed", 3},
          {"populations",
           {{{"name", "sensor"}, {"size", 6}, {"model", "SpikeSourceArray"}, {"params", {{"spike_times", sensor_times}}}},
            {{"name", "reward"},
             {"size", 1},
             {"model", "Modulator"},
             {"params", {{"times", reward_times}, {"amplitudes", amplitudes}}}},
            {{"name", "motor"}, {"size", 2}, {"model", "IF_curr_exp"}, {"params", {{"v_thresh", -57.0}}}}}},
          {"plasticity",
           {{{"name", "r"},
             {"rule", "three_factor"},
             {"modulator", "reward"},
             {"params", {{"tau_eligibility", 100.0}, {"tau_modulator", 30.0}, {"learning_rate", 0.05}, {"w_max", 6.0}}}}}},
          {"projections",
           {{{"pre", "sensor"},
             {"post", "motor"},
             {"weight", 2.0},
             {"connector", {{"type", "AllToAll"}}},
             {"plasticity", "r"}}}}};
}

isa::chip_image compile(const json& net) {
  return compiler::compile_network(compiler::load_network_text(net.dump(), "loop.json"),
                                   compiler::resolve_chip("loihi-like"))
      .image;
}

using spike = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t, std::uint32_t>;  // step, core, neuron, payload

class spike_log : public emulator::step_observer {
 public:
  void on_step(const emulator::step_view& step) override {
    for (std::uint32_t c = 0; c < step.cores.size(); ++c) {
      for (std::size_t k = 0; k < step.cores[c].spiked.size(); ++k) {
        spikes.emplace_back(step.step, c, step.cores[c].spiked[k], step.cores[c].payloads[k]);
      }
    }
  }
  std::vector<spike> spikes;
};

TEST(injection, equals_offline_spike_times_and_modulator_events) {
  std::mt19937 rng(11);
  const std::uint64_t steps = 400;
  std::vector<std::vector<double>> times(6);
  struct event {
    std::uint32_t neuron;
    std::uint64_t step;
  };
  std::vector<event> events;
  for (std::uint32_t i = 0; i < 6; ++i) {
    for (std::uint64_t s = 1 + rng() % 7; s < steps; s += 2 + rng() % 9) {
      times[i].push_back(static_cast<double>(s));
      events.push_back({i, s});
    }
  }
  std::vector<double> reward_times, amplitudes;
  std::vector<std::pair<std::uint64_t, std::uint8_t>> rewards;
  for (std::uint64_t s = 20; s < steps; s += 37) {
    const auto payload = static_cast<std::uint8_t>(40 + rng() % 200);
    reward_times.push_back(static_cast<double>(s));
    amplitudes.push_back(payload / 255.0);
    rewards.emplace_back(s, payload);
  }
  const isa::chip_image offline_image = compile(loop_network(times, reward_times, amplitudes));
  const isa::chip_image live_image = compile(loop_network(std::vector<std::vector<double>>(6), {}, {}));

  spike_log offline, live;
  emulator::simulation a(offline_image, {});
  a.run(steps, &offline);

  // Live: events are injected in chunks of steps, each before the run that reaches it.
  emulator::simulation b(live_image, {});
  const auto sensor = *isa::find_population(live_image, "sensor");
  const auto reward = *isa::find_population(live_image, "reward");
  for (std::uint64_t s = 0; s < steps; s += 13) {
    const std::uint64_t end = std::min(steps, s + 13);
    for (const event& e : events) {
      if (e.step >= s && e.step < end) {
        b.inject(*isa::locate_neuron(live_image, sensor, e.neuron), e.step);
      }
    }
    for (const auto& [at, payload] : rewards) {
      if (at >= s && at < end) {
        b.inject(*isa::locate_neuron(live_image, reward, 0), at, payload);
      }
    }
    b.run(end - s, &live);
  }
  ASSERT_FALSE(offline.spikes.empty());
  const auto motor = *isa::locate_neuron(offline_image, *isa::find_population(offline_image, "motor"), 0);
  std::size_t motor_spikes = 0;
  for (const spike& s : offline.spikes) {
    motor_spikes += std::get<1>(s) == motor.core && std::get<2>(s) == motor.neuron ? 1 : 0;
  }
  EXPECT_GT(motor_spikes, 0u);
  EXPECT_EQ(live.spikes, offline.spikes);

  // All events injected before the first step, latest first: each core keeps
  // them in step order however they arrive.
  emulator::simulation ahead(live_image, {});
  for (auto e = events.rbegin(); e != events.rend(); ++e) {
    ahead.inject(*isa::locate_neuron(live_image, sensor, e->neuron), e->step);
  }
  for (auto r = rewards.rbegin(); r != rewards.rend(); ++r) {
    ahead.inject(*isa::locate_neuron(live_image, reward, 0), r->first, r->second);
  }
  spike_log all_ahead;
  ahead.run(steps, &all_ahead);
  EXPECT_EQ(all_ahead.spikes, offline.spikes);
  std::size_t pending = 0;
  for (std::uint32_t c = 0; c < ahead.core_count(); ++c) {
    pending += ahead.core_at(c).pending_injections();
  }
  EXPECT_EQ(pending, 0u);
  // The state too (checkpoints differ: they hold the image's fingerprint and
  // the spike arrays' cursors): neuron registers and learned synapses.
  ASSERT_EQ(a.core_count(), b.core_count());
  for (std::uint32_t c = 0; c < a.core_count(); ++c) {
    ASSERT_EQ(a.core_at(c).neuron_count(), b.core_at(c).neuron_count());
    for (std::uint32_t n = 0; n < a.core_at(c).neuron_count(); ++n) {
      EXPECT_EQ(a.core_at(c).neuron(n), b.core_at(c).neuron(n));
    }
    ASSERT_EQ(a.core_at(c).plastic_count(), b.core_at(c).plastic_count());
    for (std::uint32_t i = 0; i < a.core_at(c).plastic_count(); ++i) {
      EXPECT_EQ(a.core_at(c).plastic(i), b.core_at(c).plastic(i));
    }
  }
}

TEST(injection, merges_with_program_spike_keeping_largest_payload) {
  const isa::chip_image image = compile(loop_network({{5.0}, {}, {}, {}, {}, {}}, {10.0}, {100 / 255.0}));
  emulator::simulation sim(image, {});
  const auto sensor0 = *isa::locate_neuron(image, *isa::find_population(image, "sensor"), 0);
  const auto reward = *isa::locate_neuron(image, *isa::find_population(image, "reward"), 0);
  sim.inject(sensor0, 5);
  sim.inject(sensor0, 5);
  sim.inject(reward, 10, 50);
  sim.inject(reward, 10, 200);
  spike_log log;
  sim.run(12, &log);
  std::size_t sensor_spikes = 0;
  std::vector<std::uint32_t> reward_payloads;
  for (const auto& [step, c, n, payload] : log.spikes) {
    if (c == sensor0.core && n == sensor0.neuron) {
      ++sensor_spikes;
      EXPECT_EQ(step, 5u);
    }
    if (c == reward.core && n == reward.neuron) {
      EXPECT_EQ(step, 10u);
      reward_payloads.push_back(payload);
    }
  }
  EXPECT_EQ(sensor_spikes, 1u);
  EXPECT_EQ(reward_payloads, std::vector<std::uint32_t>{200});
  EXPECT_EQ(sim.core_at(reward.core).pending_injections(), 0u);
}

TEST(injection, rejects_lif_neurons_past_steps_and_bad_cores) {
  const isa::chip_image image = compile(loop_network(std::vector<std::vector<double>>(6), {}, {}));
  emulator::simulation sim(image, {});
  const auto motor = *isa::locate_neuron(image, *isa::find_population(image, "motor"), 0);
  const auto sensor0 = *isa::locate_neuron(image, *isa::find_population(image, "sensor"), 0);
  EXPECT_THROW(sim.inject(motor, 0), std::invalid_argument);
  EXPECT_THROW(sim.inject({static_cast<std::uint32_t>(image.cores.size()), 0}, 0), std::invalid_argument);
  sim.run(3, nullptr);
  EXPECT_THROW(sim.inject(sensor0, 2), std::invalid_argument);
  EXPECT_NO_THROW(sim.inject(sensor0, 3));
}

}  // namespace
}  // namespace engram
