// A run's output folder (docs/run-output.md): spikes (binary and CSV),
// sampled neuron state, weights, per-step counters and timing, and run.json
// with the totals and the energy report. Streams are written to temporary
// files in the folder and renamed when the run ends, so a folder never holds
// half a file under a final name.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/emulator/energy.hpp>
#include <engram/emulator/simulation.hpp>

namespace engram::emulator {

struct record_options {
  bool spikes = true;
  std::vector<std::uint32_t> spike_populations;  ///< empty: all
  bool spikes_csv = true;
  bool counters = true;  ///< counters.bin and steps.bin
  /// Sampled state: the simulation's probes (simulation_options::probes).
  /// Weights of these projections, every weight_every steps (0: never).
  std::vector<std::uint32_t> weight_projections;
  std::uint32_t weight_every = 0;
};

/// One synapse of a projection as the simulation holds it now: what
/// weights.bin records and what `engram run --write-network` writes back.
struct learned_synapse {
  std::uint32_t pre = 0;          ///< neuron index in the projection's pre population
  std::uint32_t post = 0;         ///< neuron index in the projection's post population
  std::int32_t weight = 0;        ///< the 8-bit mantissa, signed (negative on inhibitory projections)
  std::uint32_t weight_frac = 0;  ///< the plastic word's fraction (0 for a static synapse)
  std::int32_t tag = 0;           ///< the plastic word's tag (0 for a static synapse)
  std::uint32_t delay = 0;        ///< steps
};

/// Every synapse of the projections in `projections` (image projection
/// indices), read from the cores' synapse memory: core by core, input-map
/// entry by entry, axon by axon, in row order; an indexed axon (numerics §5)
/// once, at its first entry, block by block, each synapse's `pre` the index
/// of its source. `visit(projection, synapse)` sees each one.
void for_each_synapse(const simulation& sim, const std::vector<std::uint32_t>& projections,
                      const std::function<void(std::uint32_t, const learned_synapse&)>& visit);

/// Every synapse of one projection, in the order for_each_synapse visits them.
std::vector<learned_synapse> read_projection(const simulation& sim, std::uint32_t projection);

/// The activity totals of a simulation so far (from step 0).
activity make_activity(const simulation& sim);

class run_recorder : public step_observer {
 public:
  /// Creates `folder` if needed and opens the temporary streams.
  run_recorder(std::filesystem::path folder, const simulation& sim, record_options options);
  ~run_recorder() override;
  run_recorder(const run_recorder&) = delete;
  run_recorder& operator=(const run_recorder&) = delete;

  void on_step(const step_view& step) override;
  /// Appends the weights of the chosen projections as they are now (between runs).
  void record_weights(const simulation& sim);
  /// Writes run.json (with `extra` merged in) and moves every stream to its
  /// final name. Returns the energy report.
  energy_report finish(const simulation& sim, const nlohmann::json& extra);

  std::uint64_t spikes_recorded() const noexcept { return spikes_recorded_; }

 private:
  struct stream;
  stream& open(const std::string& name);
  void write(stream& s, const void* data, std::size_t bytes);

  std::filesystem::path folder_;
  const simulation* sim_;
  record_options options_;
  std::vector<std::unique_ptr<stream>> streams_;
  stream* spikes_ = nullptr;
  stream* spikes_csv_ = nullptr;
  stream* counters_ = nullptr;
  stream* steps_ = nullptr;
  stream* state_ = nullptr;
  stream* weights_ = nullptr;
  std::vector<std::vector<std::uint32_t>> population_of_;  // per core, per neuron (~0u: none)
  std::vector<std::vector<std::uint32_t>> index_of_;
  std::vector<std::uint8_t> record_population_;
  std::uint64_t first_step_ = 0;
  std::uint64_t spikes_recorded_ = 0;
  std::uint64_t state_samples_ = 0;
  std::uint64_t weight_records_ = 0;
  bool finished_ = false;
  struct spike_row {
    std::uint32_t step, population, neuron;
  };
  std::vector<spike_row> rows_;
};

}  // namespace engram::emulator
