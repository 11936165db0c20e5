// A server on loopback in a background thread, and the closed loop of
// examples/closed_loop run live through it and offline through the library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/simulation.hpp>
#include <engram/server/client.hpp>
#include <engram/server/engine.hpp>
#include <engram/server/server.hpp>

namespace engram::test {

inline nlohmann::json closed_loop_network() {
  std::ifstream in(std::string(ENGRAM_SOURCE_DIR) + "/examples/closed_loop/network.json");
  return nlohmann::json::parse(in);
}

inline isa::chip_image compile_network_json(const nlohmann::json& net) {
  return compiler::compile_network(compiler::load_network_text(net.dump(), "network.json"),
                                   compiler::resolve_chip("loihi-like"))
      .image;
}

struct running_server {
  running_server(isa::chip_image img, server::engine_options eo = {}, server::server_options so = {})
      : image(std::move(img)), eng(image, {}, std::move(eo), counters), srv(eng, counters, std::move(so)),
        thread([this] { srv.run(); }) {}
  ~running_server() {
    srv.stop();
    thread.join();
  }
  std::uint16_t port() const { return srv.port(); }

  isa::chip_image image;
  server::server_counters counters;
  server::engine eng;
  server::server srv;
  std::thread thread;
};

// What a closed loop injected and what it saw.
struct loop_record {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> sensor;  // (step, neuron)
  std::map<std::uint64_t, std::uint8_t> reward;                   // step -> payload (the largest of that step)
  std::vector<std::pair<std::uint64_t, std::uint32_t>> motor;   // output spikes (step, neuron)
};

// The loop: each chunk of 20 steps the client injects random sensor spikes
// (timestamped in the chunk), runs the chunk, reads the motor spikes, and
// answers each with a reward 5 steps into the next chunk (motor neuron 0:
// amplitude 1, neuron 1: 0.2), alternating between the reward command and
// an inject frame for the Modulator population.
inline loop_record closed_loop(server::client& c, std::uint32_t seed, std::uint64_t chunks) {
  using namespace engram::server;
  loop_record rec;
  std::mt19937 rng(seed);
  const std::uint16_t sensor = c.population("sensor");
  const std::uint16_t motor = c.population("motor");
  const std::uint16_t reward = c.population("reward");
  auto sub = c.request(subscribe_command({"motor"}));
  EXPECT_EQ(sub["ok"], true) << sub.dump();
  const std::uint64_t start = c.request(make_command(command_kind::status))["step"].get<std::uint64_t>();
  const std::uint64_t chunk = 20;
  for (std::uint64_t k = 0; k < chunks; ++k) {
    const std::uint64_t now = start + k * chunk;
    for (std::uint64_t s = now; s < now + chunk; ++s) {
      std::vector<event> events;
      for (std::uint32_t n = 0; n < 8; ++n) {
        if (rng() % 100 < 12) {
          events.push_back({sensor, 0, n});
          rec.sensor.emplace_back(s, n);
        }
      }
      if (!events.empty()) {
        c.inject(s, events);
      }
    }
    const auto done = c.request(run_command(chunk));
    EXPECT_EQ(done["step"], now + chunk) << done.dump();
    std::vector<std::pair<std::uint64_t, std::uint32_t>> fresh;
    while (!c.frames().empty()) {
      const event_frame f = std::move(c.frames().front());
      c.frames().pop_front();
      for (const event& e : f.events) {
        EXPECT_EQ(e.population, motor);
        fresh.emplace_back(f.step, e.neuron);
      }
    }
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      const std::uint64_t at = now + chunk + 5;
      const std::uint8_t payload = fresh[i].second == 0 ? 255 : 51;
      if (i % 2 == 0) {
        const auto r = c.request(reward_command("reward", payload, at));
        EXPECT_EQ(r["ok"], true) << r.dump();
      } else {
        const std::vector<event> e{{reward, payload, 0}};
        c.inject(at, e);
      }
      auto& slot = rec.reward[at];
      slot = std::max(slot, payload);
    }
    rec.motor.insert(rec.motor.end(), fresh.begin(), fresh.end());
  }
  return rec;
}

// The same inputs offline: the network with the sensor spikes as
// spike_times and the rewards as Modulator times and amplitudes, compiled and
// run from step 0 for `steps` steps. Returns the motor spikes.
inline std::vector<std::pair<std::uint64_t, std::uint32_t>> offline_motor(const loop_record& rec, std::uint64_t steps) {
  nlohmann::json net = closed_loop_network();
  const double dt = net["dt"].get<double>();
  std::vector<std::vector<double>> times(8);
  auto sensor = rec.sensor;
  std::sort(sensor.begin(), sensor.end());
  for (const auto& [s, n] : sensor) {
    times[n].push_back(static_cast<double>(s) * dt);
  }
  std::vector<double> reward_times, amplitudes;
  for (const auto& [s, p] : rec.reward) {
    reward_times.push_back(static_cast<double>(s) * dt);
    amplitudes.push_back(p / 255.0);
  }
  for (auto& p : net["populations"]) {
    if (p["name"] == "sensor") {
      p["params"]["spike_times"] = times;
    } else if (p["name"] == "reward") {
      p["params"] = {{"times", reward_times}, {"amplitudes", amplitudes}};
    }
  }
  const isa::chip_image image = compile_network_json(net);
  const std::uint32_t motor = *isa::find_population(image, "motor");
  struct obs : emulator::step_observer {
    const isa::chip_image* image;
    std::uint32_t motor;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> out;
    void on_step(const emulator::step_view& v) override {
      for (std::uint32_t c = 0; c < v.cores.size(); ++c) {
        for (const std::uint32_t n : v.cores[c].spiked) {
          const isa::image_slice* s = isa::slice_at(*image, c, n);
          if (s != nullptr && s->population == motor) {
            out.emplace_back(v.step, s->first + (n - s->core_neuron));
          }
        }
      }
    }
  } o;
  o.image = &image;
  o.motor = motor;
  emulator::simulation sim(image, {});
  sim.run(steps, &o);
  std::sort(o.out.begin(), o.out.end());
  return o.out;
}

}  // namespace engram::test
