// Partitioning: every core fits every limit, counted exactly; slices cover
// every neuron once; errors name the population, the resource and the numbers.
// METIS cuts the traffic of clusters the neuron order hides, and is
// reproducible.

#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/compiler/partition.hpp>
#include <engram/compiler/placement.hpp>

#include "partition_fixtures.hpp"

namespace {

using namespace engram::compiler;
using nlohmann::json;

network load(const json& j) {
    return load_network_text(j.dump(), "part.json");
}

chip_spec tiny_with(std::uint32_t neurons, std::uint32_t synapse_words, std::uint32_t input_axons,
                    std::uint32_t cores_x = 2, std::uint32_t cores_y = 2) {
    auto j = json::parse(*chip_preset_text("tiny"));
    j["core"]["neurons"] = neurons;
    j["core"]["synapse_words"] = synapse_words;
    j["core"]["input_axons"] = input_axons;
    j["mesh"]["width"] = cores_x;
    j["mesh"]["height"] = cores_y;
    return load_chip_text(j.dump(), "chip.json");
}

// Checks everything a plan promises.
void expect_valid_plan(const network& net, const chip_spec& chip, const partition_plan& plan) {
    std::vector<std::vector<int>> covered(net.populations.size());
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        covered[p].assign(net.populations[p].size, 0);
    }
    for (std::size_t c = 0; c < plan.cores.size(); ++c) {
        const auto& core = plan.cores[c];
        SCOPED_TRACE("core " + std::to_string(c));
        ASSERT_FALSE(core.slices.empty());
        for (const auto& s: core.slices) {
            ASSERT_LT(s.population, net.populations.size());
            ASSERT_GT(s.count, 0u);
            ASSERT_LE(s.first + s.count, net.populations[s.population].size);
            for (std::uint32_t i = s.first; i < s.first + s.count; ++i) {
                ++covered[s.population][i];
            }
        }
        EXPECT_EQ(measure_core(net, core.slices, chip.core.input_axons), core.usage);
        for (const auto& r: core_resources) {
            EXPECT_LE(core.usage.*r.used, chip.core.*r.limit) << r.name;
        }
    }
    for (std::size_t p = 0; p < covered.size(); ++p) {
        for (std::size_t i = 0; i < covered[p].size(); ++i) {
            ASSERT_EQ(covered[p][i], 1) << "population " << p << " neuron " << i;
        }
    }
    EXPECT_LE(plan.cores.size(), chip.core_count());
}

} // namespace

TEST(partition, counts_are_exact_on_a_hand_checkable_network) {
    json j = {{"format", "engram-network/1"},
              {"name", "hand"},
              {"dt", 1.0},
              {"populations",
               {{{"name", "src"}, {"size", 4}, {"model", "SpikeSourceArray"}, {"params", {{"spike_times", {1.0}}}}},
                {{"name", "dst"}, {"size", 3}, {"model", "IF_curr_exp"}}}},
              {"plasticity", {{{"name", "stdp"}, {"rule", "pair_stdp"}}}},
              {"projections",
               {{{"name", "a"},
                 {"pre", "src"},
                 {"post", "dst"},
                 {"connector", {{"type", "FromList"}, {"connections", {{0, 0}, {1, 0}, {1, 2}}}}},
                 {"weight", 0.5}},
                {{"name", "b"},
                 {"pre", "src"},
                 {"post", "dst"},
                 {"connector", {{"type", "FromList"}, {"connections", {{3, 1}, {3, 2}}}}},
                 {"weight", 0.5},
                 {"plasticity", "stdp"}}}}};
    const network net = load(j);
    const core_usage u = measure_core(net, {slice{1, 0, 3}});
    EXPECT_EQ(u.neurons, 3u);
    EXPECT_EQ(u.neuron_profiles, 1u);
    EXPECT_EQ(u.input_axons, 3u);     // (src 0, a), (src 1, a), (src 3, b)
    EXPECT_EQ(u.synapse_words, 7u);   // 3 static words + 2 plastic synapses x 2 words
    EXPECT_EQ(u.output_axons, 0u);    // dst projects nowhere
    EXPECT_EQ(u.learning_rules, 1u);
    EXPECT_EQ(u.microcode_words, 2u); // pair STDP
    const core_usage sources = measure_core(net, {slice{0, 0, 4}});
    EXPECT_EQ(sources.neurons, 4u);
    EXPECT_EQ(sources.output_axons, 3u); // src 2 has no target
    EXPECT_EQ(sources.neuron_profiles, 0u);
    // Part of the population: dst 0 only sees src 0 and 1 through a.
    const core_usage first = measure_core(net, {slice{1, 0, 1}});
    EXPECT_EQ(first.input_axons, 2u);
    EXPECT_EQ(first.synapse_words, 2u);
}

