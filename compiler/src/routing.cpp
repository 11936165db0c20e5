#include <algorithm>
#include <map>
#include <tuple>

#include <engram/common/error.hpp>
#include <engram/compiler/routing.hpp>

namespace engram::compiler {

namespace {

constexpr std::uint8_t bit(isa::route_port p) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(p));
}

// Aligned power-of-two blocks covering [base, base + count) of a core's keys.
std::vector<std::pair<std::uint32_t, std::uint32_t>> key_blocks(std::uint32_t core, std::uint32_t base,
                                                                std::uint32_t count) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks; // (key, mask)
    std::uint32_t n = base;
    const std::uint32_t end = base + count;
    while (n < end) {
        std::uint32_t size = n == 0 ? (1u << key_neuron_bits) : (n & (~n + 1)); // largest alignment of n
        while (n + size > end) {
            size >>= 1;
        }
        blocks.emplace_back(routing_key(core, n), key_mask_all & ~(size - 1));
        n += size;
    }
    return blocks;
}

// Exact merging: two entries with the same ports and mask whose keys differ
// only in the lowest bit the mask keeps become one entry without that bit.
std::vector<isa::route_entry> compress(std::vector<isa::route_entry> entries) {
    bool merged = true;
    while (merged) {
        merged = false;
        std::sort(entries.begin(), entries.end(), [](const isa::route_entry& a, const isa::route_entry& b) {
            return std::tie(a.ports, a.mask, a.key) < std::tie(b.ports, b.mask, b.key);
        });
        std::vector<isa::route_entry> out;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (i + 1 < entries.size()) {
                const auto& a = entries[i];
                const auto& b = entries[i + 1];
                const std::uint32_t low = a.mask & (~a.mask + 1); // lowest bit the mask keeps
                if (a.ports == b.ports && a.mask == b.mask && low != 0 && (a.key ^ b.key) == low) {
                    out.push_back({a.key & ~low, a.mask & ~low, a.ports});
                    ++i;
                    merged = true;
                    continue;
                }
            }
            out.push_back(entries[i]);
        }
        entries = std::move(out);
    }
    // A deterministic order for the table: by key, then mask.
    std::sort(entries.begin(), entries.end(), [](const isa::route_entry& a, const isa::route_entry& b) {
        return std::tie(a.key, a.mask) < std::tie(b.key, b.mask);
    });
    return entries;
}

} // namespace

std::vector<std::vector<std::uint32_t>> slice_bases(const partition_plan& plan) {
    std::vector<std::vector<std::uint32_t>> bases(plan.cores.size());
    for (std::size_t c = 0; c < plan.cores.size(); ++c) {
        std::uint32_t next = 0;
        for (const auto& s: plan.cores[c].slices) {
            bases[c].push_back(next);
            next += s.count;
        }
    }
    return bases;
}

namespace {

struct source_count {
    std::size_t entries = 0; // before compression
    std::size_t slices = 0;
};

// The message of a router that is over its table size: by how much, which
// populations' trees put entries there (the three largest), and the fixes
// that would help, naming the presets whose routers are large enough.
std::string overflow_detail(const chip_spec& chip, const router_table& t,
                            const std::map<std::uint32_t, source_count>& by_population,
                            const std::vector<std::string>& population_names) {
    const std::size_t needed = t.entries.size();
    std::string out = "router (" + std::to_string(t.at.x) + "," + std::to_string(t.at.y) + ") needs " +
                      std::to_string(needed) + " routing entries after compression, chip \"" + chip.name +
                      "\" holds " + std::to_string(chip.core.router_entries) + " per router (over by " +
                      std::to_string(needed - chip.core.router_entries) + ")";
    std::vector<std::pair<std::uint32_t, source_count>> ranked(by_population.begin(), by_population.end());
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.second.entries > b.second.entries; });
    if (!ranked.empty()) {
        out += "; its entries come from";
        for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) {
            const auto& [pop, c] = ranked[i];
            const std::string name =
                pop < population_names.size() ? "\"" + population_names[pop] + "\"" : "population " + std::to_string(pop);
            out += (i == 0 ? " " : ", ") + name + " (" + std::to_string(c.entries) + " before compression, " +
                   std::to_string(c.slices) + (c.slices == 1 ? " slice)" : " slices)");
        }
        if (ranked.size() > 3) {
            out += " and " + std::to_string(ranked.size() - 3) + " more";
        }
    }
    out += "; fixes: fewer, larger slices of the populations above (a chip with more neurons per core), more "
           "cores so that fewer trees cross this router, or a chip with at least " +
           std::to_string(needed) + " entries per router";
    std::vector<std::string> large_enough;
    for (const std::string_view name: chip_preset_names()) {
        const chip_spec preset = load_chip_preset(name);
        if (preset.core.router_entries >= needed && preset.name != chip.name) {
            large_enough.push_back(std::string(name) + " holds " + std::to_string(preset.core.router_entries));
        }
    }
    if (!large_enough.empty()) {
        out += " (";
        for (std::size_t i = 0; i < large_enough.size(); ++i) {
            out += (i == 0 ? "preset " : ", ") + large_enough[i];
        }
        out += ")";
    }
    return out;
}

} // namespace

