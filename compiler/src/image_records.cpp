#include <algorithm>
#include <cmath>

#include "image_records.hpp"

namespace engram::compiler {

namespace {

std::uint32_t step_of(double t_ms, double dt_ms) {
    const double s = std::round(t_ms / dt_ms);
    return s >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(s);
}

} // namespace

isa::image_chip image_chip_of(const chip_spec& c) {
    isa::image_chip i;
    i.name = c.name;
    i.mesh_width = c.mesh.width;
    i.mesh_height = c.mesh.height;
    i.chips_width = c.chips.width;
    i.chips_height = c.chips.height;
    i.neurons = c.core.neurons;
    i.synapse_words = c.core.synapse_words;
    i.input_axons = c.core.input_axons;
    i.output_axons = c.core.output_axons;
    i.neuron_profiles = c.core.neuron_profiles;
    i.trace_profiles = c.core.trace_profiles;
    i.learning_rules = c.core.learning_rules;
    i.microcode_words = c.core.microcode_words;
    i.router_entries = c.core.router_entries;
    i.max_delay = c.core.max_delay;
    i.clock_mhz = c.timing.clock_mhz;
    i.cycles_per_synaptic_op = c.timing.cycles_per_synaptic_op;
    i.cycles_per_neuron_update_active = c.timing.cycles_per_neuron_update_active;
    i.cycles_per_neuron_update_idle = c.timing.cycles_per_neuron_update_idle;
    i.cycles_per_learning_update = c.timing.cycles_per_learning_update;
    i.cycles_per_hop_east_west = c.timing.cycles_per_hop_east_west;
    i.cycles_per_hop_north_south = c.timing.cycles_per_hop_north_south;
    i.cycles_per_local_spike = c.timing.cycles_per_local_spike;
    i.link_flits_per_cycle = c.timing.link_flits_per_cycle;
    i.synaptic_op_pj = c.energy.synaptic_op_pj;
    i.synaptic_update_pj = c.energy.synaptic_update_pj;
    i.neuron_update_active_pj = c.energy.neuron_update_active_pj;
    i.neuron_update_idle_pj = c.energy.neuron_update_idle_pj;
    i.spike_local_pj = c.energy.spike_local_pj;
    i.hop_east_west_pj = c.energy.hop_east_west_pj;
    i.hop_north_south_pj = c.energy.hop_north_south_pj;
    i.static_power_mw_per_core = c.energy.static_power_mw_per_core;
    if (c.inter_chip) {
        i.has_inter_chip = true;
        i.inter_chip_cycles_per_hop = c.inter_chip->cycles_per_hop;
        i.inter_chip_hop_pj = c.inter_chip->hop_pj;
        i.inter_chip_link_flits_per_cycle = c.inter_chip->link_flits_per_cycle;
    }
    return i;
}

isa::neuron_kind kind_of(neuron_model m) {
    switch (m) {
    case neuron_model::if_curr_exp: return isa::neuron_kind::lif;
    case neuron_model::spike_source_array: return isa::neuron_kind::spike_array;
    case neuron_model::spike_source_poisson: return isa::neuron_kind::poisson;
    case neuron_model::modulator: return isa::neuron_kind::modulator;
    }
    return isa::neuron_kind::lif;
}

isa::spike_source source_program(const network& net, std::size_t p, std::uint32_t i) {
    isa::spike_source src;
    const population& pop = net.populations[p];
    src.population = static_cast<std::uint32_t>(p);
    src.index = i;
    if (const auto* a = std::get_if<spike_source_array_params>(&pop.params)) {
        for (double t: a->times[i]) {
            const std::uint32_t s = step_of(t, net.dt);
            if (src.steps.empty() || src.steps.back() != s) {
                src.steps.push_back(s); // times within one step merge into one spike
            }
        }
    }
    else if (const auto* q = std::get_if<spike_source_poisson_params>(&pop.params)) {
        const double p32 = std::round(q->rate * net.dt / 1000.0 * 4294967296.0);
        src.p32 = static_cast<std::uint64_t>(std::clamp(p32, 0.0, 4294967296.0));
        src.start_step = step_of(q->start, net.dt);
        if (std::isfinite(q->duration)) {
            const double end = static_cast<double>(src.start_step) + std::round(q->duration / net.dt);
            src.end_step = end >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(end);
        }
    }
    else if (const auto* m = std::get_if<modulator_params>(&pop.params)) {
        for (std::size_t k = 0; k < m->times.size(); ++k) {
            const std::uint32_t s = step_of(m->times[k], net.dt);
            const auto payload = static_cast<std::uint8_t>(std::round(m->amplitudes[k] * 255.0));
            if (!src.steps.empty() && src.steps.back() == s) {
                src.payloads.back() = std::max(src.payloads.back(), payload);
                continue;
            }
            src.steps.push_back(s);
            src.payloads.push_back(payload);
        }
    }
    return src;
}

} // namespace engram::compiler
