// The lowering of plasticity rules to microcode (compiler/lower_rules.hpp,
// docs/learning.md): the worked example of numerics §10, the STDP window
// measured on the emulator, three-factor wiring and reward, and the errors
// that name the rule and its JSON path.

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/lower_rules.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/simulation.hpp>
#include <engram/isa/chip_image.hpp>

namespace {

using namespace engram::compiler;
namespace isa = engram::isa;
namespace emulator = engram::emulator;
using nlohmann::json;
using op = isa::learn_operand;

network load(const json& j) {
    return load_network_text(j.dump(), "net.json");
}

isa::learning_term term(bool negate, int scale, op a, op b, std::int32_t c, bool last) {
    isa::learning_term t;
    t.target = isa::learn_target::weight;
    t.negate = negate ? 1 : 0;
    t.scale = scale;
    t.op0 = a;
    t.op1 = b;
    t.op2 = op::c;
    t.const2 = c;
    t.last = last ? 1 : 0;
    return t;
}

// A source "pre" onto an IF_curr_exp "post" under one rule.
json one_synapse_network(const json& rule) {
    return {{"format", "engram-network/1"},
            {"name", "one"},
            {"dt", 1.0},
            {"populations",
             {{{"name", "pre"}, {"size", 1}, {"model", "SpikeSourceArray"}, {"params", {{"spike_times", json::array({1.0})}}}},
              {{"name", "post"}, {"size", 1}, {"model", "IF_curr_exp"}}}},
            {"plasticity", {rule}},
            {"projections",
             {{{"name", "p"},
               {"pre", "pre"},
               {"post", "post"},
               {"connector", {{"type", "OneToOne"}}},
               {"weight", 0.5},
               {"plasticity", rule["name"]}}}}};
}

// Spikes per (core, neuron): the steps they happened in.
struct spike_log: emulator::step_observer {
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint64_t>> spikes;
    void on_step(const emulator::step_view& v) override {
        for (std::uint32_t c = 0; c < v.cores.size(); ++c) {
            for (std::uint32_t n: v.cores[c].spiked) {
                spikes[{c, n}].push_back(v.step);
            }
        }
    }
};

// The extended weight (weight << 8 | weight_frac) of each plastic synapse,
// by its post neuron's index in population `post`.
std::map<std::uint32_t, std::int32_t> extended_weights(const emulator::simulation& sim, std::uint32_t post) {
    std::map<std::uint32_t, std::int32_t> out;
    const isa::chip_image& image = sim.image();
    for (std::uint32_t c = 0; c < sim.core_count(); ++c) {
        const auto& core = sim.core_at(c);
        for (std::uint32_t i = 0; i < core.plastic_count(); ++i) {
            const auto word = isa::unpack_synapse_word({image.cores[c].synapse_memory[core.plastic_address(i)]});
            const isa::image_slice* s = isa::slice_at(image, c, word.target);
            if (s == nullptr || s->population != post) {
                continue;
            }
            const auto p = core.plastic(i);
            out[s->first + (word.target - s->core_neuron)] = p.weight * 256 + static_cast<std::int32_t>(p.weight_frac);
        }
    }
    return out;
}

} // namespace

