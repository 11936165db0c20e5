// Lock-step co-simulation of one neuron core: the emulator's golden model
// (emulator::core) and the verilated RTL core, loaded from the same
// core_image, fed the same packets step by step, and compared after every
// step, neuron by neuron and register by register, and on the spike list.
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
  const emulator::core& golden() const noexcept { return core_; }

 private:
  emulator::core core_;
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
  rtl_core& core() noexcept { return *core_; }
  const rtl_core& core() const noexcept { return *core_; }

 private:
  const isa::core_image* image_;
  std::uint32_t neurons_ = 0;
  std::unique_ptr<rtl_core> core_;
};

/// One difference after a step. `field` is u_exc, u_inh, v, refractory, y1,
/// y2, y3 or spike (1: spiked).
struct mismatch {
  std::uint64_t step = 0;
  std::uint32_t neuron = 0;
  std::string field;
  std::int64_t emulator = 0;
  std::int64_t rtl = 0;
  friend bool operator==(const mismatch&, const mismatch&) = default;
};
/// "step 12 neuron 5 u_inh: emulator -6948, rtl -6949".
std::string to_string(const mismatch& m);

struct cosim_options {
  core_variant variant = core_variant::reference;
  rtl_options rtl;
  /// Compare the post traces y1..y3 too (the RTL keeps them).
  bool compare_traces = true;
};

class cosimulation {
 public:
  /// Loads `image` (core `core_id` of a chip with network seed `seed`: both
  /// matter only for Poisson sources) into both models. `image` must outlive
  /// the cosimulation. Throws unsupported_core for an image the RTL cannot
  /// run (too large, or with plastic synapses: learning is not in the RTL yet).
  cosimulation(const isa::core_image& image, std::uint32_t core_id = 0, std::uint64_t seed = 0,
               cosim_options options = {});

  /// Runs the next step in both models with the packets emitted in the step
  /// before, compares, and returns every mismatch of the step (none: equal).
  const std::vector<mismatch>& step(std::span<const packet> packets);

  std::uint64_t steps() const noexcept { return step_; }
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
  std::uint64_t step_ = 0;
  std::uint64_t last_cycles_ = 0;
  double emu_seconds_ = 0;
  double rtl_seconds_ = 0;
  std::vector<mismatch> mismatches_;
};

}  // namespace engram::rtl
