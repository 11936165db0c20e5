#pragma once

// The validated user description of a network (engram-network/1), still in
// physical units: ms, Hz, mV, nA, nF. The loader guarantees every invariant
// stated here; the lowering to fixed point happens later, in the mapping.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <engram/compiler/learning_expression.hpp>

namespace engram::compiler {

inline constexpr std::string_view network_format = "engram-network/1";

// A constant, a random distribution or an explicit list of values.
struct value_spec {
    enum class kind { constant, uniform, normal, normal_clipped, list };
    kind type = kind::constant;
    double value = 0.0;              // constant
    double low = 0.0, high = 0.0;    // uniform [low, high); normal_clipped bounds
    double mean = 0.0, sd = 0.0;     // normal, normal_clipped
    std::vector<double> values;      // list (one per connection or neuron)

    // Smallest and largest value this spec can produce.
    double min_value() const;
    double max_value() const;
};

// PyNN IF_curr_exp: leaky integrate-and-fire, current-based synapses with
// exponentially decaying currents. Defaults are PyNN's.
struct if_curr_exp_params {
    double tau_m = 20.0;       // ms
    double tau_syn_e = 5.0;    // ms
    double tau_syn_i = 5.0;    // ms
    double v_rest = -65.0;     // mV
    double v_reset = -65.0;    // mV
    double v_thresh = -50.0;   // mV
    double tau_refrac = 0.1;   // ms
    double i_offset = 0.0;     // nA
    double cm = 1.0;           // nF
};

// Spike times per neuron (ms, ascending, each in [0, inf)).
struct spike_source_array_params {
    std::vector<std::vector<double>> times;
    std::string file; // the file they were read from, if any
};

struct spike_source_poisson_params {
    double rate = 0.0;                                          // Hz
    double start = 0.0;                                         // ms
    double duration = std::numeric_limits<double>::infinity();  // ms
};

// A neuromodulator (reward) source: events at given times, each with an
// amplitude in [0, 1], delivered to the modulator trace of learning rules.
struct modulator_params {
    std::vector<double> times;       // ms, ascending
    std::vector<double> amplitudes;  // same length as times
};

enum class neuron_model { if_curr_exp, spike_source_array, spike_source_poisson, modulator };

struct population {
    std::string name;
    std::string path; // JSON pointer, for later messages
    std::uint32_t size = 0;
    neuron_model model = neuron_model::if_curr_exp;
    std::variant<if_curr_exp_params, spike_source_array_params, spike_source_poisson_params, modulator_params>
        params;
    std::optional<value_spec> initial_v; // IF_curr_exp only (mV)

    bool is_source() const { return model != neuron_model::if_curr_exp; }
};

struct list_connection {
    std::uint32_t pre = 0;
    std::uint32_t post = 0;
    std::optional<double> weight; // overrides the projection's weight
    std::optional<double> delay;  // overrides the projection's delay
};

enum class connector_kind { all_to_all, one_to_one, fixed_probability, fixed_number_pre, from_list };

struct connector {
    connector_kind kind = connector_kind::all_to_all;
    bool allow_self_connections = true; // for projections from a population to itself
    double p = 0.0;                     // fixed_probability
    std::uint32_t n = 0;                // fixed_number_pre
    std::vector<list_connection> connections; // from_list
};

enum class receptor { excitatory, inhibitory };

struct projection {
    std::string name;
    std::string path;
    std::size_t pre = 0;   // index into network::populations
    std::size_t post = 0;
    connector conn;
    value_spec weight;     // nA, magnitudes (>= 0); the receptor gives the sign
    value_spec delay;      // ms
    receptor target = receptor::excitatory;
    std::optional<std::size_t> rule; // index into network::rules

