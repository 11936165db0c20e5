// Routing: packets walked through the generated tables (with default routes)
// reach exactly the destination cores of their slice, and compression never
// changes where a packet goes.

#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/compiler/routing.hpp>

namespace {

using namespace engram::compiler;
namespace isa = engram::isa;
using nlohmann::json;

struct mapped {
    network net;
    chip_spec chip;
    partition_plan plan;
    std::vector<slice_fanout> fanout;
    placement place;
};

mapped map_network(const json& net_json, const json& chip_json, std::uint64_t seed, std::size_t iterations = 64) {
    mapped m{load_network_text(net_json.dump(), "route.json"), load_chip_text(chip_json.dump(), "chip.json"), {}, {},
             {}};
    m.plan = partition_sequential(m.net, m.chip);
    m.fanout = compute_fanout(m.net, m.plan);
    const auto traffic = core_traffic(m.plan, m.fanout, population_rates(m.net));
    m.place = place_cores(m.chip, traffic, m.plan.cores.size(), seed, iterations);
    return m;
}

// Walks one packet from its core through the routers; returns the grid
// positions where it is delivered to the local core.
std::set<std::pair<std::uint32_t, std::uint32_t>> deliver(const routing& r, const chip_spec& chip,
                                                          grid_position from, std::uint32_t key) {
    std::map<std::pair<std::uint32_t, std::uint32_t>, const std::vector<isa::route_entry>*> tables;
    for (const auto& t: r.routers) {
        tables[{t.at.x, t.at.y}] = &t.entries;
    }
    static const std::vector<isa::route_entry> none;
    const std::uint32_t width = chip.mesh.width * chip.chips.width;
    const std::uint32_t height = chip.mesh.height * chip.chips.height;
    std::set<std::pair<std::uint32_t, std::uint32_t>> delivered;
    std::vector<std::pair<grid_position, isa::route_port>> frontier{{from, isa::route_port::local}};
    std::size_t steps = 0;
    while (!frontier.empty()) {
        EXPECT_LT(++steps, 100000u) << "routing loop";
        if (steps >= 100000u) {
            break;
        }
        const auto [at, arrived] = frontier.back();
        frontier.pop_back();
        const auto it = tables.find({at.x, at.y});
        const std::uint8_t ports = route_ports(it == tables.end() ? none : *it->second, key, arrived);
        for (unsigned p = 0; p < 6; ++p) {
            if (((ports >> p) & 1u) == 0) {
                continue;
            }
            const auto port = static_cast<isa::route_port>(p);
            grid_position next = at;
            switch (port) {
            case isa::route_port::local: delivered.insert({at.x, at.y}); continue;
            case isa::route_port::east: next.x += 1; break;
            case isa::route_port::west: next.x -= 1; break;
            case isa::route_port::north: next.y += 1; break;
            case isa::route_port::south: next.y -= 1; break;
            default: ADD_FAILURE() << "unexpected port " << p; continue;
            }
            EXPECT_LT(next.x, width);
            EXPECT_LT(next.y, height);
            if (next.x < width && next.y < height) {
                frontier.push_back({next, port});
            }
        }
    }
    return delivered;
}

void expect_exact_delivery(const mapped& m, const routing& r) {
    const auto bases = slice_bases(m.plan);
    for (const auto& f: m.fanout) {
        const slice& s = m.plan.cores[f.core].slices[f.slice];
        std::set<std::pair<std::uint32_t, std::uint32_t>> expected;
        for (const auto& [core, neurons]: f.targets) {
            expected.insert({m.place.positions[core].x, m.place.positions[core].y});
        }
        // Every neuron of the slice (its key) goes exactly to those cores.
        for (std::uint32_t n = 0; n < s.count; ++n) {
            const std::uint32_t key = routing_key(f.core, bases[f.core][f.slice] + n);
            EXPECT_EQ(deliver(r, m.chip, m.place.positions[f.core], key), expected)
                << "core " << f.core << " slice " << f.slice << " neuron " << n;
        }
    }
}

json grid_chip(std::uint32_t w, std::uint32_t h, std::uint32_t neurons, std::uint32_t router_entries) {
    auto j = json::parse(*chip_preset_text("tiny"));
    j["mesh"] = {{"width", w}, {"height", h}};
    j["chips"] = {{"width", 1}, {"height", 1}};
    j["core"]["neurons"] = neurons;
    j["core"]["input_axons"] = 4096;
    j["core"]["synapse_words"] = 65536;
    j["core"]["router_entries"] = router_entries;
    return j;
}

} // namespace

TEST(routing, key_blocks_cover_slices_exactly) {
    // Slices of 5 and 11 neurons on one core: keys [0, 5) and [5, 16).
    json net = {{"format", "engram-network/1"},
                {"name", "keys"},
                {"dt", 1.0},
                {"populations",
                 {{{"name", "a"}, {"size", 5}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 1.0}}}},
                  {{"name", "b"}, {"size", 11}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 1.0}}}},
                  {{"name", "x"}, {"size", 5}, {"model", "IF_curr_exp"}},
                  {{"name", "y"}, {"size", 11}, {"model", "IF_curr_exp"}}}},
                {"projections",
                 {{{"pre", "a"}, {"post", "x"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 0.1}},
                  {{"pre", "b"}, {"post", "y"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 0.1}}}}};
    const mapped m = map_network(net, grid_chip(3, 3, 16, 64), 5);
    const routing r = route_multicast(m.chip, m.plan, m.fanout, m.place.positions, "route.json");
    expect_exact_delivery(m, r);
    EXPECT_LE(r.entries, r.entries_before_compression);
}

