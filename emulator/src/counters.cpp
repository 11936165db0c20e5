#include <engram/emulator/counters.hpp>

namespace engram::emulator {

const std::array<std::string_view, counter_count> counter_names{
    "neuron_updates_active", "neuron_updates_idle", "spikes",           "synaptic_ops",
    "synaptic_updates",      "packets_in",          "packets_out",      "deliveries",
    "hops_east_west",        "hops_north_south",    "hops_inter_chip",  "cycles"};

std::array<std::uint32_t, counter_count> to_array(const core_counters& c) noexcept {
  return {c.neuron_updates_active, c.neuron_updates_idle, c.spikes,         c.synaptic_ops,
          c.synaptic_updates,      c.packets_in,          c.packets_out,    c.deliveries,
          c.hops_east_west,        c.hops_north_south,    c.hops_inter_chip, c.cycles};
}

core_counters counters_from_array(const std::array<std::uint32_t, counter_count>& v) noexcept {
  core_counters c;
  c.neuron_updates_active = v[0];
  c.neuron_updates_idle = v[1];
  c.spikes = v[2];
  c.synaptic_ops = v[3];
  c.synaptic_updates = v[4];
  c.packets_in = v[5];
  c.packets_out = v[6];
  c.deliveries = v[7];
  c.hops_east_west = v[8];
  c.hops_north_south = v[9];
  c.hops_inter_chip = v[10];
  c.cycles = v[11];
  return c;
}

void counter_totals::add(const core_counters& c) noexcept {
  const auto a = to_array(c);
  for (std::size_t i = 0; i < counter_count; ++i) {
    values[i] += a[i];
  }
}

void counter_totals::add(const counter_totals& t) noexcept {
  for (std::size_t i = 0; i < counter_count; ++i) {
    values[i] += t.values[i];
  }
}

}  // namespace engram::emulator
