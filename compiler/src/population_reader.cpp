#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>

#include "network_reader.hpp"

namespace engram::compiler::detail {

using json_input::object_ref;
using json_input::value_ref;

namespace {

constexpr double voltage_limit = 1000.0; // mV, a generous sanity bound
constexpr std::int64_t max_population_size = std::int64_t{1} << 24;

if_curr_exp_params read_if_curr_exp(const std::optional<value_ref>& v, const std::string& source) {
    if_curr_exp_params p;
    if (!v) {
        return p;
    }
    const auto o = v->object({"tau_m", "tau_syn_E", "tau_syn_I", "v_rest", "v_reset", "v_thresh", "tau_refrac",
                              "i_offset", "cm"});
    auto positive = [&](std::string_view key, double& out) {
        if (auto x = o.optional(key)) {
            out = read_positive(*x);
        }
    };
    auto voltage = [&](std::string_view key, double& out) {
        if (auto x = o.optional(key)) {
            out = x->number_in(-voltage_limit, voltage_limit, false, false);
        }
    };
    positive("tau_m", p.tau_m);
    positive("tau_syn_E", p.tau_syn_e);
    positive("tau_syn_I", p.tau_syn_i);
    positive("cm", p.cm);
    voltage("v_rest", p.v_rest);
    voltage("v_reset", p.v_reset);
    voltage("v_thresh", p.v_thresh);
    if (auto x = o.optional("tau_refrac")) {
        p.tau_refrac = x->number_in(0.0, 1e6, false, false);
    }
    if (auto x = o.optional("i_offset")) {
        p.i_offset = x->number_in(-1e6, 1e6, false, false);
    }
    if (p.v_thresh <= p.v_reset) {
        throw conflict_error(source, o.key_path("v_thresh"),
                             "v_thresh " + format_number(p.v_thresh) + " mV must be above v_reset " +
                                 format_number(p.v_reset) + " mV");
    }
    return p;
}

std::vector<double> read_times(const value_ref& v) {
    std::vector<double> times;
    double previous = -1.0;
    for (const auto& t: v.array()) {
        const double x = t.number_in(0.0, 1e12, false, false);
        if (x <= previous) {
            throw range_error(t.source(), t.path(), x,
                              "a time after the previous one (" + format_number(previous) +
                                  " ms): spike times must be strictly increasing");
        }
        previous = x;
        times.push_back(x);
    }
    return times;
}

// Spike file: one spike per line, "neuron,time_ms" (or whitespace-separated);
// blank lines and lines starting with '#' are ignored.
std::vector<std::vector<double>> read_spike_file(const std::filesystem::path& file, std::uint32_t size,
                                                 std::size_t max_bytes) {
    const std::string text = json_input::read_file(file, max_bytes);
    std::vector<std::vector<double>> times(size);
    std::istringstream in(text);
    std::string line;
    std::size_t line_number = 0;
    const std::string name = file.string();
    while (std::getline(in, line)) {
        ++line_number;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') {
            continue;
        }
        for (auto& c: line) {
            if (c == ',') {
                c = ' ';
            }
        }
        std::istringstream fields(line);
        long long neuron = -1;
        double time = -1.0;
        std::string rest;
        const auto where = name + ":" + std::to_string(line_number);
        if (!(fields >> neuron >> time) || (fields >> rest)) {
            throw input_error(where, "", "expected \"neuron,time_ms\", found \"" + line + "\"");
        }
        if (neuron < 0 || neuron >= static_cast<long long>(size)) {
            throw input_error(where, "", "neuron " +
                                            std::to_string(neuron) + " is out of range: expected 0 to " +
                                            std::to_string(size - 1));
        }
        if (!std::isfinite(time) || time < 0.0) {
            throw input_error(where, "", "time " +
                                            format_number(time) + " ms is out of range: expected >= 0");
        }
        auto& list = times[static_cast<std::size_t>(neuron)];
        if (!list.empty() && time <= list.back()) {
            throw input_error(where, "", "time " +
                                            format_number(time) + " ms for neuron " + std::to_string(neuron) +
                                            " is not after its previous spike at " + format_number(list.back()) +
                                            " ms");
        }
        list.push_back(time);
    }
    return times;
}

} // namespace

