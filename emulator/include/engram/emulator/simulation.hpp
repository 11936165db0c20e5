// The emulated chip: every core of an image, the mesh between them, the
// timing model, and the scheduler that runs them (DESIGN.md, contracts 3, 5, 6).
//
// Execution is asynchronous: each core advances on its own, held back only
// by the source cores whose packets it may still receive (conservative
// synchronization: a core may run step s once every source p has finished
// step s − L(p) where L(p) is the lookahead of p's packets at this core, see
// core::sources()), and by a window of steps that bounds the buffered
// outputs. Because ingress is order-independent (numerics §5), the result is
// the lock-step result, bit for bit, for any thread count. Finished steps are
// handed to a step_observer in step order, from one thread at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include <engram/emulator/core.hpp>
#include <engram/emulator/counters.hpp>
#include <engram/emulator/fabric.hpp>
#include <engram/emulator/timing.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::emulator {

/// A sampled neuron state (a probe).
struct probe_sample {
  std::uint32_t neuron = 0;  ///< index in its core
  isa::neuron_state state;
};

/// What one core did in one finished step.
struct core_step {
  core_counters counters;
  std::vector<std::uint32_t> spiked;    ///< neurons that spiked, ascending
  std::vector<std::uint8_t> payloads;   ///< per spiked neuron
  std::vector<std::uint32_t> emitted;   ///< spiked neurons with targets (their packets left)
  std::vector<probe_sample> probes;     ///< on sampled steps: the probed neurons' state after the step
};

struct step_view {
  std::uint64_t step = 0;
  step_timing timing;
  std::span<const core_step> cores;  ///< index = core id
};

class step_observer {
 public:
  virtual ~step_observer() = default;
  /// Called once per finished step, in step order, never concurrently.
  virtual void on_step(const step_view& step) = 0;
};

struct simulation_options {
  unsigned threads = 1;
  /// How far (in steps) the fastest core may run ahead of the oldest step
  /// not yet handed to the observer.
  std::uint32_t window = 64;
  /// Neurons whose state is sampled (as (core, neuron)), and how often: on
  /// steps s with s % probe_every == 0.
  std::vector<isa::neuron_location> probes;
  std::uint32_t probe_every = 1;
};

/// Cumulative activity of the neurons of one image slice (for the energy
/// breakdown by population).
struct slice_totals {
  std::uint64_t neuron_updates_active = 0;
  std::uint64_t neuron_updates_idle = 0;
  std::uint64_t spikes = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t hops_east_west = 0;
  std::uint64_t hops_north_south = 0;
  std::uint64_t hops_inter_chip = 0;
  friend bool operator==(const slice_totals&, const slice_totals&) = default;
};

/// Cumulative figures over every step run so far (kept in checkpoints).
struct run_totals {
  std::vector<counter_totals> per_core;
  double cycles = 0;             ///< Σ step cycles
  double max_step_cycles = 0;
  std::uint64_t max_step = 0;    ///< the step with max_step_cycles
  std::uint64_t steps = 0;
  std::vector<std::uint64_t> bottleneck_core_steps;  ///< per core: steps it was the bottleneck
  std::uint64_t link_bottleneck_steps = 0;
};

class simulation {
 public:
  /// `image` must outlive the simulation. Throws isa::image_error for
  /// routing tables that cannot be walked.
  simulation(const isa::chip_image& image, simulation_options options);
  ~simulation();
  simulation(const simulation&) = delete;
  simulation& operator=(const simulation&) = delete;

  /// Runs `steps` more steps (all cores end at the same step). When `stop`
  /// becomes true the run ends early, at the first step every core can
  /// reach without running past the others; step() says where.
  void run(std::uint64_t steps, step_observer* observer, const std::atomic<bool>* stop = nullptr);

  /// Between runs: source neuron `at` (a spike_array or modulator neuron)
  /// spikes at step `step` >= step(), as if the image's program listed it
  /// (core::inject). Throws std::invalid_argument otherwise.
  void inject(isa::neuron_location at, std::uint64_t step, std::uint8_t payload = 0);

  /// Steps finished by every core.
  std::uint64_t step() const noexcept { return collected_; }
  const isa::chip_image& image() const noexcept { return *image_; }
  const core& core_at(std::uint32_t id) const noexcept { return *cores_[id]; }
  std::uint32_t core_count() const noexcept { return static_cast<std::uint32_t>(cores_.size()); }
  const fabric& mesh() const noexcept { return mesh_; }
  const run_totals& totals() const noexcept { return totals_; }
  /// Per image slice (chip_image::slices), between runs.
  std::vector<slice_totals> slice_activity() const;
  const simulation_options& options() const noexcept { return options_; }

