// Quantization of neurons (docs/numerics.md §11): decays, the voltage
// reference and scale, threshold, reset and bias, refractory periods and
// initial voltages. Weights, delays and the whole network are in
// test_quantize_weights.cpp. Expected values are computed here from the
// formulas of §11 (or from the quantizer's own realised()), never typed in.

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
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

constexpr double register_max = 8388607.0; // 2^23 − 1

std::uint32_t expected_decay(double dt, double tau) {
    const double d = rha(4096.0 * (1.0 - std::exp(-dt / tau)));
    return static_cast<std::uint32_t>(d < 0 ? 0 : d > 4095 ? 4095 : d);
}

// numerics.md §1.
std::int32_t decay(std::int32_t x, std::uint32_t d) {
    const std::uint64_t m = x < 0 ? static_cast<std::uint64_t>(-static_cast<std::int64_t>(x))
                                  : static_cast<std::uint64_t>(x);
    const std::uint64_t p = m * static_cast<std::uint64_t>(4096 - d);
    const auto r = static_cast<std::int32_t>(p >> 12);
    return x < 0 ? -r : r;
}

// The widest voltage span from v_ref (§11 (e)).
double widest_span(const if_curr_exp_params& p, double v_ref) {
    return std::max({std::fabs(p.v_thresh - v_ref), std::fabs(p.v_reset - v_ref), std::fabs(p.v_rest - v_ref)});
}

// --- decays -------------------------------------------------------------------

TEST(quantize_neuron, decay_fields_follow_the_formula) {
    const std::vector<std::pair<double, double>> cases = {
        {1.0, 20.0}, {1.0, 5.0}, {1.0, 10.0}, {0.1, 20.0}, {0.1, 200.0}, {0.25, 3.0},
        {1.0, 1.0},  {2.0, 0.7}, {0.1, 5.0},  {0.5, 33.7}, {1.0, 1000.0}, {0.01, 2.0}};
    for (const auto& [dt, tau]: cases) {
        EXPECT_EQ(decay_field(dt, tau), expected_decay(dt, tau)) << "dt " << dt << " tau " << tau;
        if_curr_exp_params p;
        p.tau_m = tau;
        p.tau_syn_e = tau * 0.5;
        p.tau_syn_i = tau * 0.25;
        const quantized_neuron q = quantize_if_curr_exp(p, dt, {});
        EXPECT_EQ(q.config.decay_v, expected_decay(dt, tau));
        EXPECT_EQ(q.config.decay_u_exc, expected_decay(dt, tau * 0.5));
        EXPECT_EQ(q.config.decay_u_inh, expected_decay(dt, tau * 0.25));
    }
}

TEST(quantize_neuron, decays_reproduce_the_worked_examples) {
    // numerics.md §10 and §11.
    EXPECT_EQ(decay_field(1.0, 20.0), 200u);
    EXPECT_EQ(decay_field(1.0, 5.0), 742u);
    EXPECT_EQ(decay_field(1.0, 10.0), 390u);
    EXPECT_EQ(decay_field(0.1, 20.0), 20u);
    EXPECT_EQ(decay_field(0.1, 200.0), 2u);
}

TEST(quantize_neuron, tiny_tau_clamps_at_4095_and_is_not_listed) {
    EXPECT_GE(rha(4096.0 * (1.0 - std::exp(-1.0 / 0.05))), 4096.0); // the formula asks for more than 4095
    EXPECT_EQ(decay_field(1.0, 0.05), 4095u);
    EXPECT_EQ(decay_field(1.0, 0.0), 4095u);
    if_curr_exp_params p;
    p.tau_syn_e = 0.05;
    const quantized_neuron q = quantize_if_curr_exp(p, 1.0, {}, {}, {"net.json", "n", "/populations/0"});
    EXPECT_EQ(q.config.decay_u_exc, 4095u);
    EXPECT_EQ(find_entry(q.parameters, "/populations/0/params/tau_syn_E"), nullptr);
    EXPECT_NE(find_entry(q.parameters, "/populations/0/params/tau_syn_I"), nullptr);
}

