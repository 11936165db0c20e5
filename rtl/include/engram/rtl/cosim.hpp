// Lock-step co-simulation of one neuron core: the emulator's golden model
// (emulator::core) and the verilated RTL core, loaded from the same
// core_image, fed the same packets step by step, and compared after every
// step: every neuron's registers, the spike list, the pre traces of the
// learning axons, the modulator traces, and every plastic synapse's weight,
// fraction and tag.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <engram/emulator/core.hpp>
#include <engram/isa/chip_image.hpp>
#include <engram/rtl/rtl_core.hpp>

namespace engram::rtl {

/// A packet arriving at the core: neuron `neuron` of core `src_core` spiked
/// in the previous step (numerics §4: every packet is delivered in the step
/// after its emission).
struct packet {
  std::uint32_t src_core = 0;
  std::uint32_t neuron = 0;
  std::uint32_t payload = 0;
};

/// One core's numerics, stepped: the interface both sides of the
/// co-simulation are put behind.
class core_model {
 public:
  virtual ~core_model() = default;
  virtual std::string_view name() const noexcept = 0;
  /// Delivers `packets` (emitted at step − 1) and runs step `step`.
  virtual void step(std::uint64_t step, std::span<const packet> packets) = 0;
  virtual std::uint32_t neuron_count() const noexcept = 0;
  virtual isa::neuron_state neuron(std::uint32_t n) const = 0;
  /// Neurons (LIF ones only) that spiked in the last step, ascending.
  virtual std::vector<std::uint32_t> spiked() const = 0;
  /// Pre traces of input axon `axon` (defined for learning axons).
  virtual isa::pre_trace_state pre_trace(std::uint32_t axon) const = 0;
  /// The trace r1 of modulator channel `channel` (0..7).
  virtual std::uint32_t modulator_trace(std::uint32_t channel) const = 0;
  /// The plastic synapse whose SynapseWord sits at synapse-memory word `address`.
  virtual emulator::plastic_state plastic_at(std::uint32_t address) const = 0;
};

/// emulator::core behind core_model.
class emulator_model final : public core_model {
 public:
  emulator_model(const isa::core_image& image, std::uint32_t core_id, std::uint64_t seed);
  std::string_view name() const noexcept override { return "emulator"; }
  void step(std::uint64_t step, std::span<const packet> packets) override;
  std::uint32_t neuron_count() const noexcept override { return core_.neuron_count(); }
  isa::neuron_state neuron(std::uint32_t n) const override { return core_.neuron(n); }
  std::vector<std::uint32_t> spiked() const override;
  isa::pre_trace_state pre_trace(std::uint32_t axon) const override { return core_.pre_trace(axon); }
  std::uint32_t modulator_trace(std::uint32_t channel) const override { return core_.modulator_trace(channel); }
  emulator::plastic_state plastic_at(std::uint32_t address) const override;
  /// The core; its counters() are those of the last step.
  const emulator::core& golden() const noexcept { return core_; }

 private:
  emulator::core core_;
  std::vector<std::uint32_t> plastic_index_;  // by synapse-memory address: plastic index, or ~0u
};

/// The verilated core behind core_model: maps packets to input axons through
/// the image's input map (the RTL core takes axon indices).
class rtl_model final : public core_model {
 public:
  rtl_model(const isa::core_image& image, core_variant variant, const rtl_options& options);
  std::string_view name() const noexcept override { return "rtl"; }
  void step(std::uint64_t step, std::span<const packet> packets) override;
  std::uint32_t neuron_count() const noexcept override { return neurons_; }
  isa::neuron_state neuron(std::uint32_t n) const override { return core_->states()[n]; }
  std::vector<std::uint32_t> spiked() const override { return core_->spiked(); }
  isa::pre_trace_state pre_trace(std::uint32_t axon) const override { return core_->pre_traces()[axon]; }
  std::uint32_t modulator_trace(std::uint32_t channel) const override {
    return core_->modulator_traces()[channel];
  }
  emulator::plastic_state plastic_at(std::uint32_t address) const override;
  rtl_core& core() noexcept { return *core_; }
  const rtl_core& core() const noexcept { return *core_; }