TEST(partition, every_example_fits_loihi_like) {
    const chip_spec loihi = load_chip_preset("loihi-like");
    for (const auto& entry: std::filesystem::directory_iterator(std::string(ENGRAM_SOURCE_DIR) + "/examples")) {
        const auto file = entry.path() / "network.json";
        if (!std::filesystem::exists(file)) {
            continue;
        }
        SCOPED_TRACE(file.string());
        const network net = load_network_file(file);
        const partition_plan plan = partition_sequential(net, loihi);
        expect_valid_plan(net, loihi, plan);
        EXPECT_EQ(plan.emitting, emitting_neurons(net));
    }
}

TEST(partition, slices_are_as_long_as_a_core_allows) {
    // A chain where synapse memory is the binding limit: 10 synapses per
    // neuron, 64 words per core -> 6 neurons per core.
    json j = {{"format", "engram-network/1"},
              {"name", "chain"},
              {"dt", 1.0},
              {"populations",
               {{{"name", "in"}, {"size", 10}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 5.0}}}},
                {{"name", "out"}, {"size", 20}, {"model", "IF_curr_exp"}}}},
              {"projections",
               {{{"pre", "in"}, {"post", "out"}, {"connector", {{"type", "AllToAll"}}}, {"weight", 0.1}}}}};
    const network net = load(j);
    const chip_spec chip = tiny_with(16, 64, 32);
    const partition_plan plan = partition_sequential(net, chip);
    expect_valid_plan(net, chip, plan);
    std::vector<std::uint32_t> out_slices;
    for (const auto& core: plan.cores) {
        for (const auto& s: core.slices) {
            if (s.population == 1) {
                out_slices.push_back(s.count);
            }
        }
    }
    std::sort(out_slices.begin(), out_slices.end());
    EXPECT_EQ(out_slices, (std::vector<std::uint32_t>{2, 6, 6, 6}));
    // The sources (10 neurons) share a core with a 6-neuron slice: 16 neurons.
    bool shared = false;
    for (const auto& core: plan.cores) {
        shared = shared || (core.slices.size() == 2 && core.usage.neurons == 16);
    }
    EXPECT_TRUE(shared);
}

TEST(partition, one_neuron_that_does_not_fit_names_population_and_resource) {
    json j = {{"format", "engram-network/1"},
              {"name", "wide"},
              {"dt", 1.0},
              {"populations",
               {{{"name", "in"}, {"size", 300}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 5.0}}}},
                {{"name", "out"}, {"size", 2}, {"model", "IF_curr_exp"}}}},
              {"projections",
               {{{"pre", "in"}, {"post", "out"}, {"connector", {{"type", "AllToAll"}}}, {"weight", 0.1}}}}};
    const network net = load(j);
    try {
        (void)partition_sequential(net, tiny_with(512, 256, 4096, 2, 2));
        FAIL() << "expected chip_limit_error";
    }
    catch (const engram::chip_limit_error& e) {
        EXPECT_EQ(e.path(), "/populations/1");
        EXPECT_EQ(e.resource, "synapse_words");
        EXPECT_EQ(e.needed, 300);
        EXPECT_EQ(e.available, 256);
    }
    // 300 ordinary axons do not fit 100: the static projection takes one
    // indexed axon and ceil(300 / 16) = 19 IndexWords instead.
    const partition_plan indexed = partition_sequential(net, tiny_with(512, 4096, 100, 4, 4));
    bool seen = false;
    for (const auto& core: indexed.cores) {
        if (std::any_of(core.slices.begin(), core.slices.end(), [](const slice& s) { return s.population == 1; })) {
            seen = true;
            EXPECT_EQ(core.usage.input_axons, 1u);
            EXPECT_EQ(core.usage.synapse_words, 2u * 300u + 19u);
        }
    }
    EXPECT_TRUE(seen);
    // Neither fits: 300 axons over 100, or 300 synapses and 19 IndexWords over 310 words.
    try {
        (void)partition_sequential(net, tiny_with(512, 310, 100, 2, 2));
        FAIL() << "expected chip_limit_error";
    }
    catch (const engram::chip_limit_error& e) {
        EXPECT_EQ(e.path(), "/populations/1");
        EXPECT_EQ(e.resource, "synapse_words");
        EXPECT_EQ(e.needed, 319);
        EXPECT_EQ(e.available, 310);
    }
}

