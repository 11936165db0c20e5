#pragma once

// Quantization (docs/numerics.md §11): the physical units of a validated
// network become the ISA's fixed-point fields (a neuron profile per
// IF_curr_exp population; per projection a weight exponent, weight mantissas
// and delays in steps), with a report of every error this introduces.
// Nothing is clipped silently: saturated and vanished weights are counted
// (saturation can be made an error), and every parameter whose realised value
// differs from the requested one by more than a threshold is listed.
//
// Synapses are not quantized here: a network can have 10^8 of them. The
// mapper generates them a core at a time and quantizes each with its
// projection's weight_quantizer and delay_quantizer, counting it in the
// report with quantization::accumulate (or, per thread, with the
// quantizers' accumulate into its own stats, merged afterwards).

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/network.hpp>
#include <engram/isa/formats.hpp>

namespace engram::compiler {

// --- primitives ---------------------------------------------------------------

// The rounding of §11: sign(x)·⌊|x| + 0.5⌋ in binary64.
inline double round_half_away(double x) {
    return std::round(x);
}

// The 12-bit decay field for time constant tau_ms at step dt_ms:
// round_half_away(4096·(1 − exp(−dt/τ))) clamped to 0..4095. τ = ∞ gives 0
// (a perfect integrator), τ = 0 gives 4095.
std::uint32_t decay_field(double dt_ms, double tau_ms);

// The time constant a decay field realises: −dt/ln(1 − d/4096) (∞ for d = 0).
double effective_tau(double dt_ms, std::uint32_t decay);

// Options of the whole quantization.
struct quantize_options {
    // Throw weight_saturation_error at the first weight that saturates,
    // instead of clamping it to ±127 and counting it.
    bool saturation_is_error = false;
    // Parameters whose |relative error| exceeds this are listed in the report.
    double report_threshold = 0.01;
};

// What is being quantized, for messages: the network's source (file), the
// object's name and its JSON pointer.
struct origin {
    std::string source;
    std::string name;
    std::string path;
};

// --- errors -------------------------------------------------------------------

// No power-of-two voltage scale σ meets all the constraints of §11 for a
// population: the threshold needs σ ≥ sigma_needed to be at least one
// threshold step above v_ref, and `constraint` ("headroom", "bias",
// "excitatory weights" or "inhibitory weights") allows at most sigma_allowed
// (0 when no σ at all); or (constraint "reset") v_reset and v_thresh need
// σ ≥ sigma_needed to fall in different threshold steps (§12) and the other
// constraints allow at most sigma_allowed. path is the population's.
class voltage_scale_error: public input_error {
public:
    voltage_scale_error(std::string source, std::string path, std::string population, std::string constraint,
                        double sigma_needed, double sigma_allowed, std::string detail);
    std::string population;
    std::string constraint;
    double sigma_needed;
    double sigma_allowed;
};

// A weight larger than its projection's largest representable weight, with
// quantize_options::saturation_is_error set. path is the projection's
// "/weight".
class weight_saturation_error: public input_error {
public:
    weight_saturation_error(std::string source, std::string path, std::string projection, double weight,
                            double largest, int exponent);
    std::string projection;
    double weight;   // nA
    double largest;  // nA, the weight mantissa 127 stands for
    int exponent;
};

// --- the report ---------------------------------------------------------------

// One quantized parameter: what was asked for and what the chip realises.
// relative_error is (realised − requested)/|requested|, except for the
// voltages (v_thresh, v_reset, initial_v), whose error is relative to v_thresh − v_ref
// (the span the register resolves; a voltage near 0 mV would otherwise look
// exact or hopeless). Requested 0: 0 if realised 0, else ±∞. A decay that
// became a perfect integrator realises τ = ∞.
struct parameter_entry {
    std::string owner;      // population or projection name
    std::string path;       // JSON pointer of the parameter
    std::string parameter;  // "tau_m", "tau_syn_E", "tau_syn_I", "v_thresh", "v_reset", "bias", "tau_refrac",
                            // "initial_v", "weight", "delay"
    std::string unit;       // "ms", "mV", "mV/step", "nA"
    double requested = 0.0;
    double realised = 0.0;
    double relative_error = 0.0;
    std::string note;       // e.g. "perfect integrator", "saturated", "raised to 1 step"
};

// Weights of one projection as quantized so far.
struct weight_stats {
    std::uint64_t count = 0;            // synapses counted
    std::uint64_t nonzero = 0;          // of which with a non-zero weight
    std::uint64_t saturated = 0;        // clamped to mantissa ±127
    std::uint64_t rounded_to_zero = 0;  // non-zero weight, mantissa 0
    double max_relative_error = 0.0;    // |realised − w|/w over non-zero weights
    double sum_relative_error = 0.0;

