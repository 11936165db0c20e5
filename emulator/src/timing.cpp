#include <engram/emulator/timing.hpp>

#include <algorithm>
#include <cmath>

namespace engram::emulator {

timing_model::timing_model(const isa::image_chip& chip, const fabric& mesh)
    : chip_(chip), mesh_(&mesh), link_free_(mesh.link_count(), 0.0), link_flits_(mesh.link_count(), 0) {}

double timing_model::core_cycles(const core_counters& c) const noexcept {
  return c.synaptic_ops * chip_.cycles_per_synaptic_op +
         c.neuron_updates_active * chip_.cycles_per_neuron_update_active +
         c.neuron_updates_idle * chip_.cycles_per_neuron_update_idle +
         c.synaptic_updates * chip_.cycles_per_learning_update;
}

step_timing timing_model::evaluate(std::span<core_activity> cores, std::span<core_counters> counters) {
  step_timing out;
  packets_.clear();
  for (std::uint32_t c = 0; c < cores.size(); ++c) {
    const core_counters& k = counters[c];
    const double busy = core_cycles(k);
    counters[c].cycles = static_cast<std::uint32_t>(std::ceil(busy));
    if (busy > out.core_cycles) {  // ties: the lowest core id
      out.core_cycles = busy;
      out.bottleneck = bottleneck_kind::core;
      out.bottleneck_id = c;
    }
    // Neurons update in index order after the step's synaptic input; a
    // neuron's packet leaves when its update is done (on average).
    const double ingress = k.synaptic_ops * chip_.cycles_per_synaptic_op;
    const double neurons = k.neuron_updates_active * chip_.cycles_per_neuron_update_active +
                           k.neuron_updates_idle * chip_.cycles_per_neuron_update_idle;
    const double per_neuron = cores[c].neuron_count ? neurons / cores[c].neuron_count : 0.0;
    for (std::uint32_t n : cores[c].emitted) {
      packets_.push_back({ingress + per_neuron * (n + 1), c, n});
    }
  }
  std::sort(packets_.begin(), packets_.end(), [](const packet& a, const packet& b) {
    return a.time != b.time ? a.time < b.time : a.core != b.core ? a.core < b.core : a.neuron < b.neuron;
  });
  // Packets cross links first come, first served; a link carries
  // link_flits_per_cycle flits per cycle (0: no limit), a hop takes the
  // direction's latency, an arrival the local-spike latency.
  const double ew_lat = chip_.cycles_per_hop_east_west;
  const double ns_lat = chip_.cycles_per_hop_north_south;
  const double chip_lat = chip_.has_inter_chip ? chip_.inter_chip_cycles_per_hop : ew_lat;
  const double on_chip_gap = chip_.link_flits_per_cycle > 0 ? 1.0 / chip_.link_flits_per_cycle : 0.0;
  const double inter_gap = chip_.has_inter_chip && chip_.inter_chip_link_flits_per_cycle > 0
                               ? 1.0 / chip_.inter_chip_link_flits_per_cycle
                               : on_chip_gap;
  double last = 0;
  for (const packet& p : packets_) {
    const route_tree& t = mesh_->tree(p.core, p.neuron);
    node_time_.assign(t.edges.size() + 1, 0.0);
    node_time_[0] = p.time;
    for (std::size_t i = 0; i < t.edges.size(); ++i) {
      const route_tree::edge& e = t.edges[i];
      const double ready = node_time_[e.parent];
      double& free = link_free_[e.link];
      if (link_flits_[e.link]++ == 0) {
        touched_.push_back(e.link);
        free = 0;
      }
      const double start = std::max(ready, free);
      const bool inter = e.kind == link_kind::inter_chip;
      free = start + (inter ? inter_gap : on_chip_gap);
      node_time_[i + 1] = start + (inter ? chip_lat : e.kind == link_kind::east_west ? ew_lat : ns_lat);
    }
    for (const route_tree::arrival& a : t.arrivals) {
      last = std::max(last, node_time_[a.node] + chip_.cycles_per_local_spike);
    }
  }
  out.network_cycles = last;
  out.cycles = std::max(out.core_cycles, out.network_cycles);
  if (out.network_cycles > out.core_cycles) {
    out.bottleneck = bottleneck_kind::link;
    std::uint32_t busiest = 0;
    std::uint32_t flits = 0;
    for (std::uint32_t l : touched_) {
      if (link_flits_[l] > flits || (link_flits_[l] == flits && l < busiest)) {
        flits = link_flits_[l];
        busiest = l;
      }
    }
    out.bottleneck_id = busiest;
    if (touched_.empty()) {  // all packets stayed on their own core
      out.bottleneck = bottleneck_kind::core;
      out.bottleneck_id = packets_.empty() ? 0 : packets_.back().core;
    }
  }
  for (std::uint32_t l : touched_) {
    link_flits_[l] = 0;
    link_free_[l] = 0;
  }
  touched_.clear();
  return out;
}

}  // namespace engram::emulator