  /// The whole state as a checkpoint file's bytes (between runs only).
  /// Packets still waiting for their core are delivered first (legal: each
  /// is within its lookahead), so the bytes do not depend on the schedule.
  std::vector<std::uint8_t> checkpoint();
  /// Cumulative synaptic operations per input-map entry of core `c`,
  /// counted like the counters: in the step after the emission.
  const std::vector<std::uint64_t>& entry_synaptic_ops(std::uint32_t c) const noexcept { return entry_acc_[c]; }
  /// Restores a checkpoint of a simulation of the same image; throws
  /// checkpoint_error (naming `source`) otherwise.
  void restore(std::span<const std::uint8_t> file_bytes, const std::string& source);
  /// CRC-32 of the serialized image: what a checkpoint is tied to.
  std::uint32_t image_fingerprint() const;

 private:
  struct packet {
    std::uint64_t step;
    std::uint32_t src_core;
    std::uint16_t neuron;
    std::uint8_t payload;
  };
  struct scratch {
    std::vector<std::vector<packet>> out;  // per destination core
    std::vector<std::uint32_t> touched;
    std::vector<packet> in;
  };
  enum class status : std::uint8_t { idle, queued, running };

  void worker(scratch& mine);
  void run_core_step(std::uint32_t c, std::uint64_t s, scratch& mine);
  bool can_run(std::uint32_t c);
  void consider(std::uint32_t c);
  void collect(std::unique_lock<std::mutex>& lock);
  /// Delivers every waiting packet (between runs: all are within their
  /// lookahead), so that the state does not depend on the schedule.
  void drain();

  const isa::chip_image* image_;
  simulation_options options_;
  fabric mesh_;
  timing_model timing_;
  std::vector<std::unique_ptr<core>> cores_;
  std::vector<std::vector<std::uint32_t>> consumers_;  // per core: cores that take its packets
  std::vector<std::vector<std::uint32_t>> probes_of_;  // per core: probed neurons, ascending
  struct core_slice {
    std::uint32_t slice, first, count;
  };
  std::vector<std::vector<core_slice>> slices_of_;     // per core, by first neuron
  std::vector<std::vector<slice_totals>> slice_acc_;   // per core, parallel to slices_of_
  // Inboxes: packets waiting for their core, each with its own lock.
  std::vector<std::vector<packet>> inbox_;
  std::unique_ptr<std::mutex[]> inbox_lock_;
  // Outputs of steps not yet collected: [core][step % window].
  std::vector<std::vector<core_step>> outputs_;
  std::vector<std::uint32_t> arrived_;  // [step % window]: cores done with that step
  // Scheduler state (under lock_).
  std::mutex lock_;
  std::condition_variable wake_;
  std::vector<std::uint64_t> done_;
  std::vector<status> status_;
  std::deque<std::uint32_t> ready_;
  std::uint64_t target_ = 0;
  std::uint64_t collected_ = 0;
  bool collecting_ = false;
  bool finished_ = false;
  std::exception_ptr error_;
  step_observer* observer_ = nullptr;
  const std::atomic<bool>* stop_ = nullptr;
  // Collection.
  std::vector<core_activity> activity_;
  std::vector<core_counters> step_counters_;
  std::vector<core_step> view_cores_;
  run_totals totals_;
  // Synaptic work of the packets emitted in the last collected step: what
  // each core takes in during the next step (numerics §5 counts it there).
  struct incoming {
    std::uint32_t packets = 0;
    std::uint32_t synaptic_ops = 0;
  };
  std::vector<incoming> pending_in_, next_in_;
  // Per source core and neuron: the destinations that take its packets and
  // the synapses each reaches there (from the image's tables, computed once).
  struct reach {
    std::uint32_t core;
    std::uint32_t entry;  // input-map entry of `core`
    std::uint32_t synaptic_ops;
  };
  std::vector<reach> pending_entries_, next_entries_;  // the last collected step's packets, per entry
  std::vector<std::vector<std::uint64_t>> entry_acc_;   // per core, per input-map entry
  std::vector<std::vector<std::uint32_t>> reach_begin_;  // per core: neuron -> first index, size neurons + 1
  std::vector<std::vector<reach>> reach_;
  // Cores held back only by the window, to look at again when it moves.
  std::vector<std::uint32_t> window_blocked_;
  std::vector<std::uint8_t> in_window_blocked_;
  std::vector<std::uint64_t> horizon_;  // per core: every step below it has its inputs
};

}  // namespace engram::emulator
