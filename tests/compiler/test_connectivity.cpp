// Expanding connectors into synapses: determinism, independence of the
// slicing, and the statistics each connector promises.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/network_loader.hpp>

namespace {

using namespace engram::compiler;
using nlohmann::json;

json two_populations(int pre, int post, json connector, json weight = 0.5, json delay = 1.0, bool same = false) {
    json j = {{"format", "engram-network/1"},
              {"name", "conn"},
              {"dt", 1.0},
              {"seed", 1234},
              {"populations",
               {{{"name", "a"}, {"size", pre}, {"model", "IF_curr_exp"}},
                {{"name", "b"}, {"size", post}, {"model", "IF_curr_exp"}}}},
              {"projections",
               {{{"pre", "a"}, {"post", same ? "a" : "b"}, {"connector", connector}, {"weight", weight},
                 {"delay", delay}}}}};
    return j;
}

network load(const json& j) {
    return load_network_text(j.dump(), "conn.json");
}

std::vector<synapse> all(const network& net) {
    return synapse_generator(net, 0).generate_all();
}

} // namespace

TEST(connectivity, all_to_all_and_one_to_one) {
    const auto net = load(two_populations(7, 5, {{"type", "AllToAll"}}));
    const auto s = all(net);
    ASSERT_EQ(s.size(), 35u);
    for (std::size_t k = 0; k < s.size(); ++k) {
        EXPECT_EQ(s[k].post, k / 7);
        EXPECT_EQ(s[k].pre, k % 7);
        EXPECT_EQ(s[k].weight, 0.5);
        EXPECT_EQ(s[k].delay, 1.0);
    }
    const auto one = all(load(two_populations(6, 6, {{"type", "OneToOne"}})));
    ASSERT_EQ(one.size(), 6u);
    for (std::uint32_t k = 0; k < 6; ++k) {
        EXPECT_EQ(one[k].pre, k);
        EXPECT_EQ(one[k].post, k);
    }
}

TEST(connectivity, self_connections_are_left_out_when_asked) {
    const auto net = load(two_populations(6, 6, {{"type", "AllToAll"}, {"allow_self_connections", false}}, 0.5, 1.0,
                                          true));
    const auto s = all(net);
    EXPECT_EQ(s.size(), 30u);
    for (const auto& x: s) {
        EXPECT_NE(x.pre, x.post);
    }
    const auto p = all(load(two_populations(
        300, 300, {{"type", "FixedProbability"}, {"p", 0.5}, {"allow_self_connections", false}}, 0.5, 1.0, true)));
    for (const auto& x: p) {
        EXPECT_NE(x.pre, x.post);
    }
    const auto n = all(load(two_populations(
        10, 10, {{"type", "FixedNumberPre"}, {"n", 9}, {"allow_self_connections", false}}, 0.5, 1.0, true)));
    ASSERT_EQ(n.size(), 90u);
    for (const auto& x: n) {
        EXPECT_NE(x.pre, x.post);
    }
}

TEST(connectivity, value_lists_follow_pre_major_order) {
    // AllToAll 2 x 3 without self: index = pre * 3 + post.
    json weights = json::array();
    for (int k = 0; k < 6; ++k) {
        weights.push_back(0.1 * (k + 1));
    }
    const auto s = all(load(two_populations(2, 3, {{"type", "AllToAll"}}, weights)));
    ASSERT_EQ(s.size(), 6u);
    for (const auto& x: s) {
        EXPECT_DOUBLE_EQ(x.weight, 0.1 * (x.pre * 3 + x.post + 1));
    }
    // Same population without self connections: the diagonal is skipped.
    json w2 = json::array();
    for (int k = 0; k < 6; ++k) {
        w2.push_back(k + 1.0);
    }
    const auto d = all(load(
        two_populations(3, 3, {{"type", "AllToAll"}, {"allow_self_connections", false}}, w2, 1.0, true)));
    ASSERT_EQ(d.size(), 6u);
    for (const auto& x: d) {
        const double expected = x.pre * 2 + (x.post > x.pre ? x.post - 1 : x.post) + 1;
        EXPECT_EQ(x.weight, expected);
    }
}

TEST(connectivity, from_list_groups_by_post_and_keeps_overrides) {
    json conn = {{"type", "FromList"},
                 {"connections", {{2, 1}, {0, 0, 0.25}, {1, 1, 0.75, 3.0}, {0, 1}}}};
    const auto s = all(load(two_populations(3, 2, conn, 0.5, 2.0)));
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0], (synapse{0, 0, 0.25, 2.0}));
    EXPECT_EQ(s[1], (synapse{2, 1, 0.5, 2.0}));
    EXPECT_EQ(s[2], (synapse{1, 1, 0.75, 3.0}));
    EXPECT_EQ(s[3], (synapse{0, 1, 0.5, 2.0}));
}