// (1) numerics §10: x1 and y1 with τ = 10 ms at dt = 1 ms (decay 390,
// impulse 4096), A+ = 128 and A− = 144 extended-weight LSB per unit trace:
// dw += y0·x1·c(64)·2^−11, dw −= x0·y1·c(72)·2^−11.
TEST(lower_rules, numerics_worked_example_terms) {
    json rule = {{"name", "stdp"},
                 {"rule", "pair_stdp"},
                 {"params", {{"tau_plus", 10.0}, {"tau_minus", 10.0}, {"w_min", 0.0}, {"w_max", 1.0}}}};
    network net = load(one_synapse_network(rule));
    const quantization q = quantize_network(net);
    const rule_use use{0, 1, receptor::excitatory};
    const rule_scale scale = scale_of(net, q, use);
    // One extended-weight LSB is lsb/256 nA.
    auto& p = std::get<pair_stdp_params>(net.rules[0].params);
    p.a_plus = 128.0 * scale.weight_lsb_nA / 256.0;
    p.a_minus = 144.0 * scale.weight_lsb_nA / 256.0;
    const lowered_rule l = lower_rule(net, 0, scale);
    ASSERT_EQ(l.terms.size(), 2u);
    EXPECT_EQ(l.terms[0], term(false, -11, op::y0, op::x1, 64, false));
    EXPECT_EQ(l.terms[1], term(true, -11, op::x0, op::y1, 72, true));
    EXPECT_EQ(l.rule.num_terms, 2u);
    EXPECT_EQ(l.rule.epoch, 1u);
    EXPECT_EQ(l.rule.w_min, 0);
    EXPECT_EQ(l.rule.w_max, scale.w_max_mantissa);
    ASSERT_TRUE(l.traces.pre[0].has_value());
    ASSERT_TRUE(l.traces.post[0].has_value());
    EXPECT_EQ(*l.traces.pre[0], (isa::trace_config{390, 4096}));
    EXPECT_EQ(*l.traces.post[0], (isa::trace_config{390, 4096}));
    EXPECT_FALSE(l.traces.pre[1].has_value());
    EXPECT_FALSE(l.traces.post[1].has_value());
    // Both amplitudes are exact.
    for (const auto& e: l.parameters) {
        if (e.parameter == "a_plus" || e.parameter == "a_minus") {
            EXPECT_NEAR(e.relative_error, 0.0, 1e-12) << e.parameter;
        }
    }
    EXPECT_EQ(rule_term_count(net.rules[0]), 2u);
}

TEST(lower_rules, term_counts_match_the_lowering) {
    const json rules[] = {
        {{"name", "r"}, {"rule", "pair_stdp"}, {"params", {{"weight_dependence", "multiplicative"}}}},
        {{"name", "r"},
         {"rule", "pair_stdp"},
         {"params", {{"weight_dependence", "multiplicative"}, {"w_min", 0.1}, {"w_max", 1.0}}}},
        {{"name", "r"}, {"rule", "triplet_stdp"}},
        {{"name", "r"}, {"rule", "gdhl"}, {"params", {{"eta_sp", 0.01}, {"sigma_nn", -0.02}, {"eta_ps", 0.0}}}},
        {{"name", "r"}, {"rule", "sum_of_products"}, {"params", {{"dw", "2^-4*x1*y0 - 3*2^-6*y1*x0"}}}},
    };
    const std::uint32_t counts[] = {3, 4, 4, 2, 2};
    for (std::size_t i = 0; i < std::size(rules); ++i) {
        SCOPED_TRACE(rules[i].dump());
        const network net = load(one_synapse_network(rules[i]));
        const quantization q = quantize_network(net);
        const lowered_rule l = lower_rule(net, 0, scale_of(net, q, {0, 1, receptor::excitatory}));
        EXPECT_EQ(l.terms.size(), counts[i]);
        EXPECT_EQ(rule_term_count(net.rules[0]), counts[i]);
        EXPECT_EQ(l.terms.back().last, 1u);
        // It compiles, and the image validates (compile_network checks).
        EXPECT_NO_THROW((void)compile_network(net, load_chip_preset("loihi-like")));
    }
}

// Multiplicative: the w factor fills the third slot, so the rates are
// powers of two, and the bound terms hold w_max exactly.
TEST(lower_rules, multiplicative_pair_stdp_bounds_softly) {
    json rule = {{"name", "r"},
                 {"rule", "pair_stdp"},
                 {"params", {{"weight_dependence", "multiplicative"}, {"a_plus", 0.01}, {"a_minus", 0.01}}}};
    const network net = load(one_synapse_network(rule));
    const quantization q = quantize_network(net);
    const rule_scale s = scale_of(net, q, {0, 1, receptor::excitatory});
    const lowered_rule l = lower_rule(net, 0, s);
    ASSERT_EQ(l.terms.size(), 3u);
    // dw -= 2^g·y0·x1·w ; dw += 2^g·256·w_max·y0·x1 ; dw -= 2^h·x0·y1·w
    EXPECT_EQ(l.terms[0].op2, op::w);
    EXPECT_EQ(l.terms[0].negate, 1u);
    EXPECT_EQ(l.terms[1].op2, op::c);
    EXPECT_EQ(l.terms[1].negate, 0u);
    const double kp = std::ldexp(1.0, l.terms[0].scale);
    const double bound = std::ldexp(static_cast<double>(l.terms[1].const2), l.terms[1].scale);
    EXPECT_DOUBLE_EQ(bound, kp * 256.0 * s.w_max_mantissa);
    EXPECT_EQ(l.terms[2].op2, op::w);
    EXPECT_EQ(l.terms[2].negate, 1u);
}