double read_positive(const value_ref& v) {
    return v.number_in(0.0, 1e9, true, false);
}

value_spec read_value_spec(const value_ref& v, const std::string& what) {
    value_spec s;
    if (v.is_number()) {
        s.type = value_spec::kind::constant;
        s.value = v.number();
        return s;
    }
    if (v.is_array()) {
        s.type = value_spec::kind::list;
        for (const auto& x: v.array()) {
            s.values.push_back(x.number());
        }
        if (s.values.empty()) {
            throw conflict_error(v.source(), v.path(), "expected at least one " + what + " in the list");
        }
        return s;
    }
    if (!v.is_object()) {
        v.fail_type("a number, a list of numbers or a distribution object for the " + what);
    }
    const auto o = v.object({"distribution", "low", "high", "mean", "sd"});
    const auto& kind = o.required("distribution").choice({"uniform", "normal", "normal_clipped"});
    if (kind == "uniform") {
        s.type = value_spec::kind::uniform;
        for (auto key: {"mean", "sd"}) {
            if (o.has(key)) {
                throw conflict_error(v.source(), o.key_path(key),
                                     std::string("a uniform distribution takes \"low\" and \"high\", not \"") + key +
                                         "\"");
            }
        }
        s.low = o.required("low").number();
        s.high = o.required("high").number();
    }
    else {
        s.type = kind == "normal" ? value_spec::kind::normal : value_spec::kind::normal_clipped;
        s.mean = o.required("mean").number();
        s.sd = o.required("sd").number_in(0.0, 1e12, false, false);
        if (s.type == value_spec::kind::normal) {
            for (auto key: {"low", "high"}) {
                if (o.has(key)) {
                    throw conflict_error(v.source(), o.key_path(key),
                                         "a normal distribution has no bounds; use \"normal_clipped\" for \"low\" "
                                         "and \"high\"");
                }
            }
            return s;
        }
        s.low = o.required("low").number();
        s.high = o.required("high").number();
    }
    if (!(s.low < s.high)) {
        throw conflict_error(v.source(), o.key_path("high"),
                             "high " + format_number(s.high) + " must be above low " + format_number(s.low));
    }
    return s;
}