    double mean_relative_error() const { return nonzero == 0 ? 0.0 : sum_relative_error / double(nonzero); }
    void merge(const weight_stats& other);
    bool operator==(const weight_stats&) const = default;
};

// Delays of one projection as quantized so far.
struct delay_stats {
    std::uint64_t count = 0;
    std::uint64_t raised_to_one = 0;    // rounded to 0 steps, stored as 1
    std::uint64_t over_threshold = 0;   // |steps·dt − delay|/delay above the report threshold
    double max_relative_error = 0.0;
    double sum_relative_error = 0.0;

    double mean_relative_error() const { return count == 0 ? 0.0 : sum_relative_error / double(count); }
    void merge(const delay_stats& other);
    bool operator==(const delay_stats&) const = default;
};

struct population_quantization_report {
    std::string name;
    std::string path;
    double v_ref_mV = 0.0;
    int sigma_log2 = 0;  // σ = 2^sigma_log2 register LSB per mV
    isa::neuron_config config;
};

struct projection_quantization_report {
    std::string name;
    std::string path;
    receptor target = receptor::excitatory;
    int weight_exp = 0;
    double largest_weight_nA = 0.0;          // from the weight spec, list weights and the rule's w_max
    double largest_representable_nA = 0.0;   // what mantissa 127 stands for
    double weight_lsb_nA = 0.0;              // what mantissa 1 stands for
    std::uint32_t min_delay_steps = 0;       // over the delay spec and list delays
    std::uint32_t max_delay_steps = 0;
    weight_stats weights;                    // filled by quantization::accumulate
    delay_stats delays;                      // filled by quantization::accumulate_delay
};

// One rule as lowered for the plastic projections onto one population with
// one receptor (lower_rules.hpp): its microcode size, epoch and every
// coefficient and trace time constant, requested and realised.
struct rule_quantization_report {
    std::string name;
    std::string path;
    std::string population;  // the post population
    receptor target = receptor::excitatory;
    std::uint32_t epoch_steps = 1;
    std::uint32_t terms = 0;
    std::int32_t w_min = 0;  // the LearningRule's bounds (mantissas)
    std::int32_t w_max = 0;
    std::vector<parameter_entry> parameters;
};

struct quantization_report {
    double report_threshold = 0.01;
    std::vector<population_quantization_report> populations;  // IF_curr_exp populations, network order
    std::vector<parameter_entry> parameters;  // |relative_error| > report_threshold, network order
    std::vector<projection_quantization_report> projections;  // every projection, network order
    std::vector<rule_quantization_report> rules;  // every lowered rule use, in (rule, population, receptor) order
};

// Deterministic: the same report gives the same JSON (non-finite numbers are
// written as null; the entry's note says why).
nlohmann::json to_json(const quantization_report& report);
// A few lines for a terminal: the scales, the listed parameters, the weight
// and delay statistics.
std::string summary(const quantization_report& report);

// --- neurons ------------------------------------------------------------------

// The largest weight magnitude (nA) arriving on each receptor of a
// population, over every projection into it (weight spec bounds, list
// weights, plastic w_max), and where it comes from (for messages).
struct incoming_weights {
    double excitatory = 0.0;
    double inhibitory = 0.0;
    origin excitatory_from;
    origin inhibitory_from;
};

// How a weight in nA becomes register LSB: |w|·dt/c_m·σ (§11).
struct weight_scale {
    double dt_ms = 1.0;
    double cm_nF = 1.0;
    int sigma_log2 = 0;
};

// round_half_away(|w|·dt/c_m·σ / 2^(WeightShift + exponent)), not clamped,
// evaluated left to right in binary64 (the power of two is exact).
double unclamped_weight_mantissa(const weight_scale& scale, double weight_nA, int exponent);

struct quantized_neuron {
    // The profile; post_trace_profile is left 0 (the mapper assigns it).
    isa::neuron_config config;
    double dt_ms = 0.0;
    double cm_nF = 0.0;
    double v_ref_mV = 0.0;  // min(v_rest, v_reset): the register holds (v − v_ref)·σ
    int sigma_log2 = 0;     // σ = 2^sigma_log2 register LSB per mV
    // Every quantized parameter (not only those above the threshold).
    std::vector<parameter_entry> parameters;

