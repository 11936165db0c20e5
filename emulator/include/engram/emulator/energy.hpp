// The energy model (DESIGN.md, contract 6; docs/power.md): Σ counter ×
// per-operation energy + static power × time, with the breakdown by
// operation, by core and by population, and the synaptic term written as
// N·r·k·E_syn. It works on activity totals only, so `engram power` can
// recompute it from a run's output folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/emulator/counters.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::emulator {

/// What a run did, summed: the input of the energy model.
struct activity {
  isa::image_chip chip;
  double dt_ms = 0;
  std::uint64_t steps = 0;
  double cycles = 0;           ///< Σ over steps of the step's cycles (timing model)
  double max_step_cycles = 0;
  std::uint64_t max_step = 0;
  std::uint64_t emitting_neurons = 0;  ///< N: neurons with targets
  struct core_row {
    std::uint32_t x = 0, y = 0;
    std::uint32_t neurons = 0;
    counter_totals counters;
    std::uint64_t bottleneck_steps = 0;
  };
  std::vector<core_row> cores;
  std::uint64_t link_bottleneck_steps = 0;
  struct population_row {
    std::string name;
    std::uint64_t neurons = 0;
    double core_share = 0;  ///< Σ over its cores of its share of the core's neurons (for static power)
    std::uint64_t neuron_updates_active = 0, neuron_updates_idle = 0, spikes = 0, packets_out = 0,
                  deliveries = 0, hops_east_west = 0, hops_north_south = 0, hops_inter_chip = 0;
    std::uint64_t synaptic_ops = 0;      ///< onto its neurons (the synapses it holds)
    std::uint64_t synaptic_updates = 0;  ///< of the synapses onto its neurons
  };
  std::vector<population_row> populations;
};

void to_json(nlohmann::json& j, const activity& a);
/// Throws input_error naming the JSON path for a malformed object.
activity activity_from_json(const nlohmann::json& j, const std::string& source);

struct energy_line {
  std::string name;
  double pj = 0;
};

struct energy_report {
  double seconds_real_time = 0;  ///< steps × dt
  double seconds_fastest = 0;    ///< Σ step cycles / clock
  double dynamic_pj = 0;
  double static_pj_real_time = 0;
  double static_pj_fastest = 0;
  std::vector<energy_line> by_operation;  ///< dynamic terms
  struct core_line {
    std::uint32_t id = 0, x = 0, y = 0;
    double dynamic_pj = 0;
    double static_pj_real_time = 0;
  };
  std::vector<core_line> by_core;
  struct population_line {
    std::string name;
    double dynamic_pj = 0;
    double static_pj_real_time = 0;
  };
  std::vector<population_line> by_population;
  // The synaptic term: N·r·k·E_syn.
  std::uint64_t n = 0;     ///< neurons with targets
  double r_hz = 0;         ///< their mean rate (packets / N / time)
  double k = 0;            ///< synaptic operations per packet
  double e_syn_pj = 0;
  double synaptic_power_w = 0;  ///< N·r·k·E_syn at real time
  // Timing.
  double mean_step_cycles = 0;
  double max_step_cycles = 0;
  std::uint64_t max_step = 0;
  double real_time_factor_sustained = 0;  ///< dt / mean step time: > 1 runs faster than real time
  double real_time_factor_worst = 0;      ///< dt / longest step time
  std::uint64_t link_bottleneck_steps = 0;
  std::int64_t bottleneck_core = -1;      ///< the core most often the bottleneck
  std::uint64_t bottleneck_core_steps = 0;

  double total_pj_real_time() const noexcept { return dynamic_pj + static_pj_real_time; }
  double total_pj_fastest() const noexcept { return dynamic_pj + static_pj_fastest; }
  double power_w_real_time() const noexcept {
    return seconds_real_time > 0 ? total_pj_real_time() * 1e-12 / seconds_real_time : 0;
  }
  double power_w_fastest() const noexcept {
    return seconds_fastest > 0 ? total_pj_fastest() * 1e-12 / seconds_fastest : 0;
  }
};

energy_report compute_energy(const activity& a);
nlohmann::json to_json(const energy_report& r);
/// The readable summary printed by `engram run` and `engram power`.
std::string summary(const energy_report& r, const activity& a);

}  // namespace engram::emulator
