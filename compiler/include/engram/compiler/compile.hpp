#pragma once

// The whole mapping: a validated network and a chip in, a chip image and a
// mapping report out (docs/mapping.md). Every stage is its own library call;
// this runs them in order and assembles the image.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/network.hpp>
#include <engram/compiler/partition.hpp>
#include <engram/compiler/placement.hpp>
#include <engram/compiler/quantize.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::compiler {

// Which partitioner maps the network: automatic runs both and keeps the
// plan with less inter-core traffic (within 1% is a tie: sequential).
enum class partitioner { automatic, sequential, metis };

// "auto", "sequential", "metis"; and back (nullopt for another name).
std::string_view to_string(partitioner p);
std::optional<partitioner> partitioner_from_string(std::string_view name);

struct compile_options {
    quantize_options quantize;
    rate_options rates;
    std::size_t placement_iterations_per_core = 64;
    partitioner partition = partitioner::automatic;
    metis_options metis;
    // Automatic mode runs METIS only up to this many expected synapses: on
    // larger dense networks the graph partition costs more than the whole
    // sequential mapping and has rarely paid (docs/mapping.md, "Choosing").
    double auto_metis_max_synapses = 2e6;
};

// One per-core resource across the cores used.
struct resource_summary {
    std::string name;
    std::uint64_t limit = 0;   // per core
    std::uint64_t max = 0;     // on the fullest core
    double mean = 0.0;         // over the cores used
    std::uint32_t fullest_core = 0;
    grid_position fullest_at;
};

// One partitioner's result: its cores and the expected packets per second
// that leave their core (the partitioning objective).
struct partition_candidate {
    std::string method;
    bool fits = false;          // false: error says what did not fit
    std::size_t cores = 0;
    double inter_core_traffic = 0.0;
    std::string error;
};

struct mapping_report {
    std::string network;
    std::string chip;
    std::uint64_t neurons = 0;
    std::uint64_t synapses = 0;
    std::size_t cores_used = 0;
    std::uint64_t cores_available = 0;
    std::size_t chips_used = 0;
    std::vector<resource_summary> resources;
    std::string partition_method;  // the plan mapped
    std::string partition_mode;    // "auto", "sequential" or "metis" (compile_options::partition)
    std::vector<partition_candidate> partition_candidates;
    double traffic = 0.0;            // packets per second, all cores
    double placement_cost = 0.0;     // pJ per second of routing, optimized placement
    double naive_placement_cost = 0.0;
    double traffic_hops = 0.0;       // packet-hops per second
    double naive_traffic_hops = 0.0;
    bool placement_searched = true;  // false: row-major kept (dense traffic, placement.hpp)
    std::size_t route_entries = 0;
    std::size_t route_entries_before_compression = 0;
    std::size_t routers_with_entries = 0;
    std::size_t fullest_router = 0;
    grid_position fullest_router_at;
    quantization_report quantization;
};

nlohmann::json to_json(const mapping_report& report);
std::string summary(const mapping_report& report);

struct compile_result {
    isa::chip_image image;
    mapping_report report;
};

// Quantize, partition, place, route and assemble. Throws user errors (what
// does not fit, naming core or router and resource; what cannot be
// quantized) and never returns an image that validate_image would refuse.
compile_result compile_network(const network& net, const chip_spec& chip, const compile_options& options = {});

} // namespace engram::compiler
