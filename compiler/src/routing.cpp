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

namespace {

// One router's table while trees are added: entries arrive in ascending key
// order (slices are routed in core order, then slice order), so each ports
// value keeps a stack on which a block merges with its buddy as soon as
// both are there; compress() then gives the same table as on the raw entries.
struct router_builder {
    // Per ports value (a router sees few), its stack of (key, mask).
    std::vector<std::pair<std::uint8_t, std::vector<std::pair<std::uint32_t, std::uint32_t>>>> stacks;
    std::size_t raw = 0;

    void add(std::uint32_t key, std::uint32_t mask, std::uint8_t ports) {
        auto found = std::find_if(stacks.begin(), stacks.end(), [&](const auto& s) { return s.first == ports; });
        if (found == stacks.end()) {
            stacks.emplace_back(ports, std::vector<std::pair<std::uint32_t, std::uint32_t>>{});
            found = stacks.end() - 1;
        }
        auto& stack = found->second;
        stack.emplace_back(key, mask);
        ++raw;
        while (stack.size() >= 2) {
            const auto [ak, am] = stack[stack.size() - 2];
            const auto [bk, bm] = stack.back();
            const std::uint32_t low = am & (~am + 1);
            if (am != bm || low == 0 || (ak & low) != 0 || (ak ^ bk) != low) {
                break;
            }
            stack.pop_back();
            stack.back() = {ak, am & ~low};
        }
    }

    std::vector<isa::route_entry> entries() const {
        std::vector<isa::route_entry> out;
        for (const auto& [ports, stack]: stacks) {
            for (const auto& [key, mask]: stack) {
                out.push_back({key, mask, ports});
            }
        }
        return compress(std::move(out));
    }
};

} // namespace

