#pragma once

// Placement: each core of a partition plan gets a position on the system's
// global grid of cores (docs/mapping.md, "Routing"), so that expected spike
// traffic travels as little as possible. The cost of a placement is
//   sum over (source core a, destination core b) of traffic(a, b) x hop_cost(a, b)
// where traffic is the expected packets per second from a that core b must
// receive (each source neuron with a target on b counts once, at its rate)
// and hop_cost is the energy of the dimension-order path in pJ (east-west and
// north-south hops, and inter-chip hops where the path crosses a chip edge).

#include <cstdint>
#include <vector>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/network.hpp>
#include <engram/compiler/partition.hpp>

namespace engram::compiler {

struct grid_position {
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    friend bool operator==(const grid_position&, const grid_position&) = default;
};

// Expected firing rate of every neuron of a population, in Hz: Poisson
// sources their rate (inside their active window, averaged over duration_ms),
// spike arrays their spike count over duration_ms, modulators likewise, and
// IF_curr_exp neurons default_rate_hz.
struct rate_options {
    double default_rate_hz = 10.0;
    double duration_ms = 1000.0;
};
std::vector<double> population_rates(const network& net, const rate_options& options = {});

// Where the spikes of one slice go: the destination cores holding at least
// one target of a neuron of the slice, and how many of the slice's neurons
// have a target there. A modulator counts for every core whose rules use it.
struct slice_fanout {
    std::uint32_t core = 0;  // source core (index in the plan)
    std::uint32_t slice = 0; // index into plan.cores[core].slices
    std::vector<std::pair<std::uint32_t, std::uint32_t>> targets; // (destination core, neurons), ascending
};
// One entry per slice of the plan, in core order then slice order.
std::vector<slice_fanout> compute_fanout(const network& net, const partition_plan& plan);

// Sparse traffic between cores: for each source core, (destination core,
// packets per second) pairs, destinations ascending. Self traffic (a neuron
// with targets on its own core) is included with a = b.
struct traffic_matrix {
    std::vector<std::vector<std::pair<std::uint32_t, double>>> out;
    double total() const;
    double inter_core() const; // without self traffic: packets that leave their core
};
traffic_matrix core_traffic(const partition_plan& plan, const std::vector<slice_fanout>& fanout,
                            const std::vector<double>& rates);

// Energy of one packet's dimension-order path between two grid positions (pJ).
double hop_cost(const chip_spec& chip, grid_position from, grid_position to);

// Number of hops of that path (mesh and inter-chip hops alike).
std::uint32_t hop_count(grid_position from, grid_position to);

double placement_cost(const chip_spec& chip, const traffic_matrix& traffic,
                      const std::vector<grid_position>& positions);

struct placement {
    std::vector<grid_position> positions; // per core of the plan
    double cost = 0.0;                    // traffic x hop cost, pJ per second
    double naive_cost = 0.0;              // the same for the row-major placement
    double traffic_hops = 0.0;            // traffic x hops (packets x hops per second)
    double naive_traffic_hops = 0.0;
    bool searched = true;                 // false: the row-major placement was kept
};

// The local search keeps each pair of talking cores in both directions; above
// this many bytes of them (dense traffic between thousands of cores) it is
// skipped and the row-major placement kept.
inline constexpr std::size_t max_search_bytes = std::size_t{1} << 30;

// Row-major placement (core k at the k-th position of the global grid, in
// rows of chips' cores), improved by deterministic local search (swaps of
// two cores, or of a core and a free position, accepted when they lower the
// cost). iterations = 0 keeps the row-major placement. The number of moves
// is also capped by a fixed budget of hop-cost evaluations, so that dense
// traffic between thousands of cores stays fast.
placement place_cores(const chip_spec& chip, const traffic_matrix& traffic, std::size_t core_count,
                      std::uint64_t seed, std::size_t iterations_per_core = 64);

} // namespace engram::compiler
