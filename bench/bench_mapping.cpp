// Mapping throughput: the whole compile (quantize, partition, place, route,
// assemble) of the Vogels–Abbott CUBA example and of larger random networks
// of the same shape, with each partitioner (the second argument: 0 auto,
// 1 sequential, 2 METIS), and of interleaved clusters, where METIS cuts the
// traffic between cores. Counters: cores used and the expected packets per
// second between cores of the plan kept. Peak memory: run the engram program
// under /usr/bin/time -v (docs/mapping.md, "Performance").
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

// Clusters of cluster_size neurons interleaved by index (neuron i in
// cluster i mod clusters), all-to-all within a cluster, each neuron driven by
// its own Poisson source at 20 Hz.
network interleaved_clusters(int clusters, int cluster_size) {
    const int n = clusters * cluster_size;
    nlohmann::json connections = nlohmann::json::array();
    for (int i = 0; i < n; ++i) {
        for (int j = i % clusters; j < n; j += clusters) {
            if (j != i) {
                connections.push_back({i, j});
            }
        }
    }
    const nlohmann::json j = {
        {"format", "engram-network/1"},
        {"name", "interleaved_clusters"},
        {"dt", 1.0},
        {"seed", 1},
        {"populations",
         {{{"name", "exc"}, {"size", n}, {"model", "IF_curr_exp"}},
          {{"name", "in"}, {"size", n}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 20.0}}}}}},
        {"projections",
         {{{"pre", "exc"}, {"post", "exc"}, {"weight", 0.05}, {"connector", {{"type", "FromList"}, {"connections", connections}}}},
          {{"pre", "in"}, {"post", "exc"}, {"weight", 0.2}, {"connector", {{"type", "OneToOne"}}}}}}};
    return load_network_text(j.dump(), "bench");
}

void run_mapping(benchmark::State& state, const network& net, const chip_spec& chip, std::int64_t which) {
    compile_options options;
    options.partition = which == 1 ? partitioner::sequential : which == 2 ? partitioner::metis : partitioner::automatic;
    std::uint64_t synapses = 0;
    mapping_report report;
    for (auto _: state) {
        auto result = compile_network(net, chip, options);
        synapses = result.report.synapses;
        benchmark::DoNotOptimize(result.image.cores.data());
        report = std::move(result.report);
    }
    state.SetLabel(std::string(to_string(options.partition)) + " kept " + report.partition_method);
    state.counters["synapses"] = static_cast<double>(synapses);
    state.counters["cores"] = static_cast<double>(report.cores_used);
    for (const auto& c: report.partition_candidates) {
        if (c.method == report.partition_method) {
            state.counters["inter_core_pps"] = c.inter_core_traffic;
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(synapses));
}

void mapping_cuba_like(benchmark::State& state) {
    run_mapping(state, cuba_like(state.range(0)), loihi_grid(4, 4), state.range(1));
}
BENCHMARK(mapping_cuba_like)
    ->ArgsProduct({{4000, 16000}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

void mapping_interleaved_clusters(benchmark::State& state) {
    run_mapping(state, interleaved_clusters(static_cast<int>(state.range(0)), 64), load_chip_preset("loihi-like"),
                state.range(1));
}
BENCHMARK(mapping_interleaved_clusters)
    ->ArgsProduct({{64}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

} // namespace
