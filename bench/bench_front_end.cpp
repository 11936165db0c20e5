// Front-end throughput: parsing and validating network descriptions of
// growing size (FromList connectors, the largest inputs users write).
// Run: build/bench/engram_bench --benchmark_filter=front_end

#include <random>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <engram/compiler/network_loader.hpp>

namespace {

std::string make_network(std::int64_t connections) {
    nlohmann::json net = {
        {"format", "engram-network/1"},
        {"name", "bench"},
        {"dt", 1.0},
        {"populations",
         {{{"name", "in"}, {"size", 1000}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 10.0}}}},
          {{"name", "out"}, {"size", 1000}, {"model", "IF_curr_exp"}}}},
    };
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> index(0, 999);
    std::uniform_real_distribution<double> weight(0.0, 1.0);
    nlohmann::json list = nlohmann::json::array();
    for (std::int64_t i = 0; i < connections; ++i) {
        list.push_back({index(rng), index(rng), weight(rng), 1.0 + index(rng) % 10});
    }
    net["projections"] = {{{"pre", "in"},
                           {"post", "out"},
                           {"connector", {{"type", "FromList"}, {"connections", list}}},
                           {"weight", 0.5}}};
    return net.dump();
}

void front_end_from_list(benchmark::State& state) {
    const std::string text = make_network(state.range(0));
    for (auto _: state) {
        auto net = engram::compiler::load_network_text(text, "bench");
        benchmark::DoNotOptimize(net);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(front_end_from_list)->Arg(1000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