    // Expected number of synapses (exact for deterministic connectors).
    double expected_synapses(std::uint32_t pre_size, std::uint32_t post_size) const;
};

enum class weight_dependence { additive, multiplicative };

struct pair_stdp_params {
    double tau_plus = 20.0, tau_minus = 20.0; // ms
    double a_plus = 0.01, a_minus = 0.012;    // weight change per pair (nA)
    double w_min = 0.0, w_max = 1.0;          // nA
    weight_dependence dependence = weight_dependence::additive;
};

// Pfister & Gerstner 2006, all-to-all interaction.
struct triplet_stdp_params {
    double tau_plus = 16.8, tau_minus = 33.7, tau_x = 101.0, tau_y = 125.0; // ms
    double a2_plus = 5e-10, a3_plus = 6.2e-3, a2_minus = 7e-3, a3_minus = 2.3e-4;
    double w_min = 0.0, w_max = 1.0;
};

// Reward-modulated STDP: the STDP result goes to the tag (eligibility), which
// decays with tau_eligibility; the weight moves by learning_rate x modulator x tag.
struct three_factor_params {
    double tau_plus = 20.0, tau_minus = 20.0;
    double a_plus = 1.0, a_minus = 1.0;
    double tau_eligibility = 1000.0;
    double tau_modulator = 200.0;
    double learning_rate = 0.01;
    double w_min = 0.0, w_max = 1.0;
};

// A Lava-style sum of products, e.g. dw = "2^-2*x1*y0 - 2^-2*y1*x0".
struct sum_of_products_params {
    std::string dw_text, dt_text;
    learning_expression dw, dt;
    // Trace time constants (ms) for the traces the expressions use.
    double tau_x1 = 20.0, tau_x2 = 20.0, tau_y1 = 20.0, tau_y2 = 20.0, tau_y3 = 20.0;
    double tau_r = 200.0, tau_tag = 1000.0;
    double w_min = 0.0, w_max = 1.0;
};

// G-DHL (Zappacosta, Mannella, Mirolli & Baldassarre 2018): dw is a linear
// combination of eight products of the pre signal u1, the post signal u2 and
// the positive (p) and negative (n) parts of their derivatives: eta_sp·u1·u2'+,
// eta_sn·u1·u2'-, eta_ps·u1'+·u2, eta_ns·u1'-·u2, and sigma_xy·u1'x·u2'y. On
// the chip a signal is a spike trace; the positive part of its derivative is
// its impulse (the spike) and the negative part its decay.
struct gdhl_params {
    double eta_sp = 0.0, eta_sn = 0.0, eta_ps = 0.0, eta_ns = 0.0;
    double sigma_pp = 0.0, sigma_pn = 0.0, sigma_np = 0.0, sigma_nn = 0.0;
    double tau_pre = 20.0, tau_post = 20.0; // ms, the traces that are the signals
    double w_min = 0.0, w_max = 1.0;
};

enum class rule_kind { pair_stdp, triplet_stdp, three_factor, sum_of_products, gdhl };

struct plasticity_rule {
    std::string name;
    std::string path;
    rule_kind kind = rule_kind::pair_stdp;
    std::variant<pair_stdp_params, triplet_stdp_params, three_factor_params, sum_of_products_params, gdhl_params>
        params;
    std::optional<std::size_t> modulator; // population index (a modulator source)
    double epoch = 0.0;                   // learning epoch in ms (0: every step)
};

enum class recorded_variable { spikes, v, i_exc, i_inh };

struct recording {
    std::string path;
    std::size_t population = 0;
    std::vector<recorded_variable> variables;
    std::vector<std::uint32_t> neurons; // empty: all neurons
    double interval = 0.0;              // ms between samples of state variables (0: every step)
};

struct network {
    std::string source; // where it was read from
    std::string name;
    double dt = 0.1;    // ms
    std::uint64_t seed = 0;
    std::vector<population> populations;
    std::vector<projection> projections;
    std::vector<plasticity_rule> rules;
    std::vector<recording> recordings;

    std::size_t neuron_count() const;
    std::optional<std::size_t> find_population(std::string_view name) const;
};

std::string_view to_string(neuron_model m);
std::string_view to_string(connector_kind k);
std::string_view to_string(rule_kind k);
std::string_view to_string(receptor r);
std::string_view to_string(recorded_variable v);

} // namespace engram::compiler