TEST(partition, too_few_cores_names_the_count) {
    json j = {{"format", "engram-network/1"},
              {"name", "many"},
              {"dt", 1.0},
              {"populations",
               {{{"name", "in"}, {"size", 100}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 5.0}}}},
                {{"name", "out"}, {"size", 100}, {"model", "IF_curr_exp"}}}},
              {"projections",
               {{{"pre", "in"}, {"post", "out"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 0.1}}}}};
    const network net = load(j);
    try {
        (void)partition_sequential(net, load_chip_preset("tiny"));
        FAIL() << "expected chip_limit_error";
    }
    catch (const engram::chip_limit_error& e) {
        EXPECT_EQ(e.resource, "cores");
        EXPECT_EQ(e.available, 8);
        EXPECT_EQ(e.needed, 13); // 6 full cores per population, the two 4-neuron rests share one
        EXPECT_EQ(e.path(), "/populations");
    }
}

TEST(partition, random_networks_on_random_chips) {
    std::mt19937 rng(99);
    int planned = 0;
    for (int trial = 0; trial < 40; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        std::uniform_int_distribution<int> pops(1, 4);
        std::uniform_int_distribution<int> size(1, 60);
        const int n = pops(rng);
        json populations = json::array();
        for (int p = 0; p < n; ++p) {
            const bool source = p == 0 || rng() % 3 == 0;
            json pop = {{"name", "p" + std::to_string(p)}, {"size", size(rng)}};
            if (source) {
                pop["model"] = "SpikeSourcePoisson";
                pop["params"] = {{"rate", 10.0}};
            }
            else {
                pop["model"] = "IF_curr_exp";
            }
            populations.push_back(pop);
        }
        json projections = json::array();
        for (int k = 0; k < 5; ++k) {
            const int pre = static_cast<int>(rng() % n);
            const int post = static_cast<int>(rng() % n);
            if (populations[post]["model"] != "IF_curr_exp") {
                continue;
            }
            json conn;
            switch (rng() % 3) {
            case 0: conn = {{"type", "AllToAll"}}; break;
            case 1: conn = {{"type", "FixedProbability"}, {"p", 0.2}}; break;
            default: conn = {{"type", "FixedNumberPre"}, {"n", 1}}; break;
            }
            projections.push_back({{"pre", populations[pre]["name"]},
                                   {"post", populations[post]["name"]},
                                   {"connector", conn},
                                   {"weight", 0.1}});
        }
        const network net = load({{"format", "engram-network/1"},
                                  {"name", "random"},
                                  {"dt", 1.0},
                                  {"seed", trial},
                                  {"populations", populations},
                                  {"projections", projections}});
        const auto pick = [&](std::uint32_t base, std::uint32_t range) {
            return base + static_cast<std::uint32_t>(rng() % range);
        };
        const chip_spec chip = tiny_with(pick(8, 56), pick(64, 2000), pick(64, 400), 4, 4);
        try {
            const partition_plan plan = partition_sequential(net, chip);
            expect_valid_plan(net, chip, plan);
            ++planned;
        }
        catch (const engram::chip_limit_error& e) {
            // Only a resource one neuron exceeds, or the core count, may refuse.
            EXPECT_TRUE(e.resource == "cores" || e.needed > e.available) << e.what();
        }
    }
    EXPECT_GT(planned, 20);
}

namespace {

// Expected packets per second that leave their core.
double inter_core_traffic(const network& net, const partition_plan& plan) {
    return core_traffic(plan, compute_fanout(net, plan), population_rates(net)).inter_core();
}

} // namespace

