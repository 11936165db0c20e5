#include <array>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/isa/formats.hpp>

namespace engram::compiler {

using json_input::object_ref;
using json_input::value_ref;

namespace {

// Largest value of an unsigned ISA field, plus one (how many distinct
// indices it can address).
std::int64_t field_capacity(const isa::format_info& format, std::string_view field) {
    for (const auto& f: format.fields) {
        if (f.name == field) {
            return f.max + 1;
        }
    }
    throw std::logic_error("ISA format " + std::string(format.name) + " has no field " + std::string(field));
}

grid_size read_grid(const value_ref& v, std::int64_t max) {
    const auto o = v.object({"width", "height"});
    grid_size g;
    g.width = static_cast<std::uint32_t>(o.required("width").integer_in(1, max));
    g.height = static_cast<std::uint32_t>(o.required("height").integer_in(1, max));
    return g;
}

struct limit_field {
    std::string_view key;
    std::uint32_t core_limits::*member;
    std::int64_t min;
    std::int64_t max;
};

// A block of required numbers (timing, energy, inter-chip link), each > 0,
// or >= 0 where zero is meaningful (e.g. no learning engine, no idle cost).
template <class S>
struct number_field {
    std::string_view key;
    double S::*member;
    bool zero_allowed;
};

template <class S, std::size_t N>
S read_numbers(const value_ref& v, const std::array<number_field<S>, N>& fields) {
    std::vector<std::string_view> keys;
    for (const auto& f: fields) {
        keys.push_back(f.key);
    }
    const auto o = v.object(keys);
    S out;
    for (const auto& f: fields) {
        out.*f.member = o.required(f.key).number_in(0.0, 1e12, !f.zero_allowed, false);
    }
    return out;
}

constexpr std::array<number_field<chip_timing>, 9> timing_fields{{
    {"clock_mhz", &chip_timing::clock_mhz, false},
    {"cycles_per_synaptic_op", &chip_timing::cycles_per_synaptic_op, false},
    {"cycles_per_neuron_update_active", &chip_timing::cycles_per_neuron_update_active, false},
    {"cycles_per_neuron_update_idle", &chip_timing::cycles_per_neuron_update_idle, true},
    {"cycles_per_learning_update", &chip_timing::cycles_per_learning_update, true},
    {"cycles_per_hop_east_west", &chip_timing::cycles_per_hop_east_west, false},
    {"cycles_per_hop_north_south", &chip_timing::cycles_per_hop_north_south, false},
    {"cycles_per_local_spike", &chip_timing::cycles_per_local_spike, true},
    {"link_flits_per_cycle", &chip_timing::link_flits_per_cycle, false},
}};

constexpr std::array<number_field<chip_energy>, 8> energy_fields{{
    {"synaptic_op_pj", &chip_energy::synaptic_op_pj, true},
    {"synaptic_update_pj", &chip_energy::synaptic_update_pj, true},
    {"neuron_update_active_pj", &chip_energy::neuron_update_active_pj, true},
    {"neuron_update_idle_pj", &chip_energy::neuron_update_idle_pj, true},
    {"spike_local_pj", &chip_energy::spike_local_pj, true},
    {"hop_east_west_pj", &chip_energy::hop_east_west_pj, true},
    {"hop_north_south_pj", &chip_energy::hop_north_south_pj, true},
    {"static_power_mw_per_core", &chip_energy::static_power_mw_per_core, true},
}};

constexpr std::array<number_field<inter_chip_link>, 3> inter_chip_fields{{
    {"cycles_per_hop", &inter_chip_link::cycles_per_hop, false},
    {"hop_pj", &inter_chip_link::hop_pj, true},
    {"link_flits_per_cycle", &inter_chip_link::link_flits_per_cycle, false},
}};

// Every number in the document must have a citation in "sources".
void collect_numbers(const nlohmann::json& j, const std::string& path, std::vector<std::string>& out) {
    if (j.is_number()) {
        out.push_back(path);
    }
    else if (j.is_object()) {
        for (const auto& item: j.items()) {
            if (item.key() != "sources") {
                collect_numbers(item.value(), path + "/" + escape_pointer_token(item.key()), out);
            }
        }
    }
    else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) {
            collect_numbers(j[i], path + "/" + std::to_string(i), out);
        }
    }
}

} // namespace

