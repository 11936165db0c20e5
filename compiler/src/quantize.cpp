// Quantization of a whole network (docs/numerics.md §11), and its report.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/quantize.hpp>

namespace engram::compiler {

namespace {

// A bound of a projection's weights or delays and the JSON pointer it is
// written at.
struct bound {
    double value = 0.0;
    std::string path;
};

void require_finite(double x, const std::string& what) {
    if (!std::isfinite(x)) {
        throw std::invalid_argument("quantize_network: " + what + " is not finite; the network is not validated");
    }
}

// The rule's upper weight bound (all rule kinds have one).
double rule_w_max(const plasticity_rule& rule) {
    return std::visit([](const auto& params) { return params.w_max; }, rule.params);
}

// The largest weight a projection can hold: its weight spec (or, for
// FromList, each connection's own weight, else its element of a weight list,
// else the spec's bound), and the rule's w_max for a plastic projection.
bound largest_weight(const network& net, const projection& proj) {
    bound b{0.0, proj.path + "/weight"};
    auto consider = [&](double w, std::string path) {
        require_finite(w, "a weight of projection \"" + proj.name + "\"");
        if (w > b.value) {
            b = bound{w, std::move(path)};
        }
    };
    if (proj.conn.kind == connector_kind::from_list) {
        const auto& list = proj.conn.connections;
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (list[i].weight) {
                consider(*list[i].weight, proj.path + "/connector/connections/" + std::to_string(i) + "/2");
            }
            else if (proj.weight.type == value_spec::kind::list && i < proj.weight.values.size()) {
                consider(proj.weight.values[i], proj.path + "/weight/" + std::to_string(i));
            }
            else {
                consider(proj.weight.max_value(), proj.path + "/weight");
            }
        }
    }
    else {
        consider(proj.weight.max_value(), proj.path + "/weight");
    }
    if (proj.rule) {
        const plasticity_rule& rule = net.rules[*proj.rule];
        consider(rule_w_max(rule), rule.path + "/params/w_max");
    }
    return b;
}

// The shortest and longest delays of a projection, like largest_weight.
std::pair<bound, bound> delay_bounds(const projection& proj) {
    bound lo{std::numeric_limits<double>::infinity(), proj.path + "/delay"};
    bound hi{0.0, proj.path + "/delay"};
    auto consider = [&](double lo_value, double hi_value, const std::string& path) {
        require_finite(lo_value, "a delay of projection \"" + proj.name + "\"");
        require_finite(hi_value, "a delay of projection \"" + proj.name + "\"");
        if (lo_value < lo.value) {
            lo = bound{lo_value, path};
        }
        if (hi_value > hi.value) {
            hi = bound{hi_value, path};
        }
    };
    if (proj.conn.kind == connector_kind::from_list) {
        const auto& list = proj.conn.connections;
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (list[i].delay) {
                consider(*list[i].delay, *list[i].delay,
                         proj.path + "/connector/connections/" + std::to_string(i) + "/3");
            }
            else if (proj.delay.type == value_spec::kind::list && i < proj.delay.values.size()) {
                consider(proj.delay.values[i], proj.delay.values[i], proj.path + "/delay/" + std::to_string(i));
            }
            else {
                consider(proj.delay.min_value(), proj.delay.max_value(), proj.path + "/delay");
            }
        }
        if (list.empty()) {
            lo.value = hi.value = proj.delay.min_value();
        }
    }
    else {
        consider(proj.delay.min_value(), proj.delay.max_value(), proj.path + "/delay");
    }
    return {lo, hi};
}

// Whether some synapse of the projection takes its weight (delay) from the
// projection's spec rather than from its FromList connection.
bool spec_used(const projection& proj, bool weight) {
    if (proj.conn.kind != connector_kind::from_list) {
        return true;
    }
    return std::any_of(proj.conn.connections.begin(), proj.conn.connections.end(),
                       [&](const list_connection& c) { return weight ? !c.weight : !c.delay; });
}

double signed_relative(double realised, double requested) {
    if (requested == 0.0) {
        return realised == 0.0 ? 0.0
                               : std::copysign(std::numeric_limits<double>::infinity(), realised - requested);
    }
    return (realised - requested) / std::fabs(requested);
}