TEST(partition_metis, cuts_the_traffic_of_interleaved_clusters) {
    // 8 clusters of 32 neurons interleaved by index; a core holds 32 neurons
    // (its 32 output axons), so the sequential slices hold 4 neurons of every
    // cluster and each neuron's spikes go to 7 other cores. One cluster per
    // core sends nothing between cores.
    const network net = load(engram::test::interleaved_clusters(8, 32));
    const chip_spec chip = tiny_with(32, 2048, 256, 2, 2);
    const partition_plan sequential = partition_sequential(net, chip);
    const partition_plan metis = partition_metis(net, chip, population_rates(net));
    expect_valid_plan(net, chip, sequential);
    expect_valid_plan(net, chip, metis);
    EXPECT_EQ(metis.method, "metis");
    EXPECT_EQ(metis.emitting, emitting_neurons(net));
    const double seq_traffic = inter_core_traffic(net, sequential);
    const double metis_traffic = inter_core_traffic(net, metis);
    EXPECT_DOUBLE_EQ(seq_traffic, 256 * 7 * 10.0); // 10 Hz per neuron, 7 other cores each
    EXPECT_LE(metis_traffic, 0.1 * seq_traffic);
    EXPECT_EQ(metis.cores.size(), 8u);
    // Each core holds one cluster: 32 slices of one neuron each, one profile.
    for (const auto& core: metis.cores) {
        EXPECT_EQ(core.usage.neuron_profiles, 1u);
    }
}

TEST(partition_metis, cuts_traffic_with_noise_across_clusters_and_inputs) {
    // The same clusters (16 of 24 neurons) with random connections across
    // them (p = 0.01) and a Poisson input per neuron: a partition can no
    // longer avoid all traffic, but METIS must still cut it by at least 2x.
    const network net = load(engram::test::interleaved_clusters(16, 24, 0.01, 20.0));
    const chip_spec chip = tiny_with(48, 4096, 512, 4, 4);
    const auto rates = population_rates(net);
    const partition_plan sequential = partition_sequential(net, chip);
    const partition_plan metis = partition_metis(net, chip, rates);
    expect_valid_plan(net, chip, sequential);
    expect_valid_plan(net, chip, metis);
    const double seq_traffic = inter_core_traffic(net, sequential);
    const double metis_traffic = inter_core_traffic(net, metis);
    EXPECT_LE(metis_traffic, 0.5 * seq_traffic) << "sequential " << seq_traffic << ", metis " << metis_traffic;
}

TEST(partition_metis, is_deterministic) {
    const network net = load(engram::test::interleaved_clusters(16, 24, 0.01, 20.0));
    const chip_spec chip = tiny_with(48, 4096, 512, 4, 4);
    const auto rates = population_rates(net);
    const partition_plan a = partition_metis(net, chip, rates);
    const partition_plan b = partition_metis(net, chip, rates);
    ASSERT_EQ(a.cores.size(), b.cores.size());
    for (std::size_t c = 0; c < a.cores.size(); ++c) {
        EXPECT_EQ(a.cores[c].slices, b.cores[c].slices);
        EXPECT_EQ(a.cores[c].usage, b.cores[c].usage);
        EXPECT_EQ(a.cores[c].rules, b.cores[c].rules);
    }
}

TEST(partition_metis, groups_of_neurons_as_vertices_still_fit) {
    // Vertices of 4 neurons (as for large networks): still a valid plan.
    const network net = load(engram::test::interleaved_clusters(8, 32, 0.02, 5.0));
    const chip_spec chip = tiny_with(32, 2048, 512, 4, 4);
    metis_options options;
    options.group_size = 4;
    expect_valid_plan(net, chip, partition_metis(net, chip, population_rates(net), options));
}

TEST(partition_metis, every_example_fits_loihi_like) {
    const chip_spec loihi = load_chip_preset("loihi-like");
    for (const auto& entry: std::filesystem::directory_iterator(std::string(ENGRAM_SOURCE_DIR) + "/examples")) {
        const auto file = entry.path() / "network.json";
        if (!std::filesystem::exists(file)) {
            continue;
        }
        SCOPED_TRACE(file.string());
        const network net = load_network_file(file);
        expect_valid_plan(net, loihi, partition_metis(net, loihi, population_rates(net)));
    }
}