routing route_multicast(const chip_spec& chip, const partition_plan& plan, const std::vector<slice_fanout>& fanout,
                        const std::vector<grid_position>& positions, const std::string& source,
                        const std::vector<std::string>& population_names) {
    const auto bases = slice_bases(plan);
    const std::uint32_t width = chip.mesh.width * chip.chips.width;
    const std::uint32_t height = chip.mesh.height * chip.chips.height;
    std::vector<router_builder> tables(std::size_t{width} * height);
    std::size_t populations = 1;
    for (const auto& core: plan.cores) {
        for (const auto& sl: core.slices) {
            populations = std::max<std::size_t>(populations, sl.population + 1);
        }
    }
    std::vector<source_count> sources(tables.size() * populations);
    routing result;
    std::vector<grid_position> dests;
    std::vector<std::pair<std::uint32_t, std::uint8_t>> row; // (x, ports) of the source row's routers
    for (std::size_t i = 0; i < fanout.size(); ++i) {
        const auto& f = fanout[i];
        if (i > 0 && std::pair(fanout[i - 1].core, fanout[i - 1].slice) >= std::pair(f.core, f.slice)) {
            throw std::logic_error("route_multicast: the fanout is not in core order, then slice order");
        }
        if (f.targets.empty()) {
            result.tree_hops.push_back(0);
            continue;
        }
        const grid_position from = positions[f.core];
        const slice& s = plan.cores[f.core].slices[f.slice];
        // Keys of the slice; the core's last slice also takes the keys above
        // its neurons, which no packet carries, so blocks stay few and align.
        const bool last = f.slice + 1 == plan.cores[f.core].slices.size();
        const std::uint32_t base = bases[f.core][f.slice];
        const auto blocks = key_blocks(f.core, base, last ? (1u << key_neuron_bits) - base : s.count);
        auto add = [&](std::uint32_t x, std::uint32_t y, std::uint8_t out) {
            const std::size_t at = std::size_t{y} * width + x;
            for (const auto& [key, mask]: blocks) {
                tables[at].add(key, mask, out);
            }
            // Per router and population, for an overflow's message.
            auto& counted = sources[at * populations + s.population];
            counted.entries += blocks.size();
            counted.slices += 1;
        };
        // The dimension-order tree: along the source's row to every column
        // with a destination, then along each column (x first, then y).
        dests.clear();
        for (const auto& [dest_core, neurons]: f.targets) {
            dests.push_back(positions[dest_core]);
        }
        std::sort(dests.begin(), dests.end(),
                  [](const grid_position& a, const grid_position& b) { return std::pair(a.x, a.y) < std::pair(b.x, b.y); });
        std::uint32_t hops = 0;
        const std::uint32_t min_x = std::min(from.x, dests.front().x);
        const std::uint32_t max_x = std::max(from.x, dests.back().x);
        hops += max_x - min_x;
        row.clear();
        for (std::size_t a = 0; a < dests.size();) {
            const std::uint32_t x = dests[a].x;
            std::size_t b = a;
            while (b < dests.size() && dests[b].x == x) {
                ++b;
            }
            // Column x: destinations dests[a..b), sorted by y.
            std::uint8_t turn = 0;
            const std::uint32_t lowest = dests[a].y;
            const std::uint32_t highest = dests[b - 1].y;
            bool here = false;
            for (std::size_t k = a; k < b; ++k) {
                const std::uint32_t y = dests[k].y;
                if (y == from.y) {
                    here = true;
                    continue;
                }
                // A destination in the column: it delivers, and passes on
                // while there are destinations further from the row.
                std::uint8_t out = bit(isa::route_port::local);
                if (y > from.y && y < highest) {
                    out |= bit(isa::route_port::north);
                }
                if (y < from.y && y > lowest) {
                    out |= bit(isa::route_port::south);
                }
                add(x, y, out);
            }
            if (highest > from.y) {
                turn |= bit(isa::route_port::north);
                hops += highest - from.y;
            }
            if (lowest < from.y) {
                turn |= bit(isa::route_port::south);
                hops += from.y - lowest;
            }
            if (here) {
                turn |= bit(isa::route_port::local);
            }
            row.emplace_back(x, turn);
            a = b;
        }
        // The source row: every router that turns, delivers, splits or is the
        // source; one that passes straight on follows the default route.
        std::size_t next = 0;
        for (std::uint32_t x = min_x; x <= max_x; ++x) {
            std::uint8_t out = 0;
            if (next < row.size() && row[next].first == x) {
                out = row[next].second;
                ++next;
            }
            if (x < max_x && x >= from.x) {
                out |= bit(isa::route_port::east);
            }
            if (x > min_x && x <= from.x) {
                out |= bit(isa::route_port::west);
            }
            const isa::route_port in = x == from.x   ? isa::route_port::local
                                       : x > from.x ? isa::route_port::east
                                                    : isa::route_port::west;
            if (in != isa::route_port::local && out == bit(in)) {
                continue;
            }
            add(x, from.y, out);
        }
        result.tree_hops.push_back(hops);
    }
    for (std::uint32_t y = 0; y < height; ++y) {
        for (std::uint32_t x = 0; x < width; ++x) {
            const router_builder& b = tables[std::size_t{y} * width + x];
            if (b.raw == 0) {
                continue;
            }
            result.entries_before_compression += b.raw;
            router_table t;
            t.at = {x, y};
            t.entries = b.entries();
            result.entries += t.entries.size();
            if (t.entries.size() > result.fullest) {
                result.fullest = t.entries.size();
                result.fullest_at = t.at;
            }
            if (t.entries.size() > chip.core.router_entries) {
                std::map<std::uint32_t, source_count> by_population;
                const std::size_t at = std::size_t{y} * width + x;
                for (std::size_t p = 0; p < populations; ++p) {
                    if (sources[at * populations + p].slices > 0) {
                        by_population[static_cast<std::uint32_t>(p)] = sources[at * populations + p];
                    }
                }
                throw chip_limit_error(source, "", "router_entries", static_cast<double>(t.entries.size()),
                                       chip.core.router_entries, overflow_detail(chip, t, by_population, population_names));
            }
            result.routers.push_back(std::move(t));
        }
    }
    return result;
}

} // namespace engram::compiler
