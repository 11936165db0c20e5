// The energy and timing models against hand counts on a deterministic
// network (spike sources with known times onto populations that project no
// further), the activity's JSON round trip and its refusals, and the mesh's
// multicast trees against the input maps they must reach.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/emulator/energy.hpp>
#include <engram/emulator/fabric.hpp>
#include <engram/emulator/run_output.hpp>
#include <engram/emulator/simulation.hpp>
#include <engram/emulator/timing.hpp>

#include "sim_fixtures.hpp"

namespace {

using namespace engram;
using nlohmann::json;

// Two spike-source populations with known spike times (ms, dt = 1 ms, so a
// time is its step) onto two IF_curr_exp populations with no projections of
// their own: only the sources emit. "a" has 20 neurons, more than a tiny
// core holds, so the targets span two cores.
struct source_population {
  std::string name;
  std::vector<std::vector<int>> times;  // per neuron
};

const std::vector<source_population> sources = {
    {"src", {{0, 3, 7}, {1}, {2, 5, 9, 38}, {39}}},
    {"src2", {{4, 39}, {}}},
};
constexpr std::uint32_t a_size = 20;
constexpr std::uint32_t b_size = 2;
constexpr std::uint64_t run_steps = 40;  // the spikes at step 39 leave in the last step: not yet counted

// Synapses of one neuron of each source population: src -> a (all to all);
// src2 -> a (all to all) and src2 -> b (one to one).
std::uint64_t fan_out(const std::string& population) {
  return population == "src" ? a_size : a_size + 1;
}

json deterministic_network() {
  json pops = json::array();
  for (const source_population& s : sources) {
    pops.push_back({{"name", s.name},
                    {"size", s.times.size()},
                    {"model", "SpikeSourceArray"},
                    {"params", {{"spike_times", s.times}}}});
  }
  pops.push_back({{"name", "a"}, {"size", a_size}, {"model", "IF_curr_exp"}, {"params", json::object()}});
  pops.push_back({{"name", "b"}, {"size", b_size}, {"model", "IF_curr_exp"}, {"params", json::object()}});
  const auto projection = [](const char* name, const char* pre, const char* post, const char* connector,
                             double delay) {
    return json{{"name", name},         {"pre", pre},    {"post", post}, {"connector", {{"type", connector}}},
                {"receptor", "excitatory"}, {"weight", 1.0}, {"delay", delay}};
  };
  const json projections = json::array({projection("src_to_a", "src", "a", "AllToAll", 1.0),
                                        projection("src2_to_a", "src2", "a", "AllToAll", 3.0),
                                        projection("src2_to_b", "src2", "b", "OneToOne", 2.0)});
  return {{"format", "engram-network/1"}, {"name", "hand_count"}, {"dt", 1.0}, {"seed", 3},
          {"populations", pops},          {"projections", projections}};
}

struct hand_count {
  std::uint64_t emitting = 0;      // N
  std::uint64_t packets = 0;       // source spikes at steps < steps
  std::uint64_t synaptic_ops = 0;  // of the packets whose step-after is still in the run
};

hand_count count_by_hand(std::uint64_t steps) {
  hand_count h;
  for (const source_population& s : sources) {
    h.emitting += s.times.size();
    for (const std::vector<int>& neuron : s.times) {
      for (int t : neuron) {
        const auto step = static_cast<std::uint64_t>(t);
        if (step < steps) {
          ++h.packets;
        }
        if (step + 1 < steps) {  // counted in the step after the emission
          h.synaptic_ops += fan_out(s.name);
        }
      }
    }
  }
  return h;
}

// Keeps every step's timing and counters.
class step_recorder : public emulator::step_observer {
 public:
  void on_step(const emulator::step_view& step) override {
    timings.push_back(step.timing);
    counters.emplace_back();
    spiked.emplace_back();
    for (const emulator::core_step& c : step.cores) {
      counters.back().push_back(c.counters);
      spiked.back().push_back(c.spiked);
    }
  }
  std::vector<emulator::step_timing> timings;
  std::vector<std::vector<emulator::core_counters>> counters;  // [step][core]
  std::vector<std::vector<std::vector<std::uint32_t>>> spiked;  // [step][core]
};

struct deterministic_run {
  isa::chip_image image;
  std::unique_ptr<emulator::simulation> sim;
  step_recorder steps;
};

std::unique_ptr<deterministic_run> run_deterministic(std::uint64_t steps = run_steps) {
  auto r = std::make_unique<deterministic_run>();
  r->image = test::compile_json(deterministic_network(), compiler::resolve_chip("tiny"));
  emulator::simulation_options options;
  options.threads = 2;
  r->sim = std::make_unique<emulator::simulation>(r->image, options);
  r->sim->run(steps, &r->steps);
  return r;
}

double line_pj(const emulator::energy_report& r, const std::string& name) {
  for (const emulator::energy_line& l : r.by_operation) {
    if (l.name == name) {
      return l.pj;
    }
  }
  ADD_FAILURE() << "no energy line \"" << name << "\"";
  return -1;
}

std::uint64_t lif_neurons(const isa::chip_image& image) {
  std::uint64_t n = 0;
  for (const isa::core_image& c : image.cores) {
    n += static_cast<std::uint64_t>(std::count(c.kinds.begin(), c.kinds.end(), isa::neuron_kind::lif));
  }
  return n;
}

void expect_relative(double actual, double expected, double tolerance, const std::string& what) {
  EXPECT_LE(std::abs(actual - expected), tolerance * std::max(1.0, std::abs(expected)))
      << what << ": " << actual << ", expected " << expected;
}

// The totals, N·r·k·E_syn and the static energy of a run of `steps` steps,
// against the hand count.
void check_totals_by_hand(std::uint64_t steps) {
  SCOPED_TRACE(std::to_string(steps) + " steps");
  const auto run = run_deterministic(steps);
  const isa::chip_image& image = run->image;
  const emulator::simulation& sim = *run->sim;
  ASSERT_GE(image.cores.size(), 2u);  // "a" spans two cores
  ASSERT_EQ(sim.step(), steps);

  // The sources spiked where their times say, and nothing else emitted.
  for (std::uint32_t p = 0; p < sources.size(); ++p) {
    const auto pop = isa::find_population(image, sources[p].name);
    ASSERT_TRUE(pop.has_value());
    for (std::uint32_t i = 0; i < sources[p].times.size(); ++i) {
      const auto at = isa::locate_neuron(image, *pop, i);
      ASSERT_TRUE(at.has_value());
      EXPECT_TRUE(image.cores[at->core].emits[at->neuron]);
      std::vector<int> seen;
      for (std::uint64_t s = 0; s < steps; ++s) {
        const auto& spiked = run->steps.spiked[s][at->core];
        if (std::binary_search(spiked.begin(), spiked.end(), at->neuron)) {
          seen.push_back(static_cast<int>(s));
        }
      }
      std::vector<int> expected;
      for (int t : sources[p].times[i]) {
        if (static_cast<std::uint64_t>(t) < steps) {
          expected.push_back(t);
        }
      }
      EXPECT_EQ(seen, expected) << sources[p].name << "[" << i << "]";
    }
  }

  const hand_count hand = count_by_hand(steps);
  const emulator::activity act = emulator::make_activity(sim);
  const emulator::energy_report r = emulator::compute_energy(act);
  const isa::image_chip& chip = image.chip;
  {
    emulator::counter_totals all;
    for (const auto& row : act.cores) {
      all.add(row.counters);
    }
    EXPECT_EQ(all.packets_out(), hand.packets);
    EXPECT_EQ(all.synaptic_ops(), hand.synaptic_ops);
    EXPECT_EQ(all.neuron_updates_active() + all.neuron_updates_idle(), lif_neurons(image) * steps);
    EXPECT_EQ(lif_neurons(image), a_size + b_size);
    EXPECT_EQ(all.synaptic_updates(), 0u);
  }

  // N·r·k·E_syn.
  const double seconds = static_cast<double>(steps) * 1e-3;
  EXPECT_EQ(act.emitting_neurons, hand.emitting);
  EXPECT_EQ(r.n, hand.emitting);
  expect_relative(r.r_hz, static_cast<double>(hand.packets) / static_cast<double>(hand.emitting) / seconds, 1e-12,
                  "r");
  expect_relative(r.k, static_cast<double>(hand.synaptic_ops) / static_cast<double>(hand.packets), 1e-12, "k");
  EXPECT_EQ(r.e_syn_pj, chip.synaptic_op_pj);
  EXPECT_EQ(chip.synaptic_op_pj, 10.0);  // the tiny preset's round figure
  expect_relative(r.synaptic_power_w, static_cast<double>(hand.synaptic_ops) * 10.0 * 1e-12 / seconds, 1e-12,
                  "N*r*k*E_syn");
  EXPECT_DOUBLE_EQ(line_pj(r, "synaptic operations"), static_cast<double>(hand.synaptic_ops) * 10.0);

  // Static energy: 1 mW per core over the run's real time.
  EXPECT_DOUBLE_EQ(r.seconds_real_time, seconds);
  expect_relative(r.static_pj_real_time,
                  chip.static_power_mw_per_core * 1e-3 * static_cast<double>(image.cores.size()) * seconds * 1e12,
                  1e-12, "static energy");
}

// The breakdowns by operation, core and population add up to the totals,
// and each population holds the synaptic operations onto it.
void check_breakdowns(std::uint64_t steps) {
  SCOPED_TRACE(std::to_string(steps) + " steps");
  const auto run = run_deterministic(steps);
  const emulator::activity act = emulator::make_activity(*run->sim);
  const emulator::energy_report r = emulator::compute_energy(act);
  double by_population = 0;
  double static_by_population = 0;
  for (const auto& p : r.by_population) {
    by_population += p.dynamic_pj;
    static_by_population += p.static_pj_real_time;
  }
  expect_relative(by_population, r.dynamic_pj, 1e-9, "dynamic energy by population");
  double by_core = 0;
  for (const auto& c : r.by_core) {
    by_core += c.dynamic_pj;
  }
  expect_relative(by_core, r.dynamic_pj, 1e-9, "dynamic energy by core");
  double by_operation = 0;
  for (const auto& l : r.by_operation) {
    by_operation += l.pj;
  }
  expect_relative(by_operation, r.dynamic_pj, 1e-12, "dynamic energy by operation");
  EXPECT_LE(static_by_population, r.static_pj_real_time * (1 + 1e-12));

  // The synaptic operations onto each population: "a" takes every packet
  // of both sources, "b" one synapse per src2 packet.
  std::uint64_t onto_a = 0;
  std::uint64_t onto_b = 0;
  for (const source_population& s : sources) {
    for (const auto& neuron : s.times) {
      for (int t : neuron) {
        if (static_cast<std::uint64_t>(t) + 1 < steps) {
          onto_a += a_size;
          onto_b += s.name == "src2" ? 1 : 0;
        }
      }
    }
  }
  for (const auto& p : act.populations) {
    const std::uint64_t expected = p.name == "a" ? onto_a : p.name == "b" ? onto_b : 0;
    EXPECT_EQ(p.synaptic_ops, expected) << "population " << p.name;
  }
}

}  // namespace

