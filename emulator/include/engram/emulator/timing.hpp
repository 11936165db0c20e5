// The cycle-approximate timing model (DESIGN.md, contract 5; docs/timing.md).
// It reads what the cores did in a step and which packets they sent, and
// says how many cycles the chip needed for the step and what held it up.
// It never changes a spike or a weight: it runs after the step, on counters.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <engram/emulator/counters.hpp>
#include <engram/emulator/fabric.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::emulator {

/// What limited a step.
enum class bottleneck_kind : std::uint8_t { none = 0, core = 1, link = 2 };

struct step_timing {
  double cycles = 0;          ///< the step's length: the slowest core or the last packet's arrival
  double core_cycles = 0;     ///< the busiest core's cycles
  double network_cycles = 0;  ///< when the step's last packet arrived (0 without packets)
  bottleneck_kind bottleneck = bottleneck_kind::none;
  std::uint32_t bottleneck_id = 0;  ///< core id, or fabric link id (the link busiest in the step)
};

/// What one core did in the step, as the timing model needs it.
struct core_activity {
  const core_counters* counters = nullptr;
  std::uint32_t neuron_count = 0;
  std::span<const std::uint32_t> emitted;  ///< neurons whose packets left, ascending
};

class timing_model {
 public:
  timing_model(const isa::image_chip& chip, const fabric& mesh);

  /// The core's busy cycles for its counters: synaptic operations, neuron
  /// updates (active and idle) and learning updates.
  double core_cycles(const core_counters& c) const noexcept;

  /// Times step: cores[i] is core i. Writes each core's cycles (rounded up)
  /// into its counters.
  step_timing evaluate(std::span<core_activity> cores, std::span<core_counters> counters);

 private:
  isa::image_chip chip_;
  const fabric* mesh_;
  std::vector<double> link_free_;
  std::vector<std::uint32_t> link_flits_;
  std::vector<std::uint32_t> touched_;
  struct packet {
    double time;
    std::uint32_t core;
    std::uint32_t neuron;
  };
  std::vector<packet> packets_;
  std::vector<double> node_time_;
};

}  // namespace engram::emulator
