// One core built by hand for the core tests (test_core.cpp,
// test_core_learning.cpp): the profiles, axons, rows and sources of the
// worked examples of docs/numerics.md §10.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <engram/common/philox.hpp>
#include <engram/emulator/checkpoint.hpp>
#include <engram/emulator/core.hpp>
#include <engram/emulator/fixed_point.hpp>
#include <engram/isa/chip_image.hpp>

#include "../isa/image_fixtures.hpp"

namespace engram::test::core_fixtures {

using emulator::core;
using isa::neuron_kind;
using isa::receptor_kind;

inline constexpr std::int32_t int24_max = 8388607;
inline constexpr std::int32_t int24_min = -8388608;

// --- Building one core by hand -------------------------------------------------------

/// The neuron profile of numerics §10.
inline isa::neuron_config example_profile() {
  return {.decay_u_exc = 742,
          .decay_u_inh = 390,
          .decay_v = 200,
          .threshold_mant = 2000,  // 128000
          .bias_mant = 125,
          .bias_exp = 3,  // 1000
          .reset_mant = -50,  // −3200
          .refractory_period = 2,
          .post_trace_profile = 0};
}

inline isa::synapse_word exc(std::int32_t weight, std::uint32_t delay, std::uint32_t target = 0) {
  return {.weight = weight, .delay = delay, .target = target, .receptor = receptor_kind::excitatory};
}

inline isa::synapse_word inh(std::int32_t weight, std::uint32_t delay, std::uint32_t target = 0) {
  return {.weight = weight, .delay = delay, .target = target, .receptor = receptor_kind::inhibitory};
}

inline void add_neuron(isa::core_image& c, neuron_kind kind, std::uint16_t profile = 0, isa::neuron_state state = {},
                isa::spike_source source = {}) {
  c.kinds.push_back(kind);
  c.profile.push_back(profile);
  c.initial_state.push_back(state);
  c.emits.push_back(0);
  c.sources.push_back(std::move(source));
}

/// Appends an axon whose row holds `row` (fixed synapses); returns its index.
inline std::uint32_t add_axon(isa::core_image& c, const std::vector<isa::synapse_word>& row, std::int32_t weight_exp) {
  isa::axon_entry a;
  a.row_base = static_cast<std::uint32_t>(c.synapse_memory.size());
  a.row_len = static_cast<std::uint32_t>(row.size());
  a.weight_exp = weight_exp;
  for (const isa::synapse_word& w : row) {
    c.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(w)[0]));
  }
  c.axons.push_back(a);
  return static_cast<std::uint32_t>(c.axons.size() - 1);
}

/// Neurons [neuron_base, neuron_base + count) of `src_core` feed axons from `axon_base` on.
inline void map_inputs(isa::core_image& c, std::uint32_t src_core, std::uint32_t neuron_base, std::uint32_t count,
                std::uint32_t axon_base) {
  c.input_map.push_back(
      {.src_core = src_core, .neuron_base = neuron_base, .count = count, .axon_base = axon_base, .src_cores = 1});
  c.input_projection.push_back(0);
}

/// One core with one lif neuron of profile `p` (initial state `s`).
inline isa::core_image one_neuron_core(const isa::neuron_config& p, isa::neuron_state s = {}) {
  isa::core_image c;
  c.profiles = {p};
  add_neuron(c, neuron_kind::lif, 0, s);
  return c;
}

/// A packet: neuron `neuron` of core `src_core` spiked at step `emitted`.
struct packet {
  std::uint32_t src_core = 0;
  std::uint32_t neuron = 0;
  std::uint64_t emitted = 0;
  std::uint32_t payload = 0;
};

/// What one lif neuron shows after a step.
struct row {
  std::uint64_t step;
  std::int32_t u_exc, u_inh, v;
  std::uint32_t refractory;
  bool spike;
  friend bool operator==(const row&, const row&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const row& r) {
  return os << "step " << r.step << ": u_exc " << r.u_exc << ", u_inh " << r.u_inh << ", v " << r.v
            << ", refractory " << r.refractory << ", spike " << r.spike;
}

inline bool spiked(const core& c, std::uint32_t n) {
  for (std::uint32_t s : c.spiked()) {
    if (s == n) {
      return true;
    }
  }
  return false;
}

inline row observe(const core& c, std::uint32_t n) {
  const isa::neuron_state s = c.neuron(n);
  return {c.step() - 1, s.u_exc, s.u_inh, s.v, s.refractory, spiked(c, n)};
}

/// Runs steps 0 .. steps-1; each packet is delivered while the core runs
/// step emitted + 1 + late(packet) (on time: late = 0). Returns neuron n's rows.
template <class Late>
std::vector<row> run(core& c, const std::vector<packet>& packets, std::uint64_t steps, std::uint32_t n, Late late) {
  std::multimap<std::uint64_t, packet> due;
  for (const packet& p : packets) {
    due.emplace(p.emitted + 1 + late(p), p);
  }
  std::vector<row> rows;
  for (std::uint64_t s = 0; s < steps; ++s) {
    auto [first, last] = due.equal_range(s);
    for (auto it = first; it != last; ++it) {
      c.deliver(it->second.src_core, it->second.neuron, it->second.payload, it->second.emitted, s);
    }
    c.update(s);
    rows.push_back(observe(c, n));
  }
  return rows;
}

inline std::vector<row> run(core& c, const std::vector<packet>& packets, std::uint64_t steps, std::uint32_t n = 0) {
  return run(c, packets, steps, n, [](const packet&) { return std::uint64_t{0}; });
}


// --- The neuron of §10 -----------------------------------------------------------------

/// The §10 table: s, u_exc, u_inh, v (after the phase), refractory out, spike.
inline const std::vector<row> section10_rows = {
    {0, 0, 0, 1000, 0, false},          {1, 25600, 0, 27551, 0, false},
    {2, 72162, -7680, 91687, 0, false}, {3, 84689, -6948, -3200, 2, true},
    {4, 69347, -6286, -3200, 1, false}, {5, 82384, -5687, -3200, 0, false},
    {6, 67459, -5145, 60271, 0, false}, {7, 55238, -4655, 108911, 0, false},
    {8, 45231, -4211, -3200, 2, true},
};

/// The §10 neuron fed from core 1 (neurons 0..2) through three axons:
/// axon 0: excitatory 100 at weight_exp 2 (100 << 8 = 25600), delay 1;
/// axon 1: inhibitory −60 at weight_exp 1 (−60 << 7 = −7680), delay 1;
/// axon 2: excitatory 100 at weight_exp 2, delay 2.
inline isa::core_image section10_core(std::uint32_t src_core, std::uint32_t neuron_base) {
  isa::core_image c = one_neuron_core(example_profile());
  add_axon(c, {exc(100, 1)}, 2);
  add_axon(c, {inh(-60, 1)}, 1);
  add_axon(c, {exc(100, 2)}, 2);
  map_inputs(c, src_core, neuron_base, 3, 0);
  return c;
}

/// Slots consumed (§10): step 1 exc 25600; step 2 exc 51200 (two spikes:
/// axon 0 emitted at 1, axon 2 emitted at 0 with delay 2) and inh −7680;
/// step 3 exc 25600; step 5 exc 25600.
inline const std::vector<packet> section10_packets = {
    {1, 0, 0}, {1, 2, 0}, {1, 0, 1}, {1, 1, 1}, {1, 0, 2}, {1, 0, 4},
};

}  // namespace engram::test::core_fixtures
