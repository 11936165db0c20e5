// Quantization of synapses (docs/numerics.md §11): weight exponents and
// mantissas, delays, and the whole network with its report. Neurons are in
// test_quantize_neuron.cpp. Expected values are computed here from the
// formulas of §11, never typed in.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/compiler/quantize.hpp>

#include "network_fixtures.hpp"
#include "quantize_fixtures.hpp"

namespace {

using namespace engram;
using namespace engram::compiler;
using engram::quantize_test::driven_population;
using engram::quantize_test::find_entry;
using engram::quantize_test::load;
using engram::quantize_test::load_example;
using engram::quantize_test::rha;
using engram::test::expect;
using engram::test::expect_throw;
using nlohmann::json;

// --- weights ------------------------------------------------------------------

TEST(quantize_weights, exponent_is_the_smallest_that_holds_the_largest_weight) {
    // dt/c_m = 0.4, σ = 2^10: w_scaled = 409.6·w.
    const weight_scale scale{0.1, 0.25, 10};
    for (double largest = 1e-4; largest < 1e5; largest *= 1.37) {
        SCOPED_TRACE(largest);
        int expected = 7;
        for (int e = -6; e <= 7; ++e) {
            if (rha(largest * 0.1 / 0.25 * std::ldexp(1.0, 10 - 6 - e)) <= 127.0) {
                expected = e;
                break;
            }
        }
        const weight_quantizer q(scale, largest, receptor::excitatory);
        EXPECT_EQ(q.exponent(), expected);
        const std::int32_t m = q.mantissa(largest);
        if (q.saturates(largest)) {
            EXPECT_EQ(q.exponent(), 7);
            EXPECT_EQ(m, 127);
            continue;
        }
        EXPECT_LE(m, 127);
        if (q.exponent() > -6) {
            EXPECT_GE(m, 64);
        }
        EXPECT_EQ(m, static_cast<std::int32_t>(rha(largest * 0.1 / 0.25 * std::ldexp(1.0, 10 - 6 - q.exponent()))));
        EXPECT_EQ(q.largest_representable(), q.realised(127));
    }
}

TEST(quantize_weights, rounds_half_away_from_zero) {
    // dt/c_m = 0.25 and σ = 2^8: w_scaled = 64·w, and with a largest weight
    // of 1.9 the exponent is −6 (divisor 1): the mantissa is rha(64·w).
    const weight_quantizer exc({0.5, 2.0, 8}, 1.9, receptor::excitatory);
    const weight_quantizer inh({0.5, 2.0, 8}, 1.9, receptor::inhibitory);
    ASSERT_EQ(exc.exponent(), -6);
    for (const double m: {0.5, 1.5, 2.5, 3.5, 62.5, 126.5, 0.49, 2.51, 7.0}) {
        const double w = m / 64.0;
        const auto expected = static_cast<std::int32_t>(rha(m));
        EXPECT_EQ(exc.mantissa(w), expected) << m;
        EXPECT_EQ(inh.mantissa(w), -expected) << m;
        EXPECT_EQ(exc.realised(expected), expected / 64.0);
        EXPECT_EQ(inh.realised(-expected), expected / 64.0);
    }
    EXPECT_EQ(exc.mantissa(2.5 / 64.0), 3);
    EXPECT_EQ(inh.mantissa(2.5 / 64.0), -3);
    EXPECT_EQ(exc.mantissa(0.0), 0);
}

TEST(quantize_weights, saturation_is_counted) {
    const weight_quantizer q({1.0, 1.0, 0}, 100.0, receptor::inhibitory); // exponent −6: mantissa = rha(w)
    ASSERT_EQ(q.exponent(), -6);
    EXPECT_FALSE(q.saturates(127.49));
    EXPECT_TRUE(q.saturates(127.5));
    EXPECT_EQ(q.mantissa(127.49), -127);
    EXPECT_EQ(q.mantissa(127.5), -127);
    EXPECT_EQ(q.mantissa(1e9), -127);
    weight_stats s;
    for (const double w: {127.49, 127.5, 1e9, 3.0}) {
        q.accumulate(s, w, q.mantissa(w));
    }
    EXPECT_EQ(s.count, 4u);
    EXPECT_EQ(s.saturated, 2u);
}

TEST(quantize_weights, saturation_is_an_error_on_request) {
    const quantize_options strict{.saturation_is_error = true};
    const weight_quantizer q({1.0, 1.0, 0}, 100.0, receptor::excitatory, strict,
                             {"net.json", "exc_to_inh", "/projections/2"});
    EXPECT_EQ(q.mantissa(127.49), 127);
    expect_throw([&] { (void)q.mantissa(130.0); },
                 expect<weight_saturation_error>("/projections/2/weight", [&](const weight_saturation_error& e) {
                     EXPECT_EQ(e.projection, "exc_to_inh");
                     EXPECT_EQ(e.weight, 130.0);
                     EXPECT_EQ(e.largest, q.realised(127));
                     EXPECT_EQ(e.exponent, -6);
                     EXPECT_EQ(e.source(), "net.json");
                 }));
    // Through the network: the quantizers carry the option.
    const network net = load(driven_population(1.0, json::object(), 0.5));
    const quantization nq = quantize_network(net, strict);
    const weight_quantizer& w = nq.projections[0].weights;
    EXPECT_NO_THROW((void)w.mantissa(0.5));
    expect_throw([&] { (void)w.mantissa(10.0 * w.largest_representable()); },
                 expect<weight_saturation_error>("/projections/0/weight"));
}

TEST(quantize_weights, statistics_on_a_small_set) {
    // dt/c_m = 0.4, σ = 2^5 (w_scaled = 12.8·w), largest weight 10 nA:
    // exponent −5, mantissa rha(6.4·w).
    const weight_quantizer q({0.1, 0.25, 5}, 10.0, receptor::excitatory);
    ASSERT_EQ(q.exponent(), -5);
    const std::vector<double> weights = {10.0, 0.37, 0.0123, 0.0, 0.5, 25.0, 0.2, 0.001};
    weight_stats s;
    double max_error = 0.0, sum_error = 0.0;
    std::uint64_t nonzero = 0, zero_mantissa = 0, saturated = 0;
    for (const double w: weights) {
        const std::int32_t m = q.mantissa(w);
        q.accumulate(s, w, m);
        if (w == 0.0) {
            continue;
        }
        ++nonzero;
        zero_mantissa += m == 0 ? 1 : 0;
        saturated += rha(w * 0.1 / 0.25 * std::ldexp(1.0, 5 - 6 - q.exponent())) > 127 ? 1 : 0;
        const double e = std::fabs(q.realised(m) - w) / w;
        max_error = std::max(max_error, e);
        sum_error += e;
    }
    EXPECT_EQ(s.count, weights.size());
    EXPECT_EQ(s.nonzero, nonzero);
    EXPECT_EQ(s.rounded_to_zero, zero_mantissa);
    EXPECT_EQ(s.saturated, saturated);
    EXPECT_EQ(s.rounded_to_zero, 2u); // 0.0123 and 0.001 nA
    EXPECT_EQ(s.saturated, 1u);       // 25 nA
    EXPECT_EQ(s.max_relative_error, max_error);
    EXPECT_DOUBLE_EQ(s.mean_relative_error(), sum_error / double(nonzero));
    EXPECT_EQ(s.max_relative_error, 1.0); // the weight that vanished

    // Merging two halves gives the same totals.
    weight_stats a, b;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        q.accumulate(i % 2 ? a : b, weights[i], q.mantissa(weights[i]));
    }
    a.merge(b);
    EXPECT_EQ(a.count, s.count);
    EXPECT_EQ(a.nonzero, s.nonzero);
    EXPECT_EQ(a.saturated, s.saturated);
    EXPECT_EQ(a.rounded_to_zero, s.rounded_to_zero);
    EXPECT_EQ(a.max_relative_error, s.max_relative_error);
    EXPECT_DOUBLE_EQ(a.sum_relative_error, s.sum_relative_error);
}

