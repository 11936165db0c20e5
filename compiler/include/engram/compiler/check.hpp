#pragma once

// Checks of a network against a chip that need no mapping yet: what the chip
// cannot hold at all (a delay longer than its delay line, plasticity on a chip
// without a learning engine, more neurons than the whole system has). The
// full fit (per-core resources) is the mapper's job.

#include <cstdint>
#include <string>
#include <vector>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/network.hpp>

namespace engram::compiler {

struct network_summary {
    std::size_t populations = 0;
    std::uint64_t neurons = 0;           // all populations; spike sources also occupy neuron slots on cores
    std::uint64_t compute_neurons = 0;   // IF_curr_exp neurons (the ones with state and synapses)
    std::size_t projections = 0;
    double expected_synapses = 0.0;
    double plastic_synapses = 0.0;
    std::size_t rules = 0;
    std::uint32_t max_delay_steps = 0;
    std::uint64_t cores_needed_at_least = 0; // by neuron count alone
};

// Delay in whole time steps (round half away from zero, saturating at 2^32 - 1).
std::uint32_t delay_steps(double delay_ms, double dt_ms);

// Throws chip_limit_error (naming the network path, the resource, what is
// needed and what the chip has) for the first problem found.
network_summary check_network_on_chip(const network& net, const chip_spec& chip);

} // namespace engram::compiler
