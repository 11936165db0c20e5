// One emulated neuron core: docs/numerics.md, bit for bit. The core owns its
// neurons, dendritic accumulators, input axons with their pre traces,
// modulator channels, synapse memory (weights, fractions and tags of plastic
// synapses) and learning engine. It knows nothing of the mesh: packets come in
// through deliver(), spikes go out through spiked().
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <engram/emulator/counters.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::emulator {

class state_writer;
class state_reader;

/// The state of one plastic synapse (numerics §3).
struct plastic_state {
  std::int32_t weight = 0;       ///< the 8-bit mantissa
  std::uint32_t weight_frac = 0;  ///< 8 fraction bits
  std::int32_t tag = 0;          ///< 16-bit eligibility tag
  friend bool operator==(const plastic_state&, const plastic_state&) = default;
};

class core {
 public:
  /// Builds the core's state from its image (numerics §3: neuron state from
  /// the image, flags, accumulators and traces zero). `seed` is the
  /// network's seed (Poisson sources, numerics §9).
  core(const isa::core_image& image, std::uint32_t id, std::uint64_t seed);

  std::uint32_t id() const noexcept { return id_; }
  std::uint32_t neuron_count() const noexcept { return static_cast<std::uint32_t>(kinds_.size()); }
  bool emits(std::uint32_t neuron) const noexcept { return emits_[neuron] != 0; }
  isa::neuron_kind kind(std::uint32_t neuron) const noexcept { return kinds_[neuron]; }

  /// The fewest steps between the emission of a packet by core `src_core`
  /// and the first step in which it can change anything here: 1 if one of
  /// the axons it feeds learns or carries a modulator (x0 and r0 are set at
  /// ingress, numerics §5), otherwise the smallest delay of the synapses it
  /// reaches (isa::max_delay when it reaches none). A packet of step t
  /// delivered at any step in [t+1, t+lookahead] gives the same bits.
  struct source_link {
    std::uint32_t src_core = 0;
    std::uint32_t lookahead = 1;
  };
  const std::vector<source_link>& sources() const noexcept { return sources_; }

  /// Phase 1 for one packet emitted at step `emitted` by neuron `neuron` of
  /// core `src_core`, delivered while this core runs step `now`
  /// (emitted < now <= emitted + the source's lookahead). Packets of one
  /// step may come in any order: the result is the same (numerics §5).
  void deliver(std::uint32_t src_core, std::uint32_t neuron, std::uint32_t payload,
               std::uint64_t emitted, std::uint64_t now);

  /// Injects an external spike: source neuron `neuron` (a spike_array or
  /// modulator neuron) spikes at step `step` (>= step()), exactly as if its
  /// program listed `step`; a modulator's event carries `payload`. Events
  /// that meet at one step (program or injected) merge into one spike with
  /// the largest payload, as the compiler merges times within one step.
  /// Pending injections are not part of checkpoints. Throws
  /// std::invalid_argument for another kind of neuron or a past step.
  void inject(std::uint32_t neuron, std::uint64_t step, std::uint8_t payload);
  /// Injected spikes not yet emitted.
  std::size_t pending_injections() const noexcept { return injected_.size(); }

  /// Phases 2 to 5 of step `step` (the next step: step() before the call).
  /// Afterwards spiked() lists the neurons that spiked, ascending.
  void update(std::uint64_t step);

  /// The next step this core will run (steps completed so far).
  std::uint64_t step() const noexcept { return step_; }
  const std::vector<std::uint32_t>& spiked() const noexcept { return spiked_; }
  /// The payload of each neuron of spiked() (modulator amplitudes; 0 otherwise).
  const std::vector<std::uint8_t>& spiked_payloads() const noexcept { return spiked_payloads_; }
  /// The counters of the last step (the timing and mesh fields are the
  /// simulation's to fill).
  core_counters& counters() noexcept { return counters_; }
  const core_counters& counters() const noexcept { return counters_; }
  /// The input-map entries that hold the key (src_core, neuron), with the
  /// synapses of the row each selects, appended to `out` as (entry, synapses).
  void entries_reached(std::uint32_t src_core, std::uint32_t neuron,
                       std::vector<std::pair<std::uint32_t, std::uint32_t>>& out) const;
  std::uint32_t input_map_size() const noexcept { return static_cast<std::uint32_t>(input_map_.size()); }
  /// Cumulative since step 0, per input-map entry (so per projection):
  /// learning updates of the synapses it reaches. (Synaptic operations per
  /// entry are the simulation's: simulation::entry_synaptic_ops.)
  const std::vector<std::uint64_t>& entry_synaptic_updates() const noexcept { return entry_updates_; }
  /// Per neuron: 1 if its last update was active (neuron_updates_active).
  bool last_update_active(std::uint32_t neuron) const noexcept { return active_[neuron] != 0; }

  // --- State, for recording, co-simulation and checkpoints ---------------------
  /// The neuron's registers after the last step (sources: all zero).
  isa::neuron_state neuron(std::uint32_t n) const noexcept;
  std::uint32_t axon_count() const noexcept { return static_cast<std::uint32_t>(axons_.size()); }
  isa::pre_trace_state pre_trace(std::uint32_t ax) const noexcept;
  std::uint32_t modulator_trace(std::uint32_t channel) const noexcept { return r1_[channel]; }
  /// The plastic synapses in synapse-memory order.
  std::uint32_t plastic_count() const noexcept { return static_cast<std::uint32_t>(plastic_.size()); }
  plastic_state plastic(std::uint32_t index) const noexcept { return plastic_[index]; }
  /// Synapse-memory address of the SynapseWord of plastic synapse `index`.
  std::uint32_t plastic_address(std::uint32_t index) const noexcept { return plastic_address_[index]; }
  /// The synapse memory with the current weights, fractions and tags, in the
  /// image's packed form.
  std::vector<std::uint32_t> synapse_memory() const;

  /// The whole dynamic state (not the configuration), for checkpoints.
  void save(state_writer& out) const;
  /// Restores what save() wrote for a core built from the same image;
  /// throws checkpoint_error when it does not fit.
  void load(state_reader& in);

 private:
  struct profile {
    std::uint32_t decay_u_exc, decay_u_inh, decay_v;
    std::int32_t threshold, reset, bias;
    std::uint32_t refractory_period;
    isa::trace_config y[3];
  };
  struct synapse {
    std::int16_t weight;
    std::uint16_t target;
    std::uint8_t delay;
    std::uint8_t receptor;
    std::uint8_t source;   // indexed axons: the source's place in its block (j mod 16)
    std::int32_t plastic;  // index into plastic_, or -1
  };
  struct axon {
    std::uint32_t first, last;  // synapses_[first, last)
    std::uint32_t blocks;       // indexed: block b is synapses_[block_end_[blocks + b - 1], block_end_[blocks + b])
    std::uint32_t block_count;  // indexed: the index's row_len (0 for an ordinary axon)
    std::int32_t shift;         // WeightShift + weight_exp
    std::uint8_t learning, modulator, channel, pre_profile, rule, indexed;
  };
  struct injection {
    std::uint64_t step;
    std::uint32_t neuron;
    std::uint8_t payload;
  };
  // Heap order of injected_: the earliest step on top.
  static bool later(const injection& a, const injection& b) noexcept { return a.step > b.step; }
  struct source_cursor {
    std::uint32_t next = 0;  // index into steps of the next emission
  };

  void ingress_axon(std::uint32_t ax, std::uint32_t payload, std::uint64_t emitted);
  // Synaptic delivery of source index j through indexed axon `ax` (numerics §5).
  void ingress_indexed(std::uint32_t ax, std::uint32_t j, std::uint64_t emitted);
  // How many synapses of indexed axon `ax` source index j reaches.
  std::uint32_t indexed_synapse_count(std::uint32_t ax, std::uint32_t j) const;
  // The source index j of (src_core, neuron) in indexed entry m (numerics §5).
  static std::uint32_t source_index(const isa::input_map_entry& m, std::uint32_t src_core,
                                    std::uint32_t neuron) noexcept {
    return m.index_base + (src_core - m.src_core) * m.count + (neuron - m.neuron_base);
  }
  void learn();

  std::uint32_t id_;
  std::uint64_t seed_;
  std::uint64_t step_ = 0;
  // Neurons.
  std::vector<isa::neuron_kind> kinds_;
  std::vector<std::uint32_t> lif_, source_neurons_;  // indices, ascending
  std::vector<std::uint16_t> profile_of_;
  std::vector<std::uint8_t> emits_;
  std::vector<isa::spike_source> programs_;
  std::vector<source_cursor> cursors_;
  std::vector<injection> injected_;  // a heap by step (later)
  std::vector<std::int16_t> injected_now_;  // per neuron: payload injected this step, or -1
  std::vector<profile> profiles_;
  std::vector<std::int32_t> u_exc_, u_inh_, v_;
  std::vector<std::uint8_t> refractory_;
  std::vector<std::uint16_t> y1_, y2_, y3_;
  std::vector<std::uint8_t> y0_, y0e_, active_;
  // Accumulators: ring_ slots of [receptor][neuron]; slot of step s is s % ring_.
  std::uint32_t ring_ = 1;
  std::vector<std::int32_t> acc_;
  // Input side.
  std::vector<isa::input_map_entry> input_map_;
  std::vector<source_link> sources_;
  std::vector<std::uint64_t> entry_updates_;
  // Per source core c: entry_list_[entry_begin_[c] .. entry_begin_[c + 1]) are
  // the input-map entries covering c (src_core <= c < src_core + src_cores),
  // in input-map order.
  std::vector<std::uint32_t> entry_begin_;
  std::vector<std::uint32_t> entry_list_;
  std::vector<std::uint32_t> block_end_;  // indexed axons: per block, the end of its synapses in synapses_
  std::vector<std::uint32_t> entry_of_axon_;  // the input-map entry feeding each axon (or ~0u)
  std::vector<axon> axons_;
  std::vector<synapse> synapses_;
  std::vector<std::uint32_t> learning_axons_;
  std::vector<std::uint16_t> x1_, x2_;
  std::vector<std::uint8_t> x0_, x0e_;
  std::vector<isa::trace_config> pre_profiles_;  // 2 per profile
  // Plastic synapses and the learning engine.
  std::vector<plastic_state> plastic_;
  std::vector<std::uint32_t> plastic_address_;
  std::vector<std::uint32_t> memory_;  // the image's synapse memory (configuration)
  std::vector<isa::learning_rule> rules_;
  std::vector<isa::learning_term> microcode_;
  std::uint32_t epoch_ = 0;  // 0: no learning on this core
  // Modulator channels.
  std::vector<isa::trace_config> mod_traces_;
  std::uint32_t r1_[isa::modulator_channels] = {};
  std::uint32_t mod_in_[isa::modulator_channels] = {};
  std::uint8_t r0_[isa::modulator_channels] = {};
  std::uint8_t r0e_[isa::modulator_channels] = {};
  // Outputs of the last step.
  std::vector<std::uint32_t> spiked_;
  std::vector<std::uint8_t> spiked_payloads_;
  core_counters counters_;
};

}  // namespace engram::emulator