TEST(quantize_neuron, huge_tau_becomes_a_perfect_integrator_and_is_listed) {
    const double tau = 1e5;
    EXPECT_LT(4096.0 * (1.0 - std::exp(-0.1 / tau)), 0.5);
    EXPECT_EQ(decay_field(0.1, tau), 0u);
    EXPECT_TRUE(std::isinf(effective_tau(0.1, 0)));
    json params = {{"tau_m", tau}};
    const quantization q = quantize_network(load(driven_population(0.1, params)));
    EXPECT_EQ(q.neurons[1]->config.decay_v, 0u);
    const parameter_entry* e = find_entry(q.report.parameters, "/populations/1/params/tau_m");
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(std::isinf(e->realised));
    EXPECT_TRUE(std::isinf(e->relative_error));
    EXPECT_FALSE(e->note.empty());
    // JSON writes null for the infinite values.
    const json j = to_json(q.report);
    bool found = false;
    for (const auto& entry: j["parameters"]) {
        if (entry["path"] == "/populations/1/params/tau_m") {
            found = true;
            EXPECT_TRUE(entry["realised"].is_null());
            EXPECT_EQ(entry["requested"], tau);
        }
    }
    EXPECT_TRUE(found);
}

TEST(quantize_neuron, report_lists_the_effective_tau_above_the_threshold) {
    // dt = 0.1 ms: tau_m = 200 ms gives d = 2 (+2.4 %), tau_syn_E = 5 gives
    // d = 81 (+0.1 %), tau_syn_I = 20 gives d = 20 (+2.1 %).
    if_curr_exp_params p;
    p.tau_m = 200.0;
    p.tau_syn_e = 5.0;
    p.tau_syn_i = 20.0;
    const origin where{"net.json", "pop", "/populations/3"};
    const quantized_neuron q = quantize_if_curr_exp(p, 0.1, {}, {}, where);
    for (const auto& [name, tau, decay_value]: {std::tuple{"tau_m", p.tau_m, q.config.decay_v},
                                                std::tuple{"tau_syn_E", p.tau_syn_e, q.config.decay_u_exc},
                                                std::tuple{"tau_syn_I", p.tau_syn_i, q.config.decay_u_inh}}) {
        const parameter_entry* e = find_entry(q.parameters, std::string("/populations/3/params/") + name);
        ASSERT_NE(e, nullptr) << name;
        const double effective = -0.1 / std::log(1.0 - decay_value / 4096.0);
        EXPECT_EQ(e->owner, "pop");
        EXPECT_EQ(e->parameter, name);
        EXPECT_EQ(e->requested, tau);
        EXPECT_NEAR(e->realised, effective, 1e-12 * effective);
        EXPECT_NEAR(e->relative_error, (effective - tau) / tau, 1e-12);
    }

    // In the network's report only those above the threshold.
    json params = {{"tau_m", 200.0}, {"tau_syn_E", 5.0}, {"tau_syn_I", 20.0}};
    const network net = load(driven_population(0.1, params));
    const quantization coarse = quantize_network(net);
    EXPECT_NE(find_entry(coarse.report.parameters, "/populations/1/params/tau_m"), nullptr);
    EXPECT_NE(find_entry(coarse.report.parameters, "/populations/1/params/tau_syn_I"), nullptr);
    EXPECT_EQ(find_entry(coarse.report.parameters, "/populations/1/params/tau_syn_E"), nullptr);
    const quantization fine = quantize_network(net, {.report_threshold = 1e-4});
    EXPECT_NE(find_entry(fine.report.parameters, "/populations/1/params/tau_syn_E"), nullptr);
}

// --- voltage scale, threshold, reset, bias ------------------------------------

