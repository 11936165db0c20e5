#pragma once

// The validated description of a virtual chip (engram-chip/1): a mesh of
// cores (optionally a grid of chips), per-core limits, timing and energy.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <engram/common/json_input.hpp>

namespace engram::compiler {

inline constexpr std::string_view chip_format = "engram-chip/1";

struct grid_size {
    std::uint32_t width = 1;
    std::uint32_t height = 1;
    std::uint64_t count() const { return std::uint64_t{width} * height; }
};

struct core_limits {
    std::uint32_t neurons = 0;
    std::uint32_t synapse_words = 0;
    std::uint32_t input_axons = 0;
    std::uint32_t output_axons = 0;
    std::uint32_t neuron_profiles = 0;
    std::uint32_t trace_profiles = 0;
    std::uint32_t learning_rules = 0;
    std::uint32_t microcode_words = 0;
    std::uint32_t router_entries = 0;
    std::uint32_t max_delay = 0; // steps
};

// Cycles are real numbers: the model is cycle-approximate, and published
// figures are often fractions of a notional clock.
struct chip_timing {
    double clock_mhz = 0.0;
    double cycles_per_synaptic_op = 0.0;
    double cycles_per_neuron_update_active = 0.0;
    double cycles_per_neuron_update_idle = 0.0;
    double cycles_per_learning_update = 0.0;
    double cycles_per_hop_east_west = 0.0;
    double cycles_per_hop_north_south = 0.0;
    double cycles_per_local_spike = 0.0;
    double link_flits_per_cycle = 0.0;
};

struct chip_energy {
    double synaptic_op_pj = 0.0;
    double synaptic_update_pj = 0.0;
    double neuron_update_active_pj = 0.0;
    double neuron_update_idle_pj = 0.0;
    double spike_local_pj = 0.0;
    double hop_east_west_pj = 0.0;
    double hop_north_south_pj = 0.0;
    double static_power_mw_per_core = 0.0;
};

struct inter_chip_link {
    double cycles_per_hop = 0.0;
    double hop_pj = 0.0;
    double link_flits_per_cycle = 0.0;
};

struct chip_spec {
    std::string source; // file or preset it was read from
    std::string name;
    std::string description;
    grid_size mesh;     // cores per chip
    grid_size chips;    // chips in the system
    core_limits core;
    chip_timing timing;
    chip_energy energy;
    std::optional<inter_chip_link> inter_chip;
    std::map<std::string, std::string> sources; // JSON pointer -> citation

    std::uint64_t core_count() const { return mesh.count() * chips.count(); }
    bool has_learning() const { return core.learning_rules > 0 && core.microcode_words > 0; }
};

chip_spec load_chip(const json_input::document& doc);
chip_spec load_chip_text(std::string_view text, std::string source, const json_input::limits& limits = {});
chip_spec load_chip_file(const std::filesystem::path& file, const json_input::limits& limits = {});

// JSON pointers of the numbers in doc (a chip description loaded as chip)
// that have no entry in its "sources".
std::vector<std::string> figures_without_source(const json_input::document& doc, const chip_spec& chip);

// Built-in presets (compiled into the library from compiler/presets/*.json).
std::vector<std::string_view> chip_preset_names();
std::optional<std::string_view> chip_preset_text(std::string_view name);
chip_spec load_chip_preset(std::string_view name); // unknown_reference_error with a suggestion

// A preset name or a path to a chip JSON file: a value naming an existing file
// (or containing '/' or ending in .json) is a file, anything else a preset.
chip_spec resolve_chip(std::string_view preset_or_file, const json_input::limits& limits = {});

} // namespace engram::compiler
