// Quantization of IF_curr_exp neuron profiles (docs/numerics.md §11):
// decays, refractory period, the voltage reference and scale σ, threshold,
// reset and bias.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <utility>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/quantize.hpp>

namespace engram::compiler {

namespace {

constexpr double register_max = 8388607.0;                 // 2^23 − 1, the int24 registers
constexpr double threshold_mant_max = 131071.0;            // NeuronConfig.threshold_mant, 17 bits
constexpr double reset_mant_max = 131071.0;                // NeuronConfig.reset_mant, 18 bits signed
constexpr double bias_mant_max = 4095.0;                   // |bias_mant| (§11)
constexpr int bias_exp_max = 7;                            // NeuronConfig.bias_exp, 3 bits
constexpr double refractory_max = 255.0;                   // NeuronConfig.refractory_period, 8 bits
constexpr double headroom_factor = 4.0;                    // §11 (e)
constexpr double weight_mantissa_max = 127.0;
constexpr double threshold_unit = double(1 << isa::threshold_shift);  // register LSB per threshold_mant
constexpr double reset_unit = double(1 << isa::reset_shift);

// A computed quantity (a difference of inputs) for a message: 6 digits.
std::string approx(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", x);
    return buffer;
}

std::string power_of_two(int k) {
    return "2^" + std::to_string(k);
}

double relative(double realised, double requested, double scale) {
    if (scale == 0.0) {
        return realised == requested ? 0.0
                                     : std::copysign(std::numeric_limits<double>::infinity(), realised - requested);
    }
    return (realised - requested) / std::fabs(scale);
}

// What bounds σ from above: checked at each candidate k.
enum class limit { none, bias, excitatory_weights, inhibitory_weights };

const char* limit_name(limit l) {
    switch (l) {
    case limit::bias: return "bias";
    case limit::excitatory_weights: return "excitatory weights";
    case limit::inhibitory_weights: return "inhibitory weights";
    case limit::none: break;
    }
    return "";
}

// The neuron's quantities that σ scales, and the constraints (a)–(e) of §11.
struct scale_problem {
    double threshold_span;  // v_thresh − v_ref > 0
    double reset_span;      // v_reset − v_ref >= 0
    double widest_span;     // max(|v_thresh − v_ref|, |v_reset − v_ref|, |v_rest − v_ref|)
    double offset_drive;    // i_offset·dt/c_m (mV per step, before σ)
    double rest_span;       // v_rest − v_ref >= 0
    std::uint32_t decay_v;
    weight_scale weights;   // sigma_log2 is set per candidate
    incoming_weights incoming;

