// check_network_on_chip: what a chip cannot hold at all, and the summary of
// a network that fits.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/check.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/network_loader.hpp>

#include "network_fixtures.hpp"

namespace {

using namespace engram;
using namespace engram::compiler;
using namespace engram::test;
using nlohmann::json;
namespace ni = engram::test::net_index;

// A network of one spike source driving one IF_curr_exp population.
json two_populations(int source_size, int target_size) {
    return json{{"format", "engram-network/1"},
                {"name", "pair"},
                {"dt", 1.0},
                {"populations",
                 {{{"name", "src"}, {"size", source_size}, {"model", "SpikeSourceArray"},
                   {"params", {{"spike_times", {1.0}}}}},
                  {{"name", "dst"}, {"size", target_size}, {"model", "IF_curr_exp"}}}},
                {"projections",
                 {{{"name", "src_dst"}, {"pre", "src"}, {"post", "dst"}, {"connector", {{"type", "AllToAll"}}},
                   {"weight", 0.5}, {"delay", 1.0}}}}};
}

checker chip_limit(std::string path, std::string resource, double needed, double available) {
    return expect<chip_limit_error>(std::move(path), [=](const chip_limit_error& e) {
        EXPECT_EQ(e.resource, resource);
        EXPECT_EQ(e.needed, needed);
        EXPECT_EQ(e.available, available);
        EXPECT_FALSE(e.detail().empty());
    });
}

TEST(check, delay_steps_rounds_half_away_from_zero) {
    EXPECT_EQ(delay_steps(1.0, 1.0), 1u);
    EXPECT_EQ(delay_steps(1.4, 1.0), 1u);
    EXPECT_EQ(delay_steps(1.5, 1.0), 2u);
    EXPECT_EQ(delay_steps(2.5, 1.0), 3u);
    EXPECT_EQ(delay_steps(0.2, 0.1), 2u);
    EXPECT_EQ(delay_steps(6.2, 0.1), 62u);
}

TEST(check, delay_longer_than_the_chip_holds) {
    const chip_spec tiny = load_chip_preset("tiny"); // max_delay 15
    json j = two_populations(2, 2);
    j["projections"][0]["delay"] = 20.0;
    const network net = load(j);
    expect_throw([&] { (void)check_network_on_chip(net, tiny); }, chip_limit("/projections/0/delay", "delay", 20, 15));
}

TEST(check, delay_at_the_chip_limit_fits) {
    const chip_spec tiny = load_chip_preset("tiny");
    json j = two_populations(2, 2);
    j["projections"][0]["delay"] = 15.0;
    EXPECT_EQ(check_network_on_chip(load(j), tiny).max_delay_steps, 15u);
    // 15.4 ms rounds to 15 steps.
    j["projections"][0]["delay"] = 15.4;
    EXPECT_EQ(check_network_on_chip(load(j), tiny).max_delay_steps, 15u);
    // 15.5 ms rounds to 16.
    j["projections"][0]["delay"] = 15.5;
    expect_throw([&] { (void)check_network_on_chip(load(j), tiny); },
                 chip_limit("/projections/0/delay", "delay", 16, 15));
}

TEST(check, delay_of_a_distribution_uses_its_largest_value) {
    const chip_spec tiny = load_chip_preset("tiny");
    json j = two_populations(2, 2);
    j["projections"][0]["delay"] = {{"distribution", "uniform"}, {"low", 1.0}, {"high", 17.0}};
    expect_throw([&] { (void)check_network_on_chip(load(j), tiny); },
                 chip_limit("/projections/0/delay", "delay", 17, 15));
}

TEST(check, delay_of_a_from_list_connection) {
    const chip_spec tiny = load_chip_preset("tiny");
    json j = two_populations(2, 2);
    j["projections"][0]["connector"] = {{"type", "FromList"}, {"connections", {{0, 0}, {1, 1, 0.5, 30.0}}}};
    expect_throw([&] { (void)check_network_on_chip(load(j), tiny); },
                 chip_limit("/projections/0/connector/connections/1/3", "delay", 30, 15));
}

// A delay of 2^32 + 5 steps must not be taken for 5 steps.
TEST(check, delay_beyond_32_bits_of_steps) {
    const chip_spec loihi = load_chip_preset("loihi-like");
    json j = two_populations(2, 2);
    j["projections"][0]["delay"] = 4294967301.0; // ms, at dt = 1 ms
    const network net = load(j);
    expect_throw([&] { (void)check_network_on_chip(net, loihi); },
                 chip_limit("/projections/0/delay", "delay", 4294967301.0, 62));
}

TEST(check, plasticity_on_a_chip_without_learning) {
    const chip_spec truenorth = load_chip_preset("truenorth-like");
    ASSERT_FALSE(truenorth.has_learning());
    const network net = load(valid_network());
    // stim_exc (projection 0) is the first plastic projection.
    expect_throw([&] { (void)check_network_on_chip(net, truenorth); },
                 chip_limit("/projections/0/plasticity", "learning rules", 1, 0));
}

TEST(check, static_network_fits_a_chip_without_learning) {
    const chip_spec truenorth = load_chip_preset("truenorth-like");
    json j = valid_network();
    for (auto& p: j["projections"]) {
        p.erase("plasticity");
    }
    j.erase("plasticity");
    const auto s = check_network_on_chip(load(j), truenorth);
    EXPECT_EQ(s.plastic_synapses, 0.0);
    EXPECT_EQ(s.rules, 0u);
}

TEST(check, too_many_neurons) {
    const chip_spec tiny = load_chip_preset("tiny");
    const std::uint64_t capacity = tiny.core_count() * tiny.core.neurons;
    ASSERT_EQ(capacity, 2u * 2u * 2u * 16u);
    // 1 source neuron + capacity IF_curr_exp neurons: one too many.
    const network net = load(two_populations(1, static_cast<int>(capacity)));
    expect_throw([&] { (void)check_network_on_chip(net, tiny); },
                 chip_limit("/populations", "neurons", static_cast<double>(capacity + 1),
                            static_cast<double>(capacity)));
}

TEST(check, neurons_at_capacity_fit) {
    const chip_spec tiny = load_chip_preset("tiny");
    const std::uint64_t capacity = tiny.core_count() * tiny.core.neurons;
    const auto s = check_network_on_chip(load(two_populations(1, static_cast<int>(capacity - 1))), tiny);
    EXPECT_EQ(s.neurons, capacity);
    EXPECT_EQ(s.compute_neurons, capacity - 1);
    EXPECT_EQ(s.cores_needed_at_least, tiny.core_count());
}

// tiny holds 16 microcode words, and the learning engine itself takes at most
// 16 terms per rule (the loader rejects more), so no single rule can exceed
// tiny's microcode: a 16-term rule is the largest, and it fits. The chip
// limit is exercised on a copy of tiny with 8 microcode words.
std::string sum_of_terms(int n) {
    std::string s = "2^-3*x1*y0";
    for (int i = 1; i < n; ++i) {
        s += " - 2^-3*y1*x0";
    }
    return s;
}

json network_with_rule_terms(int dw_terms, int dt_terms) {
    json j = two_populations(2, 2);
    json params = {{"dw", sum_of_terms(dw_terms)}};
    if (dt_terms > 0) {
        params["dt"] = sum_of_terms(dt_terms);
    }
    j["plasticity"] = {{{"name", "big"}, {"rule", "sum_of_products"}, {"params", params}}};
    j["projections"][0]["plasticity"] = "big";
    return j;
}

TEST(check, sixteen_term_rule_fits_tiny) {
    const chip_spec tiny = load_chip_preset("tiny");
    ASSERT_EQ(tiny.core.microcode_words, 16u);
    const auto s = check_network_on_chip(load(network_with_rule_terms(10, 6)), tiny);
    EXPECT_EQ(s.rules, 1u);
    EXPECT_EQ(s.plastic_synapses, 4.0);
}

// A rule no projection uses never reaches the chip: not even a chip without
// a learning engine refuses it.
TEST(check, unused_rule_is_not_checked_against_the_chip) {
    const chip_spec truenorth = load_chip_preset("truenorth-like");
    json j = network_with_rule_terms(3, 0);
    j["projections"][0].erase("plasticity");
    const auto s = check_network_on_chip(load(j), truenorth);
    EXPECT_EQ(s.rules, 1u);
    EXPECT_EQ(s.plastic_synapses, 0.0);
    j["projections"][0]["plasticity"] = "big";
    expect_throw([&] { (void)check_network_on_chip(load(j), truenorth); },
                 chip_limit("/projections/0/plasticity", "learning rules", 1, 0));
}

TEST(check, rule_longer_than_microcode) {
    json chip = tiny_chip();
    chip["core"]["microcode_words"] = 8;
    const chip_spec small = load_chip(chip);
    const network net = load(network_with_rule_terms(5, 4));
    expect_throw([&] { (void)check_network_on_chip(net, small); },
                 chip_limit("/plasticity/0/params", "microcode words", 9, 8));
    // 8 terms fit.
    EXPECT_NO_THROW((void)check_network_on_chip(load(network_with_rule_terms(5, 3)), small));
}

TEST(check, fixture_summary) {
    const chip_spec loihi = load_chip_preset("loihi-like");
    const network net = load(valid_network());
    const auto s = check_network_on_chip(net, loihi);
    EXPECT_EQ(s.populations, 6u);
    EXPECT_EQ(s.neurons, 26u);
    EXPECT_EQ(s.compute_neurons, 15u);
    EXPECT_EQ(s.projections, 7u);
    EXPECT_EQ(s.rules, 5u);
    // 3x10 + 0.1x10x9 + 3x5 + 3 + 5 + 2x5 + 2x10
    EXPECT_DOUBLE_EQ(s.expected_synapses, 30.0 + 9.0 + 15.0 + 3.0 + 5.0 + 10.0 + 20.0);
    // All but exc_inh and inh_exc are plastic.
    EXPECT_DOUBLE_EQ(s.plastic_synapses, 30.0 + 9.0 + 5.0 + 10.0 + 20.0);
    EXPECT_EQ(s.max_delay_steps, 5u); // exc_exc's uniform delay up to 5 ms
    EXPECT_EQ(s.cores_needed_at_least, 1u);
}

// Every example fits loihi-like; the expected figures are computed from the
// JSON file itself.
TEST(check, every_example_fits_loihi_like) {
    const chip_spec loihi = load_chip_preset("loihi-like");
    std::vector<std::filesystem::path> files;
    for (const auto& entry: std::filesystem::directory_iterator(std::filesystem::path(ENGRAM_SOURCE_DIR) / "examples")) {
        if (std::filesystem::exists(entry.path() / "network.json")) {
            files.push_back(entry.path() / "network.json");
        }
    }
    ASSERT_GE(files.size(), 4u);
    for (const auto& file: files) {
        SCOPED_TRACE(file.string());
        std::ifstream in(file);
        const json raw = json::parse(in);
        const network net = load_network_file(file);
        network_summary s;
        ASSERT_NO_THROW(s = check_network_on_chip(net, loihi));

        std::map<std::string, std::uint64_t> sizes;
        std::uint64_t neurons = 0;
        std::uint64_t compute = 0;
        for (const auto& p: raw["populations"]) {
            const auto size = p["size"].get<std::uint64_t>();
            sizes[p["name"].get<std::string>()] = size;
            neurons += size;
            compute += p["model"] == "IF_curr_exp" ? size : 0;
        }
        const double dt = raw["dt"].get<double>();
        double synapses = 0.0;
        double plastic = 0.0;
        std::uint32_t longest = 0;
        const json projections = raw.value("projections", json::array());
        for (const auto& p: projections) {
            const double pre = static_cast<double>(sizes.at(p["pre"].get<std::string>()));
            const double post = static_cast<double>(sizes.at(p["post"].get<std::string>()));
            const bool no_self =
                p["pre"] == p["post"] && !p["connector"].value("allow_self_connections", true);
            const std::string type = p["connector"]["type"];
            double n = 0.0;
            if (type == "AllToAll") {
                n = no_self ? pre * (post - 1) : pre * post;
            }
            else if (type == "OneToOne") {
                n = no_self ? 0.0 : post;
            }
            else if (type == "FixedProbability") {
                n = p["connector"]["p"].get<double>() * (no_self ? pre * (post - 1) : pre * post);
            }
            else if (type == "FixedNumberPre") {
                n = p["connector"]["n"].get<double>() * post;
            }
            else {
                n = static_cast<double>(p["connector"]["connections"].size());
            }
            synapses += n;
            if (p.contains("plasticity")) {
                plastic += n;
            }
            const double delay = p.value("delay", dt); // examples use constant delays
            longest = std::max(longest, static_cast<std::uint32_t>(std::lround(delay / dt)));
        }

        EXPECT_EQ(s.populations, raw["populations"].size());
        EXPECT_EQ(s.neurons, neurons);
        EXPECT_EQ(s.compute_neurons, compute);
        EXPECT_EQ(s.projections, projections.size());
        EXPECT_EQ(s.rules, raw.value("plasticity", json::array()).size());
        EXPECT_NEAR(s.expected_synapses, synapses, 1e-9 * std::max(1.0, synapses));
        EXPECT_NEAR(s.plastic_synapses, plastic, 1e-9 * std::max(1.0, plastic));
        EXPECT_EQ(s.max_delay_steps, longest);
        EXPECT_EQ(s.cores_needed_at_least, (neurons + loihi.core.neurons - 1) / loihi.core.neurons);
    }
}

} // namespace