TEST(quantize_neuron, pynn_default_neuron) {
    for (const double dt: {0.1, 1.0}) {
        SCOPED_TRACE(dt);
        const if_curr_exp_params p; // PyNN's defaults
        const quantized_neuron q = quantize_if_curr_exp(p, dt, {});
        EXPECT_EQ(q.v_ref_mV, std::min(p.v_rest, p.v_reset));
        const double sigma = q.sigma();
        EXPECT_EQ(sigma, std::ldexp(1.0, q.sigma_log2));
        // Headroom (e), and the largest such power of two: nothing else binds.
        const double span = widest_span(p, q.v_ref_mV);
        EXPECT_LE(4.0 * span * sigma, register_max);
        EXPECT_GT(4.0 * span * 2.0 * sigma, register_max);
        EXPECT_EQ(q.sigma_log2, 17); // the example of §11
        EXPECT_EQ(q.config.threshold_mant, 30720u);

        const double threshold_step = 64.0 / sigma; // mV per threshold_mant
        const double threshold = q.v_ref_mV + q.config.threshold_mant * threshold_step;
        const double reset = q.v_ref_mV + q.config.reset_mant * threshold_step;
        EXPECT_LE(std::fabs(threshold - p.v_thresh), threshold_step / 2);
        EXPECT_LE(std::fabs(reset - p.v_reset), threshold_step / 2);
        EXPECT_EQ(q.config.bias_mant, 0); // i_offset 0, v_rest = v_reset
        EXPECT_EQ(q.config.refractory_period, static_cast<std::uint32_t>(rha(p.tau_refrac / dt)));
        EXPECT_EQ(q.voltage_register(q.v_ref_mV), 0);
        EXPECT_EQ(q.voltage_register(p.v_thresh), static_cast<std::int32_t>(rha((p.v_thresh - q.v_ref_mV) * sigma)));
        EXPECT_NEAR(q.voltage_mV(q.voltage_register(-57.3)), -57.3, 0.5 / sigma);
    }
}

TEST(quantize_neuron, awkward_voltages_and_offset_within_half_a_step) {
    // Reset below rest, reset above rest, rest above threshold.
    const std::vector<std::array<double, 3>> voltages = {
        {-63.7, -71.3, -48.9}, {-70.0, -60.2, -50.1}, {-41.3, -60.0, -50.7}};
    for (const auto& [v_rest, v_reset, v_thresh]: voltages) {
        if_curr_exp_params p;
        p.v_rest = v_rest;
        p.v_reset = v_reset;
        p.v_thresh = v_thresh;
        p.i_offset = 0.37;
        p.cm = 0.29;
        for (const double dt: {0.1, 0.25, 1.0}) {
            SCOPED_TRACE(testing::Message() << "v_rest " << v_rest << " dt " << dt);
            const quantized_neuron q = quantize_if_curr_exp(p, dt, {});
            const double sigma = q.sigma();
            EXPECT_EQ(q.v_ref_mV, std::min(v_rest, v_reset));
            // The largest power of two with headroom (nothing else binds here).
            EXPECT_LE(4.0 * widest_span(p, q.v_ref_mV) * sigma, register_max);
            EXPECT_GT(4.0 * widest_span(p, q.v_ref_mV) * 2.0 * sigma, register_max);
            const double threshold_step = 64.0 / sigma;
            EXPECT_LE(std::fabs(q.v_ref_mV + q.config.threshold_mant * threshold_step - p.v_thresh),
                      threshold_step / 2);
            EXPECT_LE(std::fabs(q.v_ref_mV + q.config.reset_mant * threshold_step - p.v_reset), threshold_step / 2);
            EXPECT_LT(q.config.reset_mant, static_cast<std::int32_t>(q.config.threshold_mant));
            // Bias: i_offset·dt/c_m·σ + (v_rest − v_ref)·σ·d_v/4096, within half
            // a step of its exponent, with the smallest exponent that fits.
            const double b =
                p.i_offset * dt / p.cm * sigma + (p.v_rest - q.v_ref_mV) * sigma * q.config.decay_v / 4096.0;
            const double realised = std::ldexp(double(q.config.bias_mant), int(q.config.bias_exp));
            EXPECT_LE(std::fabs(realised - b), std::ldexp(0.5, int(q.config.bias_exp)));
            EXPECT_LE(std::abs(q.config.bias_mant), 4095);
            if (q.config.bias_exp > 0) {
                EXPECT_GT(std::fabs(rha(std::ldexp(b, -int(q.config.bias_exp) + 1))), 4095.0);
            }
            const parameter_entry* e = find_entry(q.parameters, "/params");
            ASSERT_NE(e, nullptr);
            EXPECT_EQ(e->parameter, "bias");
            EXPECT_NEAR(e->requested, b / sigma, 1e-12 * std::fabs(b / sigma));
            EXPECT_NEAR(e->realised, realised / sigma, 1e-12 * std::fabs(b / sigma));
        }
    }
}