    double bias_lsb(int k) const {
        const double sigma = std::ldexp(1.0, k);
        return offset_drive * sigma + rest_span * sigma * double(decay_v) / double(isa::decay_unity);
    }
    bool threshold_at_least_one(int k) const {
        return round_half_away(threshold_span * std::ldexp(1.0, k) / threshold_unit) >= 1.0;
    }
    bool headroom_fits(int k) const {
        return headroom_factor * widest_span * std::ldexp(1.0, k) <= register_max;
    }
    limit upper_violation(int k) const {
        if (!(std::fabs(round_half_away(bias_lsb(k) / double(1 << bias_exp_max))) <= bias_mant_max)) {
            return limit::bias;
        }
        weight_scale s = weights;
        s.sigma_log2 = k;
        if (!(unclamped_weight_mantissa(s, incoming.excitatory, isa::weight_exp_max) <= weight_mantissa_max)) {
            return limit::excitatory_weights;
        }
        if (!(unclamped_weight_mantissa(s, incoming.inhibitory, isa::weight_exp_max) <= weight_mantissa_max)) {
            return limit::inhibitory_weights;
        }
        return limit::none;
    }
    // (a) and (b) upper limits: implied by (e), checked all the same.
    bool mantissas_fit(int k) const {
        const double sigma = std::ldexp(1.0, k);
        return round_half_away(threshold_span * sigma / threshold_unit) <= threshold_mant_max &&
               round_half_away(reset_span * sigma / reset_unit) <= reset_mant_max;
    }
    // §12: reset_mant < threshold_mant (not monotone in σ: checked per k).
    bool reset_below_threshold(int k) const {
        const double sigma = std::ldexp(1.0, k);
        return round_half_away(reset_span * sigma / reset_unit) < round_half_away(threshold_span * sigma / threshold_unit);
    }
    bool fits(int k) const {
        return headroom_fits(k) && threshold_at_least_one(k) && mantissas_fit(k) && reset_below_threshold(k) &&
               upper_violation(k) == limit::none;
    }
};

// Candidate exponents: σ = 2^k with |k| well inside binary64's range.
constexpr int k_min = -900;
constexpr int k_max = 900;

[[noreturn]] void no_scale(const scale_problem& pr, const if_curr_exp_params& p, double v_ref, int k_lo, int k_hi,
                          const origin& where) {
    const std::string who = "population \"" + where.name + "\"";
    const std::string needs = "v_thresh " + format_number(p.v_thresh) + " mV is " +
                              approx(pr.threshold_span) + " mV above v_ref " + format_number(v_ref) +
                              " mV, which needs sigma >= " + power_of_two(k_lo) +
                              " LSB/mV to be at least one threshold step (" + format_number(threshold_unit) +
                              " LSB)";
    if (k_hi < k_lo) {
        throw voltage_scale_error(
            where.source, where.path, where.name, "headroom", std::ldexp(1.0, k_lo), std::ldexp(1.0, k_hi),
            who + ": " + needs + ", but the register must span v_ref +/- " +
                approx(headroom_factor * pr.widest_span) + " mV (4 x the widest of v_thresh, v_reset and " +
                "v_rest from v_ref), which allows sigma <= " + power_of_two(k_hi));
    }
    const limit l = pr.upper_violation(k_lo);
    if (l == limit::none) {
        // Every σ in [2^k_lo, 2^k_up] meets the upper bounds, yet v_reset and
        // v_thresh round to the same threshold step at each.
        int k_up = k_hi;
        while (k_up > k_lo && pr.upper_violation(k_up) != limit::none) {
            --k_up;
        }
        const double gap = p.v_thresh - p.v_reset;
        const int k_needed = static_cast<int>(std::ceil(std::log2(threshold_unit / gap)));
        throw voltage_scale_error(
            where.source, where.path, where.name, "reset", std::ldexp(1.0, k_needed), std::ldexp(1.0, k_up),
            who + ": v_thresh " + format_number(p.v_thresh) + " mV is only " + approx(gap) +
                " mV above v_reset " + format_number(p.v_reset) + " mV, which needs sigma >= about " +
                power_of_two(k_needed) + " LSB/mV to put them in different threshold steps (" +
                format_number(threshold_unit) + " LSB), but the other constraints allow sigma <= " +
                power_of_two(k_up));
    }
    // The largest σ this constraint alone allows.
    int allowed = k_lo - 1;
    while (allowed > k_min && pr.upper_violation(allowed) == l) {
        --allowed;
    }
    const bool none_at_all = pr.upper_violation(allowed) == l;
    const double sigma_allowed = none_at_all ? 0.0 : std::ldexp(1.0, allowed);
    const std::string allows = none_at_all ? "which no sigma can hold" : "which allows sigma <= " + power_of_two(allowed);
    std::string what;
    if (l == limit::bias) {
        what = "the bias (i_offset " + format_number(p.i_offset) + " nA x dt / cm " + format_number(p.cm) +
               " nF, plus the leak toward v_rest " + format_number(p.v_rest) + " mV) must fit a mantissa of 4095 at " +
               "exponent 7, " + allows;
    }
    else {
        const bool exc = l == limit::excitatory_weights;
        const double w = exc ? pr.incoming.excitatory : pr.incoming.inhibitory;
        const origin& from = exc ? pr.incoming.excitatory_from : pr.incoming.inhibitory_from;
        what = std::string("the largest ") + (exc ? "excitatory" : "inhibitory") + " weight, " + format_number(w) +
               " nA" + (from.name.empty() ? std::string() : " (projection \"" + from.name + "\", " + from.path + ")") +
               ", must fit a mantissa of 127 at exponent " + std::to_string(isa::weight_exp_max) + ", " + allows;
    }
    throw voltage_scale_error(where.source, where.path, where.name, limit_name(l), std::ldexp(1.0, k_lo),
                              sigma_allowed, who + ": " + needs + ", but " + what);
}

} // namespace

voltage_scale_error::voltage_scale_error(std::string source, std::string path, std::string population_,
                                         std::string constraint_, double sigma_needed_, double sigma_allowed_,
                                         std::string detail):
    input_error(std::move(source), std::move(path), std::move(detail)),
    population(std::move(population_)),
    constraint(std::move(constraint_)),
    sigma_needed(sigma_needed_),
    sigma_allowed(sigma_allowed_) {}

std::uint32_t decay_field(double dt_ms, double tau_ms) {
    const double d = round_half_away(double(isa::decay_unity) * (1.0 - std::exp(-dt_ms / tau_ms)));
    if (std::isnan(d)) {
        throw std::invalid_argument("decay_field: dt " + format_number(dt_ms) + ", tau " + format_number(tau_ms));
    }
    return static_cast<std::uint32_t>(std::clamp(d, 0.0, double(isa::decay_unity - 1)));
}

double effective_tau(double dt_ms, std::uint32_t decay) {
    if (decay == 0) {
        return std::numeric_limits<double>::infinity();
    }
    return -dt_ms / std::log1p(-double(decay) / double(isa::decay_unity));
}

std::int32_t quantized_neuron::voltage_register(double v_mV) const {
    const double x = round_half_away((v_mV - v_ref_mV) * sigma());
    if (std::isnan(x)) {
        throw std::invalid_argument("voltage_register: the voltage is not a number");
    }
    return static_cast<std::int32_t>(std::clamp(x, -register_max - 1.0, register_max));
}

bool quantized_neuron::voltage_saturates(double v_mV) const {
    const double x = round_half_away((v_mV - v_ref_mV) * sigma());
    return !(x >= -register_max - 1.0 && x <= register_max);
}

quantized_neuron quantize_if_curr_exp(const if_curr_exp_params& p, double dt_ms, const incoming_weights& incoming,
                                      const quantize_options& /*options: nothing to choose yet*/,
                                      const origin& where) {
    auto valid = [](double x) { return std::isfinite(x); };
    if (!(dt_ms > 0.0) || !valid(dt_ms) || !(p.tau_m > 0.0) || !(p.tau_syn_e > 0.0) || !(p.tau_syn_i > 0.0) ||
        !(p.cm > 0.0) || !valid(p.cm) || !valid(p.v_rest) || !valid(p.v_reset) || !valid(p.v_thresh) ||
        !(p.v_thresh > p.v_reset) || !valid(p.i_offset) || !(p.tau_refrac >= 0.0) || !valid(p.tau_refrac) ||
        !(incoming.excitatory >= 0.0) || !(incoming.inhibitory >= 0.0)) {
        throw std::invalid_argument("quantize_if_curr_exp: parameters of population \"" + where.name +
                                    "\" are not validated");
    }
    quantized_neuron q;
    q.dt_ms = dt_ms;
    q.cm_nF = p.cm;
    const std::string params_path = where.path + "/params/";
    auto entry = [&](std::string name, std::string unit, double requested, double realised, double scale,
                     std::string note = {}) {
        q.parameters.push_back(parameter_entry{where.name, params_path + name, name, std::move(unit), requested,
                                               realised, relative(realised, requested, scale), std::move(note)});
    };

    // Decays. A decay of 4095 (τ below about dt/8) keeps at most 1/4096 of
    // the register after one step: its τ is not compared (§11).
    auto decay = [&](const char* name, double tau) {
        const std::uint32_t d = decay_field(dt_ms, tau);
        if (d < static_cast<std::uint32_t>(isa::decay_unity - 1)) {
            const double realised = effective_tau(dt_ms, d);
            entry(name, "ms", tau, realised, tau, d == 0 ? "decay 0: a perfect integrator" : "");
        }
        return d;
    };
    q.config.decay_u_exc = decay("tau_syn_E", p.tau_syn_e);
    q.config.decay_u_inh = decay("tau_syn_I", p.tau_syn_i);
    q.config.decay_v = decay("tau_m", p.tau_m);

    // Refractory period.
    const double refractory = round_half_away(p.tau_refrac / dt_ms);
    if (refractory > refractory_max) {
        throw chip_limit_error(where.source, params_path + "tau_refrac", "refractory period", refractory,
                               refractory_max,
                               "population \"" + where.name + "\": tau_refrac " + format_number(p.tau_refrac) +
                                   " ms is " + format_number(refractory) + " steps of " + format_number(dt_ms) +
                                   " ms; a neuron profile holds at most " + format_number(refractory_max) +
                                   " steps");
    }
    q.config.refractory_period = static_cast<std::uint32_t>(refractory);
    entry("tau_refrac", "ms", p.tau_refrac, refractory * dt_ms, p.tau_refrac);

    // Voltage reference and scale.
    const double v_ref = std::min(p.v_rest, p.v_reset);
    q.v_ref_mV = v_ref;
    scale_problem pr{};
    pr.threshold_span = p.v_thresh - v_ref;
    pr.reset_span = p.v_reset - v_ref;
    pr.rest_span = p.v_rest - v_ref;
    pr.widest_span = std::max({std::fabs(pr.threshold_span), std::fabs(pr.reset_span), std::fabs(pr.rest_span)});
    pr.offset_drive = p.i_offset * dt_ms / p.cm;
    pr.decay_v = q.config.decay_v;
    pr.weights = weight_scale{dt_ms, p.cm, 0};
    pr.incoming = incoming;

    // k_hi: the largest k the headroom (e) allows; k_lo: the smallest giving
    // threshold_mant >= 1 (a). Every other constraint only bounds σ above.
    int k_hi = std::clamp(static_cast<int>(std::floor(std::log2(register_max / (headroom_factor * pr.widest_span)))),
                          k_min, k_max);
    while (k_hi < k_max && pr.headroom_fits(k_hi + 1)) {
        ++k_hi;
    }
    while (k_hi > k_min && !pr.headroom_fits(k_hi)) {
        --k_hi;
    }
    int k_lo = std::clamp(static_cast<int>(std::ceil(std::log2(threshold_unit / 2.0 / pr.threshold_span))), k_min,
                          k_max);
    while (k_lo < k_max && !pr.threshold_at_least_one(k_lo)) {
        ++k_lo;
    }
    while (k_lo > k_min && pr.threshold_at_least_one(k_lo - 1)) {
        --k_lo;
    }
    std::optional<int> chosen;
    for (int k = k_hi; k >= k_lo; --k) {
        if (pr.fits(k)) {
            chosen = k;
            break;
        }
    }
    if (!chosen) {
        no_scale(pr, p, v_ref, k_lo, k_hi, where);
    }
    const int k = *chosen;
    q.sigma_log2 = k;
    const double sigma = std::ldexp(1.0, k);

    // Threshold and reset.
    const double threshold_mant = round_half_away(pr.threshold_span * sigma / threshold_unit);
    const double reset_mant = round_half_away(pr.reset_span * sigma / reset_unit);
    q.config.threshold_mant = static_cast<std::uint32_t>(threshold_mant);
    q.config.reset_mant = static_cast<std::int32_t>(reset_mant);
    entry("v_thresh", "mV", p.v_thresh, v_ref + threshold_mant * threshold_unit / sigma, pr.threshold_span);
    entry("v_reset", "mV", p.v_reset, v_ref + reset_mant * reset_unit / sigma, pr.threshold_span);

    // Bias: the smallest exponent whose mantissa fits.
    const double b = pr.bias_lsb(k);
    int bias_exp = 0;
    while (bias_exp < bias_exp_max && std::fabs(round_half_away(std::ldexp(b, -bias_exp))) > bias_mant_max) {
        ++bias_exp;
    }
    const double bias_mant = round_half_away(std::ldexp(b, -bias_exp));
    q.config.bias_exp = static_cast<std::uint32_t>(bias_exp);
    q.config.bias_mant = static_cast<std::int32_t>(bias_mant);
    // Reported in mV per step: the drive of i_offset plus the leak toward v_rest.
    q.parameters.push_back(parameter_entry{where.name, where.path + "/params", "bias", "mV/step", b / sigma,
                                           std::ldexp(bias_mant, bias_exp) / sigma,
                                           relative(std::ldexp(bias_mant, bias_exp), b, b), ""});
    return q;
}

} // namespace engram::compiler