TEST(partition_metis, one_neuron_that_does_not_fit_names_population_and_resource) {
    json j = {{"format", "engram-network/1"},
              {"name", "wide"},
              {"dt", 1.0},
              {"populations",
               {{{"name", "in"}, {"size", 300}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 5.0}}}},
                {{"name", "out"}, {"size", 2}, {"model", "IF_curr_exp"}}}},
              {"projections",
               {{{"pre", "in"}, {"post", "out"}, {"connector", {{"type", "AllToAll"}}}, {"weight", 0.1}}}}};
    const network net = load(j);
    try {
        (void)partition_metis(net, tiny_with(512, 256, 4096, 2, 2), population_rates(net));
        FAIL() << "expected chip_limit_error";
    }
    catch (const engram::chip_limit_error& e) {
        EXPECT_EQ(e.path(), "/populations/1");
        EXPECT_EQ(e.resource, "synapse_words");
        EXPECT_EQ(e.needed, 300);
        EXPECT_EQ(e.available, 256);
    }
}

TEST(partition_metis, too_few_cores_names_the_count) {
    const network net = load(engram::test::interleaved_clusters(8, 32));
    try {
        (void)partition_metis(net, tiny_with(32, 2048, 256, 2, 1), population_rates(net));
        FAIL() << "expected chip_limit_error";
    }
    catch (const engram::chip_limit_error& e) {
        EXPECT_EQ(e.resource, "cores");
        EXPECT_EQ(e.available, 4);
        EXPECT_GE(e.needed, 8);
    }
}

TEST(partition_metis, random_networks_on_random_chips) {
    std::mt19937 rng(2027);
    int planned = 0;
    for (int trial = 0; trial < 60; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        const int n = 1 + static_cast<int>(rng() % 4);
        json populations = json::array();
        for (int p = 0; p < n; ++p) {
            json pop = {{"name", "p" + std::to_string(p)}, {"size", 1 + static_cast<int>(rng() % 80)}};
            if (p == 0 || rng() % 3 == 0) {
                pop["model"] = "SpikeSourcePoisson";
                pop["params"] = {{"rate", 1.0 + static_cast<double>(rng() % 40)}};
            }
            else {
                pop["model"] = "IF_curr_exp";
            }
            populations.push_back(pop);
        }
        json projections = json::array();
        for (int k = 0; k < 6; ++k) {
            const int pre = static_cast<int>(rng() % n);
            const int post = static_cast<int>(rng() % n);
            if (populations[post]["model"] != "IF_curr_exp") {
                continue;
            }
            json conn;
            switch (rng() % 4) {
            case 0: conn = {{"type", "AllToAll"}}; break;
            case 1: conn = {{"type", "FixedProbability"}, {"p", 0.1}}; break;
            case 2: conn = {{"type", "OneToOne"}}; break;
            default: conn = {{"type", "FixedNumberPre"}, {"n", 2}}; break;
            }
            if (conn["type"] == "OneToOne" && populations[pre]["size"] != populations[post]["size"]) {
                conn = {{"type", "FixedNumberPre"}, {"n", 1}};
            }
            projections.push_back({{"pre", populations[pre]["name"]},
                                   {"post", populations[post]["name"]},
                                   {"connector", conn},
                                   {"weight", 0.1}});
        }
        const network net = load({{"format", "engram-network/1"},
                                  {"name", "random"},
                                  {"dt", 1.0},
                                  {"seed", trial},
                                  {"populations", populations},
                                  {"projections", projections}});
        const auto pick = [&](std::uint32_t base, std::uint32_t range) {
            return base + static_cast<std::uint32_t>(rng() % range);
        };
        const chip_spec chip = tiny_with(pick(8, 56), pick(64, 2000), pick(64, 400), 4, 4);
        metis_options options;
        options.group_size = 1 + static_cast<std::uint32_t>(rng() % 3);
        try {
            const partition_plan plan = partition_metis(net, chip, population_rates(net), options);
            expect_valid_plan(net, chip, plan);
            ++planned;
        }
        catch (const engram::chip_limit_error& e) {
            EXPECT_TRUE(e.resource == "cores" || e.needed > e.available) << e.what();
        }
    }
    EXPECT_GT(planned, 30);
}
