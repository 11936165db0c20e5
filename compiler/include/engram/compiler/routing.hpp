#pragma once

// Routing (docs/mapping.md, "Routing"): every slice's spikes travel on a
// dimension-order (x, then y) multicast tree from its core to the cores that
// hold its targets. Each router gets the key/mask entries where a tree starts,
// turns, splits or delivers; straight-through hops use the default route.
// Sibling entries with the same ports are merged (exactly: no other key is
// captured) until no more merge; a table still over the chip's
// router_entries is an error naming the router.

#include <cstdint>
#include <string>
#include <vector>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/partition.hpp>
#include <engram/compiler/placement.hpp>
#include <engram/isa/formats.hpp>

namespace engram::compiler {

inline constexpr unsigned key_neuron_bits = 12;
inline constexpr std::uint32_t key_mask_all = (1u << 28) - 1;

// The routing key of neuron n of core c.
constexpr std::uint32_t routing_key(std::uint32_t core, std::uint32_t neuron) {
    return (core << key_neuron_bits) | neuron;
}

struct router_table {
    grid_position at;
    std::vector<isa::route_entry> entries; // first match wins
};

struct routing {
    std::vector<router_table> routers;       // routers with at least one entry, by (y, x)
    std::size_t entries_before_compression = 0;
    std::size_t entries = 0;
    std::size_t fullest = 0;                 // entries in the fullest router
    grid_position fullest_at;
    // Per source slice (as in the fanout), total hops of its tree.
    std::vector<std::uint32_t> tree_hops;
};

// First neuron of each slice on its core: slices sit on a core in plan order.
std::vector<std::vector<std::uint32_t>> slice_bases(const partition_plan& plan);

// Routes every slice; positions[c] is where plan core c sits. source names
// the network in errors, population_names (by population index, optional)
// the sources of an overfull router.
routing route_multicast(const chip_spec& chip, const partition_plan& plan, const std::vector<slice_fanout>& fanout,
                        const std::vector<grid_position>& positions, const std::string& source,
                        const std::vector<std::string>& population_names = {});

// The ports a router sends a packet with this key to (entries first, then
// the default route for a packet that arrived travelling in direction
// `arrived`, one of east/west/north/south, or local for one from its own
// core). Used by tests and by the emulator's router model.
std::uint8_t route_ports(const std::vector<isa::route_entry>& entries, std::uint32_t key, isa::route_port arrived);

} // namespace engram::compiler
