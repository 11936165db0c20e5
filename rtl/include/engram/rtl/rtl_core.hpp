// The verilated SystemVerilog neuron core (rtl/src/engram_neuron_core.sv)
// behind a small C++ interface: load a core image, deliver input events by
// input axon, run a step (neuron update, traces, learning), read the
// registers, the spikes, the pre and modulator traces and the plastic
// synapses back. No Verilator header leaks out of this library.
#pragma once

#include <array>
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
  mutant_learn_round = 3,   ///< learning terms with a negative scale round ties toward zero, not away
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
/// or that breaks an invariant of numerics §12 the RTL relies on.
/// what(): "the RTL core cannot run this core: synapse_words 2000000 exceed
/// its 1048576".
class unsupported_core : public user_error {
 public:
  unsupported_core(std::string part, std::uint64_t value, std::uint64_t limit);
  std::string part;  ///< "neurons", "synapse_words", "delay", "learning_rules", "microcode", ...
  std::uint64_t value;
  std::uint64_t limit;
};

/// Clock cycles by what the core did (cumulative since load()).
struct cycle_counts {
  std::uint64_t ingress = 0;    ///< event lookups and synapse-word deliveries (§5)
  std::uint64_t update = 0;     ///< one cycle per LIF neuron, the first in the start cycle (§6, post traces §7)
  std::uint64_t mod_trace = 0;  ///< modulator traces: one cycle per step on a core with channels
  std::uint64_t pre_trace = 0;  ///< pre traces: one cycle per axon up to the last learning one
  std::uint64_t learn = 0;      ///< the learning engine at epoch ends (§8)
  std::uint64_t total() const noexcept { return ingress + update + mod_trace + pre_trace + learn; }
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
  /// Ingress of one input event: input axon `axon`, emitted at step
  /// `emitted`, with the packet's payload (read by modulator axons only).
  virtual void deliver(std::uint32_t axon, std::uint64_t emitted, std::uint32_t payload = 0) = 0;
  /// Runs step `step` after its events were delivered: the neuron update,
  /// the traces and, at the end of an epoch, the learning engine. Steps run
  /// in order from 0 (the core counts them); another step throws
  /// std::logic_error.
  virtual void update(std::uint64_t step) = 0;

  /// The neurons that spiked in the last update, ascending.
  virtual const std::vector<std::uint32_t>& spiked() const = 0;
  /// Every neuron's registers after the last update (after load: the image's).
  virtual const std::vector<isa::neuron_state>& states() const = 0;
  /// Every input axon's pre traces, as the core reported them (it keeps
  /// them for learning axons only; the others stay 0).
  virtual const std::vector<isa::pre_trace_state>& pre_traces() const = 0;
  /// The modulator traces r1 of channels 0..7.
  virtual std::array<std::uint32_t, isa::modulator_channels> modulator_traces() const = 0;
  /// The synapse memory as the learning engine reported its write-backs
  /// (after load: the image's); the weights, fractions and tags of the
  /// plastic synapses are those the core wrote.
  virtual const std::vector<std::uint32_t>& synapse_memory() const = 0;
  /// The synapse memory read back word by word through the core's debug
  /// port (what it stores, not what it reported).
  virtual std::vector<std::uint32_t> read_synapse_memory() = 0;
  /// Clock cycles since load() (the load itself not counted).
  virtual std::uint64_t cycles() const = 0;
  /// The same, by what the core did.
  virtual const cycle_counts& cycles_by_phase() const = 0;
  /// Clock cycles of load(): table writes and the accumulator clear.
  virtual std::uint64_t load_cycles() const = 0;
  /// Ends the simulation (final blocks, closes the trace). Called by the
  /// destructor if not before.
  virtual void finish() = 0;
};

std::unique_ptr<rtl_core> make_rtl_core(core_variant variant = core_variant::reference,
                                        const rtl_options& options = {});

}  // namespace engram::rtl