TEST(energy, synaptic_term_and_totals_equal_a_hand_count_on_a_deterministic_network) {
  check_totals_by_hand(run_steps);      // the packets of the last step are not counted yet
  check_totals_by_hand(run_steps + 1);  // now they are
  check_totals_by_hand(5);
}

TEST(energy, breakdowns_by_operation_core_and_population_add_up_to_the_totals) {
  check_breakdowns(run_steps + 1);  // no packet in the last step
  check_breakdowns(25);
}

// Regression: the synaptic operations onto each population were counted when
// the packets were delivered, the totals in the step after the emission, so
// a run whose last step emits had a breakdown larger than the total. Both
// are now counted in the step after the emission.
TEST(energy, breakdown_by_population_leaves_out_the_last_steps_packets_like_the_totals) {
  check_breakdowns(run_steps);
}

TEST(energy, every_step_lasts_at_least_each_cores_busy_cycles_and_exactly_the_busiest_without_packets) {
  const auto run = run_deterministic();
  const isa::image_chip& chip = run->image.chip;
  const emulator::fabric mesh(run->image);
  const emulator::timing_model model(chip, mesh);
  ASSERT_EQ(run->steps.timings.size(), run_steps);
  std::uint64_t quiet_steps = 0;
  std::uint64_t busy_steps = 0;
  double total = 0;
  for (std::uint64_t s = 0; s < run_steps; ++s) {
    SCOPED_TRACE("step " + std::to_string(s));
    const emulator::step_timing& t = run->steps.timings[s];
    double busiest = 0;
    std::uint64_t packets = 0;
    for (const emulator::core_counters& k : run->steps.counters[s]) {
      // The tiny chip: 1 cycle per synaptic operation, 2 per active neuron
      // update, 1 per idle one, 4 per learning update.
      const double by_hand = 1.0 * k.synaptic_ops + 2.0 * k.neuron_updates_active + 1.0 * k.neuron_updates_idle +
                             4.0 * k.synaptic_updates;
      EXPECT_EQ(model.core_cycles(k), by_hand);
      EXPECT_EQ(k.cycles, static_cast<std::uint32_t>(std::ceil(by_hand)));
      EXPECT_GE(t.cycles, by_hand);
      busiest = std::max(busiest, by_hand);
      packets += k.packets_out;
    }
    EXPECT_EQ(t.core_cycles, busiest);
    if (packets == 0) {
      ++quiet_steps;
      EXPECT_EQ(t.cycles, busiest);
      EXPECT_EQ(t.network_cycles, 0.0);
    } else {
      ++busy_steps;
      EXPECT_GT(t.network_cycles, 0.0);
    }
    total += t.cycles;
  }
  EXPECT_GT(quiet_steps, 0u);
  EXPECT_GT(busy_steps, 0u);
  EXPECT_DOUBLE_EQ(run->sim->totals().cycles, total);
}