TEST(quantize_neuron, vogels_abbott_rests_at_v_rest) {
    const network net = load_example("vogels_abbott_cuba");
    const quantization q = quantize_network(net);
    for (std::size_t i = 0; i < net.populations.size(); ++i) {
        SCOPED_TRACE(net.populations[i].name);
        const auto& p = std::get<if_curr_exp_params>(net.populations[i].params);
        ASSERT_GT(p.v_rest, p.v_thresh); // the point of this example
        const quantized_neuron& n = q.neurons[i].value();
        EXPECT_EQ(n.v_ref_mV, p.v_reset);
        const double sigma = n.sigma();
        EXPECT_LE(4.0 * widest_span(p, n.v_ref_mV) * sigma, register_max);
        EXPECT_NE(n.config.bias_mant, 0);

        // The register update without input: v = decay(v, d_v) + bias, from v_ref.
        const std::int32_t bias = n.config.bias_mant * (1 << n.config.bias_exp);
        const std::uint32_t d = n.config.decay_v;
        ASSERT_GT(d, 0u);
        std::int32_t v = 0;
        for (int s = 0; s < 2000; ++s) {
            v = decay(v, d) + bias;
        }
        // Within 2,000 steps (10 tau_m) it is close; then it stops exactly.
        std::int32_t settled = v;
        for (int s = 0; s < 20000; ++s) {
            settled = decay(settled, d) + bias;
        }
        EXPECT_EQ(decay(settled, d) + bias, settled) << "not stationary";
        // decay() rounds toward zero, so the fixed point x* satisfies
        // ceil(x*·d/4096) = bias: x* in ((bias − 1)·4096/d, bias·4096/d].
        const double width = 4096.0 / d;
        EXPECT_GT(settled, (bias - 1) * width);
        EXPECT_LE(settled, bias * width);
        // ... which is v_rest up to that width and the bias's own rounding.
        const double target = (p.v_rest - n.v_ref_mV) * sigma;
        const double bias_requested = target * d / 4096.0; // i_offset = 0
        const double tolerance = (std::fabs(bias - bias_requested) + 1.0) * width;
        EXPECT_LE(std::fabs(settled - target), tolerance);
        EXPECT_LE(std::fabs(v - target), tolerance + target * std::pow(1.0 - d / 4096.0, 2000));
        EXPECT_LT(std::fabs(n.voltage_mV(settled) - p.v_rest), 0.01); // mV
    }
}

