// Networks and a lock-step reference for the simulation tests. The
// reference runs the same core objects in the plainest order (every packet
// of step s-1 delivered at the start of step s, cores one after another),
// which is what numerics §4 defines; the scheduler must give the same bits.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/core.hpp>
#include <engram/emulator/fabric.hpp>
#include <engram/emulator/simulation.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::test {

using nlohmann::json;

// A random, busy network: Poisson sources strong enough to make the LIF
// populations fire, recurrent excitation and inhibition, delays 1..9 steps.
inline json busy_network(std::mt19937& rng, int seed) {
  json populations = json::array();
  json projections = json::array();
  const int n = 3 + static_cast<int>(rng() % 4);
  for (int p = 0; p < n; ++p) {
    const int size = 4 + static_cast<int>(rng() % 40);
    if (p == 0 || rng() % 4 == 0) {
      populations.push_back({{"name", "s" + std::to_string(p)},
                             {"size", size},
                             {"model", "SpikeSourcePoisson"},
                             {"params", {{"rate", 20.0 + static_cast<double>(rng() % 200)}}}});
    } else {
      populations.push_back({{"name", "n" + std::to_string(p)},
                             {"size", size},
                             {"model", "IF_curr_exp"},
                             {"params", {{"tau_refrac", static_cast<double>(rng() % 4)},
                                         {"i_offset", 0.1 * static_cast<double>(rng() % 10)}}}});
    }
  }
  for (int k = 0; k < 8; ++k) {
    const json& pre = populations[rng() % static_cast<unsigned>(n)];
    const json& post = populations[rng() % static_cast<unsigned>(n)];
    if (post["model"] != "IF_curr_exp") {
      continue;
    }
    const bool inhibitory = rng() % 3 == 0;
    projections.push_back(
        {{"pre", pre["name"]},
         {"post", post["name"]},
         {"connector", {{"type", "FixedProbability"}, {"p", 0.2 + 0.1 * static_cast<double>(rng() % 5)}}},
         {"receptor", inhibitory ? "inhibitory" : "excitatory"},
         {"weight", {{"distribution", "uniform"}, {"low", 0.5}, {"high", inhibitory ? 4.0 : 8.0}}},
         {"delay", {{"distribution", "uniform"}, {"low", 1.0}, {"high", 9.0}}}});
  }
  return {{"format", "engram-network/1"}, {"name", "busy"},           {"dt", 1.0},
          {"seed", seed},                 {"populations", populations}, {"projections", projections}};
}

// The tiny preset with a random mesh and core size (several chips).
inline compiler::chip_spec small_chip(std::mt19937& rng) {
  auto j = json::parse(*compiler::chip_preset_text("tiny"));
  j["mesh"] = {{"width", 2 + rng() % 3}, {"height", 2 + rng() % 2}};
  j["chips"] = {{"width", 1 + rng() % 2}, {"height", 1 + rng() % 2}};
  j["core"]["neurons"] = 8 + rng() % 24;
  j["core"]["synapse_words"] = 512 + rng() % 2000;
  j["core"]["input_axons"] = 128 + rng() % 200;
  j["core"]["output_axons"] = 64;
  j["core"]["router_entries"] = 64;
  return compiler::load_chip_text(j.dump(), "chip.json");
}

inline isa::chip_image compile_json(const json& net, const compiler::chip_spec& chip) {
  return compiler::compile_network(compiler::load_network_text(net.dump(), "network.json"), chip).image;
}

// The image, or nothing when the random network does not fit the random chip.
inline std::optional<isa::chip_image> compile_if_fits(const json& net, const compiler::chip_spec& chip) {
  try {
    return compile_json(net, chip);
  } catch (const engram::user_error&) {
    return std::nullopt;
  }
}

struct lock_step_result {
  std::vector<std::vector<std::vector<std::uint32_t>>> spikes;  // [step][core] -> neurons
  std::vector<std::vector<isa::neuron_state>> states;           // [core][neuron] at the end
  std::vector<std::vector<emulator::plastic_state>> plastic;    // [core][synapse]
};

inline lock_step_result run_lock_step(const isa::chip_image& image, std::uint64_t steps) {
  std::vector<emulator::core> cores;
  for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
    cores.emplace_back(image.cores[c], c, image.seed);
  }
  const emulator::fabric mesh(image);
  struct packet {
    std::uint32_t core, neuron, payload;
  };
  std::vector<packet> previous, next;
  lock_step_result out;
  for (std::uint64_t s = 0; s < steps; ++s) {
    for (const packet& p : previous) {
      for (std::uint32_t d : mesh.tree(p.core, p.neuron).destinations) {
        cores[d].deliver(p.core, p.neuron, p.payload, s - 1, s);
      }
    }
    next.clear();
    out.spikes.emplace_back(cores.size());
    for (std::uint32_t c = 0; c < cores.size(); ++c) {
      cores[c].update(s);
      out.spikes.back()[c] = cores[c].spiked();
      for (std::size_t i = 0; i < cores[c].spiked().size(); ++i) {
        const std::uint32_t n = cores[c].spiked()[i];
        if (cores[c].emits(n)) {
          next.push_back({c, n, cores[c].spiked_payloads()[i]});
        }
      }
    }
    std::swap(previous, next);
  }
  for (const emulator::core& k : cores) {
    out.states.emplace_back();
    for (std::uint32_t n = 0; n < k.neuron_count(); ++n) {
      out.states.back().push_back(k.neuron(n));
    }
    out.plastic.emplace_back();
    for (std::uint32_t i = 0; i < k.plastic_count(); ++i) {
      out.plastic.back().push_back(k.plastic(i));
    }
  }
  return out;
}

// Collects what the simulation hands over, step by step.
class spike_collector : public emulator::step_observer {
 public:
  void on_step(const emulator::step_view& step) override {
    if (step.step != spikes.size() + first) {
      ADD_FAILURE() << "step " << step.step << " handed over out of order";
    }
    spikes.emplace_back();
    for (const emulator::core_step& c : step.cores) {
      spikes.back().push_back(c.spiked);
      counters.push_back(c.counters);
    }
    timings.push_back(step.timing.cycles);
  }
  std::uint64_t first = 0;
  std::vector<std::vector<std::vector<std::uint32_t>>> spikes;
  std::vector<emulator::core_counters> counters;
  std::vector<double> timings;
};

inline std::vector<std::vector<isa::neuron_state>> states_of(const emulator::simulation& sim) {
  std::vector<std::vector<isa::neuron_state>> out;
  for (std::uint32_t c = 0; c < sim.core_count(); ++c) {
    out.emplace_back();
    for (std::uint32_t n = 0; n < sim.core_at(c).neuron_count(); ++n) {
      out.back().push_back(sim.core_at(c).neuron(n));
    }
  }
  return out;
}

// FNV-1a over the spikes: (step, core, neuron) in order.
inline std::uint64_t spike_hash(const std::vector<std::vector<std::vector<std::uint32_t>>>& spikes) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h = (h ^ ((v >> (8 * i)) & 0xff)) * 1099511628211ull;
    }
  };
  for (std::size_t s = 0; s < spikes.size(); ++s) {
    for (std::size_t c = 0; c < spikes[s].size(); ++c) {
      for (std::uint32_t n : spikes[s][c]) {
        mix(s);
        mix(c);
        mix(n);
      }
    }
  }
  return h;
}

}  // namespace engram::test
