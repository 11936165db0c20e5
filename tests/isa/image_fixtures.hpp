// Chip images for tests: random valid images from a seed, and one small
// hand-built image whose every entry is known (example_image). The random
// generator uses its own integer arithmetic (no <random> distributions, whose
// results differ between standard libraries), so an image depends only on
// its seed: tests/fuzz/image_corpus/ holds some of them as files.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <engram/isa/chip_image.hpp>

#include "indexed_fixtures.hpp"

namespace engram::isa::fixtures {

// SplitMix64: small, fast, and the same everywhere.
class fixture_rng {
 public:
  explicit fixture_rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, n) for tests; n > 0.
  std::uint32_t below(std::uint64_t n) { return static_cast<std::uint32_t>(next() % n); }
  // In [lo, hi].
  std::int32_t between(std::int64_t lo, std::int64_t hi) {
    return static_cast<std::int32_t>(lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool chance(std::uint32_t num, std::uint32_t den) { return below(den) < num; }

 private:
  std::uint64_t state_;
};

inline trace_config random_trace(fixture_rng& r) {
  return {.decay = r.below(4096), .impulse = r.below(65536)};
}

inline neuron_config random_profile(fixture_rng& r, std::uint32_t post_profiles) {
  neuron_config c;
  c.decay_u_exc = r.below(4096);
  c.decay_u_inh = r.below(4096);
  c.decay_v = r.below(4096);
  c.threshold_mant = 1 + r.below(131071);
  c.bias_mant = r.between(-4096, 4095);
  c.bias_exp = r.below(8);
  c.reset_mant = r.between(-131072, static_cast<std::int64_t>(c.threshold_mant) - 1);
  c.refractory_period = r.below(256);
  c.post_trace_profile = post_profiles == 0 ? 0 : r.below(post_profiles);
  return c;
}

inline learn_operand random_operand(fixture_rng& r, bool modulator_available) {
  for (;;) {
    const auto op = static_cast<learn_operand>(r.below(13));
    if (modulator_available || (op != learn_operand::r0 && op != learn_operand::r1)) {
      return op;
    }
  }
}

inline image_chip random_chip(fixture_rng& r) {
  image_chip c;
  c.name = "fixture-chip";
  c.mesh_width = 1 + r.below(3);
  c.mesh_height = 1 + r.below(3);
  c.chips_width = 1 + r.below(2);
  c.chips_height = 1 + r.below(2);
  c.neurons = 8 + r.below(57);
  c.synapse_words = 256 + r.below(1793);
  c.input_axons = 32 + r.below(97);
  c.output_axons = c.neurons;
  c.neuron_profiles = 1 + r.below(4);
  c.trace_profiles = 1 + r.below(3);
  c.learning_rules = 1 + r.below(4);
  c.microcode_words = 16 + r.below(49);
  c.router_entries = 4 + r.below(13);
  c.max_delay = 1 + r.below(63);
  for (double* v : {&c.cycles_per_synaptic_op, &c.cycles_per_neuron_update_active, &c.cycles_per_neuron_update_idle,
                    &c.cycles_per_learning_update, &c.cycles_per_hop_east_west, &c.cycles_per_hop_north_south,
                    &c.cycles_per_local_spike, &c.link_flits_per_cycle, &c.synaptic_op_pj, &c.synaptic_update_pj,
                    &c.neuron_update_active_pj, &c.neuron_update_idle_pj, &c.spike_local_pj, &c.hop_east_west_pj,
                    &c.hop_north_south_pj, &c.static_power_mw_per_core}) {
    *v = r.below(1000) / 8.0;
  }
  c.clock_mhz = 1 + r.below(2000);
  c.has_inter_chip = c.chips_width > 1 || c.chips_height > 1 || r.chance(1, 4);
  if (c.has_inter_chip) {
    c.inter_chip_cycles_per_hop = r.below(1000) / 4.0;
    c.inter_chip_hop_pj = r.below(1000) / 4.0;
    c.inter_chip_link_flits_per_cycle = r.below(100) / 16.0;
  }
  return c;
}

/// A random image that satisfies every invariant of validate_image: random
/// chip figures, 1..5 cores on random grid positions, populations of every
/// kind cut into slices, projections with (sometimes plastic) synapse rows,
/// learning rules, modulator channels and random routing entries.
inline chip_image random_image(std::uint64_t seed) {
  fixture_rng r(seed);
  chip_image img;
  img.network_name = "random_" + std::to_string(seed);
  img.dt_ms = (1 + r.below(10)) / 10.0;
  img.seed = r.next();
  img.chip = random_chip(r);
  const image_chip& chip = img.chip;

  // Cores on distinct positions of the global grid.
  const auto grid_w = static_cast<std::uint32_t>(chip.grid_width());
  const auto grid_h = static_cast<std::uint32_t>(chip.grid_height());
  std::vector<std::pair<std::uint16_t, std::uint16_t>> cells;
  for (std::uint32_t y = 0; y < grid_h; ++y) {
    for (std::uint32_t x = 0; x < grid_w; ++x) {
      cells.emplace_back(static_cast<std::uint16_t>(x), static_cast<std::uint16_t>(y));
    }
  }
  for (std::size_t i = cells.size(); i > 1; --i) {
    std::swap(cells[i - 1], cells[r.below(i)]);
  }
  const std::size_t n_cores = 1 + r.below(std::min<std::size_t>(cells.size(), 5));
  img.cores.resize(n_cores);
  struct core_plan {
    std::uint32_t pre_profiles = 0;
    std::uint32_t post_profiles = 0;
    std::uint32_t epoch = 1;
    std::optional<std::uint32_t> channel;  // modulator channel routed here
  };
  std::vector<core_plan> plans(n_cores);
  for (std::size_t c = 0; c < n_cores; ++c) {
    core_image& core = img.cores[c];
    core.x = cells[c].first;
    core.y = cells[c].second;
    plans[c].pre_profiles = 1 + r.below(chip.trace_profiles);
    plans[c].post_profiles = 1 + r.below(chip.trace_profiles);
    plans[c].epoch = 1 + r.below(63);
    for (std::uint32_t i = 0; i < 2 * plans[c].pre_profiles; ++i) {
      core.pre_trace_profiles.push_back(random_trace(r));
    }
    for (std::uint32_t i = 0; i < 3 * plans[c].post_profiles; ++i) {
      core.post_trace_profiles.push_back(random_trace(r));
    }
  }

  // Populations, cut into slices placed on cores with room.
  std::uint64_t room = n_cores * std::uint64_t{chip.neurons};
  const std::uint32_t n_pops = 1 + r.below(4);
  bool have_modulator = false;
  for (std::uint32_t p = 0; p < n_pops && room > 0; ++p) {
    image_population pop;
    pop.name = "pop" + std::to_string(p);
    auto kind = static_cast<neuron_kind>(r.below(6) < 3 ? 0 : r.below(4));
    if (p == 0) {
      kind = neuron_kind::lif;
    }
    if (kind == neuron_kind::modulator && have_modulator) {
      kind = neuron_kind::spike_array;
    }
    have_modulator = have_modulator || kind == neuron_kind::modulator;
    pop.kind = kind;
    pop.size = kind == neuron_kind::modulator ? 1 : 1 + r.below(std::min<std::uint64_t>(room, 12));
    room -= pop.size;
    img.populations.push_back(pop);
  }
  std::map<std::pair<std::size_t, std::uint32_t>, std::uint16_t> profile_of;  // (core, population) -> profile
  for (std::uint32_t p = 0; p < img.populations.size(); ++p) {
    const image_population& pop = img.populations[p];
    std::uint32_t placed = 0;
    while (placed < pop.size) {
      std::size_t c = r.below(n_cores);
      while (img.cores[c].neuron_count() >= chip.neurons) {
        c = (c + 1) % n_cores;
      }
      core_image& core = img.cores[c];
      const auto free = static_cast<std::uint32_t>(chip.neurons - core.neuron_count());
      const std::uint32_t count = std::min(1 + r.below(pop.size - placed), free);
      img.slices.push_back({p, placed, count, static_cast<std::uint32_t>(c),
                            static_cast<std::uint32_t>(core.neuron_count())});
      for (std::uint32_t j = 0; j < count; ++j) {
        core.kinds.push_back(pop.kind);
        core.emits.push_back(0);
        spike_source src;
        neuron_state state;
        std::uint16_t profile = 0;
        switch (pop.kind) {
          case neuron_kind::lif: {
            const auto key = std::make_pair(c, p);
            if (!profile_of.count(key)) {
              if (core.profiles.size() < chip.neuron_profiles) {
                profile_of[key] = static_cast<std::uint16_t>(core.profiles.size());
                core.profiles.push_back(random_profile(r, plans[c].post_profiles));
              } else {
                profile_of[key] = static_cast<std::uint16_t>(r.below(core.profiles.size()));
              }
            }
            profile = profile_of[key];
            state.u_exc = r.between(0, 8388607);
            state.u_inh = r.between(-8388608, 0);
            state.v = r.between(-8388608, 8388607);
            state.refractory = r.below(256);
            state.y1 = r.below(65536);
            state.y2 = r.below(65536);
            state.y3 = r.below(65536);
            break;
          }
          case neuron_kind::spike_array:
          case neuron_kind::modulator: {
            std::uint32_t step = r.below(50);
            const std::uint32_t n = r.below(6);
            for (std::uint32_t k = 0; k < n; ++k) {
              src.steps.push_back(step);
              if (pop.kind == neuron_kind::modulator) {
                src.payloads.push_back(static_cast<std::uint8_t>(r.below(256)));
              }
              step += 1 + r.below(100);
            }
            break;
          }
          case neuron_kind::poisson:
            src.p32 = r.chance(1, 8) ? p32_always : (r.next() >> 32);
            src.start_step = r.below(100);
            src.end_step = r.chance(1, 2) ? 0xffffffffu : src.start_step + r.below(1000);
            src.population = p;
            src.index = placed + j;
            break;
        }
        core.profile.push_back(profile);
        core.initial_state.push_back(state);
        core.sources.push_back(src);
      }
      placed += count;
    }
  }

  // Modulator channels: routed to some cores (before the rules, which may read them).
  const image_slice* modulator_slice = nullptr;
  for (const image_slice& s : img.slices) {
    if (img.populations[s.population].kind == neuron_kind::modulator) {
      modulator_slice = &s;
    }
  }
  struct entry {
    input_map_entry map;
    std::uint32_t projection;
  };
  std::vector<std::vector<entry>> entries(n_cores);
  if (modulator_slice != nullptr) {
    for (std::size_t c = 0; c < n_cores; ++c) {
      core_image& core = img.cores[c];
      if (!r.chance(1, 2)) {
        continue;
      }
      plans[c].channel = r.below(8);
      for (int i = 0; i < modulator_channels; ++i) {
        core.modulator_traces.push_back(random_trace(r));
      }
      axon_entry ax;
      ax.modulator = 1;
      ax.modulator_channel = *plans[c].channel;
      ax.pre_trace_profile = r.below(plans[c].pre_profiles);
      entries[c].push_back({{.src_core = modulator_slice->core,
                             .neuron_base = modulator_slice->core_neuron,
                             .count = 1,
                             .axon_base = static_cast<std::uint32_t>(core.axons.size()),
                             .src_cores = 1},
                            no_projection});
      core.axons.push_back(ax);
      img.cores[modulator_slice->core].emits[modulator_slice->core_neuron] = 1;
    }
  }

  // Projections and their synapse rows.
  std::vector<std::uint32_t> lif_pops;
  std::vector<std::uint32_t> pre_pops;
  for (std::uint32_t p = 0; p < img.populations.size(); ++p) {
    if (img.populations[p].kind == neuron_kind::lif) {
      lif_pops.push_back(p);
    }
    if (img.populations[p].kind != neuron_kind::modulator) {
      pre_pops.push_back(p);
    }
  }
  const std::uint32_t n_projections = r.below(5);
  std::map<std::pair<std::size_t, std::uint32_t>, std::uint32_t> rule_of;  // (core, projection) -> rule
  for (std::uint32_t pi = 0; pi < n_projections; ++pi) {
    image_projection proj;
    proj.name = "proj" + std::to_string(pi);
    proj.pre = pre_pops[r.below(pre_pops.size())];
    proj.post = lif_pops[r.below(lif_pops.size())];
    proj.weight_exp = r.between(weight_exp_min, weight_exp_max);
    proj.weight_lsb_na = (1 + r.below(100)) / 64.0;
    img.projections.push_back(proj);
    const bool excitatory = r.chance(1, 2);
    const bool plastic = r.chance(1, 3);
    for (const image_slice& src : std::vector<image_slice>(img.slices)) {
      if (src.population != proj.pre) {
        continue;
      }
      for (std::size_t c = 0; c < n_cores; ++c) {
        core_image& core = img.cores[c];
        std::vector<std::uint32_t> targets;  // neurons of the post population on this core
        for (const image_slice& s : img.slices) {
          if (s.core == c && s.population == proj.post) {
            for (std::uint32_t j = 0; j < s.count; ++j) {
              targets.push_back(s.core_neuron + j);
            }
          }
        }
        if (targets.empty() || !r.chance(3, 4) || core.axons.size() + src.count > chip.input_axons) {
          continue;
        }
        // A rule for this projection on this core, if it is plastic and there is room.
        std::optional<std::uint32_t> rule;
        if (plastic) {
          const auto key = std::make_pair(c, pi);
          if (rule_of.count(key)) {
            rule = rule_of[key];
          } else {
            const std::uint32_t terms = 1 + r.below(4);
            if (core.rules.size() < chip.learning_rules && core.microcode.size() + terms <= chip.microcode_words) {
              learning_rule lr;
              lr.first_term = static_cast<std::uint32_t>(core.microcode.size());
              lr.num_terms = terms;
              lr.epoch = plans[c].epoch;
              if (excitatory) {
                lr.w_min = r.between(0, 20);
                lr.w_max = r.between(lr.w_min, 127);
              } else {
                lr.w_max = r.between(-20, 0);
                lr.w_min = r.between(-128, lr.w_max);
              }
              lr.tag_decay = r.below(4096);
              lr.modulator = plans[c].channel ? *plans[c].channel : r.below(8);
              for (std::uint32_t t = 0; t < terms; ++t) {
                learning_term term;
                term.target = static_cast<learn_target>(r.below(2));
                term.negate = r.below(2);
                term.scale = r.between(-32, 31);
                learn_operand* ops[] = {&term.op0, &term.op1, &term.op2};
                std::int32_t* consts[] = {&term.const0, &term.const1, &term.const2};
                for (int f = 0; f < 3; ++f) {
                  *ops[f] = random_operand(r, plans[c].channel.has_value());
                  *consts[f] = *ops[f] == learn_operand::none ? 0 : r.between(-128, 127);
                }
                term.last = t + 1 == terms ? 1 : 0;
                core.microcode.push_back(term);
              }
              rule = static_cast<std::uint32_t>(core.rules.size());
              rule_of[key] = *rule;
              core.rules.push_back(lr);
            }
          }
        }
        entries[c].push_back({{.src_core = src.core,
                               .neuron_base = src.core_neuron,
                               .count = src.count,
                               .axon_base = static_cast<std::uint32_t>(core.axons.size()),
                               .src_cores = 1},
                              pi});
        for (std::uint32_t j = 0; j < src.count; ++j) {
          img.cores[src.core].emits[src.core_neuron + j] = 1;
          axon_entry ax;
          ax.weight_exp = proj.weight_exp;
          ax.pre_trace_profile = r.below(plans[c].pre_profiles);
          if (rule) {
            ax.learning = 1;
            ax.rule = *rule;
          }
          ax.row_base = static_cast<std::uint32_t>(core.synapse_memory.size());
          const std::uint32_t synapses = r.below(4);
          const std::uint32_t words = synapses * (rule ? 2 : 1);
          if (core.synapse_memory.size() + words <= chip.synapse_words) {
            for (std::uint32_t k = 0; k < synapses; ++k) {
              synapse_word sw;
              sw.target = targets[r.below(targets.size())];
              sw.delay = 1 + r.below(std::min<std::uint32_t>(63, chip.max_delay));
              sw.receptor = excitatory ? receptor_kind::excitatory : receptor_kind::inhibitory;
              if (rule) {
                const learning_rule& lr = core.rules[*rule];
                sw.weight = r.between(lr.w_min, lr.w_max);
                sw.plastic = 1;
              } else {
                sw.weight = excitatory ? r.between(0, 127) : r.between(-128, 0);
              }
              core.synapse_memory.push_back(static_cast<std::uint32_t>(pack(sw)[0]));
              if (rule) {
                const plastic_word pw{.tag = r.between(-32768, 32767), .weight_frac = r.below(256)};
                core.synapse_memory.push_back(static_cast<std::uint32_t>(pack(pw)[0]));
              }
            }
            ax.row_len = words;
          }
          core.axons.push_back(ax);
        }
      }
    }
  }
  for (std::size_t c = 0; c < n_cores; ++c) {
    std::stable_sort(entries[c].begin(), entries[c].end(), [](const entry& a, const entry& b) {
      return std::pair(a.map.src_core, a.map.neuron_base) < std::pair(b.map.src_core, b.map.neuron_base);
    });
    for (const entry& e : entries[c]) {
      img.cores[c].input_map.push_back(e.map);
      img.cores[c].input_projection.push_back(e.projection);
    }
  }

  // Routing entries: aligned blocks of one core's keys, or of every core's;
  // on cores, and on some routers of positions without a core.
  auto random_routes = [&](std::uint32_t x, std::uint32_t y) {
    std::uint32_t valid_ports = (1u << 4) | (1u << 5);  // local, offchip
    if (x + 1u < grid_w) {
      valid_ports |= 1u << 0;
    }
    if (x > 0) {
      valid_ports |= 1u << 1;
    }
    if (y + 1u < grid_h) {
      valid_ports |= 1u << 2;
    }
    if (y > 0) {
      valid_ports |= 1u << 3;
    }
    std::vector<route_entry> routes;
    const std::uint32_t n = r.below(std::min<std::uint32_t>(chip.router_entries, 5) + 1);
    for (std::uint32_t i = 0; i < n; ++i) {
      route_entry e;
      const std::uint32_t block_bits = r.below(13);
      const std::uint32_t neuron_mask = 0xfffu & ~((1u << block_bits) - 1);
      const std::uint32_t core_mask = r.chance(1, 8) ? 0u : 0xffffu;
      e.mask = core_mask << 12 | neuron_mask;
      e.key = ((r.below(n_cores) << 12) | r.below(4096)) & e.mask;
      e.ports = (1 + r.below(63)) & valid_ports;
      if (e.ports == 0) {
        e.ports = 1u << 4;
      }
      routes.push_back(e);
    }
    return routes;
  };
  for (std::size_t c = 0; c < n_cores; ++c) {
    img.cores[c].routes = random_routes(img.cores[c].x, img.cores[c].y);
  }
  for (std::size_t i = n_cores; i < cells.size(); ++i) {
    if (r.chance(1, 3)) {
      img.routers.push_back({cells[i].first, cells[i].second, random_routes(cells[i].first, cells[i].second)});
    }
  }
  std::sort(img.routers.begin(), img.routers.end(), [](const image_router& a, const image_router& b) {
    return std::pair(a.y, a.x) < std::pair(b.y, b.x);
  });
  return img;
}

/// A small image whose every entry is known (docs/chip-image.md shows its
/// listing): two cores side by side. Core 0 holds input[0..3] (a spike array)
/// and reward[0] (a modulator); core 1 holds exc[0..2]. Projection
/// input_exc is plastic under pair STDP with a reward-gated tag term.
inline chip_image example_image() {
  chip_image img;
  img.network_name = "example";
  img.dt_ms = 1.0;
  img.seed = 42;
  image_chip& c = img.chip;
  c.name = "tiny";
  c.mesh_width = 2;
  c.mesh_height = 1;
  c.neurons = 16;
  c.synapse_words = 256;
  c.input_axons = 32;
  c.output_axons = 32;
  c.neuron_profiles = 2;
  c.trace_profiles = 2;
  c.learning_rules = 2;
  c.microcode_words = 16;
  c.router_entries = 16;
  c.max_delay = 15;
  c.clock_mhz = 100;
  c.cycles_per_synaptic_op = 1;
  c.cycles_per_neuron_update_active = 2;
  c.cycles_per_neuron_update_idle = 1;
  c.cycles_per_learning_update = 4;
  c.cycles_per_hop_east_west = 3;
  c.cycles_per_hop_north_south = 3;
  c.cycles_per_local_spike = 1;
  c.link_flits_per_cycle = 1;
  c.synaptic_op_pj = 23.6;
  c.synaptic_update_pj = 120;
  c.neuron_update_active_pj = 81;
  c.neuron_update_idle_pj = 52;
  c.spike_local_pj = 1.7;
  c.hop_east_west_pj = 3;
  c.hop_north_south_pj = 4;
  c.static_power_mw_per_core = 0.8;

  img.populations = {{"input", 4, neuron_kind::spike_array},
                     {"exc", 3, neuron_kind::lif},
                     {"reward", 1, neuron_kind::modulator}};
  img.projections = {{"input_exc", 0, 1, 2, 0.25}};
  img.slices = {{0, 0, 4, 0, 0}, {2, 0, 1, 0, 4}, {1, 0, 3, 1, 0}};

  core_image& c0 = img.cores.emplace_back();
  c0.x = 0;
  c0.y = 0;
  for (std::uint32_t i = 0; i < 4; ++i) {
    c0.kinds.push_back(neuron_kind::spike_array);
    c0.sources.push_back({.steps = {i + 1, i + 10}});
  }
  c0.kinds.push_back(neuron_kind::modulator);
  c0.sources.push_back({.steps = {20, 40}, .payloads = {255, 128}});
  c0.profile.assign(5, 0);
  c0.initial_state.assign(5, neuron_state{});
  c0.emits.assign(5, 1);
  // input[0..3] east to core 1; reward[0] too.
  c0.routes = {{.key = 0x0000000, .mask = 0xffffffc, .ports = 1u << 0},
               {.key = 0x0000004, .mask = 0xfffffff, .ports = 1u << 0}};

  core_image& c1 = img.cores.emplace_back();
  c1.x = 1;
  c1.y = 0;
  c1.kinds.assign(3, neuron_kind::lif);
  c1.profile.assign(3, 0);
  c1.initial_state.assign(3, neuron_state{});
  c1.initial_state[1].v = -3200;
  c1.emits.assign(3, 0);
  c1.sources.assign(3, spike_source{});
  c1.profiles = {{.decay_u_exc = 742,
                  .decay_u_inh = 390,
                  .decay_v = 200,
                  .threshold_mant = 2000,
                  .bias_mant = 125,
                  .bias_exp = 3,
                  .reset_mant = -50,
                  .refractory_period = 2,
                  .post_trace_profile = 0}};
  c1.pre_trace_profiles = {{390, 4096}, {0, 0}};
  c1.post_trace_profiles = {{390, 4096}, {0, 0}, {0, 0}};
  c1.modulator_traces.assign(8, trace_config{.decay = 20, .impulse = 16});
  c1.input_map = {{.src_core = 0, .neuron_base = 0, .count = 4, .axon_base = 0, .src_cores = 1},
                  {.src_core = 0, .neuron_base = 4, .count = 1, .axon_base = 4, .src_cores = 1}};
  c1.input_projection = {0, no_projection};
  for (std::uint32_t i = 0; i < 4; ++i) {
    // Row of axon i: a plastic synapse onto exc[i % 3], a fixed one onto exc[(i + 1) % 3].
    c1.axons.push_back({.row_base = 3 * i, .row_len = 3, .weight_exp = 2, .pre_trace_profile = 0, .rule = 0,
                        .learning = 1});
    const synapse_word plastic{.weight = 40, .delay = 1, .target = i % 3, .plastic = 1};
    const synapse_word fixed{.weight = 12, .delay = 2, .target = (i + 1) % 3};
    c1.synapse_memory.push_back(static_cast<std::uint32_t>(pack(plastic)[0]));
    c1.synapse_memory.push_back(static_cast<std::uint32_t>(pack(plastic_word{})[0]));
    c1.synapse_memory.push_back(static_cast<std::uint32_t>(pack(fixed)[0]));
  }
  c1.axons.push_back({.modulator = 1, .modulator_channel = 0});
  c1.rules = {{.first_term = 0, .num_terms = 3, .epoch = 1, .w_min = 0, .w_max = 127, .tag_decay = 0, .modulator = 0}};
  c1.microcode = {
      {.target = learn_target::weight, .negate = 0, .scale = -2, .op0 = learn_operand::x1, .op1 = learn_operand::y0},
      {.target = learn_target::weight, .negate = 1, .scale = -2, .op0 = learn_operand::y1, .op1 = learn_operand::x0},
      {.target = learn_target::tag,
       .negate = 0,
       .scale = -3,
       .op0 = learn_operand::w,
       .const0 = -64,
       .op1 = learn_operand::r1,
       .last = 1},
  };
  // Deliver every key of core 0 here.
  c1.routes = {{.key = 0x0000000, .mask = 0xffff000, .ports = 1u << 4}};
  return img;
}

/// The smallest valid image: one core with one lif neuron.
inline chip_image minimal_image() {
  chip_image img;
  img.network_name = "minimal";
  img.dt_ms = 0.1;
  img.chip.name = "one";
  img.chip.neurons = 1;
  img.chip.neuron_profiles = 1;
  img.chip.max_delay = 1;
  img.chip.clock_mhz = 1;
  img.populations = {{"n", 1, neuron_kind::lif}};
  img.slices = {{0, 0, 1, 0, 0}};
  core_image& c = img.cores.emplace_back();
  c.kinds = {neuron_kind::lif};
  c.profile = {0};
  c.initial_state = {neuron_state{}};
  c.emits = {0};
  c.sources = {spike_source{}};
  c.profiles = {{.threshold_mant = 1}};
  return img;
}

/// The images committed as the fuzzer's seed corpus, by file name.
inline std::vector<std::pair<std::string, chip_image>> corpus_images() {
  std::vector<std::pair<std::string, chip_image>> out;
  out.emplace_back("example.engram", example_image());
  out.emplace_back("minimal.engram", minimal_image());
  out.emplace_back("indexed.engram", indexed_image());
  for (std::uint64_t seed : {3u, 7u, 11u, 19u}) {
    out.emplace_back("random_" + std::to_string(seed) + ".engram", random_image(seed));
  }
  return out;
}

}  // namespace engram::isa::fixtures