nlohmann::json number(double x) {
    return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

// "%.4g" (fixed locale-independent digits for a terminal).
std::string short_number(double x) {
    if (std::isinf(x)) {
        return x > 0 ? "inf" : "-inf";
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", x);
    return buffer;
}

// A relative error as a percentage, signed or not.
std::string percent(double x, bool sign = true) {
    if (std::isinf(x)) {
        return x > 0 ? (sign ? "+inf %" : "inf %") : "-inf %";
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, sign ? "%+.3g %%" : "%.3g %%", 100.0 * x);
    return buffer;
}

// "1 weight", "2 weights".
std::string count(std::uint64_t n, const std::string& noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

} // namespace

void quantization::accumulate(std::size_t projection, double weight_nA, std::int32_t mantissa) {
    projections.at(projection).weights.accumulate(report.projections.at(projection).weights, weight_nA, mantissa);
}

void quantization::accumulate_delay(std::size_t projection, double delay_ms, std::uint32_t steps) {
    projections.at(projection).delays.accumulate(report.projections.at(projection).delays, delay_ms, steps);
}

quantization quantize_network(const network& net, const quantize_options& options) {
    quantization q;
    q.dt_ms = net.dt;
    q.report.report_threshold = options.report_threshold;
    q.neurons.resize(net.populations.size());
    auto listed = [&](const parameter_entry& e) { return std::fabs(e.relative_error) > options.report_threshold; };

    std::vector<bound> largest;
    largest.reserve(net.projections.size());
    for (const auto& proj: net.projections) {
        largest.push_back(largest_weight(net, proj));
    }

    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        const population& pop = net.populations[p];
        if (pop.model != neuron_model::if_curr_exp) {
            continue;
        }
        const auto& params = std::get<if_curr_exp_params>(pop.params);
        incoming_weights in;
        for (std::size_t j = 0; j < net.projections.size(); ++j) {
            const projection& proj = net.projections[j];
            if (proj.post != p) {
                continue;
            }
            const bool exc = proj.target == receptor::excitatory;
            double& w = exc ? in.excitatory : in.inhibitory;
            if (largest[j].value > w) {
                w = largest[j].value;
                (exc ? in.excitatory_from : in.inhibitory_from) = origin{net.source, proj.name, largest[j].path};
            }
        }
        quantized_neuron& n = q.neurons[p].emplace(
            quantize_if_curr_exp(params, net.dt, in, options, origin{net.source, pop.name, pop.path}));
        q.report.populations.push_back(
            population_quantization_report{pop.name, pop.path, n.v_ref_mV, n.sigma_log2, n.config});
        for (const auto& e: n.parameters) {
            if (listed(e)) {
                q.report.parameters.push_back(e);
            }
        }
        // Initial voltages beyond the register's range saturate: listed
        // whatever their relative error.
        if (pop.initial_v) {
            for (const double v: {pop.initial_v->min_value(), pop.initial_v->max_value()}) {
                require_finite(v, "an initial voltage of population \"" + pop.name + "\"");
                if (n.voltage_saturates(v)) {
                    const double realised = n.voltage_mV(n.voltage_register(v));
                    q.report.parameters.push_back(parameter_entry{
                        pop.name, pop.path + "/initial/v", "initial_v", "mV", v, realised,
                        (realised - v) / (params.v_thresh - n.v_ref_mV),
                        "saturated: the register holds v_ref " + short_number(n.v_ref_mV) + " mV +/- " +
                            short_number(8388608.0 / n.sigma()) + " mV"});
                }
            }
        }
    }

    for (std::size_t j = 0; j < net.projections.size(); ++j) {
        const projection& proj = net.projections[j];
        const quantized_neuron& post = q.neurons.at(proj.post).value();
        const origin where{net.source, proj.name, proj.path};
        weight_quantizer weights(post.weights(), largest[j].value, proj.target, options, where);
        delay_quantizer delays(net.dt, options, where);

        projection_quantization_report r;
        r.name = proj.name;
        r.path = proj.path;
        r.target = proj.target;
        r.weight_exp = weights.exponent();
        r.largest_weight_nA = largest[j].value;
        r.largest_representable_nA = weights.largest_representable();
        r.weight_lsb_nA = weights.realised(1);

        // Delays: the longest must fit (named where it is written).
        const auto [shortest, longest] = delay_bounds(proj);
        const double longest_steps = round_half_away(longest.value / net.dt);
        if (longest_steps > double(isa::max_delay)) {
            throw chip_limit_error(net.source, longest.path, "delay", longest_steps, isa::max_delay,
                                   "projection \"" + proj.name + "\": delay " + format_number(longest.value) +
                                       " ms is " + format_number(longest_steps) + " steps of " +
                                       format_number(net.dt) + " ms; a synapse holds at most " +
                                       std::to_string(isa::max_delay) + " steps");
        }
        r.max_delay_steps = delays.delay_steps(longest.value);
        r.min_delay_steps = std::isfinite(shortest.value) ? delays.delay_steps(shortest.value) : r.max_delay_steps;

        // Constant weights and delays: one entry each, known before any
        // synapse is generated.
        if (proj.weight.type == value_spec::kind::constant && spec_used(proj, true)) {
            const double w = proj.weight.value;
            const std::int32_t m = weights.mantissa(w);
            parameter_entry e{proj.name, proj.path + "/weight", "weight", "nA", w, weights.realised(m),
                              signed_relative(weights.realised(m), w), m == 0 && w != 0.0 ? "rounded to zero" : ""};
            if (listed(e)) {
                q.report.parameters.push_back(std::move(e));
            }
        }
        if (proj.delay.type == value_spec::kind::constant && spec_used(proj, false)) {
            const double d = proj.delay.value;
            const std::uint32_t steps = delays.delay_steps(d);
            parameter_entry e{proj.name, proj.path + "/delay", "delay", "ms", d, delays.realised(steps),
                              signed_relative(delays.realised(steps), d),
                              round_half_away(d / net.dt) < 1.0 ? "raised to 1 step" : ""};
            if (listed(e)) {
                q.report.parameters.push_back(std::move(e));
            }
        }
        q.report.projections.push_back(std::move(r));
        q.projections.push_back(projection_quantizer{std::move(weights), std::move(delays)});
    }
    return q;
}

// --- report -------------------------------------------------------------------

nlohmann::json to_json(const quantization_report& report) {
    using nlohmann::json;
    json out = json::object();
    out["report_threshold"] = report.report_threshold;

    json pops = json::array();
    for (const auto& p: report.populations) {
        json config = json::object();
        const auto values = isa::to_values(p.config);
        for (std::size_t i = 0; i < values.size(); ++i) {
            config[std::string(isa::neuron_config_fields[i].name)] = values[i];
        }
        pops.push_back(json{{"name", p.name},
                            {"path", p.path},
                            {"v_ref_mV", p.v_ref_mV},
                            {"sigma_log2", p.sigma_log2},
                            {"lsb_mV", std::ldexp(1.0, -p.sigma_log2)},
                            {"config", std::move(config)}});
    }
    out["populations"] = std::move(pops);

    json params = json::array();
    for (const auto& e: report.parameters) {
        json j{{"owner", e.owner},
               {"path", e.path},
               {"parameter", e.parameter},
               {"unit", e.unit},
               {"requested", number(e.requested)},
               {"realised", number(e.realised)},
               {"relative_error", number(e.relative_error)}};
        if (!e.note.empty()) {
            j["note"] = e.note;
        }
        params.push_back(std::move(j));
    }
    out["parameters"] = std::move(params);

    json projs = json::array();
    for (const auto& r: report.projections) {
        const auto& w = r.weights;
        const auto& d = r.delays;
        projs.push_back(json{
            {"name", r.name},
            {"path", r.path},
            {"receptor", std::string(to_string(r.target))},
            {"weight_exp", r.weight_exp},
            {"largest_weight_nA", number(r.largest_weight_nA)},
            {"largest_representable_nA", number(r.largest_representable_nA)},
            {"weight_lsb_nA", number(r.weight_lsb_nA)},
            {"delay_steps", json{{"min", r.min_delay_steps}, {"max", r.max_delay_steps}}},
            {"weights", json{{"count", w.count},
                             {"nonzero", w.nonzero},
                             {"saturated", w.saturated},
                             {"rounded_to_zero", w.rounded_to_zero},
                             {"max_relative_error", number(w.max_relative_error)},
                             {"mean_relative_error", number(w.mean_relative_error())}}},
            {"delays", json{{"count", d.count},
                            {"raised_to_one", d.raised_to_one},
                            {"over_threshold", d.over_threshold},
                            {"max_relative_error", number(d.max_relative_error)},
                            {"mean_relative_error", number(d.mean_relative_error())}}}});
    }
    out["projections"] = std::move(projs);

    json rules = json::array();
    for (const auto& r: report.rules) {
        json ps = json::array();
        for (const auto& e: r.parameters) {
            json j{{"parameter", e.parameter},
                   {"path", e.path},
                   {"unit", e.unit},
                   {"requested", number(e.requested)},
                   {"realised", number(e.realised)},
                   {"relative_error", number(e.relative_error)}};
            if (!e.note.empty()) {
                j["note"] = e.note;
            }
            ps.push_back(std::move(j));
        }
        rules.push_back(json{{"name", r.name},
                             {"path", r.path},
                             {"population", r.population},
                             {"receptor", std::string(to_string(r.target))},
                             {"epoch_steps", r.epoch_steps},
                             {"terms", r.terms},
                             {"w_min", r.w_min},
                             {"w_max", r.w_max},
                             {"parameters", std::move(ps)}});
    }
    out["rules"] = std::move(rules);
    return out;
}

std::string summary(const quantization_report& report) {
    const std::string threshold = short_number(100.0 * report.report_threshold) + " %";
    std::string out = "quantization: " + count(report.populations.size(), "neuron profile") + ", " +
                      count(report.projections.size(), "projection") + "; " +
                      count(report.parameters.size(), "parameter") + " off by more than " + threshold + "\n";
    for (const auto& p: report.populations) {
        out += "  population \"" + p.name + "\": v_ref " + short_number(p.v_ref_mV) + " mV, sigma 2^" +
               std::to_string(p.sigma_log2) + " LSB/mV\n";
    }
    for (const auto& e: report.parameters) {
        out += "  " + e.owner + " " + e.parameter + ": " + short_number(e.requested) + " -> " +
               short_number(e.realised) + " " + e.unit + " (" + percent(e.relative_error) + ")" +
               (e.note.empty() ? "" : "; " + e.note) + "  [" + e.path + "]\n";
    }
    for (const auto& r: report.projections) {
        out += "  projection \"" + r.name + "\": weight exponent " + std::to_string(r.weight_exp) + ", step " +
               short_number(r.weight_lsb_nA) + " nA, largest " + short_number(r.largest_representable_nA) + " nA";
        const auto& w = r.weights;
        if (w.count > 0) {
            out += "; " + count(w.count, "weight") + ", " + std::to_string(w.saturated) + " saturated, " +
                   std::to_string(w.rounded_to_zero) + " rounded to zero, error max " +
                   percent(w.max_relative_error, false) + ", mean " + percent(w.mean_relative_error(), false);
        }
        const auto& d = r.delays;
        if (d.count > 0) {
            out += "; " + count(d.count, "delay") + ", " + std::to_string(d.over_threshold) + " off by more than " +
                   threshold + ", " + std::to_string(d.raised_to_one) + " raised to 1 step";
        }
        out += "\n";
    }
    for (const auto& r: report.rules) {
        double worst = 0.0;
        for (const auto& e: r.parameters) {
            worst = std::max(worst, std::fabs(e.relative_error));
        }
        out += "  rule \"" + r.name + "\" onto \"" + r.population + "\" (" + std::string(to_string(r.target)) +
               "): " + count(r.terms, "term") + ", epoch " + std::to_string(r.epoch_steps) + " step" +
               (r.epoch_steps == 1 ? "" : "s") + ", weights " + std::to_string(r.w_min) + ".." +
               std::to_string(r.w_max) + ", largest coefficient error " + percent(worst, false) + "\n";
    }
    return out;
}

} // namespace engram::compiler
