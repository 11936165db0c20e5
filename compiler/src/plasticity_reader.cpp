#include <cmath>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/isa/formats.hpp>

#include "network_reader.hpp"

namespace engram::compiler::detail {

using json_input::object_ref;
using json_input::value_ref;

namespace {

// Reads optional keys into fields, with their defaults kept when absent.
struct param_reader {
    const object_ref& o;

    void positive(std::string_view key, double& out) const {
        if (auto x = o.optional(key)) {
            out = read_positive(*x);
        }
    }
    void non_negative(std::string_view key, double& out) const {
        if (auto x = o.optional(key)) {
            out = x->number_in(0.0, 1e9, false, false);
        }
    }
    void any(std::string_view key, double& out) const {
        if (auto x = o.optional(key)) {
            out = x->number_in(-1e9, 1e9, false, false);
        }
    }
    void bounds(double& w_min, double& w_max) const {
        non_negative("w_min", w_min);
        non_negative("w_max", w_max);
        if (!(w_min < w_max)) {
            throw conflict_error(o.source(), o.key_path("w_max"),
                                 "w_max " + format_number(w_max) + " nA must be above w_min " + format_number(w_min) +
                                     " nA");
        }
    }
};

} // namespace

void network_reader::read_rule(const value_ref& v) {
    const auto o = v.object({"name", "rule", "params", "modulator", "epoch", "description"});
    plasticity_rule r;
    r.path = v.path();
    const auto name_value = o.required("name");
    r.name = read_name(name_value);
    if (auto it = rule_index.find(r.name); it != rule_index.end()) {
        throw duplicate_name_error(source(), name_value.path(), r.name, net.rules[it->second].path + "/name");
    }
    if (auto d = o.optional("description")) {
        d->string();
    }
    const auto kind = o.required("rule");
    const std::string& kind_name =
        kind.choice({"pair_stdp", "triplet_stdp", "three_factor", "sum_of_products", "gdhl"});

    if (auto m = o.optional("modulator")) {
        const std::size_t index = population_ref(*m);
        if (net.populations[index].model != neuron_model::modulator) {
            throw conflict_error(source(), m->path(),
                                 "\"" + net.populations[index].name + "\" is a " +
                                     std::string(to_string(net.populations[index].model)) +
                                     "; a rule's modulator must be a Modulator population");
        }
        r.modulator = index;
    }
    if (auto e = o.optional("epoch")) {
        const double steps = e->number_in(0.0, 1e9, true, false) / net.dt;
        const double rounded = std::round(steps);
        if (std::fabs(steps - rounded) > 1e-6 * std::max(1.0, steps) || rounded < 1.0 || rounded > 63.0) {
            throw range_error(source(), e->path(), e->number(),
                              "a whole number of time steps from 1 to 63 (dt = " + format_number(net.dt) + " ms)");
        }
        r.epoch = e->number();
    }

    static const std::vector<std::string_view> no_params;
    const auto params_value = o.optional("params");
    auto open_params = [&](std::initializer_list<std::string_view> keys) {
        if (!params_value) {
            // All parameters have defaults; an empty object stands in.
            return std::optional<object_ref>();
        }
        return std::optional<object_ref>(params_value->object(keys));
    };

    if (kind_name == "pair_stdp") {
        r.kind = rule_kind::pair_stdp;
        pair_stdp_params p;
        if (auto po = open_params({"tau_plus", "tau_minus", "a_plus", "a_minus", "w_min", "w_max",
                                   "weight_dependence"})) {
            const param_reader pr{*po};
            pr.positive("tau_plus", p.tau_plus);
            pr.positive("tau_minus", p.tau_minus);
            pr.non_negative("a_plus", p.a_plus);
            pr.non_negative("a_minus", p.a_minus);
            pr.bounds(p.w_min, p.w_max);
            if (auto d = po->optional("weight_dependence")) {
                p.dependence = d->choice({"additive", "multiplicative"}) == "additive"
                                   ? weight_dependence::additive
                                   : weight_dependence::multiplicative;
            }
        }
        r.params = p;
    }
    else if (kind_name == "triplet_stdp") {
        r.kind = rule_kind::triplet_stdp;
        triplet_stdp_params p;
        if (auto po = open_params({"tau_plus", "tau_minus", "tau_x", "tau_y", "a2_plus", "a3_plus", "a2_minus",
                                   "a3_minus", "w_min", "w_max"})) {
            const param_reader pr{*po};
            pr.positive("tau_plus", p.tau_plus);
            pr.positive("tau_minus", p.tau_minus);
            pr.positive("tau_x", p.tau_x);
            pr.positive("tau_y", p.tau_y);
            pr.non_negative("a2_plus", p.a2_plus);
            pr.non_negative("a3_plus", p.a3_plus);
            pr.non_negative("a2_minus", p.a2_minus);
            pr.non_negative("a3_minus", p.a3_minus);
            pr.bounds(p.w_min, p.w_max);
        }
        r.params = p;
    }
    else if (kind_name == "three_factor") {
        r.kind = rule_kind::three_factor;
        three_factor_params p;
        if (auto po = open_params({"tau_plus", "tau_minus", "a_plus", "a_minus", "tau_eligibility", "tau_modulator",
                                   "learning_rate", "w_min", "w_max"})) {
            const param_reader pr{*po};
            pr.positive("tau_plus", p.tau_plus);
            pr.positive("tau_minus", p.tau_minus);
            pr.non_negative("a_plus", p.a_plus);
            pr.non_negative("a_minus", p.a_minus);
            pr.positive("tau_eligibility", p.tau_eligibility);
            pr.positive("tau_modulator", p.tau_modulator);
            pr.non_negative("learning_rate", p.learning_rate);
            pr.bounds(p.w_min, p.w_max);
        }
        if (!r.modulator) {
            throw missing_key_error(source(), v.path(), "modulator");
        }
        r.params = p;
    }
    else if (kind_name == "sum_of_products") {
        r.kind = rule_kind::sum_of_products;
        sum_of_products_params p;
        if (!params_value) {
            throw missing_key_error(source(), v.path(), "params");
        }
        const auto po = params_value->object({"dw", "dt", "tau_x1", "tau_x2", "tau_y1", "tau_y2", "tau_y3", "tau_r",
                                              "tau_tag", "w_min", "w_max"});
        const param_reader pr{po};
        const auto dw = po.required("dw");
        p.dw_text = dw.string();
        p.dw = parse_learning_expression(p.dw_text, source(), dw.path());
        std::size_t terms = p.dw.terms.size();
        if (auto dt = po.optional("dt")) {
            p.dt_text = dt->string();
            p.dt = parse_learning_expression(p.dt_text, source(), dt->path());
            terms += p.dt.terms.size();
            if (terms > static_cast<std::size_t>(isa::max_terms_per_rule)) {
                throw unsupported_rule_error(source(), dt->path(), p.dw_text + " ; " + p.dt_text,
                                             std::to_string(terms) + " terms in dw and dt together, the engine holds "
                                             "at most " + std::to_string(isa::max_terms_per_rule) + " per rule");
            }
        }
        for (const auto* e: {&p.dw, &p.dt}) {
            for (auto op: {isa::learn_operand::r0, isa::learn_operand::r1}) {
                if (e->uses(op) && !r.modulator) {
                    throw conflict_error(source(), v.path(),
                                         "the rule uses the modulator (" + std::string(isa::to_string(op)) +
                                             ") but names no \"modulator\"");
                }
            }
        }
        pr.positive("tau_x1", p.tau_x1);
        pr.positive("tau_x2", p.tau_x2);
        pr.positive("tau_y1", p.tau_y1);
        pr.positive("tau_y2", p.tau_y2);
        pr.positive("tau_y3", p.tau_y3);
        pr.positive("tau_r", p.tau_r);
        pr.positive("tau_tag", p.tau_tag);
        pr.bounds(p.w_min, p.w_max);
        r.params = std::move(p);
    }
    else {
        r.kind = rule_kind::gdhl;
        gdhl_params p;
        if (!params_value) {
            throw missing_key_error(source(), v.path(), "params");
        }
        const auto po = params_value->object({"eta_sp", "eta_sn", "eta_ps", "eta_ns", "sigma_pp", "sigma_pn",
                                              "sigma_np", "sigma_nn", "tau_pre", "tau_post", "w_min", "w_max"});
        const param_reader pr{po};
        pr.any("eta_sp", p.eta_sp);
        pr.any("eta_sn", p.eta_sn);
        pr.any("eta_ps", p.eta_ps);
        pr.any("eta_ns", p.eta_ns);
        pr.any("sigma_pp", p.sigma_pp);
        pr.any("sigma_pn", p.sigma_pn);
        pr.any("sigma_np", p.sigma_np);
        pr.any("sigma_nn", p.sigma_nn);
        pr.positive("tau_pre", p.tau_pre);
        pr.positive("tau_post", p.tau_post);
        pr.bounds(p.w_min, p.w_max);
        const double sum = std::fabs(p.eta_sp) + std::fabs(p.eta_sn) + std::fabs(p.eta_ps) + std::fabs(p.eta_ns) +
                           std::fabs(p.sigma_pp) + std::fabs(p.sigma_pn) + std::fabs(p.sigma_np) +
                           std::fabs(p.sigma_nn);
        if (sum == 0.0) {
            throw conflict_error(source(), params_value->path(),
                                 "all eight G-DHL coefficients are zero; the rule would never change a weight");
        }
        r.params = p;
    }
    if (r.modulator && r.kind != rule_kind::three_factor && r.kind != rule_kind::sum_of_products) {
        throw conflict_error(source(), o.key_path("modulator"),
                             "a " + kind_name + " rule does not use a modulator");
    }
    rule_index.try_emplace(r.name, net.rules.size());
    net.rules.push_back(std::move(r));
}

} // namespace engram::compiler::detail