// Inhibitory synapses: the magnitude follows the rule, so the signs flip and
// the bounds are negative mantissas.
TEST(lower_rules, inhibitory_weights_learn_their_magnitude) {
    json j = one_synapse_network({{"name", "r"}, {"rule", "pair_stdp"}});
    j["projections"][0]["receptor"] = "inhibitory";
    const network net = load(j);
    const quantization q = quantize_network(net);
    const rule_scale s = scale_of(net, q, {0, 1, receptor::inhibitory});
    const lowered_rule l = lower_rule(net, 0, s);
    EXPECT_EQ(l.terms[0].negate, 1u); // potentiation makes the weight more negative
    EXPECT_EQ(l.terms[1].negate, 0u);
    EXPECT_EQ(l.rule.w_max, 0);
    EXPECT_EQ(l.rule.w_min, -s.w_max_mantissa);
    EXPECT_NO_THROW((void)compile_network(net, load_chip_preset("loihi-like")));
}

// A sum of products on an inhibitory projection acts on |w|, as every rule
// does (network-format.md): dw terms without w are negated, terms with w and
// tag terms are kept. It used to take the terms as written for the signed
// W while its bounds were magnitudes, so "2^8*y0" pushed the (negative)
// weight up into the clamp at 0 instead of growing its magnitude.
TEST(lower_rules, sum_of_products_on_an_inhibitory_projection_acts_on_the_magnitude) {
    json j = one_synapse_network({{"name", "sop"},
                                  {"rule", "sum_of_products"},
                                  {"params", {{"dw", "2^8*y0 - 2^-12*w"}, {"dt", "2^2*x0"}, {"w_max", 1.0}}}});
    j["projections"][0]["receptor"] = "inhibitory";
    const network net = load(j);
    const quantization q = quantize_network(net);
    const lowered_rule l = lower_rule(net, 0, scale_of(net, q, {0, 1, receptor::inhibitory}));
    ASSERT_EQ(l.terms.size(), 3u);
    EXPECT_EQ(l.terms[0].negate, 1u); // 2^8*y0: the magnitude grows, the weight falls
    EXPECT_EQ(l.terms[1].negate, 1u); // -2^-12*w: as written, the weight's sign does the rest
    EXPECT_EQ(l.terms[2].target, isa::learn_target::tag);
    EXPECT_EQ(l.terms[2].negate, 0u);

    // On the emulator: the post neuron fires (its drive is an excitatory
    // source firing every step), so the inhibitory weight's magnitude grows.
    j["populations"][0] = {{"name", "pre"}, {"size", 1}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 1000.0}}}};
    j["populations"].push_back({{"name", "drive"}, {"size", 1}, {"model", "SpikeSourcePoisson"}, {"params", {{"rate", 1000.0}}}});
    j["projections"][0]["weight"] = 0.0;
    j["projections"].push_back({{"pre", "drive"}, {"post", "post"}, {"connector", {{"type", "AllToAll"}}}, {"weight", 5.0}});
    const network driven = load(j);
    const isa::chip_image image = compile_network(driven, load_chip_preset("loihi-like")).image;
    emulator::simulation sim(image, {});
    spike_log log;
    sim.run(200, &log);
    const auto w = extended_weights(sim, 1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_LT(w.at(0), -256); // at least one mantissa step of inhibition learned
}

// Triplet: four terms; the triplet terms' rates are powers of two and the
// pair terms take back one trace unit of the fresh impulse (A2 − A3).
TEST(lower_rules, triplet_pair_terms_correct_for_the_fresh_impulse) {
    json rule = {{"name", "r"},
                 {"rule", "triplet_stdp"},
                 {"params", {{"a2_plus", 0.01}, {"a3_plus", 0.004}, {"a2_minus", 0.01}, {"a3_minus", 0.0}}}};
    const network net = load(one_synapse_network(rule));
    const quantization q = quantize_network(net);
    const rule_scale s = scale_of(net, q, {0, 1, receptor::excitatory});
    const lowered_rule l = lower_rule(net, 0, s);
    ASSERT_EQ(l.terms.size(), 4u);
    EXPECT_EQ(l.terms[1].op2, op::y2);
    const double per_trace = 256.0 / s.weight_lsb_nA / 4096.0;
    const double a3 = std::ldexp(1.0, l.terms[1].scale) / (per_trace / 4096.0);
    const double pair = std::ldexp(static_cast<double>(l.terms[0].const2), l.terms[0].scale) / per_trace;
    EXPECT_NEAR(pair + a3, 0.01, 0.01 / 64.0); // realised A2+ within the const's 1/128
    EXPECT_EQ(l.terms[3].op0, op::c);          // A3− = 0: the constant 0
    EXPECT_EQ(l.terms[3].const0, 0);
    ASSERT_TRUE(l.traces.post[1].has_value());
    ASSERT_TRUE(l.traces.pre[1].has_value());
}

