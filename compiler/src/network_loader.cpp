#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/isa/formats.hpp>

#include "network_reader.hpp"

namespace engram::compiler {

using json_input::value_ref;

namespace detail {

std::string network_reader::read_name(const value_ref& v) const {
    const std::string& s = v.string();
    bool ok = !s.empty() && s.size() <= 64 && (std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_');
    for (char c: s) {
        ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    }
    if (!ok) {
        throw invalid_value_error(source(), v.path(), s,
                                  "a name of letters, digits and '_' that starts with a letter or '_' "
                                  "(at most 64 characters)");
    }
    return s;
}

std::size_t network_reader::population_ref(const value_ref& v) const {
    const std::string& name = v.string();
    if (auto it = population_index.find(name); it != population_index.end()) {
        return it->second;
    }
    std::vector<std::string_view> names;
    for (const auto& p: net.populations) {
        names.push_back(p.name);
    }
    throw unknown_reference_error(source(), v.path(), "population", name, closest_match(name, names));
}

void network_reader::read_recording(const value_ref& v) {
    const auto o = v.object({"population", "variables", "neurons", "interval"});
    recording r;
    r.path = v.path();
    r.population = population_ref(o.required("population"));
    const population& pop = net.populations[r.population];
    const auto vars = o.required("variables");
    for (const auto& item: vars.array()) {
        const std::string& name = item.choice({"spikes", "v", "i_exc", "i_inh"});
        const recorded_variable var = name == "spikes" ? recorded_variable::spikes
                                      : name == "v"    ? recorded_variable::v
                                      : name == "i_exc" ? recorded_variable::i_exc
                                                        : recorded_variable::i_inh;
        if (std::find(r.variables.begin(), r.variables.end(), var) != r.variables.end()) {
            throw conflict_error(source(), item.path(), "variable \"" + name + "\" is listed twice");
        }
        if (var != recorded_variable::spikes && pop.is_source()) {
            throw conflict_error(source(), item.path(),
                                 "population \"" + pop.name + "\" is a " + std::string(to_string(pop.model)) +
                                     ", which has no \"" + name + "\"; only \"spikes\" can be recorded");
        }
        r.variables.push_back(var);
    }
    if (r.variables.empty()) {
        throw conflict_error(source(), vars.path(), "expected at least one variable to record");
    }
    if (auto n = o.optional("neurons")) {
        if (n->is_string()) {
            n->choice({"all"});
        }
        else {
            for (const auto& item: n->array()) {
                const auto index = item.integer_in(0, static_cast<std::int64_t>(pop.size) - 1);
                r.neurons.push_back(static_cast<std::uint32_t>(index));
            }
        }
    }
    if (auto i = o.optional("interval")) {
        r.interval = i->number_in(net.dt, 1e9, false, false);
    }
    net.recordings.push_back(std::move(r));
}

} // namespace detail

network load_network(const json_input::document& doc, const network_load_options& options) {
    detail::network_reader reader{doc, options, {}, {}, {}};
    network& net = reader.net;
    net.source = doc.source();
    const value_ref root(doc, doc.root(), "");
    const auto top = root.object(
        {"format", "name", "description", "dt", "seed", "populations", "projections", "plasticity", "recording"});

    const auto format = top.required("format");
    if (format.string() != network_format) {
        throw invalid_value_error(doc.source(), format.path(), format.string(),
                                  "\"" + std::string(network_format) + "\"");
    }
    net.name = reader.read_name(top.required("name"));
    if (auto d = top.optional("description")) {
        d->string();
    }
    net.dt = top.required("dt").number_in(0.0, 100.0, true, false);
    if (auto s = top.optional("seed")) {
        net.seed = static_cast<std::uint64_t>(s->integer_in(0, std::numeric_limits<std::int64_t>::max()));
    }

    const auto pops = top.required("populations");
    for (const auto& p: pops.array()) {
        reader.read_population(p);
    }
    if (net.populations.empty()) {
        throw conflict_error(doc.source(), pops.path(), "expected at least one population");
    }
    std::size_t modulators = 0;
    for (const auto& p: net.populations) {
        modulators += p.model == neuron_model::modulator ? 1 : 0;
    }
    if (modulators > static_cast<std::size_t>(isa::modulator_channels)) {
        throw chip_limit_error(doc.source(), pops.path(), "modulator channels", static_cast<double>(modulators),
                               isa::modulator_channels,
                               std::to_string(modulators) + " modulator populations, the learning engine has " +
                                   std::to_string(isa::modulator_channels) + " modulator channels");
    }

    // Rules before projections, which refer to them.
    if (auto rules = top.optional("plasticity")) {
        for (const auto& r: rules->array()) {
            reader.read_rule(r);
        }
    }
    if (auto projections = top.optional("projections")) {
        std::size_t index = 0;
        for (const auto& p: projections->array()) {
            reader.read_projection(p, index++);
        }
    }
    if (auto recordings = top.optional("recording")) {
        for (const auto& r: recordings->array()) {
            reader.read_recording(r);
        }
    }
    return std::move(reader.net);
}

network load_network_text(std::string_view text, std::string source, const network_load_options& options) {
    const auto doc = json_input::parse(text, std::move(source), options.limits);
    return load_network(*doc, options);
}

network load_network_file(const std::filesystem::path& file, network_load_options options) {
    options.base_directory = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    const auto doc = json_input::parse_file(file, options.limits);
    return load_network(*doc, options);
}

// --- network helpers ---------------------------------------------------------

double value_spec::min_value() const {
    switch (type) {
    case kind::constant: return value;
    case kind::uniform:
    case kind::normal_clipped: return low;
    case kind::normal: return -std::numeric_limits<double>::infinity();
    case kind::list: return values.empty() ? 0.0 : *std::min_element(values.begin(), values.end());
    }
    return value;
}

double value_spec::max_value() const {
    switch (type) {
    case kind::constant: return value;
    case kind::uniform:
    case kind::normal_clipped: return high;
    case kind::normal: return std::numeric_limits<double>::infinity();
    case kind::list: return values.empty() ? 0.0 : *std::max_element(values.begin(), values.end());
    }
    return value;
}

double projection::expected_synapses(std::uint32_t pre_size, std::uint32_t post_size) const {
    const double pre_n = pre_size;
    const double post_n = post_size;
    const bool self = pre == post && !conn.allow_self_connections;
    switch (conn.kind) {
    case connector_kind::all_to_all: return self ? pre_n * (post_n - 1) : pre_n * post_n;
    case connector_kind::one_to_one: return self ? 0.0 : post_n;
    case connector_kind::fixed_probability: return conn.p * (self ? pre_n * (post_n - 1) : pre_n * post_n);
    case connector_kind::fixed_number_pre: return static_cast<double>(conn.n) * post_n;
    case connector_kind::from_list: return static_cast<double>(conn.connections.size());
    }
    return 0.0;
}

std::size_t network::neuron_count() const {
    std::size_t n = 0;
    for (const auto& p: populations) {
        n += p.size;
    }
    return n;
}

std::optional<std::size_t> network::find_population(std::string_view wanted) const {
    for (std::size_t i = 0; i < populations.size(); ++i) {
        if (populations[i].name == wanted) {
            return i;
        }
    }
    return std::nullopt;
}

std::string_view to_string(neuron_model m) {
    switch (m) {
    case neuron_model::if_curr_exp: return "IF_curr_exp";
    case neuron_model::spike_source_array: return "SpikeSourceArray";
    case neuron_model::spike_source_poisson: return "SpikeSourcePoisson";
    case neuron_model::modulator: return "Modulator";
    }
    return "?";
}

std::string_view to_string(connector_kind k) {
    switch (k) {
    case connector_kind::all_to_all: return "AllToAll";
    case connector_kind::one_to_one: return "OneToOne";
    case connector_kind::fixed_probability: return "FixedProbability";
    case connector_kind::fixed_number_pre: return "FixedNumberPre";
    case connector_kind::from_list: return "FromList";
    }
    return "?";
}

std::string_view to_string(rule_kind k) {
    switch (k) {
    case rule_kind::pair_stdp: return "pair_stdp";
    case rule_kind::triplet_stdp: return "triplet_stdp";
    case rule_kind::three_factor: return "three_factor";
    case rule_kind::sum_of_products: return "sum_of_products";
    case rule_kind::gdhl: return "gdhl";
    }
    return "?";
}

std::string_view to_string(receptor r) {
    return r == receptor::excitatory ? "excitatory" : "inhibitory";
}

std::string_view to_string(recorded_variable v) {
    switch (v) {
    case recorded_variable::spikes: return "spikes";
    case recorded_variable::v: return "v";
    case recorded_variable::i_exc: return "i_exc";
    case recorded_variable::i_inh: return "i_inh";
    }
    return "?";
}

} // namespace engram::compiler
