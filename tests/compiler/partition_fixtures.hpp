#pragma once

// Networks whose structure the sequential partitioner cannot see: clusters
// interleaved across the neuron index, where a graph partitioner (METIS)
// should cut the spike traffic between cores (docs/mapping.md,
// "Partitioning").

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace engram::test {

// One IF_curr_exp population "exc" of clusters x cluster_size neurons;
// neuron i belongs to cluster i mod clusters, and every neuron connects to
// every other neuron of its cluster (FromList, weight 0.1 nA). With
// cross_p > 0, a FixedProbability projection adds random connections
// across the whole population. With input_rate > 0, a Poisson population
// "in" of the same size drives "exc" one to one.
inline nlohmann::json interleaved_clusters(int clusters, int cluster_size, double cross_p = 0.0,
                                           double input_rate = 0.0) {
    using nlohmann::json;
    const int n = clusters * cluster_size;
    json connections = json::array();
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            if (i != j && i % clusters == j % clusters) {
                connections.push_back({i, j});
            }
        }
    }
    json populations = json::array({{{"name", "exc"}, {"size", n}, {"model", "IF_curr_exp"}}});
    json projections = json::array({{{"name", "within"},
                                     {"pre", "exc"},
                                     {"post", "exc"},
                                     {"connector", {{"type", "FromList"}, {"connections", connections}}},
                                     {"weight", 0.1}}});
    if (cross_p > 0.0) {
        projections.push_back({{"name", "across"},
                               {"pre", "exc"},
                               {"post", "exc"},
                               {"connector", {{"type", "FixedProbability"}, {"p", cross_p}}},
                               {"receptor", "inhibitory"},
                               {"weight", 0.05}});
    }
    if (input_rate > 0.0) {
        populations.push_back(
            {{"name", "in"}, {"size", n}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", input_rate}}}});
        projections.push_back(
            {{"name", "drive"}, {"pre", "in"}, {"post", "exc"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 0.2}});
    }
    return {{"format", "engram-network/1"},
            {"name", "interleaved_clusters"},
            {"dt", 1.0},
            {"seed", 7},
            {"populations", populations},
            {"projections", projections}};
}

} // namespace engram::test
