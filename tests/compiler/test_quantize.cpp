// Quantization (docs/numerics.md §11): decays, the voltage reference and
// scale, threshold, reset and bias, weight exponents and mantissas, delays,
// refractory periods, and the report. Expected values are computed here from
// the formulas of §11 (or from the quantizer's own realised()), never typed in.

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

namespace {

using namespace engram;
using namespace engram::compiler;
using engram::test::expect;
using engram::test::expect_throw;
using nlohmann::json;

constexpr double register_max = 8388607.0; // 2^23 − 1

// Independent of the library: sign(x)·⌊|x| + 0.5⌋.
double rha(double x) {
    const double r = std::floor(std::fabs(x) + 0.5);
    return x < 0 ? -r : r;
}

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

const parameter_entry* find_entry(const std::vector<parameter_entry>& entries, const std::string& path) {
    for (const auto& e: entries) {
        if (e.path == path) {
            return &e;
        }
    }
    return nullptr;
}

// A spike source driving one IF_curr_exp population ("dst", index 1).
json driven_population(double dt, json params, json weight = 0.5, json delay = nullptr) {
    json j = {{"format", "engram-network/1"},
              {"name", "quantize"},
              {"dt", dt},
              {"populations",
               {{{"name", "src"}, {"size", 2}, {"model", "SpikeSourceArray"}, {"params", {{"spike_times", {1.0}}}}},
                {{"name", "dst"}, {"size", 2}, {"model", "IF_curr_exp"}, {"params", params}}}},
              {"projections",
               {{{"name", "src_dst"}, {"pre", "src"}, {"post", "dst"}, {"connector", {{"type", "AllToAll"}}},
                 {"weight", weight}}}}};
    j["projections"][0]["delay"] = delay.is_null() ? json(dt) : delay;
    return j;
}

network load(const json& j) {
    return load_network_text(j.dump(), "net.json");
}

network load_example(const std::string& name) {
    return load_network_file(std::filesystem::path(ENGRAM_SOURCE_DIR) / "examples" / name / "network.json");
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