TEST(quantize_neuron, large_incoming_weights_lower_sigma) {
    if_curr_exp_params p;
    p.cm = 0.25;
    const double dt = 0.5;
    const quantized_neuron free = quantize_if_curr_exp(p, dt, {});
    for (const double w: {3.0, 40.0, 700.0, 9000.0}) {
        SCOPED_TRACE(w);
        incoming_weights in;
        in.inhibitory = w;
        in.excitatory = w / 3;
        const quantized_neuron q = quantize_if_curr_exp(p, dt, in);
        // (d): the largest increment fits 127 << 13 at σ, not at 2σ (unless
        // the headroom binds first).
        auto fits = [&](int k) { return rha(w * dt / p.cm * std::ldexp(1.0, k) / 8192.0) <= 127.0; };
        EXPECT_TRUE(fits(q.sigma_log2));
        if (q.sigma_log2 < free.sigma_log2) {
            EXPECT_FALSE(fits(q.sigma_log2 + 1));
        }
        EXPECT_LE(q.sigma_log2, free.sigma_log2);
        const weight_quantizer wq(q.weights(), w, receptor::inhibitory);
        EXPECT_FALSE(wq.saturates(w));
        EXPECT_GE(wq.mantissa(w), -127);
    }
    incoming_weights big;
    big.excitatory = 700.0;
    EXPECT_LT(quantize_if_curr_exp(p, dt, big).sigma_log2, free.sigma_log2);
}

TEST(quantize_neuron, plastic_w_max_and_list_weights_count_for_sigma) {
    json j = driven_population(1.0, json::object(), 0.5);
    const int free_sigma = quantize_network(load(j)).neurons[1]->sigma_log2;
    // A rule whose w_max is far above the initial weights.
    j["plasticity"] = {{{"name", "stdp"}, {"rule", "pair_stdp"}, {"params", {{"w_max", 2000.0}}}}};
    j["projections"][0]["plasticity"] = "stdp";
    const quantization plastic = quantize_network(load(j));
    EXPECT_LT(plastic.neurons[1]->sigma_log2, free_sigma);
    EXPECT_EQ(plastic.report.projections[0].largest_weight_nA, 2000.0);
    EXPECT_FALSE(plastic.projections[0].weights.saturates(2000.0));

    // A FromList connection's own weight.
    json k = driven_population(1.0, json::object(), 0.5);
    k["projections"][0]["connector"] = {{"type", "FromList"}, {"connections", {{0, 0}, {1, 1, 1500.0}}}};
    const quantization listed = quantize_network(load(k));
    EXPECT_LT(listed.neurons[1]->sigma_log2, free_sigma);
    EXPECT_EQ(listed.report.projections[0].largest_weight_nA, 1500.0);
    // A FromList connection without its own weight takes the spec's ...
    k["projections"][0]["weight"] = 1200.0;
    k["projections"][0]["connector"]["connections"] = {{0, 0}, {1, 1, 0.5}};
    EXPECT_EQ(quantize_network(load(k)).report.projections[0].largest_weight_nA, 1200.0);
    // ... or its element of a weight list.
    k["projections"][0]["weight"] = {0.2, 900.0};
    k["projections"][0]["connector"]["connections"] = {{0, 0}, {1, 1}};
    EXPECT_EQ(quantize_network(load(k)).report.projections[0].largest_weight_nA, 900.0);
}