// (2) The STDP window (issue 5), on the network of examples/stdp_window
// (its plot script measures the same run through `engram run
// --record-weights`): for each Δt in −50..50 steps one pre source spikes at
// 99 − Δt (its axon sees it at 100 − Δt) onto its own post neuron, which a
// strong synapse from a second source makes spike at step 100. After the
// run, Δw(Δt) is A+·exp(−Δt/τ+) for Δt > 0 and −A−·exp(Δt/τ−) for Δt < 0,
// within the bound stated below.
TEST(lower_rules, stdp_window_matches_exponentials_on_the_emulator) {
    const network net = load_network_file(std::string(ENGRAM_SOURCE_DIR) + "/examples/stdp_window/network.json");
    ASSERT_EQ(net.rules.size(), 1u);
    const auto& rule = std::get<pair_stdp_params>(net.rules[0].params);
    ASSERT_EQ(rule.tau_plus, rule.tau_minus);
    const double tau = rule.tau_plus;
    const double a_plus = rule.a_plus;
    const double a_minus = rule.a_minus;
    constexpr int span = 50;
    constexpr int n = 2 * span + 1;
    ASSERT_EQ(net.populations[2].size, static_cast<std::uint32_t>(n));
    const auto& pre_times = std::get<spike_source_array_params>(net.populations[0].params).times;
    const auto& drive_times = std::get<spike_source_array_params>(net.populations[1].params).times;
    for (int k = 0; k < n; ++k) {
        ASSERT_EQ(pre_times[k], std::vector<double>({99.0 - (k - span)})) << k;
        ASSERT_EQ(drive_times[k], std::vector<double>({99.0})) << k;
    }
    const compile_result compiled = compile_network(net, load_chip_preset("loihi-like"));
    const isa::chip_image& image = compiled.image;
    const double lsb_nA = compiled.report.quantization.projections[0].weight_lsb_nA;
    const double per_nA = 256.0 / lsb_nA; // extended-weight LSB per nA

    emulator::simulation sim(image, {});
    const auto before = extended_weights(sim, 2);
    spike_log log;
    sim.run(200, &log);
    const auto after = extended_weights(sim, 2);
    ASSERT_EQ(after.size(), static_cast<std::size_t>(n));

    // Every post neuron spiked once, at step 100.
    for (int k = 0; k < n; ++k) {
        const auto at = isa::locate_neuron(image, 2, static_cast<std::uint32_t>(k));
        ASSERT_TRUE(at.has_value());
        const auto it = log.spikes.find({at->core, at->neuron});
        ASSERT_NE(it, log.spikes.end());
        EXPECT_EQ(it->second, std::vector<std::uint64_t>({100})) << "post " << k;
    }

    // The bound, in extended-weight LSB: the realised coefficient K
    // (const·2^scale, within 1/128 of A/4096 per trace LSB: 1 % of the
    // ideal), the decay's effective τ (d = 200: 19.98 ms, 0.006 % per step
    // of |Δt|, bounded by 0.01 %), the floor of each trace step (at most one
    // trace LSB per step, so |Δt|·K), and the rounding of the term and of
    // the exponential's comparison (1 LSB). Measured: the largest deviation
    // is 0.63 % of A+ (1.0 LSB of 163.8) at dt = 50.
    double worst = 0.0;
    for (int k = 0; k < n; ++k) {
        const int dt = k - span;
        const double dw = static_cast<double>(after.at(k) - before.at(k));
        double ideal = 0.0;
        if (dt > 0) {
            ideal = a_plus * per_nA * std::exp(-dt / tau);
        }
        else if (dt < 0) {
            ideal = -a_minus * per_nA * std::exp(dt / tau);
        }
        else {
            ideal = (a_plus - a_minus) * per_nA; // both terms, each seeing the other's fresh impulse (§8)
        }
        const double a = (dt >= 0 ? a_plus : a_minus) * per_nA;
        const double k_lsb = a / 4096.0;
        const double bound = 0.01 * std::fabs(ideal) + 0.0001 * std::fabs(dt) * std::fabs(ideal) +
                             k_lsb * std::abs(dt) + 1.0;
        EXPECT_NEAR(dw, ideal, bound) << "dt " << dt;
        worst = std::max(worst, std::fabs(dw - ideal) / (a_plus * per_nA));
        if (dt == 1 || dt == 10 || dt == 20 || dt == 50 || dt == -1 || dt == -10 || dt == -20 || dt == -50) {
            std::printf("  STDP window: dt %+3d steps: dw %+8.1f LSB = %+.6f nA, ideal %+.6f nA\n", dt, dw,
                        dw / per_nA, ideal / per_nA);
        }
    }
    std::printf("  STDP window: largest |dw - ideal| = %.4f of A+ (A+ = %.1f extended-weight LSB)\n", worst,
                a_plus * per_nA);
    EXPECT_LT(worst, 0.03);
}

