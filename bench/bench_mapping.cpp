// Mapping throughput: the whole compile (quantize, partition, place, route,
// assemble) of the Vogels–Abbott CUBA example and of larger random networks
// of the same shape. Peak memory: run the engram program under
// /usr/bin/time -v (docs/mapping.md, "Performance").
// Run: build/bench/engram_bench --benchmark_filter=mapping

#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>

namespace {

using namespace engram::compiler;

// CUBA's shape (80% excitatory, 20% inhibitory, p = 0.02) at n neurons.
network cuba_like(std::int64_t n) {
    const std::int64_t exc = n * 4 / 5;
    const nlohmann::json params = {{"tau_m", 20.0}, {"tau_syn_E", 5.0}, {"tau_syn_I", 10.0}, {"v_rest", -49.0},
                                   {"v_reset", -60.0}, {"v_thresh", -50.0}, {"tau_refrac", 5.0}, {"cm", 0.2}};
    nlohmann::json j = {
        {"format", "engram-network/1"},
        {"name", "cuba_like"},
        {"dt", 0.1},
        {"seed", 1},
        {"populations",
         {{{"name", "exc"}, {"size", exc}, {"model", "IF_curr_exp"}, {"params", params}},
          {{"name", "inh"}, {"size", n - exc}, {"model", "IF_curr_exp"}, {"params", params}}}},
        {"projections", nlohmann::json::array()}};
    for (const char* pre: {"exc", "inh"}) {
        for (const char* post: {"exc", "inh"}) {
            j["projections"].push_back({{"pre", pre},
                                        {"post", post},
                                        {"receptor", std::string(pre) == "exc" ? "excitatory" : "inhibitory"},
                                        {"weight", std::string(pre) == "exc" ? 0.0162 : 0.09},
                                        {"delay", 0.2},
                                        {"connector", {{"type", "FixedProbability"}, {"p", 0.02}}}});
        }
    }
    return load_network_text(j.dump(), "bench");
}

chip_spec loihi_grid(std::uint32_t chips_x, std::uint32_t chips_y) {
    auto j = nlohmann::json::parse(*chip_preset_text("loihi-like"));
    j["chips"] = {{"width", chips_x}, {"height", chips_y}};
    j["inter_chip"] = {{"cycles_per_hop", 100.0}, {"hop_pj", 100.0}, {"link_flits_per_cycle", 0.1}};
    return load_chip_text(j.dump(), "bench-chip");
}

void mapping_cuba_like(benchmark::State& state) {
    const network net = cuba_like(state.range(0));
    const chip_spec chip = loihi_grid(4, 4);
    std::uint64_t synapses = 0;
    for (auto _: state) {
        const auto result = compile_network(net, chip);
        synapses = result.report.synapses;
        benchmark::DoNotOptimize(result.image.cores.data());
    }
    state.counters["synapses"] = static_cast<double>(synapses);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(synapses));
}
BENCHMARK(mapping_cuba_like)->Arg(4000)->Arg(16000)->Unit(benchmark::kMillisecond)->Iterations(2);

} // namespace
