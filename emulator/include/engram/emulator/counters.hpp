// Activity counters (DESIGN.md, contract 6): what one core did in one step.
// The energy model (energy.hpp) multiplies them by the chip's per-operation
// energies; the timing model (timing.hpp) by its per-operation cycles.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace engram::emulator {

/// One core, one step. The record is also the on-disk layout of
/// counters.bin (docs/run-output.md): twelve little-endian uint32 in this order.
struct core_counters {
  std::uint32_t neuron_updates_active = 0;  ///< LIF neurons whose state changed, or that spiked
  std::uint32_t neuron_updates_idle = 0;    ///< LIF neurons at a fixed point with no input
  std::uint32_t spikes = 0;                 ///< neurons (LIF and sources) that spiked
  std::uint32_t synaptic_ops = 0;           ///< synapses delivered into accumulators
  std::uint32_t synaptic_updates = 0;       ///< plastic synapses updated by the learning engine
  std::uint32_t packets_in = 0;             ///< packets taken in through the input map
  std::uint32_t packets_out = 0;            ///< packets emitted (spikes of neurons with targets)
  std::uint32_t deliveries = 0;             ///< of this core's packets: arrivals at a destination core
  std::uint32_t hops_east_west = 0;         ///< of this core's packets: router-to-router hops in x on a chip
  std::uint32_t hops_north_south = 0;       ///< ... in y on a chip
  std::uint32_t hops_inter_chip = 0;        ///< ... over a chip-to-chip link
  std::uint32_t cycles = 0;                 ///< the core's busy cycles in the step (rounded up)

  /// Hops of all kinds: the flit-hops of this core's packets (one flit per packet).
  std::uint64_t flit_hops() const noexcept {
    return std::uint64_t{hops_east_west} + hops_north_south + hops_inter_chip;
  }
  friend bool operator==(const core_counters&, const core_counters&) = default;
};

inline constexpr std::size_t counter_count = 12;

/// The counters in field order, and their names (the numpy field names).
std::array<std::uint32_t, counter_count> to_array(const core_counters& c) noexcept;
core_counters counters_from_array(const std::array<std::uint32_t, counter_count>& values) noexcept;
extern const std::array<std::string_view, counter_count> counter_names;

/// Sums of counters over steps or cores (64-bit: no overflow over long runs).
struct counter_totals {
  std::array<std::uint64_t, counter_count> values{};

  void add(const core_counters& c) noexcept;
  void add(const counter_totals& t) noexcept;
  std::uint64_t operator[](std::size_t i) const noexcept { return values[i]; }
  std::uint64_t neuron_updates_active() const noexcept { return values[0]; }
  std::uint64_t neuron_updates_idle() const noexcept { return values[1]; }
  std::uint64_t spikes() const noexcept { return values[2]; }
  std::uint64_t synaptic_ops() const noexcept { return values[3]; }
  std::uint64_t synaptic_updates() const noexcept { return values[4]; }
  std::uint64_t packets_in() const noexcept { return values[5]; }
  std::uint64_t packets_out() const noexcept { return values[6]; }
  std::uint64_t deliveries() const noexcept { return values[7]; }
  std::uint64_t hops_east_west() const noexcept { return values[8]; }
  std::uint64_t hops_north_south() const noexcept { return values[9]; }
  std::uint64_t hops_inter_chip() const noexcept { return values[10]; }
  std::uint64_t cycles() const noexcept { return values[11]; }
  friend bool operator==(const counter_totals&, const counter_totals&) = default;
};

}  // namespace engram::emulator