std::uint8_t route_ports(const std::vector<isa::route_entry>& entries, std::uint32_t key, isa::route_port arrived) {
    for (const auto& e: entries) {
        if ((key & e.mask) == e.key) {
            return static_cast<std::uint8_t>(e.ports);
        }
    }
    return arrived == isa::route_port::local ? std::uint8_t{0} : bit(arrived);
}

routing route_multicast(const chip_spec& chip, const partition_plan& plan, const std::vector<slice_fanout>& fanout,
                        const std::vector<grid_position>& positions, const std::string& source,
                        const std::vector<std::string>& population_names) {
    const auto bases = slice_bases(plan);
    // Raw entries per router position.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<isa::route_entry>> tables; // (y, x)
    // Per router: raw entries and source slices per population, for the
    // overflow message.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::map<std::uint32_t, source_count>> sources;
    routing result;
    for (const auto& f: fanout) {
        std::uint32_t hops = 0;
        if (f.targets.empty()) {
            result.tree_hops.push_back(0);
            continue;
        }
        const grid_position from = positions[f.core];
        // Ports of each router on the tree; the travel direction into it.
        std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint8_t> ports;
        std::map<std::pair<std::uint32_t, std::uint32_t>, isa::route_port> arrived;
        arrived[{from.y, from.x}] = isa::route_port::local;
        for (const auto& [dest_core, neurons]: f.targets) {
            const grid_position to = positions[dest_core];
            grid_position at = from;
            auto step = [&](isa::route_port dir) {
                ports[{at.y, at.x}] |= bit(dir);
                switch (dir) {
                case isa::route_port::east: ++at.x; break;
                case isa::route_port::west: --at.x; break;
                case isa::route_port::north: ++at.y; break;
                default: --at.y; break;
                }
                arrived.emplace(std::pair{at.y, at.x}, dir);
            };
            while (at.x != to.x) {
                step(at.x < to.x ? isa::route_port::east : isa::route_port::west);
            }
            while (at.y != to.y) {
                step(at.y < to.y ? isa::route_port::north : isa::route_port::south);
            }
            ports[{at.y, at.x}] |= bit(isa::route_port::local);
        }
        const slice& s = plan.cores[f.core].slices[f.slice];
        const auto blocks = key_blocks(f.core, bases[f.core][f.slice], s.count);
        for (const auto& [where, out]: ports) {
            for (unsigned p = 0; p < 4; ++p) {
                hops += (out >> p) & 1u;
            }
            const isa::route_port in = arrived.at(where);
            // A straight-through hop follows the default route.
            if (in != isa::route_port::local && out == bit(in)) {
                continue;
            }
            auto& table = tables[where];
            for (const auto& [key, mask]: blocks) {
                table.push_back({key, mask, out});
            }
            auto& counted = sources[where][s.population];
            counted.entries += blocks.size();
            counted.slices += 1;
        }
        result.tree_hops.push_back(hops);
    }
    for (auto& [where, entries]: tables) {
        result.entries_before_compression += entries.size();
        router_table t;
        t.at = {where.second, where.first};
        t.entries = compress(std::move(entries));
        result.entries += t.entries.size();
        if (t.entries.size() > result.fullest) {
            result.fullest = t.entries.size();
            result.fullest_at = t.at;
        }
        if (t.entries.size() > chip.core.router_entries) {
            throw chip_limit_error(source, "", "router_entries", static_cast<double>(t.entries.size()),
                                   chip.core.router_entries,
                                   overflow_detail(chip, t, sources[where], population_names));
        }
        result.routers.push_back(std::move(t));
    }
    return result;
}

} // namespace engram::compiler