TEST(connectivity, fixed_probability_count_is_binomial) {
    const int pre = 2000;
    const int post = 500;
    const double p = 0.05;
    const auto s = all(load(two_populations(pre, post, {{"type", "FixedProbability"}, {"p", p}})));
    const double mean = p * pre * post;
    const double sd = std::sqrt(mean * (1 - p));
    EXPECT_NEAR(static_cast<double>(s.size()), mean, 5 * sd);
    // No duplicate pairs, pre indices ascending per post neuron.
    for (std::size_t k = 1; k < s.size(); ++k) {
        if (s[k].post == s[k - 1].post) {
            EXPECT_LT(s[k - 1].pre, s[k].pre);
        }
        else {
            EXPECT_LT(s[k - 1].post, s[k].post);
        }
    }
    // Every pre neuron is picked about equally often (chi-square-ish bound on a few buckets).
    std::vector<int> per_decile(10, 0);
    for (const auto& x: s) {
        ++per_decile[x.pre * 10 / pre];
    }
    for (int c: per_decile) {
        EXPECT_NEAR(c, mean / 10, 5 * std::sqrt(mean / 10));
    }
}

TEST(connectivity, fixed_number_pre_gives_n_distinct_per_post) {
    const auto s = all(load(two_populations(100, 50, {{"type", "FixedNumberPre"}, {"n", 40}})));
    ASSERT_EQ(s.size(), 50u * 40u);
    std::map<std::uint32_t, std::set<std::uint32_t>> pres;
    for (const auto& x: s) {
        EXPECT_TRUE(pres[x.post].insert(x.pre).second) << "duplicate pre " << x.pre << " for post " << x.post;
        EXPECT_LT(x.pre, 100u);
    }
    EXPECT_EQ(pres.size(), 50u);
    // Small n (the scan path) too.
    const auto small = all(load(two_populations(10, 20, {{"type", "FixedNumberPre"}, {"n", 10}})));
    std::map<std::uint32_t, std::set<std::uint32_t>> full;
    for (const auto& x: small) {
        full[x.post].insert(x.pre);
    }
    for (const auto& [post, set]: full) {
        EXPECT_EQ(set.size(), 10u) << post;
    }
}

TEST(connectivity, slicing_does_not_change_the_synapses) {
    for (json conn: {json{{"type", "FixedProbability"}, {"p", 0.1}}, json{{"type", "FixedNumberPre"}, {"n", 7}},
                     json{{"type", "AllToAll"}}}) {
        const auto net = load(two_populations(
            120, 90, conn, {{"distribution", "uniform"}, {"low", 0.1}, {"high", 0.9}},
            {{"distribution", "normal_clipped"}, {"mean", 3.0}, {"sd", 1.0}, {"low", 1.0}, {"high", 6.0}}));
        const synapse_generator gen(net, 0);
        const auto whole = gen.generate_all();
        std::vector<synapse> pieces;
        for (std::uint32_t begin: {0u, 13u, 14u, 50u}) {
            const std::uint32_t end = begin == 0 ? 13 : begin == 13 ? 14 : begin == 14 ? 50 : 90;
            gen.generate(begin, end, pieces);
        }
        EXPECT_EQ(whole, pieces) << conn.dump();
        // And the same seed gives the same synapses from a fresh load.
        EXPECT_EQ(whole, synapse_generator(load(two_populations(
                                               120, 90, conn,
                                               {{"distribution", "uniform"}, {"low", 0.1}, {"high", 0.9}},
                                               {{"distribution", "normal_clipped"}, {"mean", 3.0}, {"sd", 1.0},
                                                {"low", 1.0}, {"high", 6.0}})),
                                           0)
                             .generate_all());
    }
}

TEST(connectivity, seed_changes_the_draws) {
    json j = two_populations(200, 100, {{"type", "FixedProbability"}, {"p", 0.1}});
    const auto a = all(load(j));
    j["seed"] = 1235;
    const auto b = all(load(j));
    EXPECT_NE(a, b);
}

TEST(connectivity, distributions_respect_bounds_and_moments) {
    const auto s = all(load(two_populations(
        400, 100, {{"type", "AllToAll"}}, {{"distribution", "uniform"}, {"low", 0.2}, {"high", 0.6}},
        {{"distribution", "normal_clipped"}, {"mean", 5.0}, {"sd", 2.0}, {"low", 1.0}, {"high", 20.0}})));
    double wsum = 0.0;
    double dsum = 0.0;
    for (const auto& x: s) {
        ASSERT_GE(x.weight, 0.2);
        ASSERT_LT(x.weight, 0.6);
        ASSERT_GE(x.delay, 1.0);
        ASSERT_LE(x.delay, 20.0);
        wsum += x.weight;
        dsum += x.delay;
    }
    const double n = static_cast<double>(s.size());
    EXPECT_NEAR(wsum / n, 0.4, 5 * 0.4 / std::sqrt(12.0) / std::sqrt(n));
    // Normal(5, 2) clipped at 1 (2 sd below) and 20: the mean rises slightly above 5.
    EXPECT_GT(dsum / n, 5.0);
    EXPECT_LT(dsum / n, 5.2);
}

TEST(connectivity, out_of_range_slice_is_an_internal_error) {
    const auto net = load(two_populations(3, 3, {{"type", "AllToAll"}}));
    std::vector<synapse> out;
    EXPECT_THROW(synapse_generator(net, 0).generate(2, 4, out), std::logic_error);
}
