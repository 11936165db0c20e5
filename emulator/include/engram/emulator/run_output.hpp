// A run's output folder (docs/run-output.md): spikes (binary and CSV),
// sampled neuron state, weights, per-step counters and timing, and run.json
// with the totals and the energy report. Streams are written to temporary
// files in the folder and renamed when the run ends, so a folder never holds
// half a file under a final name.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
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