 private:
  const isa::core_image* image_;
  std::uint32_t neurons_ = 0;
  std::unique_ptr<rtl_core> core_;
};

/// What a mismatch is about.
enum class element : std::uint8_t {
  neuron,   ///< a neuron's register or its spike: `neuron`
  axon,     ///< a learning axon's pre trace: `axon`
  channel,  ///< a modulator channel's trace: `channel`
  synapse,  ///< a plastic synapse: `axon`, `word` (its SynapseWord's address), `neuron` (its target)
};

/// One difference after a step. `field` is u_exc, u_inh, v, refractory, y1,
/// y2, y3 or spike (1: spiked) for a neuron; x1 or x2 for an axon; r1 for a
/// channel; weight, weight_frac or tag for a synapse.
struct mismatch {
  std::uint64_t step = 0;
  std::uint32_t neuron = 0;
  std::string field;
  std::int64_t emulator = 0;
  std::int64_t rtl = 0;
  element what = element::neuron;
  std::uint32_t axon = 0;
  std::uint32_t word = 0;
  std::uint32_t channel = 0;
  friend bool operator==(const mismatch&, const mismatch&) = default;
};
/// "step 12 neuron 5 u_inh: emulator -6948, rtl -6949",
/// "step 40 axon 3 x1: emulator 4096, rtl 4095",
/// "step 7 channel 0 r1: emulator 16, rtl 0",
/// "step 9 synapse axon 2 word 17 target 5 weight_frac: emulator 95, rtl 94".
std::string to_string(const mismatch& m);

struct cosim_options {
  core_variant variant = core_variant::reference;
  rtl_options rtl;
  /// Compare the post traces y1..y3 too (the RTL keeps them).
  bool compare_traces = true;
  /// Compare the plastic synapses after every step (false: only after the
  /// steps that end an epoch, the only ones that change them).
  bool compare_plastic_every_step = true;
};

class cosimulation {
 public:
  /// Loads `image` (core `core_id` of a chip with network seed `seed`: both
  /// matter only for Poisson sources) into both models. `image` must outlive
  /// the cosimulation. Throws unsupported_core for an image the RTL cannot
  /// run (too large, or breaking an invariant of numerics §12 it relies on:
  /// a delay beyond its slots, a learning axon's rule or a rule's terms
  /// outside the tables).
  cosimulation(const isa::core_image& image, std::uint32_t core_id = 0, std::uint64_t seed = 0,
               cosim_options options = {});

  /// Runs the next step in both models with the packets emitted in the step
  /// before, compares, and returns every mismatch of the step (none: equal).
  const std::vector<mismatch>& step(std::span<const packet> packets);

  std::uint64_t steps() const noexcept { return step_; }
  /// The learning axons and plastic synapses compared after each step.
  std::uint32_t learning_axons() const noexcept { return static_cast<std::uint32_t>(learning_axons_.size()); }
  std::uint32_t plastic_synapses() const noexcept { return static_cast<std::uint32_t>(plastic_.size()); }
  /// Steps that ended an epoch so far (the learning engine ran).
  std::uint64_t epochs() const noexcept { return epochs_; }
  /// Compares the RTL core's stored synapse memory (read through its debug
  /// port) with the emulator's, word by word; returns the differing words
  /// as synapse mismatches of field "word" at the current step.
  std::vector<mismatch> compare_synapse_memory();
  /// RTL clock cycles of the last step (ingress + neuron update) and in all.
  std::uint64_t last_step_cycles() const noexcept { return last_cycles_; }
  std::uint64_t cycles() const noexcept { return rtl_.core().cycles(); }
  /// Wall-clock seconds spent in each model's step() so far.
  double emulator_seconds() const noexcept { return emu_seconds_; }
  double rtl_seconds() const noexcept { return rtl_seconds_; }
  const emulator_model& golden() const noexcept { return emu_; }
  const rtl_model& rtl() const noexcept { return rtl_; }
  /// Closes the RTL trace and runs its final blocks.
  void finish() { rtl_.core().finish(); }

 private:
  emulator_model emu_;
  rtl_model rtl_;
  cosim_options options_;
  struct plastic_ref {
    std::uint32_t axon, address, target;
  };
  std::vector<std::uint32_t> learning_axons_;
  std::vector<plastic_ref> plastic_;
  std::uint32_t epoch_ = 0;
  std::uint64_t epochs_ = 0;
  std::uint64_t step_ = 0;
  std::uint64_t last_cycles_ = 0;
  double emu_seconds_ = 0;
  double rtl_seconds_ = 0;
  std::vector<mismatch> mismatches_;
};

}  // namespace engram::rtl
