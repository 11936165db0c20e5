#include <cmath>
#include <limits>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>

#include "network_reader.hpp"

namespace engram::compiler::detail {

using json_input::value_ref;

namespace {

connector read_connector(const value_ref& v, const population& pre, const population& post, bool same) {
    const auto o = v.object({"type", "allow_self_connections", "p", "n", "connections"});
    connector c;
    const auto type = o.required("type");
    const std::string& name =
        type.choice({"AllToAll", "OneToOne", "FixedProbability", "FixedNumberPre", "FromList"});
    // Which keys belong to which connector.
    auto reject = [&](std::string_view key) {
        if (o.has(key)) {
            throw conflict_error(v.source(), o.key_path(key),
                                 "a " + name + " connector takes no \"" + std::string(key) + "\"");
        }
    };
    if (auto self = o.optional("allow_self_connections")) {
        c.allow_self_connections = self->boolean();
    }
    if (name == "AllToAll") {
        c.kind = connector_kind::all_to_all;
        reject("p"), reject("n"), reject("connections");
    }
    else if (name == "OneToOne") {
        c.kind = connector_kind::one_to_one;
        reject("p"), reject("n"), reject("connections");
        if (pre.size != post.size) {
            throw conflict_error(v.source(), type.path(),
                                 "OneToOne needs populations of equal size: \"" + pre.name + "\" has " +
                                     std::to_string(pre.size) + " neurons, \"" + post.name + "\" has " +
                                     std::to_string(post.size));
        }
    }
    else if (name == "FixedProbability") {
        c.kind = connector_kind::fixed_probability;
        reject("n"), reject("connections");
        c.p = o.required("p").number_in(0.0, 1.0, false, false);
    }
    else if (name == "FixedNumberPre") {
        c.kind = connector_kind::fixed_number_pre;
        reject("p"), reject("connections");
        const std::int64_t available = same && !c.allow_self_connections ? pre.size - 1 : pre.size;
        const auto n = o.required("n");
        const std::int64_t value = n.integer();
        if (value < 1 || value > available) {
            throw range_error(v.source(), n.path(), static_cast<double>(value),
                              "an integer in [1, " + std::to_string(available) + "]: each of the " +
                                  std::to_string(post.size) + " neurons of \"" + post.name +
                                  "\" picks n distinct neurons of \"" + pre.name + "\"");
        }
        c.n = static_cast<std::uint32_t>(value);
    }
    else {
        c.kind = connector_kind::from_list;
        reject("p"), reject("n");
        for (const auto& item: o.required("connections").array()) {
            const auto fields = item.array();
            if (fields.size() < 2 || fields.size() > 4) {
                item.fail_type("[pre, post], [pre, post, weight] or [pre, post, weight, delay]");
            }
            list_connection lc;
            lc.pre = static_cast<std::uint32_t>(fields[0].integer_in(0, static_cast<std::int64_t>(pre.size) - 1));
            lc.post = static_cast<std::uint32_t>(fields[1].integer_in(0, static_cast<std::int64_t>(post.size) - 1));
            if (fields.size() >= 3) {
                lc.weight = fields[2].number_in(0.0, 1e9, false, false);
            }
            if (fields.size() == 4) {
                lc.delay = fields[3].number_in(0.0, 1e9, true, false);
            }
            c.connections.push_back(lc);
        }
    }
    return c;
}

// Number of connections a deterministic connector makes (to size value lists).
std::optional<double> deterministic_count(const connector& c, std::uint32_t pre, std::uint32_t post, bool same) {
    switch (c.kind) {
    case connector_kind::all_to_all:
        return same && !c.allow_self_connections ? double(pre) * (post - 1.0) : double(pre) * post;
    case connector_kind::one_to_one: return same && !c.allow_self_connections ? 0.0 : double(post);
    case connector_kind::from_list: return double(c.connections.size());
    default: return std::nullopt;
    }
}

} // namespace

void network_reader::read_projection(const value_ref& v, std::size_t index) {
    const auto o = v.object({"name", "pre", "post", "connector", "receptor", "weight", "delay", "plasticity",
                             "description"});
    projection p;
    p.path = v.path();
    if (auto n = o.optional("name")) {
        p.name = read_name(*n);
        for (const auto& other: net.projections) {
            if (other.name == p.name) {
                throw duplicate_name_error(source(), n->path(), p.name, other.path + "/name");
            }
        }
    }
    else {
        p.name = "projection" + std::to_string(index);
    }
    if (auto d = o.optional("description")) {
        d->string();
    }
    const auto pre_value = o.required("pre");
    const auto post_value = o.required("post");
    p.pre = population_ref(pre_value);
    p.post = population_ref(post_value);
    const population& pre = net.populations[p.pre];
    const population& post = net.populations[p.post];
    if (pre.model == neuron_model::modulator) {
        throw conflict_error(source(), pre_value.path(),
                             "\"" + pre.name + "\" is a Modulator; it drives learning rules (\"modulator\" in "
                             "/plasticity), not synapses");
    }
    if (post.is_source()) {
        throw conflict_error(source(), post_value.path(),
                             "\"" + post.name + "\" is a " + std::string(to_string(post.model)) +
                                 ", which cannot receive synapses; expected an IF_curr_exp population");
    }
    const bool same = p.pre == p.post;
    p.conn = read_connector(o.required("connector"), pre, post, same);

    if (auto r = o.optional("receptor")) {
        p.target = r->choice({"excitatory", "inhibitory"}) == "excitatory" ? receptor::excitatory
                                                                          : receptor::inhibitory;
    }

    const auto count = deterministic_count(p.conn, pre.size, post.size, same);
    auto check_list = [&](const value_spec& spec, const value_ref& at, const std::string& what) {
        if (spec.type != value_spec::kind::list) {
            return;
        }
        if (!count) {
            throw conflict_error(source(), at.path(),
                                 "a list of " + what + "s needs a deterministic connector (AllToAll, OneToOne or "
                                 "FromList); " + std::string(to_string(p.conn.kind)) + " makes a random number");
        }
        if (static_cast<double>(spec.values.size()) != *count) {
            throw conflict_error(source(), at.path(),
                                 "expected one " + what + " per connection (" + format_number(*count) +
                                     "), found " + std::to_string(spec.values.size()));
        }
    };

    // Weights: magnitudes in nA; the receptor gives the sign.
    const auto weight = o.required("weight");
    p.weight = read_value_spec(weight, "weight");
    check_list(p.weight, weight, "weight");
    if (p.weight.type == value_spec::kind::normal) {
        throw conflict_error(source(), weight.path(),
                             "an unbounded normal distribution can give negative weights; use \"normal_clipped\" "
                             "with low >= 0");
    }
    if (p.weight.min_value() < 0.0) {
        throw range_error(source(), weight.path(), p.weight.min_value(),
                          "weights >= 0 (weights are magnitudes; \"receptor\": \"inhibitory\" makes them inhibit)");
    }

    // Delays: ms, at least one time step.
    const double dt = net.dt;
    if (auto d = o.optional("delay")) {
        p.delay = read_value_spec(*d, "delay");
        check_list(p.delay, *d, "delay");
        if (p.delay.type == value_spec::kind::normal) {
            throw conflict_error(source(), d->path(),
                                 "an unbounded normal distribution can give delays below one step; use "
                                 "\"normal_clipped\"");
        }
        const double shortest = p.delay.min_value();
        if (shortest < dt * (1.0 - 1e-9)) {
            throw range_error(source(), d->path(), shortest,
                              "delays of at least one time step (dt = " + format_number(dt) + " ms)");
        }
    }
    else {
        p.delay.type = value_spec::kind::constant;
        p.delay.value = dt;
    }
    for (std::size_t i = 0; i < p.conn.connections.size(); ++i) {
        const auto& lc = p.conn.connections[i];
        if (lc.delay && *lc.delay < dt * (1.0 - 1e-9)) {
            throw range_error(source(),
                              o.key_path("connector") + "/connections/" + std::to_string(i) + "/3", *lc.delay,
                              "delays of at least one time step (dt = " + format_number(dt) + " ms)");
        }
    }

    if (auto rule = o.optional("plasticity")) {
        const std::string& name = rule->string();
        const auto it = rule_index.find(name);
        if (it == rule_index.end()) {
            std::vector<std::string_view> names;
            for (const auto& r: net.rules) {
                names.push_back(r.name);
            }
            throw unknown_reference_error(source(), rule->path(), "plasticity rule", name, closest_match(name, names));
        }
        p.rule = it->second;
        const plasticity_rule& r = net.rules[it->second];
        const auto [w_min, w_max] = std::visit([](const auto& params) { return std::pair{params.w_min, params.w_max}; },
                                               r.params);
        auto outside = [&, w_min = w_min, w_max = w_max](double lo, double hi, const std::string& at) {
            if (lo < w_min || hi > w_max) {
                throw conflict_error(source(), at,
                                     "initial weights span [" + format_number(lo) + ", " + format_number(hi) +
                                         "] nA, outside the bounds [" + format_number(w_min) + ", " +
                                         format_number(w_max) + "] of rule \"" + r.name + "\"");
            }
        };
        outside(p.weight.min_value(), p.weight.max_value(), weight.path());
        for (std::size_t i = 0; i < p.conn.connections.size(); ++i) {
            if (const auto& w = p.conn.connections[i].weight) {
                outside(*w, *w, o.key_path("connector") + "/connections/" + std::to_string(i) + "/2");
            }
        }
    }
    net.projections.push_back(std::move(p));
}

} // namespace engram::compiler::detail
