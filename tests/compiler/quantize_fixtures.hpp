#pragma once

// Shared helpers for the quantization tests (test_quantize_neuron.cpp,
// test_quantize_weights.cpp): rounding as numerics.md §11 defines it, report
// lookups, and small networks to quantize.

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/compiler/network_loader.hpp>
#include <engram/compiler/quantize.hpp>

namespace engram::quantize_test {

using nlohmann::json;

// Independent of the library: sign(x)·⌊|x| + 0.5⌋.
inline double rha(double x) {
    const double r = std::floor(std::fabs(x) + 0.5);
    return x < 0 ? -r : r;
}

inline const compiler::parameter_entry* find_entry(const std::vector<compiler::parameter_entry>& entries,
                                                  const std::string& path) {
    for (const auto& e: entries) {
        if (e.path == path) {
            return &e;
        }
    }
    return nullptr;
}

// A spike source driving one IF_curr_exp population ("dst", index 1).
inline json driven_population(double dt, json params, json weight = 0.5, json delay = nullptr) {
    json j = {{"format", "engram-network/1"},
              {"name", "quantize"},
              {"dt", dt},
              {"populations",
               {{{"name", "src"}, {"size", 2}, {"model", "SpikeSourceArray"}, {"params", {{"spike_times", {1.0}}}}},
                {{"name", "dst"}, {"size", 2}, {"model", "IF_curr_exp"}, {"params", params}}}},
              {"projections",
               {{{"name", "src_dst"}, {"pre", "src"}, {"post", "dst"}, {"connector", {{"type", "AllToAll"}}},
                 {"weight", weight}}}}};
    j["projections"][0]["delay"] = delay.is_null() ? json(dt) : delay;
    return j;
}

inline compiler::network load(const json& j) {
    return compiler::load_network_text(j.dump(), "net.json");
}

inline compiler::network load_example(const std::string& name) {
    return compiler::load_network_file(std::filesystem::path(ENGRAM_SOURCE_DIR) / "examples" / name / "network.json");
}

} // namespace engram::quantize_test
