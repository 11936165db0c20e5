// The verilated SystemVerilog neuron core (rtl/src/engram_neuron_core.sv)
// behind a small C++ interface: load a core image, deliver input events by
// input axon, run the neuron update of a step, read the registers and the
// spikes back. No Verilator header leaks out of this library.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <engram/common/error.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::rtl {

/// Which verilated build of the core. The mutants each alter one bit of the
/// numerics on purpose; the co-simulation must report them.
enum class core_variant : std::uint8_t {
  reference = 0,            ///< docs/numerics.md as written
  mutant_decay_floor = 1,   ///< decay() rounds toward −∞ instead of toward zero
  mutant_threshold_gt = 2,  ///< spikes on v > threshold instead of v >= threshold
};
std::string_view to_string(core_variant variant) noexcept;

/// The sizes the harness's core was verilated with (rtl/CMakeLists.txt).
struct core_limits {
  std::uint32_t neurons = 0;
  std::uint32_t profiles = 0;
  std::uint32_t axons = 0;
  std::uint32_t synapse_words = 0;
  std::uint32_t slots = 0;  ///< accumulator slots: the longest delay it holds
  std::uint32_t trace_profiles = 0;
};
core_limits limits() noexcept;

/// A core image the RTL core cannot hold (a table larger than its memory),
/// or uses a part the RTL does not have yet (learning).
/// what(): "the RTL core cannot run this core: synapse_words 2000000 exceed
/// its 1048576", or "...: 1000 plastic_synapses (the RTL core has no learning
/// engine yet)" when limit is 0.
class unsupported_core : public user_error {
 public:
  unsupported_core(std::string part, std::uint64_t value, std::uint64_t limit);
  std::string part;  ///< "neurons", "synapse_words", "delay", "plastic_synapses", ...
  std::uint64_t value;
  std::uint64_t limit;
};

struct rtl_options {
  /// When not empty, an FST waveform of every signal is written here.
  std::filesystem::path trace;
};

class rtl_core {
 public:
  virtual ~rtl_core() = default;

  /// Resets the core, writes every table of `image` through the load port
  /// and clears the accumulators. Throws unsupported_core when it does not fit.
  virtual void load(const isa::core_image& image) = 0;
  /// Ingress of one input event: input axon `axon`, emitted at step `emitted`.
  virtual void deliver(std::uint32_t axon, std::uint64_t emitted) = 0;
  /// Runs the neuron update of step `step` (after its events were delivered).
  virtual void update(std::uint64_t step) = 0;

  /// The neurons that spiked in the last update, ascending.
  virtual const std::vector<std::uint32_t>& spiked() const = 0;
  /// Every neuron's registers after the last update (after load: the image's).
  virtual const std::vector<isa::neuron_state>& states() const = 0;
  /// Clock cycles since load() (the load itself not counted).
  virtual std::uint64_t cycles() const = 0;
  /// Clock cycles of load(): table writes and the accumulator clear.
  virtual std::uint64_t load_cycles() const = 0;
  /// Ends the simulation (final blocks, closes the trace). Called by the
  /// destructor if not before.
  virtual void finish() = 0;
};

std::unique_ptr<rtl_core> make_rtl_core(core_variant variant = core_variant::reference,
                                        const rtl_options& options = {});

}  // namespace engram::rtl