TEST(energy, activity_json_round_trips_and_a_malformed_one_is_refused_naming_the_path) {
  const auto run = run_deterministic();
  const emulator::activity act = emulator::make_activity(*run->sim);
  const json expected = emulator::to_json(emulator::compute_energy(act));

  const json j = act;
  const emulator::activity back = emulator::activity_from_json(j, "activity.json");
  EXPECT_EQ(emulator::to_json(emulator::compute_energy(back)), expected);
  EXPECT_EQ(json(back), j);

  // The same through a run folder's run.json, written by the recorder.
  std::random_device rd;
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("engram_energy_" + std::to_string(rd()));
  json run_json;
  {
    emulator::simulation sim(run->image, {});
    emulator::record_options options;
    options.spikes_csv = false;
    emulator::run_recorder recorder(folder, sim, options);
    sim.run(run_steps, &recorder);
    recorder.finish(sim, json::object());
    std::ifstream in(folder / "run.json");
    run_json = json::parse(in);
  }
  std::filesystem::remove_all(folder);
  EXPECT_EQ(run_json.at("energy"), expected);
  const emulator::activity from_file = emulator::activity_from_json(run_json.at("activity"), "run.json");
  EXPECT_EQ(emulator::to_json(emulator::compute_energy(from_file)), expected);

  const auto refused = [&](const std::string& path, auto change) {
    SCOPED_TRACE(path);
    json bad = run_json.at("activity");
    change(bad);
    try {
      (void)emulator::activity_from_json(bad, "run.json");
      ADD_FAILURE() << "accepted an activity with a bad " << path;
    } catch (const input_error& e) {
      EXPECT_EQ(e.path(), path);
      EXPECT_EQ(e.source(), "run.json");
    }
  };
  refused("/chip/clock_mhz", [](json& a) { a["chip"].erase("clock_mhz"); });
  refused("/chip/clock_mhz", [](json& a) { a["chip"]["clock_mhz"] = "fast"; });
  refused("/chip/has_inter_chip", [](json& a) { a["chip"]["has_inter_chip"] = 1; });
  refused("/steps", [](json& a) { a["steps"] = -40; });
  refused("/steps", [](json& a) { a.erase("steps"); });
  refused("/cores", [](json& a) { a["cores"] = json::object(); });
  refused("/cores/1/counters/synaptic_ops", [](json& a) { a["cores"][1]["counters"]["synaptic_ops"] = 2.5; });
  refused("/cores/0/x", [](json& a) { a["cores"][0]["x"] = std::uint64_t{1} << 33; });
  refused("/populations/2/name", [](json& a) { a["populations"][2]["name"] = 7; });
  refused("/populations/0/core_share", [](json& a) { a["populations"][0].erase("core_share"); });
  refused("/dt_ms", [](json& a) { a["dt_ms"] = 0.0; });
}

