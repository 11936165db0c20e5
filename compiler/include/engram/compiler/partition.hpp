#pragma once

// Partitioning: populations split into slices (contiguous neuron ranges) and
// the slices packed into cores, so that every core respects every per-core
// limit of the chip (docs/mapping.md, "Resources per core"). Usage is counted
// exactly, from the synapses the connectors really make, not estimated. Two
// methods: sequential (neuron order) and METIS (a graph partition that
// minimises spike traffic between cores, then repaired to fit every limit).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/lower_rules.hpp>
#include <engram/compiler/network.hpp>

namespace engram::compiler {

struct slice {
    std::uint32_t population = 0;
    std::uint32_t first = 0; // first neuron of the population in the slice
    std::uint32_t count = 0;
    friend bool operator==(const slice&, const slice&) = default;
};

// What one core uses, in the units of core_limits.
struct core_usage {
    std::uint64_t neurons = 0;
    std::uint64_t neuron_profiles = 0;
    std::uint64_t input_axons = 0;
    std::uint64_t synapse_words = 0;
    std::uint64_t output_axons = 0;
    std::uint64_t learning_rules = 0;
    std::uint64_t microcode_words = 0;
    std::uint64_t trace_profiles = 0;
    // Of input_axons, the axons of modulator channels (one per modulator the
    // core's rules name, however many populations share it).
    std::uint64_t modulator_axons = 0;
    friend bool operator==(const core_usage&, const core_usage&) = default;
};

// The resources, in a fixed order, with their names as in engram-chip/1.
struct resource_info {
    std::string_view name;
    std::uint64_t core_usage::*used;
    std::uint32_t core_limits::*limit;
};
extern const std::vector<resource_info> core_resources;

struct core_plan {
    std::vector<slice> slices; // in the order their neurons sit on the core
    core_usage usage;
    // The rules lowered on the core (sorted): one LearningRule each, in this
    // order (compile writes AxonEntry.rule as the index here).
    std::vector<rule_use> rules;
};

struct partition_plan {
    std::string method;
    std::vector<core_plan> cores;
    // emitting_neurons(net), computed once while partitioning and kept for
    // the image (each neuron's output entry).
    std::vector<std::vector<bool>> emitting;
};

// Microcode terms a rule is lowered to: lowered_term_count (lower_rules.hpp),
// the exact count of every use of the rule.
std::uint32_t rule_term_count(const plasticity_rule& rule);

// Per population, which neurons have at least one target (a synapse, or a
// learning rule using the modulator): they emit packets.
std::vector<std::vector<bool>> emitting_neurons(const network& net);

// Exact usage of a core holding slices, counted from the generated synapses.
// The neurons of one population on a core share one neuron profile and one
// set of input axons, however many slices hold them. Where a population's
// ordinary axons would exceed axon_limit, its largest static projections take
// indexed axons (docs/mapping.md, "Indexed axons").
core_usage measure_core(const network& net, const std::vector<slice>& slices,
                        std::uint64_t axon_limit = UINT64_MAX);

// Sequential partition: each population is cut, in neuron order, into the
// longest slices whose exact usage fits a core; slices of different
// populations then share cores where their summed usage fits (first fit,
// largest first). Throws chip_limit_error naming the population, the
// resource, what one neuron needs and what a core has, when even one neuron
// does not fit, or the system's core count when there are too few cores.
partition_plan partition_sequential(const network& net, const chip_spec& chip);

struct metis_options {
    // Neurons per graph vertex (contiguous, within one population); 0 picks
    // 1 while the network has at most max_vertices neurons, else the smallest
    // group size that keeps the vertex count at or under max_vertices.
    std::uint32_t group_size = 0;
    std::uint32_t max_vertices = 16384;
    // METIS_OPTION_SEED: a fixed seed, so the partition is reproducible.
    std::int32_t seed = 1;
    // Part counts tried: the lower bound from the summed neurons, synapse
    // words and output axons, then the core count its repair needed, and so
    // on, at most this many times.
    std::uint32_t attempts = 3;
};

// Graph partition with METIS (docs/mapping.md, "Partitioning"): vertices are
// neurons (or groups of neurons), edge (u, v) weighs the expected packets per
// second between them (the rate of each pre neuron with a synapse onto the
// other vertex, rates[population] in Hz), vertex weights are neurons and
// synapse words. METIS_PartGraphKway cuts the graph into parts; each part is
// then filled into cores with the same exact accounting as the sequential
// method (a part that overflows a core spills into the next core). Of the
// attempts, the plan with the least inter-core traffic is kept. The slices
// of a core are maximal runs of neurons of one population; one population
// may have several slices on a core. Throws the same errors as
// partition_sequential.
partition_plan partition_metis(const network& net, const chip_spec& chip, const std::vector<double>& rates,
                               const metis_options& options = {});

} // namespace engram::compiler