TEST(quantize_weights, exponent_follows_the_post_population) {
    // Vogels–Abbott: w·dt/c_m·σ with the post population's σ and c_m.
    const network net = load_example("vogels_abbott_cuba");
    const quantization q = quantize_network(net);
    for (std::size_t j = 0; j < net.projections.size(); ++j) {
        const projection& proj = net.projections[j];
        const quantized_neuron& post = *q.neurons[proj.post];
        const double w = proj.weight.value;
        int expected = 7;
        for (int e = -6; e <= 7; ++e) {
            if (rha(w * net.dt / post.cm_nF * std::ldexp(1.0, post.sigma_log2 - 6 - e)) <= 127.0) {
                expected = e;
                break;
            }
        }
        const weight_quantizer& wq = q.projections[j].weights;
        EXPECT_EQ(wq.exponent(), expected) << proj.name;
        EXPECT_EQ(q.report.projections[j].weight_exp, expected);
        const std::int32_t m = wq.mantissa(w);
        EXPECT_EQ(std::abs(m), rha(w * net.dt / post.cm_nF * std::ldexp(1.0, post.sigma_log2 - 6 - expected)));
        EXPECT_EQ(m < 0, proj.target == receptor::inhibitory);
        EXPECT_LE(std::fabs(wq.realised(m) - w) / w, 0.5 / 64.0);
    }
}