// (3) Three-factor: a pre/post pairing sets the tag; a reward afterwards
// moves that weight up; a synapse whose pre spike meets no post spike keeps
// its weight.
TEST(lower_rules, three_factor_reward_moves_the_tagged_weight_only) {
    const json j = {
        {"format", "engram-network/1"},
        {"name", "reward"},
        {"dt", 1.0},
        {"populations",
         {{{"name", "pre"},
           {"size", 2},
           {"model", "SpikeSourceArray"},
           {"params", {{"spike_times", json::array({json::array({94.0}), json::array({500.0})})}}}},
          {{"name", "drive"}, {"size", 2}, {"model", "SpikeSourceArray"}, {"params", {{"spike_times", json::array({json::array({99.0}), json::array({99.0})})}}}},
          {{"name", "post"}, {"size", 2}, {"model", "IF_curr_exp"}, {"params", {{"tau_syn_E", 0.1}, {"tau_refrac", 2.0}}}},
          {{"name", "dopamine"}, {"size", 1}, {"model", "Modulator"}, {"params", {{"times", json::array({200.0})}, {"amplitude", 1.0}}}}}},
        {"plasticity",
         {{{"name", "rstdp"},
           {"rule", "three_factor"},
           {"modulator", "dopamine"},
           {"params", {{"learning_rate", 0.002}, {"w_max", 1.0}}}}}},
        {"projections",
         {{{"name", "learn"},
           {"pre", "pre"},
           {"post", "post"},
           {"connector", {{"type", "OneToOne"}}},
           {"weight", 0.5},
           {"plasticity", "rstdp"}},
          {{"name", "kick"}, {"pre", "drive"}, {"post", "post"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 30.0}}}}};
    const network net = load(j);
    const compile_result compiled = compile_network(net, load_chip_preset("loihi-like"));
    const isa::chip_image& image = compiled.image;
    // The wiring: every core with the rule has a modulator axon on channel
    // 0, fed by the dopamine neuron, and the channel's trace.
    std::size_t with_rule = 0;
    for (const auto& core: image.cores) {
        if (core.rules.empty()) {
            continue;
        }
        ++with_rule;
        EXPECT_EQ(core.rules[0].modulator, 0u);
        ASSERT_EQ(core.modulator_traces.size(), 8u);
        EXPECT_EQ(core.modulator_traces[0].impulse, 16u); // round(4096/255)
        bool fed = false;
        for (std::size_t e = 0; e < core.input_map.size(); ++e) {
            if (core.input_projection[e] == isa::no_projection) {
                const auto& ax = core.axons[core.input_map[e].axon_base];
                fed = fed || (ax.modulator == 1 && ax.modulator_channel == 0);
            }
        }
        EXPECT_TRUE(fed);
        ASSERT_EQ(core.microcode.size(), 3u);
        EXPECT_EQ(core.microcode[2].op0, op::r1);
        EXPECT_EQ(core.microcode[2].op1, op::t);
    }
    EXPECT_GE(with_rule, 1u);

    emulator::simulation sim(image, {});
    const auto before = extended_weights(sim, 2);
    sim.run(150, nullptr);
    const auto paired = extended_weights(sim, 2);
    EXPECT_EQ(paired, before); // no reward yet: the weights have not moved
    sim.run(550, nullptr);
    const auto after = extended_weights(sim, 2);
    EXPECT_GT(after.at(0), before.at(0) + 256); // up by more than one mantissa step
    EXPECT_EQ(after.at(1), before.at(1));
    std::printf("  three-factor: tagged weight %d -> %d extended LSB, untagged %d -> %d\n", before.at(0),
                after.at(0), before.at(1), after.at(1));
}

