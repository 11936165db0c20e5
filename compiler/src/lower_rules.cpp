// The lowering of plasticity rules to learning-engine microcode
// (docs/learning.md has the derivations, docs/numerics.md §11 the scaling).
//
// Each named rule is first written as "real terms": a product of up to three
// operands (spike flags, traces, the weight, the tag) times a real
// coefficient K on the raw integer product, in extended-weight LSB (dw) or
// tag LSB (dt). K is then encoded as const·2^scale with const in 64..127 (a
// free factor slot holds the constant), or as a power of two when all three
// slots hold operands. The structure of the terms depends only on the rule,
// never on the scale, so lowered_term_count is exact for every use.

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/lower_rules.hpp>
#include <engram/compiler/partition.hpp>

namespace engram::compiler {

namespace {

using op = isa::learn_operand;

constexpr double trace_unit = 4096.0;           // a trace of 1.0 (impulse for a jump of 1)
constexpr double extended_per_mantissa = 256.0; // 2^LearnFracBits
constexpr std::int32_t scale_min = -32;
constexpr std::int32_t scale_max = 31;

// Tag LSB per unit of a three-factor amplitude: the largest power of two
// with max(a_plus, a_minus)·S ≤ 8192, so that one full pairing moves the
// tag by 4096..8192 LSB. Tags well above 4096/tag_decay decay accurately
// (decay rounds toward zero); four full pairings of one sign saturate it.
double tag_scale(const three_factor_params& p) {
    const double a = std::max(p.a_plus, p.a_minus);
    if (!(a > 0.0)) {
        return 8192.0;
    }
    int e = 0;
    (void)std::frexp(8192.0 / a, &e); // 8192/a = m·2^e, m in [0.5, 1)
    return std::ldexp(1.0, std::clamp(e - 1, -60, 60));
}

// A term before encoding.
struct real_term {
    isa::learn_target target = isa::learn_target::weight;
    bool negate = false;
    std::vector<learning_factor> operands; // 1..3, no constant operand
    double magnitude = 0.0;                // |K| on the raw product
    // For the report and messages: the parameter this term realises, its
    // requested value, and how the encoded K maps back to it:
    // realised = offset + sign·K_encoded/per_unit.
    std::string parameter;
    double requested = 0.0;
    double offset = 0.0;
    double sign = 1.0;
    double per_unit = 0.0; // K per unit of the parameter (0: not reported)
    std::string unit = "nA";
};

// K rounded to the nearest power of two (the one with the smaller relative
// error: 2^g for K/2^g < 1.5, else 2^(g+1)), as a scale.
std::int32_t power_of_two_scale(double k) {
    int e = 0;
    const double m = std::frexp(k, &e); // k = m·2^e, m in [0.5, 1)
    return 2.0 * m >= 1.5 ? e : e - 1;
}

double realised_power_of_two(double k) {
    return k > 0.0 ? std::ldexp(1.0, power_of_two_scale(k)) : 0.0;
}

std::string term_text(const real_term& t) {
    std::string s = t.target == isa::learn_target::weight ? "dw " : "dt ";
    s += t.negate ? "-= " : "+= ";
    for (std::size_t i = 0; i < t.operands.size(); ++i) {
        if (i > 0) {
            s += "*";
        }
        const auto& f = t.operands[i];
        if (f.constant == 0) {
            s += isa::to_string(f.operand);
        }
        else {
            s += "(" + std::string(isa::to_string(f.operand)) + (f.constant < 0 ? " - " : " + ") +
                 std::to_string(std::abs(f.constant)) + ")";
        }
    }
    if (!t.parameter.empty()) {
        s += " (" + t.parameter + ")";
    }
    return s;
}

// The operand slots of a term, with the constant op c last if used.
void place_factors(isa::learning_term& out, const std::vector<learning_factor>& factors) {
    isa::learn_operand* ops[] = {&out.op0, &out.op1, &out.op2};
    std::int32_t* consts[] = {&out.const0, &out.const1, &out.const2};
    for (std::size_t i = 0; i < factors.size(); ++i) {
        *ops[i] = factors[i].operand;
        *consts[i] = factors[i].constant;
    }
}

// Encodes one term; returns the realised K.
double encode(const real_term& t, isa::learning_term& out, const plasticity_rule& rule, const std::string& source) {
    out = {};
    out.target = t.target;
    if (!(t.magnitude > 0.0)) {
        // A zero coefficient: the constant 0 (the term count stays that of
        // the rule's structure).
        out.op0 = op::c;
        out.const0 = 0;
        return 0.0;
    }
    if (!std::isfinite(t.magnitude)) {
        throw std::logic_error("lower_rule: non-finite coefficient in rule \"" + rule.name + "\"");
    }
    out.negate = t.negate ? 1 : 0;
    std::vector<learning_factor> factors = t.operands;
    std::int32_t scale = 0;
    double realised = 0.0;
    if (factors.size() >= static_cast<std::size_t>(isa::max_factors_per_term)) {
        scale = power_of_two_scale(t.magnitude);
        realised = std::ldexp(1.0, scale);
    }
    else {
        int e = 0;
        const double m = std::frexp(t.magnitude, &e);
        auto c = static_cast<std::int32_t>(std::round(m * 128.0)); // 64..128
        scale = e - 7;
        if (c == 128) {
            c = 64;
            ++scale;
        }
        factors.push_back({op::c, c});
        realised = std::ldexp(static_cast<double>(c), scale);
    }
    if (scale < scale_min || scale > scale_max) {
        const std::string path = rule.path + (t.parameter.empty() ? "" : "/params/" + t.parameter);
        throw unsupported_rule_error(
            source, path, term_text(t),
            "rule \"" + rule.name + "\": the coefficient " + format_number(t.magnitude) +
                " (LSB per raw product) needs the scale 2^" + std::to_string(scale) +
                ", outside the engine's 2^" + std::to_string(scale_min) + " to 2^" + std::to_string(scale_max) +
                (scale < scale_min ? "; the amplitude is too small for this weight scale"
                                   : "; the amplitude is too large for this weight scale"));
    }
    out.scale = scale;
    place_factors(out, factors);
    return realised;
}

learning_factor f(op o, std::int32_t k = 0) {
    return {o, k};
}

// A term with a coefficient proportional to one parameter.
real_term proportional(isa::learn_target target, std::vector<learning_factor> operands, std::string parameter,
                       double value, double per_unit, bool negate_positive, std::string unit = "nA") {
    real_term t;
    t.target = target;
    t.operands = std::move(operands);
    t.parameter = std::move(parameter);
    t.requested = value;
    t.sign = value < 0.0 ? -1.0 : 1.0;
    t.per_unit = per_unit;
    t.magnitude = std::fabs(value) * per_unit;
    t.negate = negate_positive != (value < 0.0);
    t.unit = std::move(unit);
    return t;
}

struct rule_terms {
    std::vector<real_term> terms;
    std::uint32_t tag_decay = 0;
    std::vector<parameter_entry> extra; // reported parameters that are no term
};

// The real terms of a rule for a scale.
rule_terms build_terms(const network& net, const plasticity_rule& rule, const rule_scale& s) {
    rule_terms out;
    const double dt = s.dt_ms;
    const double epoch = static_cast<double>(epoch_steps(rule, dt));
    const double lsb_per_nA = extended_per_mantissa / s.weight_lsb_nA; // extended-weight LSB per nA
    const bool inh = s.target == receptor::inhibitory;
    const auto W = isa::learn_target::weight;
    const auto T = isa::learn_target::tag;
    // Per unit trace: one trace factor divides by the trace unit.
    const double per_trace = lsb_per_nA / trace_unit;
    const double per_trace2 = lsb_per_nA / (trace_unit * trace_unit);

    switch (rule.kind) {
    case rule_kind::pair_stdp: {
        const auto& p = std::get<pair_stdp_params>(rule.params);
        if (p.dependence == weight_dependence::additive) {
            // dw = A+·x1·y0 − A−·y1·x0 (numerics §10); an inhibitory weight's
            // magnitude follows the rule, so the signs flip.
            out.terms.push_back(proportional(W, {f(op::y0), f(op::x1)}, "a_plus", p.a_plus, per_trace, inh));
            out.terms.push_back(proportional(W, {f(op::x0), f(op::y1)}, "a_minus", p.a_minus, per_trace, !inh));
        }
        else {
            // Soft bounds: potentiation A+·(w_max − w)/(w_max − w_min), depression
            // A−·(w − w_min)/(w_max − w_min); the w factor takes the third slot, so
            // the rates are powers of two and the bound terms are exact.
            const double range = p.w_max - p.w_min;
            const double kp = realised_power_of_two(p.a_plus / range / trace_unit);
            const double kd = realised_power_of_two(p.a_minus / range / trace_unit);
            // dw -= Kp·y0·x1·w (for either receptor: d|w| = −dw for inhibitory)
            real_term pw = proportional(W, {f(op::y0), f(op::x1), f(op::w)}, "a_plus", p.a_plus,
                                        1.0 / range / trace_unit, true);
            out.terms.push_back(pw);
            // dw += Kp·y0·x1·w_max (256 LSB per mantissa), negated for inhibitory
            real_term pb;
            pb.target = W;
            pb.operands = {f(op::y0), f(op::x1)};
            pb.magnitude = kp * extended_per_mantissa * s.w_max_mantissa;
            pb.negate = inh;
            out.terms.push_back(pb);
            real_term dw_ = proportional(W, {f(op::x0), f(op::y1), f(op::w)}, "a_minus", p.a_minus,
                                         1.0 / range / trace_unit, true);
            out.terms.push_back(dw_);
            if (p.w_min != 0.0) {
                real_term db;
                db.target = W;
                db.operands = {f(op::x0), f(op::y1)};
                db.magnitude = kd * extended_per_mantissa * s.w_min_mantissa;
                db.negate = inh;
                out.terms.push_back(db);
            }
        }
        break;
    }
    case rule_kind::triplet_stdp: {
        // Pfister & Gerstner (2006), all-to-all: x1 = r1 (τ+), x2 = r2 (τx),
        // y1 = o1 (τ−), y2 = o2 (τy):
        //   dw = y0·x1·(A2+ + A3+·o2(t−ε)) − x0·y1·(A2− + A3−·r2(t−ε)).
        // At a post spike the chip's y2 already holds this step's impulse
        // (one trace unit), at a pre spike x2 likewise (§7): the pair terms
        // carry −A3 (as realised) to take it back.
        const auto& p = std::get<triplet_stdp_params>(rule.params);
        const double a3p = realised_power_of_two(p.a3_plus * per_trace2) / per_trace2;
        const double a3m = realised_power_of_two(p.a3_minus * per_trace2) / per_trace2;
        real_term pp = proportional(W, {f(op::y0), f(op::x1)}, "a2_plus", p.a2_plus - a3p, per_trace, inh);
        pp.requested = p.a2_plus;
        pp.offset = a3p;
        out.terms.push_back(pp);
        out.terms.push_back(proportional(W, {f(op::y0), f(op::x1), f(op::y2)}, "a3_plus", p.a3_plus, per_trace2, inh));
        real_term dp = proportional(W, {f(op::x0), f(op::y1)}, "a2_minus", p.a2_minus - a3m, per_trace, !inh);
        dp.requested = p.a2_minus;
        dp.offset = a3m;
        out.terms.push_back(dp);
        out.terms.push_back(
            proportional(W, {f(op::x0), f(op::y1), f(op::x2)}, "a3_minus", p.a3_minus, per_trace2, !inh));
        break;
    }
    case rule_kind::three_factor: {
        // The tag collects pair STDP in tag LSB (S per unit of a); the
        // weight moves by learning_rate·r·tag per ms, r in trace units.
        const auto& p = std::get<three_factor_params>(rule.params);
        const double st = tag_scale(p);
        out.terms.push_back(
            proportional(T, {f(op::y0), f(op::x1)}, "a_plus", p.a_plus, st / trace_unit, false, "1"));
        out.terms.push_back(
            proportional(T, {f(op::x0), f(op::y1)}, "a_minus", p.a_minus, st / trace_unit, true, "1"));
        out.terms.push_back(proportional(W, {f(op::r1), f(op::t)}, "learning_rate", p.learning_rate,
                                         epoch * dt * lsb_per_nA / (trace_unit * st), inh, "nA/ms"));
        out.tag_decay = decay_field(epoch * dt, p.tau_eligibility);
        parameter_entry e;
        e.owner = rule.name;
        e.path = rule.path + "/params/tau_eligibility";
        e.parameter = "tau_eligibility";
        e.unit = "ms";
        e.requested = p.tau_eligibility;
        e.realised = effective_tau(epoch * dt, out.tag_decay);
        e.relative_error = (e.realised - e.requested) / e.requested;
        out.extra.push_back(e);
        break;
    }
    case rule_kind::sum_of_products: {
        // Raw microcode: coefficients in extended-weight (dw) and tag (dt) LSB
        // per raw operand product, exactly as written. Like every rule it acts
        // on the weight's magnitude: on an inhibitory projection a dw term
        // that does not read w is negated (a term with w already carries
        // the weight's sign).
        const auto& p = std::get<sum_of_products_params>(rule.params);
        for (const auto* e: {&p.dw, &p.dt}) {
            for (const auto& t: e->terms) {
                real_term r;
                r.target = e == &p.dw ? W : T;
                const bool reads_w = std::any_of(t.factors.begin(), t.factors.end(),
                                                 [](const learning_factor& x) { return x.operand == op::w; });
                r.negate = t.negate != (inh && r.target == W && !reads_w);
                r.operands = t.factors; // encoded as written (below)
                r.magnitude = std::ldexp(1.0, t.scale);
                r.parameter = t.text;
                out.terms.push_back(std::move(r));
            }
        }
        out.tag_decay = decay_field(epoch * dt, p.tau_tag);
        break;
    }
    case rule_kind::gdhl: {
        // G-DHL on spike traces (docs/learning.md): u1 = x1, u2 = y1 in trace
        // units; per epoch the positive part of a signal's change is its
        // impulse (x0, y0) and the negative part its decay, x1·E·dt/τ.
        const auto& g = std::get<gdhl_params>(rule.params);
        const double fpre = epoch * dt / g.tau_pre;
        const double fpost = epoch * dt / g.tau_post;
        struct component {
            const char* name;
            double value;
            std::vector<learning_factor> operands;
            double per_unit;
        };
        const component components[] = {
            {"eta_sp", g.eta_sp, {f(op::x1), f(op::y0)}, per_trace},
            {"eta_sn", g.eta_sn, {f(op::x1), f(op::y1)}, per_trace2 * fpost},
            {"eta_ps", g.eta_ps, {f(op::x0), f(op::y1)}, per_trace},
            {"eta_ns", g.eta_ns, {f(op::x1), f(op::y1)}, per_trace2 * fpre},
            {"sigma_pp", g.sigma_pp, {f(op::x0), f(op::y0)}, lsb_per_nA},
            {"sigma_pn", g.sigma_pn, {f(op::x0), f(op::y1)}, per_trace * fpost},
            {"sigma_np", g.sigma_np, {f(op::x1), f(op::y0)}, per_trace * fpre},
            {"sigma_nn", g.sigma_nn, {f(op::x1), f(op::y1)}, per_trace2 * fpre * fpost},
        };
        for (const auto& c: components) {
            if (c.value != 0.0) {
                out.terms.push_back(proportional(W, c.operands, c.name, c.value, c.per_unit, inh));
            }
        }
        break;
    }
    }
    (void)net;
    return out;
}

isa::trace_config trace(double dt_ms, double tau_ms, std::uint32_t impulse = 4096) {
    return {decay_field(dt_ms, tau_ms), impulse};
}

// The trace time constant of each operand for a rule (ms).
std::optional<double> tau_of(const plasticity_rule& rule, op o) {
    switch (rule.kind) {
    case rule_kind::pair_stdp: {
        const auto& p = std::get<pair_stdp_params>(rule.params);
        return o == op::x1 ? std::optional(p.tau_plus) : o == op::y1 ? std::optional(p.tau_minus) : std::nullopt;
    }
    case rule_kind::triplet_stdp: {
        const auto& p = std::get<triplet_stdp_params>(rule.params);
        switch (o) {
        case op::x1: return p.tau_plus;
        case op::x2: return p.tau_x;
        case op::y1: return p.tau_minus;
        case op::y2: return p.tau_y;
        default: return std::nullopt;
        }
    }
    case rule_kind::three_factor: {
        const auto& p = std::get<three_factor_params>(rule.params);
        return o == op::x1 ? std::optional(p.tau_plus) : o == op::y1 ? std::optional(p.tau_minus) : std::nullopt;
    }
    case rule_kind::sum_of_products: {
        const auto& p = std::get<sum_of_products_params>(rule.params);
        switch (o) {
        case op::x1: return p.tau_x1;
        case op::x2: return p.tau_x2;
        case op::y1: return p.tau_y1;
        case op::y2: return p.tau_y2;
        case op::y3: return p.tau_y3;
        default: return std::nullopt;
        }
    }
    case rule_kind::gdhl: {
        const auto& g = std::get<gdhl_params>(rule.params);
        return o == op::x1 ? std::optional(g.tau_pre) : o == op::y1 ? std::optional(g.tau_post) : std::nullopt;
    }
    }
    return std::nullopt;
}

// The JSON key of an operand's time constant, for the report.
std::string tau_key(const plasticity_rule& rule, op o) {
    switch (rule.kind) {
    case rule_kind::pair_stdp:
    case rule_kind::three_factor: return o == op::x1 ? "tau_plus" : "tau_minus";
    case rule_kind::triplet_stdp:
        return o == op::x1 ? "tau_plus" : o == op::x2 ? "tau_x" : o == op::y1 ? "tau_minus" : "tau_y";
    case rule_kind::sum_of_products: return "tau_" + std::string(isa::to_string(o));
    case rule_kind::gdhl: return o == op::x1 ? "tau_pre" : "tau_post";
    }
    return "";
}

std::optional<double> modulator_tau(const plasticity_rule& rule) {
    if (!rule.modulator) {
        return std::nullopt;
    }
    if (const auto* p = std::get_if<three_factor_params>(&rule.params)) {
        return p->tau_modulator;
    }
    if (const auto* p = std::get_if<sum_of_products_params>(&rule.params)) {
        return p->tau_r;
    }
    return std::nullopt;
}

rule_traces traces_from(const plasticity_rule& rule, const std::vector<real_term>& terms, double dt_ms) {
    rule_traces t;
    std::set<op> used;
    for (const auto& term: terms) {
        for (const auto& factor: term.operands) {
            used.insert(factor.operand);
        }
    }
    const op pre[] = {op::x1, op::x2};
    const op post[] = {op::y1, op::y2, op::y3};
    for (std::size_t i = 0; i < 2; ++i) {
        if (used.count(pre[i]) != 0) {
            t.pre[i] = trace(dt_ms, *tau_of(rule, pre[i]));
        }
    }
    for (std::size_t i = 0; i < 3; ++i) {
        if (used.count(post[i]) != 0) {
            t.post[i] = trace(dt_ms, *tau_of(rule, post[i]));
        }
    }
    if (const auto tau = modulator_tau(rule)) {
        t.modulator = trace(dt_ms, *tau, static_cast<std::uint32_t>(std::round(trace_unit / 255.0)));
    }
    return t;
}

} // namespace

std::uint32_t epoch_steps(const plasticity_rule& rule, double dt_ms) {
    const double steps = std::round(rule.epoch / dt_ms);
    return static_cast<std::uint32_t>(std::clamp(steps, 1.0, 63.0));
}

std::uint32_t modulator_channel(const network& net, std::size_t population) {
    std::uint32_t channel = 0;
    for (std::size_t p = 0; p < population; ++p) {
        channel += net.populations[p].model == neuron_model::modulator ? 1 : 0;
    }
    return channel;
}

rule_traces traces_of(const plasticity_rule& rule, double dt_ms) {
    network none;
    const rule_scale unit{dt_ms, 1.0, receptor::excitatory, 0, 127};
    return traces_from(rule, build_terms(none, rule, unit).terms, dt_ms);
}

std::uint32_t lowered_term_count(const plasticity_rule& rule) {
    network none;
    const rule_scale unit{1.0, 1.0, receptor::excitatory, 0, 127};
    return static_cast<std::uint32_t>(build_terms(none, rule, unit).terms.size());
}

rule_scale scale_of(const network& net, const quantization& q, const rule_use& use) {
    const plasticity_rule& rule = net.rules[use.rule];
    for (std::size_t p = 0; p < net.projections.size(); ++p) {
        const projection& proj = net.projections[p];
        if (proj.rule != use.rule || proj.post != use.population || proj.target != use.target) {
            continue;
        }
        const weight_quantizer& wq = q.projections[p].weights;
        const auto [w_min, w_max] =
            std::visit([](const auto& params) { return std::pair{params.w_min, params.w_max}; }, rule.params);
        rule_scale s;
        s.dt_ms = net.dt;
        s.weight_lsb_nA = wq.realised(1);
        s.target = use.target;
        s.w_min_mantissa = std::abs(wq.mantissa(w_min));
        s.w_max_mantissa = std::abs(wq.mantissa(w_max));
        return s;
    }
    throw std::logic_error("scale_of: no projection uses rule \"" + rule.name + "\" onto population " +
                           std::to_string(use.population));
}

lowered_rule lower_rule(const network& net, std::size_t index, const rule_scale& scale) {
    const plasticity_rule& rule = net.rules[index];
    rule_terms built = build_terms(net, rule, scale);
    lowered_rule out;
    out.traces = traces_from(rule, built.terms, scale.dt_ms);
    out.rule.epoch = epoch_steps(rule, scale.dt_ms);
    out.rule.tag_decay = built.tag_decay;
    if (scale.target == receptor::excitatory) {
        out.rule.w_min = scale.w_min_mantissa;
        out.rule.w_max = scale.w_max_mantissa;
    }
    else {
        out.rule.w_min = -scale.w_max_mantissa;
        out.rule.w_max = -scale.w_min_mantissa;
    }
    if (rule.modulator) {
        out.channel = modulator_channel(net, *rule.modulator);
        out.rule.modulator = *out.channel;
    }
    for (const auto& t: built.terms) {
        isa::learning_term word;
        if (rule.kind == rule_kind::sum_of_products) {
            // As parsed: the constant factor (if any) is among the factors.
            word.target = t.target;
            word.negate = t.negate ? 1 : 0;
            int e = 0;
            (void)std::frexp(t.magnitude, &e);
            word.scale = e - 1;
            place_factors(word, t.operands);
        }
        else {
            const double realised = encode(t, word, rule, net.source);
            if (t.per_unit > 0.0) {
                parameter_entry e;
                e.owner = rule.name;
                e.path = rule.path + "/params/" + t.parameter;
                e.parameter = t.parameter;
                e.unit = t.unit;
                e.requested = t.requested;
                e.realised = t.offset + t.sign * realised / t.per_unit;
                e.relative_error = t.requested == 0.0
                                       ? (e.realised == 0.0 ? 0.0 : std::numeric_limits<double>::infinity())
                                       : (e.realised - e.requested) / std::fabs(e.requested);
                if (t.operands.size() >= static_cast<std::size_t>(isa::max_factors_per_term)) {
                    e.note = "rounded to a power of two (three operands)";
                }
                out.parameters.push_back(e);
            }
        }
        out.terms.push_back(word);
    }
    if (out.terms.empty()) {
        throw std::logic_error("lower_rule: rule \"" + rule.name + "\" has no terms");
    }
    out.terms.back().last = 1;
    out.rule.num_terms = static_cast<std::uint32_t>(out.terms.size());
    // The trace time constants as realised.
    const op operands[] = {op::x1, op::x2, op::y1, op::y2, op::y3};
    const std::optional<isa::trace_config>* configs[] = {&out.traces.pre[0], &out.traces.pre[1],
                                                         &out.traces.post[0], &out.traces.post[1],
                                                         &out.traces.post[2]};
    for (std::size_t i = 0; i < 5; ++i) {
        if (!configs[i]->has_value()) {
            continue;
        }
        parameter_entry e;
        e.owner = rule.name;
        e.parameter = tau_key(rule, operands[i]);
        e.path = rule.path + "/params/" + e.parameter;
        e.unit = "ms";
        e.requested = *tau_of(rule, operands[i]);
        e.realised = effective_tau(scale.dt_ms, (*configs[i])->decay);
        e.relative_error = (e.realised - e.requested) / e.requested;
        out.parameters.push_back(e);
    }
    if (const auto tau = modulator_tau(rule)) {
        parameter_entry e;
        e.owner = rule.name;
        e.parameter = rule.kind == rule_kind::three_factor ? "tau_modulator" : "tau_r";
        e.path = rule.path + "/params/" + e.parameter;
        e.unit = "ms";
        e.requested = *tau;
        e.realised = effective_tau(scale.dt_ms, out.traces.modulator->decay);
        e.relative_error = (e.realised - e.requested) / e.requested;
        out.parameters.push_back(e);
    }
    for (auto& e: built.extra) {
        out.parameters.push_back(std::move(e));
    }
    return out;
}

core_trace_plan plan_core_traces(const network& net, const std::vector<rule_use>& uses) {
    std::vector<rule_traces> traces;
    for (const auto& rule: net.rules) {
        traces.push_back(traces_of(rule, net.dt));
    }
    return plan_core_traces(net, uses, traces);
}

core_trace_plan plan_core_traces(const network& net, const std::vector<rule_use>& uses,
                                 const std::vector<rule_traces>& traces) {
    core_trace_plan plan;
    using post_need = std::array<std::optional<isa::trace_config>, 3>;
    auto merge = [](post_need& into, const post_need& more) {
        for (std::size_t i = 0; i < 3; ++i) {
            if (more[i]) {
                if (into[i] && *into[i] != *more[i]) {
                    return false;
                }
                into[i] = more[i];
            }
        }
        return true;
    };
    auto flatten_post = [](const post_need& n) {
        std::array<isa::trace_config, 3> out{};
        for (std::size_t i = 0; i < 3; ++i) {
            out[i] = n[i].value_or(isa::trace_config{});
        }
        return out;
    };
    std::map<std::uint32_t, post_need> per_population;
    std::map<std::uint32_t, std::size_t> first_rule; // per population: a rule that set its needs, for messages
    for (const auto& use: uses) {
        const plasticity_rule& rule = net.rules[use.rule];
        const rule_traces& t = traces[use.rule];
        // Pre-trace profile: one per distinct (x1, x2).
        const isa::trace_config x1 = t.pre[0].value_or(isa::trace_config{});
        const isa::trace_config x2 = t.pre[1].value_or(isa::trace_config{});
        std::uint32_t index = 0;
        for (; index < plan.pre.size() / 2; ++index) {
            if (plan.pre[2 * index] == x1 && plan.pre[2 * index + 1] == x2) {
                break;
            }
        }
        if (index == plan.pre.size() / 2) {
            plan.pre.push_back(x1);
            plan.pre.push_back(x2);
        }
        plan.pre_profile.push_back(index);
        auto& need = per_population[use.population];
        const auto [it, fresh] = first_rule.try_emplace(use.population, use.rule);
        if (!merge(need, t.post)) {
            const population& pop = net.populations[use.population];
            throw conflict_error(net.source, rule.path,
                                 "rules \"" + net.rules[it->second].name + "\" and \"" + rule.name +
                                     "\" both learn on synapses onto population \"" + pop.name +
                                     "\" but need different time constants for the same post-synaptic trace "
                                     "(a neuron has one y1, y2 and y3); give them equal time constants");
        }
    }
    // One post profile for all when the populations agree, else one each.
    post_need all{};
    bool agree = true;
    for (const auto& [population, need]: per_population) {
        agree = agree && merge(all, need);
    }
    auto add_post = [&](const post_need& need) {
        const auto flat = flatten_post(need);
        for (std::uint32_t i = 0; i < plan.post.size() / 3; ++i) {
            if (plan.post[3 * i] == flat[0] && plan.post[3 * i + 1] == flat[1] && plan.post[3 * i + 2] == flat[2]) {
                return i;
            }
        }
        plan.post.insert(plan.post.end(), flat.begin(), flat.end());
        return static_cast<std::uint32_t>(plan.post.size() / 3 - 1);
    };
    if (!per_population.empty()) {
        if (agree) {
            const std::uint32_t index = add_post(all);
            for (const auto& [population, need]: per_population) {
                plan.post_profile[population] = index;
            }
        }
        else {
            for (const auto& [population, need]: per_population) {
                plan.post_profile[population] = add_post(need);
            }
        }
    }
    return plan;
}

std::uint32_t rule_term_count(const plasticity_rule& rule) {
    return lowered_term_count(rule);
}

} // namespace engram::compiler