// --- delays -------------------------------------------------------------------

TEST(quantize_delays, round_half_away_and_raise_to_one) {
    const delay_quantizer q(0.5, {}, {"net.json", "p", "/projections/4"});
    EXPECT_EQ(q.delay_steps(0.5), 1u);
    EXPECT_EQ(q.delay_steps(1.25), 3u); // 2.5 steps
    EXPECT_EQ(q.delay_steps(1.2), 2u);
    EXPECT_EQ(q.delay_steps(0.2), 1u);  // 0 raised to 1
    EXPECT_EQ(q.delay_steps(31.7), 63u);
    expect_throw([&] { (void)q.delay_steps(31.75); }, // 63.5 steps
                 expect<chip_limit_error>("/projections/4/delay", [](const chip_limit_error& e) {
                     EXPECT_EQ(e.resource, "delay");
                     EXPECT_EQ(e.needed, 64.0);
                     EXPECT_EQ(e.available, 63.0);
                 }));
    delay_stats s;
    for (const double d: {0.5, 1.25, 1.2, 0.2, 5.0}) {
        q.accumulate(s, d, q.delay_steps(d));
    }
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(s.raised_to_one, 1u);
    // 1.25 → 1.5 (+20 %), 1.2 → 1.0 (−16.7 %), 0.2 → 0.5 (+150 %).
    EXPECT_EQ(s.over_threshold, 3u);
    EXPECT_EQ(s.max_relative_error, (0.5 - 0.2) / 0.2);
}

TEST(quantize_delays, network_delays_above_63_steps_are_rejected_where_written) {
    json j = driven_population(1.0, json::object(), 0.5, 64.0);
    expect_throw([&] { (void)quantize_network(load(j)); },
                 expect<chip_limit_error>("/projections/0/delay"));
    j["projections"][0]["delay"] = 2.0;
    j["projections"][0]["connector"] = {{"type", "FromList"}, {"connections", {{0, 0}, {1, 1, 0.5, 70.0}}}};
    expect_throw([&] { (void)quantize_network(load(j)); },
                 expect<chip_limit_error>("/projections/0/connector/connections/1/3"));
    j["projections"][0]["connector"]["connections"][1][3] = 63.0;
    const quantization q = quantize_network(load(j));
    EXPECT_EQ(q.report.projections[0].min_delay_steps, 2u);
    EXPECT_EQ(q.report.projections[0].max_delay_steps, 63u);
}

TEST(quantize_delays, constant_delay_error_is_listed) {
    // 1.4 ms at dt = 1 ms is 1 step: −28.6 %.
    const quantization q = quantize_network(load(driven_population(1.0, json::object(), 0.5, 1.4)));
    const parameter_entry* e = find_entry(q.report.parameters, "/projections/0/delay");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->requested, 1.4);
    EXPECT_EQ(e->realised, 1.0);
    EXPECT_DOUBLE_EQ(e->relative_error, (1.0 - 1.4) / 1.4);
    const quantization exact = quantize_network(load(driven_population(1.0, json::object(), 0.5, 3.0)));
    EXPECT_EQ(find_entry(exact.report.parameters, "/projections/0/delay"), nullptr);
}