chip_spec load_chip(const json_input::document& doc) {
    chip_spec c;
    c.source = doc.source();
    const value_ref root(doc, doc.root(), "");
    const auto top =
        root.object({"format", "name", "description", "mesh", "chips", "core", "timing", "energy", "inter_chip",
                     "sources"});
    const auto format = top.required("format");
    if (format.string() != chip_format) {
        throw invalid_value_error(doc.source(), format.path(), format.string(),
                                  "\"" + std::string(chip_format) + "\"");
    }
    const auto name = top.required("name");
    c.name = name.string();
    bool name_ok = !c.name.empty() && c.name.size() <= 64;
    for (char ch: c.name) {
        name_ok = name_ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-');
    }
    if (!name_ok) {
        throw invalid_value_error(doc.source(), name.path(), c.name,
                                  "a name of lower-case letters, digits and '-' (at most 64 characters)");
    }
    if (auto d = top.optional("description")) {
        c.description = d->string();
    }

    // Core ids are 16 bits in the AER packet.
    const std::int64_t max_cores = field_capacity(isa::aer_packet_format, "src_core");
    c.mesh = read_grid(top.required("mesh"), 4096);
    if (auto chips = top.optional("chips")) {
        c.chips = read_grid(*chips, 4096);
    }
    if (static_cast<std::int64_t>(c.core_count()) > max_cores) {
        throw chip_limit_error(doc.source(), "/mesh", "cores", static_cast<double>(c.core_count()),
                               static_cast<double>(max_cores),
                               std::to_string(c.core_count()) + " cores in all (mesh x chips), the AER packet "
                               "addresses at most " + std::to_string(max_cores));
    }

    // Per-core limits, bounded by what the ISA's fields can address.
    const auto core = top.required("core");
    const auto co = core.object({"neurons", "synapse_words", "input_axons", "output_axons", "neuron_profiles",
                                 "trace_profiles", "learning_rules", "microcode_words", "router_entries",
                                 "max_delay"});
    const limit_field limits[] = {
        {"neurons", &core_limits::neurons, 1, field_capacity(isa::synapse_word_format, "target")},
        {"synapse_words", &core_limits::synapse_words, 1, field_capacity(isa::axon_entry_format, "row_base")},
        {"input_axons", &core_limits::input_axons, 1, field_capacity(isa::input_map_entry_format, "axon_base")},
        {"output_axons", &core_limits::output_axons, 1, std::int64_t{1} << 20},
        {"neuron_profiles", &core_limits::neuron_profiles, 1, 4096},
        {"trace_profiles", &core_limits::trace_profiles, 0, isa::max_trace_profiles},
        {"learning_rules", &core_limits::learning_rules, 0, isa::max_learning_rules},
        {"microcode_words", &core_limits::microcode_words, 0, isa::microcode_depth},
        {"router_entries", &core_limits::router_entries, 1, std::int64_t{1} << 20},
        {"max_delay", &core_limits::max_delay, isa::min_delay, isa::max_delay},
    };
    for (const auto& f: limits) {
        c.core.*f.member = static_cast<std::uint32_t>(co.required(f.key).integer_in(f.min, f.max));
    }
    if (c.core.learning_rules > 0 && c.core.trace_profiles == 0) {
        throw conflict_error(doc.source(), co.key_path("trace_profiles"),
                             "a chip with a learning engine (learning_rules > 0) needs at least one trace profile");
    }
    if ((c.core.learning_rules == 0) != (c.core.microcode_words == 0)) {
        throw conflict_error(doc.source(), co.key_path("microcode_words"),
                             "learning_rules and microcode_words must both be 0 (no learning engine) or both above 0");
    }

    c.timing = read_numbers(top.required("timing"), timing_fields);
    c.energy = read_numbers(top.required("energy"), energy_fields);
    if (auto ic = top.optional("inter_chip")) {
        c.inter_chip = read_numbers(*ic, inter_chip_fields);
    }
    else if (c.chips.count() > 1) {
        throw missing_key_error(doc.source(), "", "inter_chip");
    }

    if (auto s = top.optional("sources")) {
        const auto& raw = s->raw();
        if (!raw.is_object()) {
            s->fail_type("an object mapping JSON pointers to citations");
        }
        for (const auto& item: raw.items()) {
            const std::string path = s->path() + "/" + escape_pointer_token(item.key());
            const value_ref citation(doc, item.value(), path);
            const std::string& text = citation.string();
            nlohmann::json::json_pointer pointer;
            bool ok = !item.key().empty() && item.key()[0] == '/';
            if (ok) {
                try {
                    pointer = nlohmann::json::json_pointer(item.key());
                    ok = doc.root().contains(pointer) && doc.root().at(pointer).is_number();
                }
                catch (const nlohmann::json::exception&) {
                    ok = false;
                }
            }
            if (!ok) {
                throw invalid_value_error(doc.source(), path, item.key(),
                                          "a JSON pointer to a number in this chip description");
            }
            if (text.empty()) {
                throw invalid_value_error(doc.source(), path, text, "a non-empty citation");
            }
            c.sources.emplace(item.key(), text);
        }
    }
    return c;
}

chip_spec load_chip_text(std::string_view text, std::string source, const json_input::limits& limits) {
    const auto doc = json_input::parse(text, std::move(source), limits);
    return load_chip(*doc);
}

chip_spec load_chip_file(const std::filesystem::path& file, const json_input::limits& limits) {
    const auto doc = json_input::parse_file(file, limits);
    return load_chip(*doc);
}

chip_spec load_chip_preset(std::string_view name) {
    const auto text = chip_preset_text(name);
    if (!text) {
        const auto names = chip_preset_names();
        throw unknown_reference_error("--chip", "", "chip preset", std::string(name),
                                      closest_match(name, names));
    }
    return load_chip_text(*text, "preset " + std::string(name));
}

chip_spec resolve_chip(std::string_view preset_or_file, const json_input::limits& limits) {
    const std::filesystem::path path{std::string(preset_or_file)};
    std::error_code ec;
    const bool looks_like_file = preset_or_file.find('/') != std::string_view::npos ||
                                 path.extension() == ".json" || std::filesystem::exists(path, ec);
    if (looks_like_file) {
        return load_chip_file(path, limits);
    }
    return load_chip_preset(preset_or_file);
}

std::vector<std::string> figures_without_source(const json_input::document& doc, const chip_spec& chip) {
    std::vector<std::string> numbers;
    collect_numbers(doc.root(), "", numbers);
    std::vector<std::string> missing;
    for (const auto& n: numbers) {
        if (!chip.sources.contains(n)) {
            missing.push_back(n);
        }
    }
    return missing;
}

} // namespace engram::compiler