TEST(routing, random_networks_deliver_exactly) {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 25; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        json populations = json::array();
        json projections = json::array();
        const int n = 2 + static_cast<int>(rng() % 5);
        for (int p = 0; p < n; ++p) {
            const int size = 1 + static_cast<int>(rng() % 40);
            if (p % 2 == 0) {
                populations.push_back({{"name", "s" + std::to_string(p)},
                                       {"size", size},
                                       {"model", "SpikeSourcePoisson"},
                                       {"params", {{"rate", 5.0}}}});
            }
            else {
                populations.push_back({{"name", "n" + std::to_string(p)}, {"size", size}, {"model", "IF_curr_exp"}});
            }
        }
        for (int k = 0; k < 6; ++k) {
            const int pre = static_cast<int>(rng() % n);
            const int post = static_cast<int>(rng() % n);
            if (post % 2 == 0) {
                continue;
            }
            projections.push_back({{"pre", populations[pre]["name"]},
                                   {"post", populations[post]["name"]},
                                   {"connector", {{"type", "FixedProbability"}, {"p", 0.3}}},
                                   {"weight", 0.1}});
        }
        const json net = {{"format", "engram-network/1"}, {"name", "random"}, {"dt", 1.0},
                          {"seed", trial},             {"populations", populations}, {"projections", projections}};
        auto chip = grid_chip(5 + static_cast<std::uint32_t>(rng() % 2), 4 + static_cast<std::uint32_t>(rng() % 2),
                              8 + static_cast<std::uint32_t>(rng() % 12), 4096);
        chip["chips"] = {{"width", 2}, {"height", 1}};
        const mapped m = map_network(net, chip, static_cast<std::uint64_t>(trial));
        const routing r = route_multicast(m.chip, m.plan, m.fanout, m.place.positions, "route.json");
        expect_exact_delivery(m, r);
        EXPECT_LE(r.entries, r.entries_before_compression);
        ASSERT_EQ(r.tree_hops.size(), m.fanout.size());
    }
}

TEST(routing, compression_merges_sibling_blocks) {
    // One source population of 64 neurons on 4 cores of 16, all-to-all onto a
    // far population: each slice's blocks merge into a single 16-key entry.
    json net = {{"format", "engram-network/1"},
                {"name", "merge"},
                {"dt", 1.0},
                {"populations",
                 {{{"name", "s"}, {"size", 16}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 1.0}}}},
                  {{"name", "t"}, {"size", 16}, {"model", "IF_curr_exp"}}}},
                {"projections",
                 {{{"pre", "s"}, {"post", "t"}, {"connector", {{"type", "AllToAll"}}}, {"weight", 0.1}}}}};
    const mapped m = map_network(net, grid_chip(4, 1, 16, 64), 1, 0); // naive placement: cores 0 and 1
    const routing r = route_multicast(m.chip, m.plan, m.fanout, m.place.positions, "route.json");
    expect_exact_delivery(m, r);
    // 16 keys from neuron 0 form one aligned block: one entry at the source,
    // one where the packet turns into the destination core.
    EXPECT_EQ(r.entries, 2u);
}

TEST(routing, overfull_router_is_an_error_naming_it) {
    // Many small source populations on one core, each to a different core:
    // the source router needs one entry per slice.
    json populations = json::array();
    json projections = json::array();
    for (int k = 0; k < 6; ++k) {
        populations.push_back({{"name", "s" + std::to_string(k)},
                               {"size", 1},
                               {"model", "SpikeSourcePoisson"},
                               {"params", {{"rate", 1.0}}}});
        populations.push_back({{"name", "t" + std::to_string(k)}, {"size", 16}, {"model", "IF_curr_exp"}});
        projections.push_back({{"pre", "s" + std::to_string(k)},
                               {"post", "t" + std::to_string(k)},
                               {"connector", {{"type", "AllToAll"}}},
                               {"weight", 0.1}});
    }
    const json net = {{"format", "engram-network/1"}, {"name", "full"}, {"dt", 1.0},
                      {"populations", populations},   {"projections", projections}};
    const mapped m = map_network(net, grid_chip(4, 3, 16, 3), 1, 0);
    try {
        std::vector<std::string> names;
        for (const auto& p: populations) {
            names.push_back(p["name"].get<std::string>());
        }
        (void)route_multicast(m.chip, m.plan, m.fanout, m.place.positions, "route.json", names);
        FAIL() << "expected chip_limit_error";
    }
    catch (const engram::chip_limit_error& e) {
        EXPECT_EQ(e.resource, "router_entries");
        EXPECT_GT(e.needed, 3);
        EXPECT_EQ(e.available, 3);
        const std::string what = e.what();
        EXPECT_NE(what.find("router ("), std::string::npos) << what;
        EXPECT_NE(what.find("(over by " + std::to_string(static_cast<int>(e.needed) - 3) + ")"), std::string::npos)
            << what;
        // The sources are the spike sources s0..s5, one slice each, named.
        EXPECT_NE(what.find("its entries come from \"s"), std::string::npos) << what;
        EXPECT_NE(what.find("1 slice)"), std::string::npos) << what;
        // Every built-in preset has more than 3 entries per router, so the
        // fix names at least one.
        EXPECT_NE(what.find("preset "), std::string::npos) << what;
    }
}