// (4) Errors name the rule and its JSON path.
TEST(lower_rules, an_amplitude_below_the_scale_range_names_the_rule) {
    const network net = load(one_synapse_network(
        {{"name", "tiny_stdp"}, {"rule", "pair_stdp"}, {"params", {{"a_plus", 1e-12}, {"w_max", 1.0}}}}));
    try {
        (void)compile_network(net, load_chip_preset("loihi-like"));
        FAIL() << "expected unsupported_rule_error";
    }
    catch (const engram::unsupported_rule_error& e) {
        EXPECT_EQ(e.path(), "/plasticity/0/params/a_plus");
        EXPECT_NE(std::string(e.what()).find("tiny_stdp"), std::string::npos) << e.what();
        EXPECT_NE(e.term.find("y0*x1"), std::string::npos) << e.term;
    }
}

TEST(lower_rules, a_rule_longer_than_the_microcode_names_the_rule) {
    const network net = load(one_synapse_network({{"name", "trip"}, {"rule", "triplet_stdp"}}));
    auto chip = json::parse(*chip_preset_text("tiny"));
    chip["core"]["microcode_words"] = 3;
    try {
        (void)compile_network(net, load_chip_text(chip.dump(), "chip.json"));
        FAIL() << "expected chip_limit_error";
    }
    catch (const engram::chip_limit_error& e) {
        EXPECT_EQ(e.path(), "/plasticity/0/params");
        EXPECT_EQ(e.needed, 4.0);
        EXPECT_EQ(e.available, 3.0);
        EXPECT_NE(std::string(e.what()).find("trip"), std::string::npos) << e.what();
    }
}

TEST(lower_rules, two_epochs_on_one_core_name_the_core_and_rules) {
    json j = one_synapse_network({{"name", "fast"}, {"rule", "pair_stdp"}});
    j["plasticity"].push_back({{"name", "slow"}, {"rule", "pair_stdp"}, {"epoch", 4.0}});
    j["projections"].push_back(
        {{"name", "q"}, {"pre", "pre"}, {"post", "post"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 0.5},
         {"plasticity", "slow"}});
    const network net = load(j);
    try {
        (void)compile_network(net, load_chip_preset("loihi-like"));
        FAIL() << "expected conflict_error";
    }
    catch (const engram::conflict_error& e) {
        EXPECT_EQ(e.path(), "/plasticity/1/epoch");
        const std::string what = e.what();
        EXPECT_NE(what.find("core 0"), std::string::npos) << what;
        EXPECT_NE(what.find("\"fast\""), std::string::npos) << what;
        EXPECT_NE(what.find("\"slow\""), std::string::npos) << what;
    }
}

TEST(lower_rules, two_post_time_constants_on_one_population_are_refused) {
    json j = one_synapse_network({{"name", "a"}, {"rule", "pair_stdp"}, {"params", {{"tau_minus", 20.0}}}});
    j["plasticity"].push_back({{"name", "b"}, {"rule", "pair_stdp"}, {"params", {{"tau_minus", 30.0}}}});
    j["projections"].push_back(
        {{"name", "q"}, {"pre", "pre"}, {"post", "post"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 0.5},
         {"plasticity", "b"}});
    const network net = load(j);
    EXPECT_THROW((void)compile_network(net, load_chip_preset("loihi-like")), engram::conflict_error);
}

TEST(lower_rules, epochs_are_whole_steps_from_one) {
    plasticity_rule r;
    EXPECT_EQ(epoch_steps(r, 1.0), 1u); // 0: every step
    r.epoch = 5.0;
    EXPECT_EQ(epoch_steps(r, 1.0), 5u);
    EXPECT_EQ(epoch_steps(r, 0.5), 10u);
}

