// Placement: hop costs on a multi-chip grid, rates, fan-out, and a local
// search that never makes a placement worse and is reproducible.

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/compiler/partition.hpp>
#include <engram/compiler/placement.hpp>

namespace {

using namespace engram::compiler;
using nlohmann::json;

network load(const json& j) {
    return load_network_text(j.dump(), "place.json");
}

} // namespace

TEST(placement, hop_cost_counts_chip_crossings) {
    const chip_spec tiny = load_chip_preset("tiny"); // 2 chips of 2 x 2 cores side by side
    ASSERT_TRUE(tiny.inter_chip);
    const double ew = tiny.energy.hop_east_west_pj;
    const double ns = tiny.energy.hop_north_south_pj;
    const double ic = tiny.inter_chip->hop_pj;
    EXPECT_EQ(hop_cost(tiny, {0, 0}, {0, 0}), 0.0);
    EXPECT_EQ(hop_cost(tiny, {0, 0}, {1, 0}), ew);
    EXPECT_EQ(hop_cost(tiny, {0, 0}, {0, 1}), ns);
    EXPECT_EQ(hop_cost(tiny, {1, 0}, {2, 0}), ic);               // across the chip edge at x = 2
    EXPECT_EQ(hop_cost(tiny, {0, 0}, {3, 1}), 2 * ew + ic + ns); // 3 east (one crossing), 1 north
    EXPECT_EQ(hop_cost(tiny, {3, 1}, {0, 0}), hop_cost(tiny, {0, 0}, {3, 1}));
    EXPECT_EQ(hop_count({0, 0}, {3, 1}), 4u);
}

TEST(placement, population_rates) {
    json j = {{"format", "engram-network/1"},
              {"name", "rates"},
              {"dt", 1.0},
              {"populations",
               {{{"name", "p"}, {"size", 2}, {"model", "SpikeSourcePoisson"},
                 {"params", {{"rate", 40.0}, {"start", 250.0}, {"duration", 500.0}}}},
                {{"name", "a"}, {"size", 2}, {"model", "SpikeSourceArray"},
                 {"params", {{"spike_times", {{10.0, 20.0, 1500.0}, {30.0}}}}}},
                {{"name", "n"}, {"size", 1}, {"model", "IF_curr_exp"}}}}};
    const auto rates = population_rates(load(j), {.default_rate_hz = 7.0, .duration_ms = 1000.0});
    ASSERT_EQ(rates.size(), 3u);
    EXPECT_DOUBLE_EQ(rates[0], 20.0); // active half of the second
    EXPECT_DOUBLE_EQ(rates[1], 1.5);  // 3 spikes in the window over 2 neurons
    EXPECT_DOUBLE_EQ(rates[2], 7.0);
}

TEST(placement, fanout_lists_destination_cores) {
    // 8 sources, each to its own neuron (OneToOne) on cores of 4 neurons.
    json j = {{"format", "engram-network/1"},
              {"name", "fan"},
              {"dt", 1.0},
              {"populations",
               {{{"name", "in"}, {"size", 8}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 10.0}}}},
                {{"name", "out"}, {"size", 8}, {"model", "IF_curr_exp"}}}},
              {"projections",
               {{{"pre", "in"}, {"post", "out"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 0.1}}}}};
    const network net = load(j);
    auto chip_json = json::parse(*chip_preset_text("tiny"));
    chip_json["core"]["neurons"] = 4;
    const chip_spec chip = load_chip_text(chip_json.dump(), "chip.json");
    const partition_plan plan = partition_sequential(net, chip);
    ASSERT_EQ(plan.cores.size(), 4u);
    const auto fanout = compute_fanout(net, plan);
    ASSERT_EQ(fanout.size(), 4u);
    std::uint32_t sources_seen = 0;
    for (const auto& f: fanout) {
        const slice& s = plan.cores[f.core].slices[f.slice];
        if (s.population == 1) {
            EXPECT_TRUE(f.targets.empty()); // out projects nowhere
            continue;
        }
        // A source slice of 4 reaches the one core holding out[first..first+3].
        ASSERT_EQ(f.targets.size(), 1u);
        const auto& dest = plan.cores[f.targets[0].first].slices;
        ASSERT_EQ(dest.size(), 1u);
        EXPECT_EQ(dest[0].population, 1u);
        EXPECT_EQ(dest[0].first, s.first);
        EXPECT_EQ(f.targets[0].second, 4u);
        sources_seen += s.count;
    }
    EXPECT_EQ(sources_seen, 8u);
    const auto traffic = core_traffic(plan, fanout, population_rates(net));
    EXPECT_DOUBLE_EQ(traffic.total(), 8 * 10.0);
}

TEST(placement, local_search_never_worsens_and_is_reproducible) {
    // A ring of populations: each feeds the next, so naive row-major order
    // leaves the closing edge long; the optimum puts neighbours together.
    json populations = json::array();
    json projections = json::array();
    const int n = 24;
    for (int k = 0; k < n; ++k) {
        populations.push_back({{"name", "p" + std::to_string(k)}, {"size", 16}, {"model", "IF_curr_exp"}});
    }
    for (int k = 0; k < n; ++k) {
        const int next = (k * 7 + 3) % n; // scrambled ring: naive order is poor
        projections.push_back({{"pre", "p" + std::to_string(k)},
                               {"post", "p" + std::to_string(next)},
                               {"connector", {{"type", "OneToOne"}}},
                               {"weight", 0.1}});
    }
    const network net = load({{"format", "engram-network/1"},
                              {"name", "ring"},
                              {"dt", 1.0},
                              {"populations", populations},
                              {"projections", projections}});
    auto chip_json = json::parse(*chip_preset_text("tiny"));
    chip_json["mesh"] = {{"width", 4}, {"height", 4}};
    const chip_spec chip = load_chip_text(chip_json.dump(), "chip.json");
    const partition_plan plan = partition_sequential(net, chip);
    ASSERT_EQ(plan.cores.size(), 24u);
    const auto traffic = core_traffic(plan, compute_fanout(net, plan), population_rates(net));

    const placement naive = place_cores(chip, traffic, plan.cores.size(), 1, 0);
    EXPECT_EQ(naive.cost, naive.naive_cost);
    const placement a = place_cores(chip, traffic, plan.cores.size(), 1);
    const placement b = place_cores(chip, traffic, plan.cores.size(), 1);
    EXPECT_EQ(a.positions, b.positions);
    EXPECT_EQ(a.naive_cost, naive.cost);
    EXPECT_LT(a.cost, 0.8 * a.naive_cost) << "naive " << a.naive_cost << ", optimized " << a.cost;
    EXPECT_LE(a.traffic_hops, a.naive_traffic_hops);
    EXPECT_DOUBLE_EQ(a.cost, placement_cost(chip, traffic, a.positions));
    std::set<std::pair<std::uint32_t, std::uint32_t>> used;
    for (const auto& p: a.positions) {
        EXPECT_LT(p.x, chip.mesh.width * chip.chips.width);
        EXPECT_LT(p.y, chip.mesh.height * chip.chips.height);
        EXPECT_TRUE(used.insert({p.x, p.y}).second) << "two cores at " << p.x << "," << p.y;
    }
}