// Routes cover the keys of a source slice (docs/mapping.md, "Routing"): every
// emitting neuron of a slice follows the slice's tree, which reaches exactly
// the cores whose input map holds a key of that slice; each neuron's own
// holders are among them (the others drop its packet).
TEST(energy, every_multicast_tree_reaches_exactly_the_cores_whose_input_map_holds_a_key_of_its_slice) {
  std::mt19937 rng(2718);
  int checked = 0;
  std::uint64_t trees = 0;
  std::uint64_t multi_destination = 0;
  std::uint64_t exact_neurons = 0;
  for (int trial = 0; trial < 30 && checked < 12; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const json net = test::busy_network(rng, trial);
    const compiler::chip_spec chip = test::small_chip(rng);
    isa::chip_image image;
    try {
      image = test::compile_json(net, chip);
    } catch (const user_error&) {
      continue;  // does not fit this random chip
    }
    const emulator::fabric mesh(image);
    // Cores whose input map holds the key of (core, neuron).
    const auto holders_of = [&](std::uint32_t c, std::uint32_t n) {
      std::set<std::uint32_t> holders;
      for (std::uint32_t d = 0; d < image.cores.size(); ++d) {
        for (const isa::input_map_entry& m : image.cores[d].input_map) {
          if (m.src_core == c && n >= m.neuron_base && n < m.neuron_base + m.count) {
            holders.insert(d);
          }
        }
      }
      return holders;
    };
    for (const isa::image_slice& sl : image.slices) {
      const std::uint32_t c = sl.core;
      std::set<std::uint32_t> slice_holders;
      for (std::uint32_t n = sl.core_neuron; n < sl.core_neuron + sl.count; ++n) {
        const std::set<std::uint32_t> h = holders_of(c, n);
        slice_holders.insert(h.begin(), h.end());
      }
      for (std::uint32_t n = sl.core_neuron; n < sl.core_neuron + sl.count; ++n) {
        SCOPED_TRACE("core " + std::to_string(c) + " neuron " + std::to_string(n));
        const emulator::route_tree& t = mesh.tree(c, n);
        const std::set<std::uint32_t> holders = holders_of(c, n);
        if (!image.cores[c].emits[n]) {
          EXPECT_TRUE(t.edges.empty());
          EXPECT_TRUE(t.arrivals.empty());
          EXPECT_TRUE(t.destinations.empty());
          EXPECT_TRUE(holders.empty());  // a neuron without targets is in no input map
          continue;
        }
        ++trees;
        multi_destination += t.destinations.size() > 1 ? 1 : 0;
        exact_neurons += holders.size() == t.destinations.size() ? 1 : 0;
        EXPECT_FALSE(holders.empty());
        EXPECT_EQ(std::vector<std::uint32_t>(slice_holders.begin(), slice_holders.end()), t.destinations);
        EXPECT_TRUE(std::includes(t.destinations.begin(), t.destinations.end(), holders.begin(), holders.end()));
        EXPECT_EQ(std::uint64_t{t.hops_east_west} + t.hops_north_south + t.hops_inter_chip, t.edges.size());
        std::set<std::uint32_t> arrived;
        for (const emulator::route_tree::arrival& a : t.arrivals) {
          EXPECT_LE(a.node, t.edges.size());
          arrived.insert(a.core);
        }
        EXPECT_EQ(arrived.size(), t.arrivals.size());  // a tree reaches a core once
        EXPECT_EQ(arrived, slice_holders);
        for (std::size_t i = 0; i < t.edges.size(); ++i) {
          EXPECT_LE(t.edges[i].parent, i);  // a parent comes before its children
        }
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 6);
  EXPECT_GT(trees, 100u);
  EXPECT_GT(multi_destination, 0u);
  EXPECT_GT(exact_neurons, 0u);
}