// Triplet STDP on the emulator: post spikes at steps 100 and 110, a pre
// spike reaches its axon at 105. At 110 the triplet factor must be the slow
// post trace o2 *before* that step's impulse (Pfister & Gerstner's t − ε),
// although the chip's y2 already holds it; the pair term's −Â3+ takes it
// back (docs/learning.md).
TEST(lower_rules, triplet_reads_the_slow_trace_before_the_spike) {
    const double a2p = 0.004, a3p = 0.008, a2m = 0.003;
    const json j = {
        {"format", "engram-network/1"},
        {"name", "triplet"},
        {"dt", 1.0},
        {"populations",
         {{{"name", "pre"}, {"size", 1}, {"model", "SpikeSourceArray"}, {"params", {{"spike_times", json::array({104.0})}}}},
          {{"name", "drive"},
           {"size", 1},
           {"model", "SpikeSourceArray"},
           {"params", {{"spike_times", json::array({99.0, 109.0})}}}},
          {{"name", "post"}, {"size", 1}, {"model", "IF_curr_exp"}, {"params", {{"tau_syn_E", 0.1}, {"tau_refrac", 2.0}}}}}},
        {"plasticity",
         {{{"name", "triplet"},
           {"rule", "triplet_stdp"},
           {"params", {{"a2_plus", a2p}, {"a3_plus", a3p}, {"a2_minus", a2m}, {"a3_minus", 0.0}, {"w_max", 1.0}}}}}},
        {"projections",
         {{{"name", "learn"}, {"pre", "pre"}, {"post", "post"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 0.5},
           {"plasticity", "triplet"}},
          {{"name", "kick"}, {"pre", "drive"}, {"post", "post"}, {"connector", {{"type", "OneToOne"}}}, {"weight", 30.0}}}}};
    const network net = load(j);
    const compile_result compiled = compile_network(net, load_chip_preset("loihi-like"));
    const double per_nA = 256.0 / compiled.report.quantization.projections[0].weight_lsb_nA;
    emulator::simulation sim(compiled.image, {});
    const auto before = extended_weights(sim, 2);
    spike_log log;
    sim.run(130, &log);
    const auto after = extended_weights(sim, 2);
    const auto at = isa::locate_neuron(compiled.image, 2, 0);
    ASSERT_TRUE(at.has_value());
    const std::vector<std::uint64_t> post_spikes = log.spikes[{at->core, at->neuron}];
    ASSERT_EQ(post_spikes, std::vector<std::uint64_t>({100, 110}));

    // The chip's traces in units (its decays, without the floor):
    // x1 5 steps after its impulse, y1 5 steps after post 100, and o2 10
    // steps after post 100 (before the impulse of 110).
    auto decayed = [&](double tau, int steps) {
        return std::pow(1.0 - decay_field(1.0, tau) / 4096.0, steps);
    };
    const auto& p = std::get<triplet_stdp_params>(net.rules[0].params);
    double a3_realised = 0.0;
    for (const auto& r: compiled.report.quantization.rules) {
        for (const auto& e: r.parameters) {
            if (e.parameter == "a3_plus") {
                a3_realised = e.realised;
            }
        }
    }
    ASSERT_GT(a3_realised, 0.0);
    const double x1 = decayed(p.tau_plus, 5);
    const double y1 = decayed(p.tau_minus, 5);
    const double o2 = decayed(p.tau_y, 10);
    const double ideal = (x1 * (a2p + a3_realised * o2) - a2m * y1) * per_nA;
    const double uncorrected = ideal + x1 * a3_realised * per_nA; // had y2 included the fresh impulse
    const double dw = static_cast<double>(after.at(0) - before.at(0));
    std::printf("  triplet: dw %.1f LSB, expected %.1f, without the correction %.1f\n", dw, ideal, uncorrected);
    // Floors: at most 10 trace LSB per trace, the pair coefficients' 1/128,
    // and the rounding of three terms.
    EXPECT_NEAR(dw, ideal, 0.01 * std::fabs(ideal) + 0.01 * per_nA * (a2p + a3_realised + a2m) + 3.0);
    EXPECT_GT(std::fabs(dw - uncorrected), 0.5 * x1 * a3_realised * per_nA);
}