    double sigma() const { return std::ldexp(1.0, sigma_log2); }
    weight_scale weights() const { return {dt_ms, cm_nF, sigma_log2}; }
    // sat24(round_half_away((v − v_ref)·σ)), and whether it saturates.
    std::int32_t voltage_register(double v_mV) const;
    bool voltage_saturates(double v_mV) const;
    // The voltage a register value stands for (mV).
    double voltage_mV(std::int64_t reg) const { return v_ref_mV + double(reg) / sigma(); }
};

// One IF_curr_exp neuron profile at step dt_ms (§11): decays, refractory
// period, v_ref, the largest σ meeting every constraint, threshold, reset and
// bias. Throws chip_limit_error (path where.path + "/params/tau_refrac") for a
// refractory period above 255 steps and voltage_scale_error (where.path) when
// no σ fits. Parameters must be validated (std::invalid_argument otherwise).
quantized_neuron quantize_if_curr_exp(const if_curr_exp_params& params, double dt_ms,
                                      const incoming_weights& incoming, const quantize_options& options = {},
                                      const origin& where = {});

// --- weights and delays -------------------------------------------------------

// The weights of one projection: an exponent in WeightExpMin..WeightExpMax,
// the smallest (most precise) for which the largest weight's mantissa is at
// most 127, and the per-synapse conversion.
class weight_quantizer {
public:
    // where.path is the projection's; messages name where.path + "/weight".
    weight_quantizer(const weight_scale& scale, double largest_weight_nA, receptor target,
                     const quantize_options& options = {}, origin where = {});

    int exponent() const { return exponent_; }
    receptor target() const { return target_; }
    double largest_weight() const { return largest_weight_; }
    // What mantissa 127 stands for (nA).
    double largest_representable() const { return realised(127); }

    // The mantissa of a weight magnitude (nA): round half away from zero,
    // clamped to 127 (or weight_saturation_error with saturation_is_error),
    // negated for an inhibitory projection.
    std::int32_t mantissa(double weight_nA) const {
        const double m = std::round(std::fabs(weight_nA) * dt_ / cm_ * to_mantissa_);
        if (!(m <= 127.0)) {
            return saturate(weight_nA);
        }
        const auto v = static_cast<std::int32_t>(m);
        return target_ == receptor::inhibitory ? -v : v;
    }
    // The weight magnitude (nA) a mantissa stands for (its sign is ignored).
    double realised(std::int32_t mantissa) const {
        return double(mantissa < 0 ? -mantissa : mantissa) * to_weight_ * cm_ / dt_;
    }
    bool saturates(double weight_nA) const;

    // Counts one synapse: its requested weight (nA) and the mantissa stored.
    void accumulate(weight_stats& stats, double weight_nA, std::int32_t mantissa) const;

private:
    std::int32_t saturate(double weight_nA) const;

    double dt_;
    double cm_;
    double to_mantissa_;  // 2^(σ_log2 − WeightShift − exponent)
    double to_weight_;    // its inverse
    int exponent_;
    receptor target_;
    double largest_weight_;
    bool saturation_is_error_;
    origin where_;
};

// Delays in whole steps: round_half_away(delay/dt), 0 raised to 1.
class delay_quantizer {
public:
    // where.path is the projection's; messages name where.path + "/delay".
    delay_quantizer(double dt_ms, const quantize_options& options = {}, origin where = {});

    // Throws chip_limit_error for more than MaxDelay steps.
    std::uint32_t delay_steps(double delay_ms) const;
    double realised(std::uint32_t steps) const { return double(steps) * dt_; }
    // Counts one synapse: its requested delay (ms) and the steps stored.
    void accumulate(delay_stats& stats, double delay_ms, std::uint32_t steps) const;

private:
    double dt_;
    double report_threshold_;
    origin where_;
};

// --- the whole network --------------------------------------------------------

struct projection_quantizer {
    weight_quantizer weights;
    delay_quantizer delays;
};

struct quantization {
    double dt_ms = 0.0;
    // By population index; empty for spike sources and modulators.
    std::vector<std::optional<quantized_neuron>> neurons;
    // By projection index.
    std::vector<projection_quantizer> projections;
    quantization_report report;

    // Count one synapse of a projection in the report.
    void accumulate(std::size_t projection, double weight_nA, std::int32_t mantissa);
    void accumulate_delay(std::size_t projection, double delay_ms, std::uint32_t steps);
};

// Quantizes every IF_curr_exp population (one profile each, σ sized for the
// largest weight arriving on each receptor) and sets up every projection's
// weight and delay quantizers from the bounds of its weight and delay specs,
// list weights and delays, and its rule's w_max. Weight and delay statistics
// start at zero. Throws voltage_scale_error, or chip_limit_error for a
// refractory period or delay the ISA cannot hold.
quantization quantize_network(const network& net, const quantize_options& options = {});

} // namespace engram::compiler