void network_reader::read_population(const value_ref& v) {
    const auto o = v.object({"name", "size", "model", "params", "initial", "description"});
    population p;
    p.path = v.path();
    const auto name_value = o.required("name");
    p.name = read_name(name_value);
    if (auto it = population_index.find(p.name); it != population_index.end()) {
        throw duplicate_name_error(source(), name_value.path(), p.name, net.populations[it->second].path + "/name");
    }
    p.size = static_cast<std::uint32_t>(o.required("size").integer_in(1, max_population_size));
    const auto model = o.required("model");
    const std::string& model_name =
        model.choice({"IF_curr_exp", "SpikeSourceArray", "SpikeSourcePoisson", "Modulator"});
    if (auto d = o.optional("description")) {
        d->string();
    }
    const auto params = o.optional("params");

    if (model_name == "IF_curr_exp") {
        p.model = neuron_model::if_curr_exp;
        p.params = read_if_curr_exp(params, source());
        if (auto initial = o.optional("initial")) {
            const auto io = initial->object({"v"});
            if (auto iv = io.optional("v")) {
                value_spec spec = read_value_spec(*iv, "initial voltage");
                if (spec.type == value_spec::kind::list && spec.values.size() != p.size) {
                    throw conflict_error(source(), iv->path(),
                                         "expected one initial voltage per neuron (" + std::to_string(p.size) +
                                             "), found " + std::to_string(spec.values.size()));
                }
                if (spec.min_value() < -voltage_limit || spec.max_value() > voltage_limit) {
                    throw range_error(source(), iv->path(),
                                      spec.min_value() < -voltage_limit ? spec.min_value() : spec.max_value(),
                                      "initial voltages within [-1000, 1000] mV (use normal_clipped for bounds)");
                }
                p.initial_v = std::move(spec);
            }
        }
    }
    else {
        if (o.has("initial")) {
            throw conflict_error(source(), o.key_path("initial"),
                                 "a " + model_name + " has no state to initialise");
        }
        if (!params) {
            throw missing_key_error(source(), v.path(), "params");
        }
        if (model_name == "SpikeSourceArray") {
            p.model = neuron_model::spike_source_array;
            const auto po = params->object({"spike_times", "spike_times_file"});
            spike_source_array_params a;
            const auto times = po.optional("spike_times");
            const auto file = po.optional("spike_times_file");
            if (times && file) {
                throw conflict_error(source(), file->path(),
                                     "give either \"spike_times\" or \"spike_times_file\", not both");
            }
            if (!times && !file) {
                throw missing_key_error(source(), params->path(), "spike_times");
            }
            if (times) {
                const auto items = times->array();
                if (!items.empty() && items.front().is_array()) {
                    if (items.size() != p.size) {
                        throw conflict_error(source(), times->path(),
                                             "expected one list of spike times per neuron (" +
                                                 std::to_string(p.size) + "), found " + std::to_string(items.size()));
                    }
                    for (const auto& item: items) {
                        a.times.push_back(read_times(item));
                    }
                }
                else {
                    a.times.assign(p.size, read_times(*times));
                }
            }
            else {
                a.file = file->string();
                std::filesystem::path path(a.file);
                if (path.is_relative()) {
                    path = options.base_directory / path;
                }
                a.times = read_spike_file(path, p.size, options.limits.max_bytes);
            }
            p.params = std::move(a);
        }
        else if (model_name == "SpikeSourcePoisson") {
            p.model = neuron_model::spike_source_poisson;
            const auto po = params->object({"rate", "start", "duration"});
            spike_source_poisson_params q;
            const auto rate = po.required("rate");
            q.rate = rate.number_in(0.0, 1e9, false, false);
            if (q.rate * net.dt / 1000.0 > 1.0) {
                throw conflict_error(source(), rate.path(),
                                     "rate " + format_number(q.rate) + " Hz means more than one spike per time step (dt = " +
                                         format_number(net.dt) + " ms allows at most " +
                                         format_number(1000.0 / net.dt) + " Hz)");
            }
            if (auto s = po.optional("start")) {
                q.start = s->number_in(0.0, 1e12, false, false);
            }
            if (auto d = po.optional("duration")) {
                q.duration = read_positive(*d);
            }
            p.params = q;
        }
        else {
            p.model = neuron_model::modulator;
            if (p.size != 1) {
                throw conflict_error(source(), o.key_path("size"),
                                     "a Modulator is one channel: expected size 1, found " + std::to_string(p.size));
            }
            const auto mo = params->object({"times", "amplitudes", "amplitude"});
            modulator_params m;
            m.times = read_times(mo.required("times"));
            const auto list = mo.optional("amplitudes");
            const auto single = mo.optional("amplitude");
            if (list && single) {
                throw conflict_error(source(), single->path(), "give either \"amplitudes\" or \"amplitude\", not both");
            }
            if (list) {
                for (const auto& a: list->array()) {
                    m.amplitudes.push_back(a.number_in(0.0, 1.0, false, false));
                }
                if (m.amplitudes.size() != m.times.size()) {
                    throw conflict_error(source(), list->path(),
                                         "expected one amplitude per event time (" + std::to_string(m.times.size()) +
                                             "), found " + std::to_string(m.amplitudes.size()));
                }
            }
            else {
                const double a = single ? single->number_in(0.0, 1.0, false, false) : 1.0;
                m.amplitudes.assign(m.times.size(), a);
            }
            p.params = std::move(m);
        }
    }
    population_index.try_emplace(p.name, net.populations.size());
    net.populations.push_back(std::move(p));
}

} // namespace engram::compiler::detail