// The report lists every coefficient per use, and those off by more than
// 1 % among the parameters (a power-of-two rate here).
TEST(lower_rules, report_lists_coefficients_off_by_more_than_the_threshold) {
    const network net = load(one_synapse_network(
        {{"name", "soft"},
         {"rule", "pair_stdp"},
         {"params", {{"weight_dependence", "multiplicative"}, {"a_plus", 0.013}, {"a_minus", 0.0125}}}}));
    const compile_result compiled = compile_network(net, load_chip_preset("loihi-like"));
    const auto& rq = compiled.report.quantization;
    ASSERT_EQ(rq.rules.size(), 1u);
    EXPECT_EQ(rq.rules[0].name, "soft");
    EXPECT_EQ(rq.rules[0].population, "post");
    EXPECT_EQ(rq.rules[0].terms, 3u);
    const parameter_entry* a_plus = nullptr;
    for (const auto& e: rq.parameters) {
        if (e.path == "/plasticity/0/params/a_plus") {
            a_plus = &e;
        }
    }
    ASSERT_NE(a_plus, nullptr);
    EXPECT_DOUBLE_EQ(a_plus->requested, 0.013);
    // 0.013 nA over a 1 nA range is 1.66·2^-7, at or above 1.5·2^-7, so the
    // rate becomes 2^-6 = 0.015625 (+20 %, the smaller relative error).
    EXPECT_DOUBLE_EQ(a_plus->realised, 0.015625);
    EXPECT_NEAR(a_plus->relative_error, 0.015625 / 0.013 - 1.0, 1e-12);
    EXPECT_FALSE(a_plus->note.empty());
    const json j = to_json(compiled.report);
    EXPECT_EQ(j["quantization"]["rules"][0]["name"], "soft");
    EXPECT_EQ(j["quantization"]["rules"][0]["terms"], 3);
}

// G-DHL with eta_sp = A+ and eta_ps = −A− is pair STDP: the same constants,
// scales and signs (the operands of a product in another order).
TEST(lower_rules, gdhl_with_two_components_is_pair_stdp) {
    const network stdp = load(one_synapse_network(
        {{"name", "r"}, {"rule", "pair_stdp"}, {"params", {{"a_plus", 0.01}, {"a_minus", 0.012}}}}));
    const network gdhl = load(one_synapse_network(
        {{"name", "r"}, {"rule", "gdhl"}, {"params", {{"eta_sp", 0.01}, {"eta_ps", -0.012}}}}));
    const quantization q = quantize_network(stdp);
    const rule_scale s = scale_of(stdp, q, {0, 1, receptor::excitatory});
    const lowered_rule a = lower_rule(stdp, 0, s);
    const lowered_rule b = lower_rule(gdhl, 0, s);
    ASSERT_EQ(b.terms.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(a.terms[i].negate, b.terms[i].negate);
        EXPECT_EQ(a.terms[i].scale, b.terms[i].scale);
        EXPECT_EQ(a.terms[i].const2, b.terms[i].const2);
    }
    EXPECT_EQ(b.terms[0].op0, op::x1);
    EXPECT_EQ(b.terms[0].op1, op::y0);
    EXPECT_EQ(a.traces.pre[0], b.traces.pre[0]);
    EXPECT_EQ(a.traces.post[0], b.traces.post[0]);
}

// A sum of products is the microcode as written.
TEST(lower_rules, sum_of_products_terms_are_written_as_parsed) {
    const network net = load(one_synapse_network(
        {{"name", "sop"},
         {"rule", "sum_of_products"},
         {"params", {{"dw", "2^-2*x1*y0 - 3*2^-6*y1*x0"}, {"dt", "2^-3*(w - 64)*x0"}, {"tau_tag", 500.0}}}}));
    const quantization q = quantize_network(net);
    const lowered_rule l = lower_rule(net, 0, scale_of(net, q, {0, 1, receptor::excitatory}));
    ASSERT_EQ(l.terms.size(), 3u);
    EXPECT_EQ(l.terms[0].scale, -2);
    EXPECT_EQ(l.terms[0].negate, 0u);
    EXPECT_EQ(l.terms[0].op0, op::x1);
    EXPECT_EQ(l.terms[0].op1, op::y0);
    EXPECT_EQ(l.terms[0].op2, op::none);
    EXPECT_EQ(l.terms[1].scale, -6);
    EXPECT_EQ(l.terms[1].negate, 1u);
    EXPECT_EQ(l.terms[1].op2, op::c);
    EXPECT_EQ(l.terms[1].const2, 3);
    EXPECT_EQ(l.terms[2].target, isa::learn_target::tag);
    EXPECT_EQ(l.terms[2].op0, op::w);
    EXPECT_EQ(l.terms[2].const0, -64);
    EXPECT_EQ(l.rule.tag_decay, decay_field(1.0, 500.0));
}