TEST(quantize_neuron, no_sigma_fits_names_the_population) {
    // Weights so large that no σ holds them with the threshold at least one
    // step above v_ref.
    json j = driven_population(1.0, {{"cm", 0.001}}, 1e6);
    expect_throw([&] { (void)quantize_network(load(j)); },
                 expect<voltage_scale_error>("/populations/1", [](const voltage_scale_error& e) {
                     EXPECT_EQ(e.population, "dst");
                     EXPECT_EQ(e.constraint, "excitatory weights");
                     EXPECT_GT(e.sigma_needed, e.sigma_allowed);
                     EXPECT_NE(e.detail().find("/projections/0"), std::string::npos) << e.what();
                 }));
    // The threshold 1 µV above v_ref while v_rest is 160 mV above it: the
    // headroom allows no σ that resolves the threshold.
    json h = driven_population(1.0, {{"v_reset", -60.0}, {"v_thresh", -59.999}, {"v_rest", 100.0}});
    expect_throw([&] { (void)quantize_network(load(h)); },
                 expect<voltage_scale_error>("/populations/1", [](const voltage_scale_error& e) {
                     EXPECT_EQ(e.constraint, "headroom");
                     EXPECT_GT(e.sigma_needed, e.sigma_allowed);
                 }));
    // v_thresh 0.1 µV above v_reset: one threshold step at every σ.
    json r = driven_population(1.0, {{"v_reset", -60.0}, {"v_thresh", -59.9999}, {"v_rest", -65.0}});
    expect_throw([&] { (void)quantize_network(load(r)); },
                 expect<voltage_scale_error>("/populations/1", [](const voltage_scale_error& e) {
                     EXPECT_EQ(e.constraint, "reset");
                     EXPECT_GT(e.sigma_needed, e.sigma_allowed);
                 }));
    // An offset current too large for the bias.
    if_curr_exp_params p;
    p.v_thresh = -64.99;
    p.i_offset = 5e5;
    p.cm = 1e-3;
    expect_throw([&] { (void)quantize_if_curr_exp(p, 1.0, {}, {}, {"net.json", "b", "/populations/7"}); },
                 expect<voltage_scale_error>("/populations/7",
                                             [](const voltage_scale_error& e) { EXPECT_EQ(e.constraint, "bias"); }));
}

TEST(quantize_neuron, refractory_above_255_steps_is_rejected) {
    const network ok = load(driven_population(0.1, {{"tau_refrac", 25.5}}));
    EXPECT_EQ(quantize_network(ok).neurons[1]->config.refractory_period, 255u);
    const network bad = load(driven_population(0.1, {{"tau_refrac", 25.6}}));
    expect_throw([&] { (void)quantize_network(bad); },
                 expect<chip_limit_error>("/populations/1/params/tau_refrac", [](const chip_limit_error& e) {
                     EXPECT_EQ(e.resource, "refractory period");
                     EXPECT_EQ(e.needed, 256.0);
                     EXPECT_EQ(e.available, 255.0);
                 }));
}

TEST(quantize_neuron, refractory_rounding_is_listed) {
    // PyNN's default 0.1 ms at dt = 1 ms is 0 steps.
    const quantization q = quantize_network(load(driven_population(1.0, json::object())));
    EXPECT_EQ(q.neurons[1]->config.refractory_period, 0u);
    const parameter_entry* e = find_entry(q.report.parameters, "/populations/1/params/tau_refrac");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->requested, 0.1);
    EXPECT_EQ(e->realised, 0.0);
    EXPECT_EQ(e->relative_error, -1.0);
    // 2.0 ms is exact.
    const quantization exact = quantize_network(load(driven_population(1.0, {{"tau_refrac", 2.0}})));
    EXPECT_EQ(exact.neurons[1]->config.refractory_period, 2u);
    EXPECT_EQ(find_entry(exact.report.parameters, "/populations/1/params/tau_refrac"), nullptr);
}

TEST(quantize_neuron, initial_voltages_beyond_the_register_are_listed) {
    json j = driven_population(1.0, json::object());
    j["populations"][1]["initial"] = {{"v", {-65.0, 500.0}}};
    const quantization q = quantize_network(load(j));
    const quantized_neuron& n = *q.neurons[1];
    EXPECT_TRUE(n.voltage_saturates(500.0));
    EXPECT_FALSE(n.voltage_saturates(-65.0));
    EXPECT_EQ(n.voltage_register(500.0), 8388607);
    EXPECT_EQ(n.voltage_register(-2000.0), -8388608);
    const parameter_entry* e = find_entry(q.report.parameters, "/populations/1/initial/v");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->requested, 500.0);
    EXPECT_EQ(e->realised, n.voltage_mV(8388607));
    EXPECT_FALSE(e->note.empty());
    // Within range: nothing listed.
    j["populations"][1]["initial"] = {{"v", {-65.0, -52.0}}};
    EXPECT_EQ(find_entry(quantize_network(load(j)).report.parameters, "/populations/1/initial/v"), nullptr);
}

} // namespace