// --- the whole network --------------------------------------------------------

TEST(quantize_network, every_example_quantizes) {
    int examples = 0;
    for (const auto& entry: std::filesystem::directory_iterator(std::filesystem::path(ENGRAM_SOURCE_DIR) / "examples")) {
        const auto file = entry.path() / "network.json";
        if (!std::filesystem::exists(file)) {
            continue;
        }
        SCOPED_TRACE(file.string());
        ++examples;
        const network net = load_network_file(file);
        quantization q;
        ASSERT_NO_THROW(q = quantize_network(net));
        EXPECT_EQ(q.projections.size(), net.projections.size());
        for (std::size_t j = 0; j < net.projections.size(); ++j) {
            const auto& r = q.report.projections[j];
            EXPECT_GE(r.weight_exp, -6);
            EXPECT_LE(r.weight_exp, 7);
            EXPECT_FALSE(q.projections[j].weights.saturates(r.largest_weight_nA));
        }
        for (std::size_t i = 0; i < net.populations.size(); ++i) {
            EXPECT_EQ(q.neurons[i].has_value(), !net.populations[i].is_source());
        }
        EXPECT_FALSE(summary(q.report).empty());
    }
    EXPECT_GE(examples, 4);
}

// Quantizes the fixture network and counts every synapse.
quantization quantize_all_synapses(const network& net) {
    quantization q = quantize_network(net);
    for (std::size_t j = 0; j < net.projections.size(); ++j) {
        const projection_quantizer& pq = q.projections[j];
        for (const synapse& s: synapse_generator(net, j).generate_all()) {
            q.accumulate(j, s.weight, pq.weights.mantissa(s.weight));
            q.accumulate_delay(j, s.delay, pq.delays.delay_steps(s.delay));
        }
    }
    return q;
}

TEST(quantize_network, accumulate_fills_the_report) {
    const network net = engram::test::load(engram::test::valid_network());
    const quantization q = quantize_all_synapses(net);
    for (std::size_t j = 0; j < net.projections.size(); ++j) {
        SCOPED_TRACE(net.projections[j].name);
        const auto& r = q.report.projections[j];
        const auto synapses = synapse_generator(net, j).generate_all();
        EXPECT_EQ(r.weights.count, synapses.size());
        EXPECT_EQ(r.delays.count, synapses.size());
        EXPECT_EQ(r.weights.saturated, 0u);
        EXPECT_LE(r.weights.max_relative_error, 0.5);
    }
    // Plastic projection stim_exc: weight 0.5, w_max 2.0 sets the exponent.
    const auto& stim_exc = q.report.projections[engram::test::net_index::stim_exc];
    EXPECT_EQ(stim_exc.largest_weight_nA, 2.0);
    // FromList inh_exc: its largest list weight (0.4) above the spec's 0.1.
    EXPECT_EQ(q.report.projections[engram::test::net_index::inh_exc].largest_weight_nA, 0.4);
    EXPECT_EQ(q.report.projections[engram::test::net_index::inh_exc].target, receptor::inhibitory);
}

TEST(quantize_network, report_json_is_deterministic) {
    const network net = engram::test::load(engram::test::valid_network());
    const quantization a = quantize_all_synapses(net);
    const quantization b = quantize_all_synapses(net);
    const json ja = to_json(a.report);
    EXPECT_EQ(ja.dump(), to_json(b.report).dump());
    EXPECT_EQ(summary(a.report), summary(b.report));
    EXPECT_EQ(ja["projections"].size(), net.projections.size());
    EXPECT_EQ(ja["populations"].size(), 2u);
    EXPECT_EQ(ja["populations"][0]["config"]["threshold_mant"], a.report.populations[0].config.threshold_mant);
    EXPECT_EQ(ja["projections"][0]["weights"]["count"], a.report.projections[0].weights.count);
    // Every listed parameter is above the threshold.
    for (const auto& e: a.report.parameters) {
        EXPECT_GT(std::fabs(e.relative_error), a.report.report_threshold) << e.path;
    }
}

} // namespace
