// Emulation throughput: the Vogels–Abbott CUBA example (4,000 neurons,
// 320,465 synapses, dt 0.1 ms, on the Loihi-like chip) run for 1,000 steps
// per iteration, with 1 and 2 worker threads, nothing recorded. Counters:
// neuron updates and synaptic events per second of wall-clock time, and the
// simulated network time per wall-clock second (the real-time factor of the
// emulator itself, not of the virtual chip).
// Run: build/bench/engram_bench --benchmark_filter=emulator
// Whole-program figures, beside Brian 2: validation/cuba_brian2.py

#include <filesystem>

#include <benchmark/benchmark.h>

#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/simulation.hpp>

namespace {

const engram::isa::chip_image& cuba_image() {
    static const engram::isa::chip_image image = [] {
        const auto net = engram::compiler::load_network_file(std::filesystem::path(ENGRAM_SOURCE_DIR) /
                                                             "examples/vogels_abbott_cuba/network.json");
        return engram::compiler::compile_network(net, engram::compiler::resolve_chip("loihi-like")).image;
    }();
    return image;
}

void emulator_cuba(benchmark::State& state) {
    const auto& image = cuba_image();
    engram::emulator::simulation_options options;
    options.threads = static_cast<unsigned>(state.range(0));
    engram::emulator::simulation sim(image, options);
    sim.run(500, nullptr);  // past the initial transient
    constexpr std::uint64_t steps = 1000;
    const auto before = sim.totals().per_core;
    for (auto _: state) {
        sim.run(steps, nullptr);
    }
    std::uint64_t updates = 0;
    std::uint64_t synops = 0;
    for (std::size_t c = 0; c < before.size(); ++c) {
        const auto& now = sim.totals().per_core[c];
        updates += now.neuron_updates_active() + now.neuron_updates_idle() - before[c].neuron_updates_active() -
                   before[c].neuron_updates_idle();
        synops += now.synaptic_ops() - before[c].synaptic_ops();
    }
    state.counters["neuron_updates_per_s"] = benchmark::Counter(static_cast<double>(updates), benchmark::Counter::kIsRate);
    state.counters["synaptic_events_per_s"] = benchmark::Counter(static_cast<double>(synops), benchmark::Counter::kIsRate);
    state.counters["network_s_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations() * steps) * image.dt_ms * 1e-3, benchmark::Counter::kIsRate);
}
BENCHMARK(emulator_cuba)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
