// Quantization of weights and delays (docs/numerics.md §11): the weight
// exponent of a projection, per-synapse mantissas and delays in steps, and
// their statistics.

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/quantize.hpp>

namespace engram::compiler {

namespace {

constexpr double mantissa_max = 127.0;

double relative_error(double realised, double requested) {
    if (requested == 0.0) {
        return realised == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
    }
    return std::fabs(realised - requested) / std::fabs(requested);
}

} // namespace

weight_saturation_error::weight_saturation_error(std::string source, std::string path, std::string projection_,
                                                 double weight_, double largest_, int exponent_):
    input_error(std::move(source), std::move(path),
                "projection \"" + projection_ + "\": weight " + format_number(weight_) +
                    " nA exceeds the largest representable " + format_number(largest_) + " nA at exponent " +
                    std::to_string(exponent_)),
    projection(std::move(projection_)),
    weight(weight_),
    largest(largest_),
    exponent(exponent_) {}

void weight_stats::merge(const weight_stats& other) {
    count += other.count;
    nonzero += other.nonzero;
    saturated += other.saturated;
    rounded_to_zero += other.rounded_to_zero;
    max_relative_error = std::max(max_relative_error, other.max_relative_error);
    sum_relative_error += other.sum_relative_error;
}

void delay_stats::merge(const delay_stats& other) {
    count += other.count;
    raised_to_one += other.raised_to_one;
    over_threshold += other.over_threshold;
    max_relative_error = std::max(max_relative_error, other.max_relative_error);
    sum_relative_error += other.sum_relative_error;
}

double unclamped_weight_mantissa(const weight_scale& scale, double weight_nA, int exponent) {
    return round_half_away(std::fabs(weight_nA) * scale.dt_ms / scale.cm_nF *
                           std::ldexp(1.0, scale.sigma_log2 - isa::weight_shift - exponent));
}

// --- weight_quantizer ---------------------------------------------------------

weight_quantizer::weight_quantizer(const weight_scale& scale, double largest_weight_nA, receptor target,
                                   const quantize_options& options, origin where):
    dt_(scale.dt_ms),
    cm_(scale.cm_nF),
    to_mantissa_(0.0),
    to_weight_(0.0),
    exponent_(isa::weight_exp_min),
    target_(target),
    largest_weight_(largest_weight_nA),
    saturation_is_error_(options.saturation_is_error),
    where_(std::move(where)) {
    if (!(dt_ > 0.0) || !(cm_ > 0.0) || !std::isfinite(dt_) || !std::isfinite(cm_) || !(largest_weight_nA >= 0.0)) {
        throw std::invalid_argument("weight_quantizer: invalid scale or largest weight for projection \"" +
                                    where_.name + "\"");
    }
    // The smallest exponent (the finest step) whose mantissa holds the
    // largest weight; the largest exponent if none does (that weight then
    // saturates, and is counted or rejected as it is quantized).
    while (exponent_ < isa::weight_exp_max &&
           !(unclamped_weight_mantissa(scale, largest_weight_nA, exponent_) <= mantissa_max)) {
        ++exponent_;
    }
    to_mantissa_ = std::ldexp(1.0, scale.sigma_log2 - isa::weight_shift - exponent_);
    to_weight_ = std::ldexp(1.0, isa::weight_shift + exponent_ - scale.sigma_log2);
}

bool weight_quantizer::saturates(double weight_nA) const {
    return !(std::round(std::fabs(weight_nA) * dt_ / cm_ * to_mantissa_) <= mantissa_max);
}

std::int32_t weight_quantizer::saturate(double weight_nA) const {
    if (std::isnan(weight_nA)) {
        throw std::invalid_argument("weight_quantizer: weight of projection \"" + where_.name +
                                    "\" is not a number");
    }
    if (saturation_is_error_) {
        throw weight_saturation_error(where_.source, where_.path + "/weight", where_.name, std::fabs(weight_nA),
                                      largest_representable(), exponent_);
    }
    return target_ == receptor::inhibitory ? -127 : 127;
}

void weight_quantizer::accumulate(weight_stats& stats, double weight_nA, std::int32_t mantissa) const {
    ++stats.count;
    const double w = std::fabs(weight_nA);
    if (w == 0.0) {
        return;
    }
    ++stats.nonzero;
    if (saturates(w)) {
        ++stats.saturated;
    }
    if (mantissa == 0) {
        ++stats.rounded_to_zero;
    }
    const double e = relative_error(realised(mantissa), w);
    stats.max_relative_error = std::max(stats.max_relative_error, e);
    stats.sum_relative_error += e;
}

// --- delay_quantizer ----------------------------------------------------------

delay_quantizer::delay_quantizer(double dt_ms, const quantize_options& options, origin where):
    dt_(dt_ms), report_threshold_(options.report_threshold), where_(std::move(where)) {
    if (!(dt_ > 0.0) || !std::isfinite(dt_)) {
        throw std::invalid_argument("delay_quantizer: invalid time step for projection \"" + where_.name + "\"");
    }
}

std::uint32_t delay_quantizer::delay_steps(double delay_ms) const {
    const double steps = round_half_away(delay_ms / dt_);
    if (std::isnan(steps) || steps < 0.0) {
        throw std::invalid_argument("delay_quantizer: delay " + format_number(delay_ms) + " ms of projection \"" +
                                    where_.name + "\"");
    }
    if (steps > double(isa::max_delay)) {
        throw chip_limit_error(where_.source, where_.path + "/delay", "delay", steps, isa::max_delay,
                               "projection \"" + where_.name + "\": delay " + format_number(delay_ms) + " ms is " +
                                   format_number(steps) + " steps of " + format_number(dt_) +
                                   " ms; a synapse holds at most " + std::to_string(isa::max_delay) + " steps");
    }
    return std::max(static_cast<std::uint32_t>(steps), static_cast<std::uint32_t>(isa::min_delay));
}

void delay_quantizer::accumulate(delay_stats& stats, double delay_ms, std::uint32_t steps) const {
    ++stats.count;
    if (round_half_away(delay_ms / dt_) < double(isa::min_delay)) {
        ++stats.raised_to_one;
    }
    const double e = relative_error(realised(steps), delay_ms);
    if (e > report_threshold_) {
        ++stats.over_threshold;
    }
    stats.max_relative_error = std::max(stats.max_relative_error, e);
    stats.sum_relative_error += e;
}

} // namespace engram::compiler
