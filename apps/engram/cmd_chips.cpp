#include <cstdio>
#include <string>

#include <engram/common/text.hpp>
#include <engram/compiler/chip.hpp>

#include "cli.hpp"

namespace engram::cli {

namespace {

constexpr const char* help = R"(Usage: engram chips [NAME] [--json]

Without NAME: one line per chip preset with its key figures.
With NAME: every figure of that preset and where it comes from.
  --json   print the preset's JSON (a starting point for a custom chip file)
)";

void print_detail(const compiler::chip_spec& c) {
    auto cite = [&](const std::string& pointer) {
        const auto it = c.sources.find(pointer);
        return it == c.sources.end() ? std::string() : "  [" + it->second + "]";
    };
    std::printf("%s\n  %s\n\n", c.name.c_str(), c.description.c_str());
    std::printf("system: %u x %u mesh of cores per chip%s, %u x %u chips, %s cores\n", c.mesh.width, c.mesh.height,
                cite("/mesh/width").c_str(), c.chips.width, c.chips.height, with_commas(c.core_count()).c_str());
    struct row {
        const char* name;
        double value;
        const char* unit;
        std::string pointer;
    };
    const row rows[] = {
        {"neurons", double(c.core.neurons), "per core", "/core/neurons"},
        {"synapse_words", double(c.core.synapse_words), "32-bit words per core", "/core/synapse_words"},
        {"input_axons", double(c.core.input_axons), "per core", "/core/input_axons"},
        {"output_axons", double(c.core.output_axons), "per core", "/core/output_axons"},
        {"neuron_profiles", double(c.core.neuron_profiles), "per core", "/core/neuron_profiles"},
        {"trace_profiles", double(c.core.trace_profiles), "per core", "/core/trace_profiles"},
        {"learning_rules", double(c.core.learning_rules), "per core", "/core/learning_rules"},
        {"microcode_words", double(c.core.microcode_words), "per core", "/core/microcode_words"},
        {"router_entries", double(c.core.router_entries), "per router", "/core/router_entries"},
        {"max_delay", double(c.core.max_delay), "steps", "/core/max_delay"},
        {"clock_mhz", c.timing.clock_mhz, "MHz", "/timing/clock_mhz"},
        {"cycles_per_synaptic_op", c.timing.cycles_per_synaptic_op, "cycles", "/timing/cycles_per_synaptic_op"},
        {"cycles_per_neuron_update_active", c.timing.cycles_per_neuron_update_active, "cycles",
         "/timing/cycles_per_neuron_update_active"},
        {"cycles_per_neuron_update_idle", c.timing.cycles_per_neuron_update_idle, "cycles",
         "/timing/cycles_per_neuron_update_idle"},
        {"cycles_per_learning_update", c.timing.cycles_per_learning_update, "cycles",
         "/timing/cycles_per_learning_update"},
        {"cycles_per_hop_east_west", c.timing.cycles_per_hop_east_west, "cycles", "/timing/cycles_per_hop_east_west"},
        {"cycles_per_hop_north_south", c.timing.cycles_per_hop_north_south, "cycles",
         "/timing/cycles_per_hop_north_south"},
        {"cycles_per_local_spike", c.timing.cycles_per_local_spike, "cycles", "/timing/cycles_per_local_spike"},
        {"link_flits_per_cycle", c.timing.link_flits_per_cycle, "flits/cycle", "/timing/link_flits_per_cycle"},
        {"synaptic_op_pj", c.energy.synaptic_op_pj, "pJ", "/energy/synaptic_op_pj"},
        {"synaptic_update_pj", c.energy.synaptic_update_pj, "pJ", "/energy/synaptic_update_pj"},
        {"neuron_update_active_pj", c.energy.neuron_update_active_pj, "pJ", "/energy/neuron_update_active_pj"},
        {"neuron_update_idle_pj", c.energy.neuron_update_idle_pj, "pJ", "/energy/neuron_update_idle_pj"},
        {"spike_local_pj", c.energy.spike_local_pj, "pJ", "/energy/spike_local_pj"},
        {"hop_east_west_pj", c.energy.hop_east_west_pj, "pJ", "/energy/hop_east_west_pj"},
        {"hop_north_south_pj", c.energy.hop_north_south_pj, "pJ", "/energy/hop_north_south_pj"},
        {"static_power_mw_per_core", c.energy.static_power_mw_per_core, "mW", "/energy/static_power_mw_per_core"},
    };
    for (const auto& r: rows) {
        std::printf("  %-32s %12s %-22s%s\n", r.name, format_number(r.value).c_str(), r.unit, cite(r.pointer).c_str());
    }
    if (c.inter_chip) {
        std::printf("  %-32s %12s %-22s%s\n", "inter_chip.cycles_per_hop",
                    format_number(c.inter_chip->cycles_per_hop).c_str(), "cycles",
                    cite("/inter_chip/cycles_per_hop").c_str());
        std::printf("  %-32s %12s %-22s%s\n", "inter_chip.hop_pj", format_number(c.inter_chip->hop_pj).c_str(), "pJ",
                    cite("/inter_chip/hop_pj").c_str());
        std::printf("  %-32s %12s %-22s%s\n", "inter_chip.link_flits_per_cycle",
                    format_number(c.inter_chip->link_flits_per_cycle).c_str(), "flits/cycle",
                    cite("/inter_chip/link_flits_per_cycle").c_str());
    }
}

} // namespace

int run_chips(std::span<const std::string_view> args) {
    const arguments a(args, {"--help", "--json"}, {}, "chips");
    if (a.flag("--help")) {
        std::fputs(help, stdout);
        return 0;
    }
    if (a.positional().size() > 1) {
        throw usage_error("engram chips: expected at most one preset name");
    }
    if (a.positional().empty()) {
        if (a.flag("--json")) {
            throw usage_error("engram chips: --json needs a preset name");
        }
        std::printf("%-16s %7s %9s %13s %9s %9s %10s %8s\n", "preset", "cores", "neurons", "synapse words",
                    "axons in", "max delay", "E_syn pJ", "learning");
        for (auto name: compiler::chip_preset_names()) {
            const auto c = compiler::load_chip_preset(name);
            std::printf("%-16s %7s %9s %13s %9s %9u %10s %8s\n", c.name.c_str(), with_commas(c.core_count()).c_str(),
                        with_commas(c.core.neurons).c_str(), with_commas(c.core.synapse_words).c_str(),
                        with_commas(c.core.input_axons).c_str(), c.core.max_delay,
                        format_number(c.energy.synaptic_op_pj).c_str(), c.has_learning() ? "yes" : "no");
        }
        std::printf("\nPer core: neurons, synapse words, input axons, max delay (steps). "
                    "`engram chips NAME` shows every figure with its source.\n");
        return 0;
    }
    const std::string& name = a.positional().front();
    const auto chip = compiler::load_chip_preset(name); // validates the name (with a suggestion)
    if (a.flag("--json")) {
        const auto text = compiler::chip_preset_text(name);
        std::fwrite(text->data(), 1, text->size(), stdout);
        return 0;
    }
    print_detail(chip);
    return 0;
}

} // namespace engram::cli
