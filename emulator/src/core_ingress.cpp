// One core's phase 1, ingress and synaptic delivery (docs/numerics.md §5):
// ordinary and indexed axons, modulator axons, and the per-entry synaptic
// operation counts the simulation's timing model reads in advance.
#include <engram/emulator/core.hpp>

#include <algorithm>

#include <engram/emulator/fixed_point.hpp>

namespace engram::emulator {

// --- Phase 1: ingress (numerics §5) ---------------------------------------------

void core::deliver(std::uint32_t src_core, std::uint32_t neuron, std::uint32_t payload,
                   std::uint64_t emitted, std::uint64_t now) {
  (void)now;
  // The entries covering src_core; several may hold the key.
  if (std::size_t{src_core} + 1 >= entry_begin_.size()) {
    return;
  }
  bool taken = false;
  for (std::uint32_t l = entry_begin_[src_core]; l < entry_begin_[src_core + 1]; ++l) {
    const isa::input_map_entry& m = input_map_[entry_list_[l]];
    if (neuron < m.neuron_base || neuron >= m.neuron_base + m.count) {
      continue;
    }
    taken = true;
    const std::uint32_t ax = m.indexed ? m.axon_base : m.axon_base + (neuron - m.neuron_base);
    if (axons_[ax].indexed && !axons_[ax].modulator) {
      ingress_indexed(ax, source_index(m, src_core, neuron), emitted);
    } else {
      ingress_axon(ax, payload, emitted);
    }
  }
  if (taken) {
    ++counters_.packets_in;
  }
}

void core::ingress_axon(std::uint32_t ax, std::uint32_t payload, std::uint64_t emitted) {
  const axon& a = axons_[ax];
  if (a.modulator) {
    const std::uint32_t c = a.channel;
    r0_[c] = 1;
    r0e_[c] = 1;
    const std::uint32_t impulse = c < mod_traces_.size() ? mod_traces_[c].impulse : 0;
    mod_in_[c] = fp::satu16(std::uint64_t{mod_in_[c]} + std::uint64_t{payload} * impulse);
    return;
  }
  if (a.learning) {
    x0_[ax] = 1;
    x0e_[ax] = 1;
  }
  const std::size_t n = kinds_.size();
  const std::uint32_t mask = ring_ - 1;
  for (std::uint32_t i = a.first; i < a.last; ++i) {
    const synapse& s = synapses_[i];
    const std::int32_t in = static_cast<std::int32_t>(s.weight) * (1 << a.shift);
    const std::uint32_t k = static_cast<std::uint32_t>(emitted + s.delay) & mask;
    std::int32_t& slot = acc_[(std::size_t{k} * 2 + s.receptor) * n + s.target];
    slot = fp::sat24(std::int64_t{slot} + in);
  }
  counters_.synaptic_ops += a.last - a.first;
}

// An indexed axon (numerics §5): block j / 16's synapses, those of source
// j % 16 delivered; no pre traces, no x0.
void core::ingress_indexed(std::uint32_t ax, std::uint32_t j, std::uint64_t emitted) {
  const axon& a = axons_[ax];
  const std::uint32_t b = j / isa::index_block;
  if (b >= a.block_count) {
    return;  // past the index (an image that fails validation)
  }
  const std::uint32_t first = b == 0 ? a.first : block_end_[a.blocks + b - 1];
  const std::uint32_t last = block_end_[a.blocks + b];
  const std::uint8_t source = static_cast<std::uint8_t>(j % isa::index_block);
  const std::size_t n = kinds_.size();
  const std::uint32_t mask = ring_ - 1;
  std::uint32_t delivered = 0;
  for (std::uint32_t i = first; i < last; ++i) {
    const synapse& s = synapses_[i];
    if (s.source != source) {
      continue;  // another source of the block
    }
    const std::int32_t in = static_cast<std::int32_t>(s.weight) * (1 << a.shift);
    const std::uint32_t k = static_cast<std::uint32_t>(emitted + s.delay) & mask;
    std::int32_t& slot = acc_[(std::size_t{k} * 2 + s.receptor) * n + s.target];
    slot = fp::sat24(std::int64_t{slot} + in);
    ++delivered;
  }
  counters_.synaptic_ops += delivered;
}

std::uint32_t core::indexed_synapse_count(std::uint32_t ax, std::uint32_t j) const {
  const axon& a = axons_[ax];
  const std::uint32_t b = j / isa::index_block;
  if (b >= a.block_count) {
    return 0;
  }
  const std::uint32_t first = b == 0 ? a.first : block_end_[a.blocks + b - 1];
  const std::uint32_t last = block_end_[a.blocks + b];
  const auto source = static_cast<std::uint8_t>(j % isa::index_block);
  std::uint32_t count = 0;
  for (std::uint32_t i = first; i < last; ++i) {
    count += synapses_[i].source == source ? 1u : 0u;
  }
  return count;
}

void core::entries_reached(std::uint32_t src_core, std::uint32_t neuron,
                           std::vector<std::pair<std::uint32_t, std::uint32_t>>& out) const {
  if (std::size_t{src_core} + 1 >= entry_begin_.size()) {
    return;
  }
  for (std::uint32_t l = entry_begin_[src_core]; l < entry_begin_[src_core + 1]; ++l) {
    const std::uint32_t e = entry_list_[l];
    const isa::input_map_entry& m = input_map_[e];
    if (neuron < m.neuron_base || neuron >= m.neuron_base + m.count) {
      continue;
    }
    const std::uint32_t ax = m.indexed ? m.axon_base : m.axon_base + (neuron - m.neuron_base);
    if (ax >= axons_.size()) {
      out.emplace_back(e, 0u);
    } else if (axons_[ax].indexed && !axons_[ax].modulator) {
      out.emplace_back(e, indexed_synapse_count(ax, source_index(m, src_core, neuron)));
    } else {
      out.emplace_back(e, axons_[ax].last - axons_[ax].first);
    }
  }
}

}  // namespace engram::emulator
