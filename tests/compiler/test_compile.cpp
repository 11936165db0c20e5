// The whole mapping: decoding an image gives back exactly the quantized
// network (every synapse once, with its weight, delay and target), every
// image respects every limit, and compiling twice gives the same bytes.

#include <algorithm>
#include <filesystem>
#include <random>
#include <tuple>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/isa/chip_image.hpp>

#include "partition_fixtures.hpp"

namespace {

using namespace engram::compiler;
namespace isa = engram::isa;
using nlohmann::json;

// (projection, pre neuron, post neuron, weight mantissa, delay steps)
using synapse_key = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::int32_t, std::uint32_t>;

std::vector<synapse_key> expected_synapses(const network& net) {
    const quantization q = quantize_network(net);
    std::vector<synapse_key> out;
    for (std::size_t p = 0; p < net.projections.size(); ++p) {
        for (const auto& s: synapse_generator(net, p).generate_all()) {
            out.emplace_back(static_cast<std::uint32_t>(p), s.pre, s.post, q.projections[p].weights.mantissa(s.weight),
                             q.projections[p].delays.delay_steps(s.delay));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Reads every synapse back out of an image, through its input maps.
std::vector<synapse_key> decoded_synapses(const isa::chip_image& image) {
    std::vector<synapse_key> out;
    for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
        const auto& core = image.cores[c];
        std::vector<bool> decoded(core.axons.size(), false);
        for (std::size_t e = 0; e < core.input_map.size(); ++e) {
            const auto& m = core.input_map[e];
            const std::uint32_t projection = core.input_projection[e];
            if (m.indexed != 0) {
                // An indexed axon, fed by one entry per run of source cores:
                // its synapses name their source's index (numerics §5).
                if (decoded[m.axon_base]) {
                    continue;
                }
                decoded[m.axon_base] = true;
                for (const auto& syn: isa::decode_indexed(core, core.axons[m.axon_base])) {
                    const isa::image_slice* to = isa::slice_at(image, c, syn.word.target);
                    EXPECT_NE(to, nullptr);
                    if (to != nullptr) {
                        const std::uint32_t post = to->first + (syn.word.target - to->core_neuron);
                        out.emplace_back(projection, syn.source, post, syn.word.weight, syn.word.delay);
                    }
                }
                continue;
            }
            for (std::uint32_t k = 0; k < m.count; ++k) {
                const isa::image_slice* from = isa::slice_at(image, m.src_core, m.neuron_base + k);
                EXPECT_NE(from, nullptr);
                if (from == nullptr) {
                    continue;
                }
                const std::uint32_t pre = from->first + (m.neuron_base + k - from->core_neuron);
                for (const auto& syn: isa::decode_row(core, core.axons[m.axon_base + k])) {
                    const isa::image_slice* to = isa::slice_at(image, c, syn.word.target);
                    EXPECT_NE(to, nullptr);
                    if (to == nullptr) {
                        continue;
                    }
                    const std::uint32_t post = to->first + (syn.word.target - to->core_neuron);
                    out.emplace_back(projection, pre, post, syn.word.weight, syn.word.delay);
                }
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

json random_network(std::mt19937& rng, int seed) {
    json populations = json::array();
    json projections = json::array();
    const int n = 2 + static_cast<int>(rng() % 4);
    for (int p = 0; p < n; ++p) {
        const int size = 1 + static_cast<int>(rng() % 30);
        if (p == 0 || rng() % 3 == 0) {
            populations.push_back({{"name", "s" + std::to_string(p)},
                                   {"size", size},
                                   {"model", "SpikeSourcePoisson"},
                                   {"params", {{"rate", 1.0 + static_cast<double>(rng() % 50)}}}});
        }
        else {
            populations.push_back({{"name", "n" + std::to_string(p)},
                                   {"size", size},
                                   {"model", "IF_curr_exp"},
                                   {"params", {{"tau_syn_I", 2.0 + static_cast<double>(rng() % 10)}}}});
        }
    }
    // Plastic projections use one of three rules that agree on their
    // traces and epoch (so any two may share a core): additive pair STDP,
    // multiplicative pair STDP, and three-factor with a modulator.
    const char* rules[] = {"stdp", "soft", "reward"};
    bool plastic = false;
    for (int k = 0; k < 6; ++k) {
        const auto& pre = populations[rng() % n];
        const auto& post = populations[rng() % n];
        if (post["model"] != "IF_curr_exp") {
            continue;
        }
        json conn;
        switch (rng() % 4) {
        case 0: conn = {{"type", "AllToAll"}}; break;
        case 1: conn = {{"type", "FixedProbability"}, {"p", 0.25}}; break;
        case 2: conn = {{"type", "FixedNumberPre"}, {"n", 1}}; break;
        default:
            conn = {{"type", "FromList"},
                    {"connections", {{0, 0, 0.3, 2.0}, {0, 0}}}}; // a multapse, one with its own weight and delay
            break;
        }
        json projection = {{"pre", pre["name"]},
                           {"post", post["name"]},
                           {"connector", conn},
                           {"receptor", rng() % 2 == 0 ? "excitatory" : "inhibitory"},
                           {"weight", {{"distribution", "uniform"}, {"low", 0.05}, {"high", 0.5}}},
                           {"delay", {{"distribution", "uniform"}, {"low", 1.0}, {"high", 9.0}}}};
        if (rng() % 3 == 0) {
            projection["plasticity"] = rules[rng() % 3];
            plastic = true;
        }
        projections.push_back(std::move(projection));
    }
    json out = {{"format", "engram-network/1"}, {"name", "random"},          {"dt", 1.0},
                {"seed", seed},                 {"populations", populations}, {"projections", projections}};
    if (plastic) {
        out["populations"].push_back({{"name", "reward"},
                                      {"size", 1},
                                      {"model", "Modulator"},
                                      {"params", {{"times", json::array({5.0, 50.0})}, {"amplitude", 0.5}}}});
        out["plasticity"] = {
            {{"name", "stdp"}, {"rule", "pair_stdp"}, {"params", {{"w_min", 0.0}, {"w_max", 0.6}}}},
            {{"name", "soft"},
             {"rule", "pair_stdp"},
             {"params", {{"w_min", 0.0}, {"w_max", 0.6}, {"weight_dependence", "multiplicative"}}}},
            {{"name", "reward"},
             {"rule", "three_factor"},
             {"modulator", "reward"},
             {"params", {{"w_min", 0.0}, {"w_max", 0.6}}}}};
    }
    return out;
}

chip_spec random_chip(std::mt19937& rng) {
    auto j = json::parse(*chip_preset_text("tiny"));
    j["mesh"] = {{"width", 2 + rng() % 3}, {"height", 2 + rng() % 3}};
    j["chips"] = {{"width", 1 + rng() % 2}, {"height", 1}};
    j["core"]["neurons"] = 8 + rng() % 40;
    j["core"]["synapse_words"] = 128 + rng() % 2000;
    // One chip in three has so few axons that cores take indexed axons.
    j["core"]["input_axons"] = rng() % 3 == 0 ? 4 + rng() % 28 : 64 + rng() % 200;
    j["core"]["router_entries"] = 64;
    return load_chip_text(j.dump(), "chip.json");
}

} // namespace

namespace {

// The property: every image that compiles validates, survives the file
// format and decodes to exactly the quantized synapses.
void check_random_networks(partitioner which) {
    std::mt19937 rng(2026);
    compile_options options;
    options.partition = which;
    int compiled = 0;
    int metis_kept = 0;
    int plastic_compiled = 0;
    int indexed_compiled = 0; // cores with an indexed axon
    for (int trial = 0; trial < 200; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        const network net = load_network_text(random_network(rng, trial).dump(), "random.json");
        const chip_spec chip = random_chip(rng);
        compile_result result;
        try {
            result = compile_network(net, chip, options);
        }
        catch (const engram::chip_limit_error& e) {
            // Only what does not fit may refuse: a resource one neuron
            // exceeds, the core count, or a router table.
            EXPECT_TRUE(e.needed > e.available) << e.what();
            continue;
        }
        ++compiled;
        metis_kept += result.report.partition_method == "metis" ? 1 : 0;
        // The image respects every limit (validate_image checks them all)
        // and survives the file format.
        EXPECT_NO_THROW(isa::validate_image(result.image));
        EXPECT_EQ(isa::deserialize_image(isa::serialize_image(result.image), "mem"), result.image);
        EXPECT_EQ(decoded_synapses(result.image), expected_synapses(net));
        EXPECT_EQ(result.report.synapses, expected_synapses(net).size());
        plastic_compiled += result.image.cores.size() > 0 && isa::count_totals(result.image).plastic_synapses > 0;
        for (const auto& core: result.image.cores) {
            indexed_compiled += std::any_of(core.axons.begin(), core.axons.end(),
                                            [](const isa::axon_entry& a) { return a.indexed != 0; });
        }
        // The partitioner's learning-engine budget is what the image holds.
        const partition_plan plan = result.report.partition_method == "metis"
                                        ? partition_plan{}
                                        : partition_sequential(net, chip);
        if (!plan.cores.empty() && plan.cores.size() == result.image.cores.size()) {
            for (std::size_t c = 0; c < plan.cores.size(); ++c) {
                EXPECT_EQ(plan.cores[c].usage.learning_rules, result.image.cores[c].rules.size());
                EXPECT_EQ(plan.cores[c].usage.microcode_words, result.image.cores[c].microcode.size());
                EXPECT_EQ(plan.cores[c].usage.input_axons, result.image.cores[c].axons.size());
                EXPECT_EQ(plan.cores[c].usage.synapse_words, result.image.cores[c].synapse_memory.size());
                EXPECT_EQ(plan.cores[c].usage.trace_profiles,
                          std::max(result.image.cores[c].pre_trace_profiles.size() / 2,
                                   result.image.cores[c].post_trace_profiles.size() / 3));
            }
        }
        if (which != partitioner::automatic) {
            EXPECT_EQ(result.report.partition_method, to_string(which));
        }
        // Every neuron sits on exactly one core.
        for (std::uint32_t p = 0; p < net.populations.size(); ++p) {
            for (std::uint32_t i = 0; i < net.populations[p].size; ++i) {
                ASSERT_TRUE(isa::locate_neuron(result.image, p, i).has_value());
            }
        }
    }
    EXPECT_GT(compiled, 100);
    EXPECT_GT(plastic_compiled, 30);
    EXPECT_GT(indexed_compiled, 5); // the chips with few axons overflow them
    if (which == partitioner::automatic) {
        // Both plans are kept on some networks (63 of 198 kept METIS when
        // this was written).
        EXPECT_GT(metis_kept, 20);
        EXPECT_LT(metis_kept, compiled - 20);
    }
}

} // namespace

TEST(compile, random_networks_decode_to_exactly_their_synapses) {
    check_random_networks(partitioner::automatic);
}

TEST(compile, random_networks_decode_to_exactly_their_synapses_sequential) {
    check_random_networks(partitioner::sequential);
}

TEST(compile, random_networks_decode_to_exactly_their_synapses_metis) {
    check_random_networks(partitioner::metis);
}

TEST(compile, auto_keeps_metis_where_it_cuts_traffic) {
    // Interleaved clusters (partition_fixtures.hpp): METIS puts several
    // slices of one population on a core; the image still decodes exactly,
    // the report gives both partitions, and recompiling gives the same bytes.
    const network net =
        load_network_text(engram::test::interleaved_clusters(16, 24, 0.01, 20.0).dump(), "clusters.json");
    auto j = json::parse(*chip_preset_text("tiny"));
    j["core"]["neurons"] = 48;
    j["core"]["synapse_words"] = 4096;
    j["core"]["input_axons"] = 512;
    j["core"]["output_axons"] = 48;
    j["core"]["router_entries"] = 256;
    j["mesh"] = {{"width", 4}, {"height", 4}};
    const chip_spec chip = load_chip_text(j.dump(), "chip.json");
    const compile_result result = compile_network(net, chip);
    const auto& r = result.report;
    EXPECT_EQ(r.partition_method, "metis");
    EXPECT_EQ(r.partition_mode, "auto");
    ASSERT_EQ(r.partition_candidates.size(), 2u);
    EXPECT_EQ(r.partition_candidates[0].method, "sequential");
    EXPECT_EQ(r.partition_candidates[1].method, "metis");
    EXPECT_TRUE(r.partition_candidates[0].fits);
    EXPECT_TRUE(r.partition_candidates[1].fits);
    EXPECT_LT(r.partition_candidates[1].inter_core_traffic, 0.5 * r.partition_candidates[0].inter_core_traffic);
    EXPECT_EQ(r.cores_used, r.partition_candidates[1].cores);
    EXPECT_GT(result.image.slices.size(), result.image.cores.size() * 2); // several slices per core
    EXPECT_NO_THROW(isa::validate_image(result.image));
    EXPECT_EQ(decoded_synapses(result.image), expected_synapses(net));
    const json report = to_json(r);
    EXPECT_EQ(report["partition"]["method"], "metis");
    EXPECT_EQ(report["partition"]["candidates"][1]["chosen"], true);
    EXPECT_EQ(isa::serialize_image(compile_network(net, chip).image), isa::serialize_image(result.image));
    // Forcing the sequential partitioner maps the same synapses.
    compile_options sequential;
    sequential.partition = partitioner::sequential;
    const compile_result forced = compile_network(net, chip, sequential);
    EXPECT_EQ(forced.report.partition_method, "sequential");
    ASSERT_EQ(forced.report.partition_candidates.size(), 1u);
    EXPECT_EQ(decoded_synapses(forced.image), expected_synapses(net));
}

TEST(compile, recompiling_gives_identical_bytes) {
    const network net =
        load_network_file(std::string(ENGRAM_SOURCE_DIR) + "/examples/vogels_abbott_cuba/network.json");
    const chip_spec chip = load_chip_preset("loihi-like");
    const auto a = isa::serialize_image(compile_network(net, chip).image);
    const auto b = isa::serialize_image(compile_network(net, chip).image);
    EXPECT_EQ(a, b);
    EXPECT_GT(a.size(), 320000u * 4); // every synapse word is in it
}

TEST(compile, flagship_report_is_consistent) {
    const network net =
        load_network_file(std::string(ENGRAM_SOURCE_DIR) + "/examples/vogels_abbott_cuba/network.json");
    const auto result = compile_network(net, load_chip_preset("loihi-like"));
    const auto& r = result.report;
    EXPECT_EQ(r.neurons, 4000u);
    EXPECT_EQ(r.cores_used, result.image.cores.size());
    EXPECT_LE(r.placement_cost, r.naive_placement_cost);
    EXPECT_LE(r.route_entries, r.route_entries_before_compression);
    for (const auto& res: r.resources) {
        EXPECT_LE(res.max, res.limit) << res.name;
        EXPECT_LE(res.mean, static_cast<double>(res.max)) << res.name;
    }
    const auto totals = isa::count_totals(result.image);
    EXPECT_EQ(totals.synapses, r.synapses);
    EXPECT_EQ(totals.neurons, 4000u);
}

TEST(compile, plastic_examples_compile_to_learning_rows) {
    for (const char* example: {"stdp_song2000", "distal_reward"}) {
        SCOPED_TRACE(example);
        const network net =
            load_network_file(std::string(ENGRAM_SOURCE_DIR) + "/examples/" + example + "/network.json");
        const compile_result result = compile_network(net, load_chip_preset("loihi-like"));
        EXPECT_NO_THROW(isa::validate_image(result.image));
        EXPECT_EQ(isa::deserialize_image(isa::serialize_image(result.image), "mem"), result.image);
        EXPECT_EQ(decoded_synapses(result.image), expected_synapses(net));
        const auto totals = isa::count_totals(result.image);
        // Every synapse of a plastic projection is plastic; the others (the
        // distal-reward teacher) are not.
        std::size_t of_plastic_projections = 0;
        for (const auto& key: expected_synapses(net)) {
            of_plastic_projections += net.projections[std::get<0>(key)].rule.has_value() ? 1 : 0;
        }
        EXPECT_GT(of_plastic_projections, 0u);
        EXPECT_EQ(totals.plastic_synapses, of_plastic_projections);
        EXPECT_EQ(result.report.synapses, totals.synapses);
        EXPECT_GE(totals.learning_rules, 1u);
        ASSERT_FALSE(result.report.quantization.rules.empty());
        // Every learning row names its rule and pre-trace profile, and each
        // plastic word starts at weight_frac 0, tag 0.
        for (const auto& core: result.image.cores) {
            std::vector<bool> static_axon(core.axons.size(), false);
            for (std::size_t e = 0; e < core.input_map.size(); ++e) {
                const std::uint32_t p = core.input_projection[e];
                if (p != isa::no_projection && !net.projections[p].rule.has_value()) {
                    for (std::uint32_t k = 0; k < core.input_map[e].count; ++k) {
                        static_axon[core.input_map[e].axon_base + k] = true;
                    }
                }
            }
            for (std::size_t a = 0; a < core.axons.size(); ++a) {
                const auto& axon = core.axons[a];
                if (axon.modulator == 1) {
                    continue;
                }
                if (static_axon[a]) {
                    EXPECT_EQ(axon.learning, 0u);
                    for (const auto& syn: isa::decode_row(core, axon)) {
                        EXPECT_FALSE(syn.plastic.has_value());
                    }
                    continue;
                }
                EXPECT_EQ(axon.learning, 1u);
                EXPECT_LT(axon.rule, core.rules.size());
                for (const auto& syn: isa::decode_row(core, axon)) {
                    ASSERT_TRUE(syn.plastic.has_value());
                    EXPECT_EQ(syn.plastic->weight_frac, 0u);
                    EXPECT_EQ(syn.plastic->tag, 0);
                    EXPECT_GE(syn.word.weight, core.rules[axon.rule].w_min);
                    EXPECT_LE(syn.word.weight, core.rules[axon.rule].w_max);
                }
            }
        }
    }
}

TEST(compile, too_large_for_tiny_names_the_resource) {
    const network net =
        load_network_file(std::string(ENGRAM_SOURCE_DIR) + "/examples/vogels_abbott_cuba/network.json");
    try {
        (void)compile_network(net, load_chip_preset("tiny"));
        FAIL() << "expected chip_limit_error";
    }
    catch (const engram::chip_limit_error& e) {
        EXPECT_FALSE(e.resource.empty());
        EXPECT_GT(e.needed, e.available);
    }
}
