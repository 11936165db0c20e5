// engram serve on loopback, server and client in one process:
//  - server_inject: inject frames of 1,000 events for 100 steps, then run
//    them; events per second from the first frame sent to the run's reply.
//  - server_stream: a Poisson population of 1,000 neurons at 500 Hz (dt 1 ms:
//    ~500 spikes per step) streamed to one subscriber; spikes per second.
//  - server_latency: the server runs continuously as fast as possible; one
//    sensor spike is injected (late, so applied at the next step) and the
//    time until the client has the spike frame of the motor neuron it drives
//    is measured, per iteration (manual time: the mean is the latency).
// Run: build/bench/engram_bench --benchmark_filter=server
// Measured here (2 shared cores, RelWithDebInfo, two runs): inject 5.3-5.4 M
// events/s, stream 9.5-12.1 M spikes/s, latency 9.1-10.2 us (mean over
// 67,429-76,697 injections, every one applied at the next step).

#include <chrono>
#include <thread>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/server/client.hpp>
#include <engram/server/engine.hpp>
#include <engram/server/server.hpp>

namespace {

namespace srv = engram::server;
using nlohmann::json;

engram::isa::chip_image compile(const json& net) {
  return engram::compiler::compile_network(engram::compiler::load_network_text(net.dump(), "bench.json"),
                                           engram::compiler::resolve_chip("loihi-like"))
      .image;
}

json network(int inputs, double poisson_rate, double weight) {
  json pops = json::array();
  pops.push_back({{"name", "sensor"}, {"size", inputs}, {"model", "SpikeSourceArray"}, {"params", {{"spike_times", json::array()}}}});
  pops.push_back({{"name", "motor"}, {"size", 1}, {"model", "IF_curr_exp"}, {"params", {{"tau_refrac", 0.0}}}});
  json projections = json::array();
  projections.push_back({{"pre", "sensor"}, {"post", "motor"}, {"weight", weight}, {"connector", {{"type", "AllToAll"}}}});
  if (poisson_rate > 0) {
    pops.push_back({{"name", "noise"}, {"size", 1000}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", poisson_rate}}}});
  }
  return {{"format", "engram-network/1"}, {"name", "bench"}, {"dt", 1.0}, {"seed", 1},
          {"populations", pops}, {"projections", projections}};
}

struct running {
  explicit running(const json& net, srv::engine_options eo = {})
      : image(compile(net)), eng(image, {}, eo, counters), server(eng, counters, {}), thread([this] { server.run(); }) {}
  ~running() {
    server.stop();
    thread.join();
  }
  engram::isa::chip_image image;
  srv::server_counters counters;
  srv::engine eng;
  srv::server server;
  std::thread thread;
};

void server_inject(benchmark::State& state) {
  running s(network(1000, 0, 0.01));
  srv::client c("127.0.0.1", s.server.port());
  const std::uint16_t sensor = c.population("sensor");
  std::vector<srv::event> events;
  for (std::uint32_t n = 0; n < 1000; ++n) {
    events.push_back({sensor, 0, n});
  }
  std::uint64_t step = 0, injected = 0;
  for (auto _ : state) {
    for (int k = 0; k < 100; ++k) {
      c.inject(step + static_cast<std::uint64_t>(k), events);
    }
    c.request(srv::run_command(100));
    step += 100;
    injected += 100 * events.size();
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(injected), benchmark::Counter::kIsRate);
  state.counters["late"] = static_cast<double>(s.counters.events_late.load());
}
BENCHMARK(server_inject)->Unit(benchmark::kMillisecond)->UseRealTime();

void server_stream(benchmark::State& state) {
  running s(network(1, 500.0, 0.01));
  srv::client c("127.0.0.1", s.server.port());
  c.request(srv::subscribe_command({"noise"}));
  std::uint64_t spikes = 0;
  for (auto _ : state) {
    c.request(srv::run_command(1000));
    for (const auto& f : c.frames()) {
      spikes += f.events.size();
    }
    c.frames().clear();
  }
  state.counters["spikes_per_s"] = benchmark::Counter(static_cast<double>(spikes), benchmark::Counter::kIsRate);
  state.counters["dropped"] = static_cast<double>(s.counters.frames_dropped.load());
}
BENCHMARK(server_stream)->Unit(benchmark::kMillisecond)->UseRealTime();

void server_latency(benchmark::State& state) {
  running s(network(1, 0, 20.0));
  srv::client c("127.0.0.1", s.server.port());
  const std::uint16_t sensor = c.population("sensor");
  const std::uint16_t motor = c.population("motor");
  c.request(srv::subscribe_command({"motor"}));
  c.request(srv::make_command(srv::command_kind::run));  // continuously
  const std::vector<srv::event> spike{{sensor, 0, 0}};
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    c.inject(0, spike);  // late: applied at the next step
    for (;;) {
      auto m = c.next();
      if (!m) {
        state.SkipWithError("server closed");
        return;
      }
      if (const auto* f = std::get_if<srv::event_frame>(&*m); f != nullptr && !f->events.empty() &&
                                                             f->events.front().population == motor) {
        break;
      }
    }
    const auto end = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
  }
  c.request(srv::make_command(srv::command_kind::pause));
  state.counters["late"] = static_cast<double>(s.counters.events_late.load());
}
BENCHMARK(server_latency)->Unit(benchmark::kMicrosecond)->UseManualTime();

}  // namespace
