// validate_image: every invariant a chip image must satisfy before a chip
// (the emulator) may run it: docs/chip-image.md, "Invariants", which lists
// numerics §12 and the consistency of the tables with each other. Checks run
// in an order that bounds the work by the chip's limits (a table is checked
// against its limit before its entries are walked), so a hostile image
// cannot make validation slow.

#include <engram/isa/chip_image.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace engram::isa {
namespace {

using problem = image_error::problem;

constexpr std::uint64_t max_cores = std::uint64_t{1} << 16;  // AerPacket.src_core
constexpr std::uint32_t isa_max_neurons = 1u << 12;          // SynapseWord.target, InputMapEntry.neuron_base
constexpr std::uint32_t isa_max_synapse_words = 1u << 20;    // AxonEntry.row_base
constexpr std::uint32_t isa_max_input_axons = 1u << 12;      // InputMapEntry.axon_base
constexpr std::size_t max_name_bytes = 256;

std::string num(std::int64_t v) { return std::to_string(v); }
std::string num(std::uint64_t v) { return std::to_string(v); }
std::string num(std::uint32_t v) { return std::to_string(v); }
std::string num(std::int32_t v) { return std::to_string(v); }

std::string hex(std::uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

bool uses_modulator(const learning_term& t) {
  for (learn_operand op : {t.op0, t.op1, t.op2}) {
    if (op == learn_operand::r0 || op == learn_operand::r1) {
      return true;
    }
  }
  return false;
}

class validator {
 public:
  validator(const chip_image& image, std::string_view source) : image_(image), source_(source) {}

  void run() {
    check_network();
    check_chip();
    check_populations();
    check_projections();
    check_core_positions();
    check_routers();
    for (std::uint32_t c = 0; c < image_.cores.size(); ++c) {
      check_core(c);
    }
    check_slices();
    for (std::uint32_t c = 0; c < image_.cores.size(); ++c) {
      check_input_map(c);
      check_source_counters(c);
    }
  }

 private:
  // --- Errors ---------------------------------------------------------------------

  [[noreturn]] void fail(std::string section, std::optional<std::uint64_t> index, std::string reason) const {
    image_error::where w;
    w.source = std::string(source_);
    w.section = std::move(section);
    w.index = index;
    throw image_error(problem::invariant, std::move(w), std::move(reason));
  }

  [[noreturn]] void fail_core(std::uint32_t core, std::string table, std::optional<std::uint64_t> index,
                              std::string reason) const {
    image_error::where w;
    w.source = std::string(source_);
    w.core = core;
    w.x = image_.cores[core].x;
    w.y = image_.cores[core].y;
    w.section = std::move(table);
    w.index = index;
    throw image_error(problem::invariant, std::move(w), std::move(reason));
  }

  void check_name(const std::string& section, std::optional<std::uint64_t> index, const std::string& name) const {
    if (name.empty()) {
      fail(section, index, "the name is empty");
    }
    if (name.size() > max_name_bytes) {
      fail(section, index,
           "the name is " + num(std::uint64_t{name.size()}) + " bytes long, more than " +
               num(std::uint64_t{max_name_bytes}));
    }
    for (char ch : name) {
      const auto b = static_cast<unsigned char>(ch);
      if (b < 0x20 || b == 0x7f) {
        fail(section, index, "the name contains the control character " + hex(b, 2));
      }
    }
  }

  // --- Network and chip -------------------------------------------------------------

  void check_network() const {
    check_name("network", std::nullopt, image_.network_name);
    if (!std::isfinite(image_.dt_ms) || image_.dt_ms <= 0) {
      fail("network", std::nullopt, "dt_ms " + std::to_string(image_.dt_ms) + " is not a positive number");
    }
  }

  void check_chip() const {
    const image_chip& c = image_.chip;
    check_name("chip", std::nullopt, c.name);
    auto range = [&](std::string_view field, std::uint32_t value, std::uint32_t lo, std::uint32_t hi,
                     std::string_view why) {
      if (value < lo || value > hi) {
        fail("chip", std::nullopt,
             std::string(field) + " " + num(value) + " is outside " + num(lo) + ".." + num(hi) + " (" +
                 std::string(why) + ")");
      }
    };
    constexpr std::uint32_t any = std::numeric_limits<std::uint32_t>::max();
    range("mesh_width", c.mesh_width, 1, any, "at least one core");
    range("mesh_height", c.mesh_height, 1, any, "at least one core");
    range("chips_width", c.chips_width, 1, any, "at least one chip");
    range("chips_height", c.chips_height, 1, any, "at least one chip");
    range("neurons", c.neurons, 1, isa_max_neurons, "the 12-bit SynapseWord.target");
    range("synapse_words", c.synapse_words, 0, isa_max_synapse_words, "the 20-bit AxonEntry.row_base");
    range("input_axons", c.input_axons, 0, isa_max_input_axons, "the 12-bit InputMapEntry.axon_base");
    range("trace_profiles", c.trace_profiles, 0, max_trace_profiles, "MaxTraceProfiles");
    range("learning_rules", c.learning_rules, 0, max_learning_rules, "MaxLearningRules");
    range("microcode_words", c.microcode_words, 0, microcode_depth, "MicrocodeDepth");
    range("max_delay", c.max_delay, min_delay, max_delay, "MinDelay..MaxDelay");
    const std::pair<std::string_view, double> figures[] = {
        {"clock_mhz", c.clock_mhz},
        {"cycles_per_synaptic_op", c.cycles_per_synaptic_op},
        {"cycles_per_neuron_update_active", c.cycles_per_neuron_update_active},
        {"cycles_per_neuron_update_idle", c.cycles_per_neuron_update_idle},
        {"cycles_per_learning_update", c.cycles_per_learning_update},
        {"cycles_per_hop_east_west", c.cycles_per_hop_east_west},
        {"cycles_per_hop_north_south", c.cycles_per_hop_north_south},
        {"cycles_per_local_spike", c.cycles_per_local_spike},
        {"link_flits_per_cycle", c.link_flits_per_cycle},
        {"synaptic_op_pj", c.synaptic_op_pj},
        {"synaptic_update_pj", c.synaptic_update_pj},
        {"neuron_update_active_pj", c.neuron_update_active_pj},
        {"neuron_update_idle_pj", c.neuron_update_idle_pj},
        {"spike_local_pj", c.spike_local_pj},
        {"hop_east_west_pj", c.hop_east_west_pj},
        {"hop_north_south_pj", c.hop_north_south_pj},
        {"static_power_mw_per_core", c.static_power_mw_per_core},
        {"inter_chip_cycles_per_hop", c.inter_chip_cycles_per_hop},
        {"inter_chip_hop_pj", c.inter_chip_hop_pj},
        {"inter_chip_link_flits_per_cycle", c.inter_chip_link_flits_per_cycle},
    };
    for (const auto& [field, value] : figures) {
      if (!std::isfinite(value) || value < 0) {
        fail("chip", std::nullopt, std::string(field) + " " + std::to_string(value) + " is not a number >= 0");
      }
    }
    if (c.clock_mhz <= 0) {
      fail("chip", std::nullopt, "clock_mhz is 0");
    }
    if ((c.chips_width > 1 || c.chips_height > 1) && !c.has_inter_chip) {
      fail("chip", std::nullopt,
           "a grid of " + num(c.chips_width) + " x " + num(c.chips_height) + " chips needs inter-chip link figures");
    }
  }

  // --- Names ----------------------------------------------------------------------

  void check_populations() const {
    std::map<std::string, std::size_t> seen;
    std::size_t modulators = 0;
    for (std::size_t i = 0; i < image_.populations.size(); ++i) {
      const image_population& p = image_.populations[i];
      check_name("populations", i, p.name);
      if (const auto [it, fresh] = seen.emplace(p.name, i); !fresh) {
        fail("populations", i, "the name \"" + p.name + "\" is also population " + num(std::uint64_t{it->second}));
      }
      if (!is_valid(p.kind)) {
        fail("populations", i, "kind " + num(std::uint32_t{static_cast<std::uint8_t>(p.kind)}) + " is no neuron kind");
      }
      if (p.size == 0) {
        fail("populations", i, "population \"" + p.name + "\" has size 0");
      }
      if (p.kind == neuron_kind::modulator) {
        if (p.size != 1) {
          fail("populations", i, "modulator \"" + p.name + "\" has size " + num(p.size) + ", a modulator has 1 neuron");
        }
        if (++modulators > static_cast<std::size_t>(modulator_channels)) {
          fail("populations", i, "more than " + num(std::int64_t{modulator_channels}) + " modulators (ModulatorChannels)");
        }
      }
    }
  }

  void check_projections() const {
    std::map<std::string, std::size_t> seen;
    const std::size_t pops = image_.populations.size();
    for (std::size_t i = 0; i < image_.projections.size(); ++i) {
      const image_projection& p = image_.projections[i];
      check_name("projections", i, p.name);
      if (const auto [it, fresh] = seen.emplace(p.name, i); !fresh) {
        fail("projections", i, "the name \"" + p.name + "\" is also projection " + num(std::uint64_t{it->second}));
      }
      if (p.pre >= pops || p.post >= pops) {
        fail("projections", i,
             "projection \"" + p.name + "\" connects population " + num(p.pre) + " to " + num(p.post) + ", there are " +
                 num(std::uint64_t{pops}));
      }
      if (image_.populations[p.post].kind != neuron_kind::lif) {
        fail("projections", i,
             "projection \"" + p.name + "\" targets \"" + image_.populations[p.post].name + "\", which is " +
                 std::string(to_string(image_.populations[p.post].kind)) + ", not lif");
      }
      if (image_.populations[p.pre].kind == neuron_kind::modulator) {
        fail("projections", i,
             "projection \"" + p.name + "\" starts at the modulator \"" + image_.populations[p.pre].name +
                 "\" (modulators reach synapses through rules)");
      }
      if (p.weight_exp < weight_exp_min || p.weight_exp > weight_exp_max) {
        fail("projections", i,
             "weight_exp " + num(p.weight_exp) + " is outside " + num(std::int32_t{weight_exp_min}) + ".." +
                 num(std::int32_t{weight_exp_max}));
      }
      if (!std::isfinite(p.weight_lsb_na) || p.weight_lsb_na <= 0) {
        fail("projections", i, "weight_lsb_na " + std::to_string(p.weight_lsb_na) + " is not a positive number");
      }
    }
  }

  void check_core_positions() {
    const std::uint64_t w = image_.chip.grid_width();
    const std::uint64_t h = image_.chip.grid_height();
    const bool grid_small = w <= max_cores && h <= max_cores;
    if (image_.cores.size() > max_cores) {
      fail("cores", std::nullopt,
           num(std::uint64_t{image_.cores.size()}) + " cores, more than the " + num(max_cores) +
               " a 16-bit AerPacket.src_core names");
    }
    if (grid_small && image_.cores.size() > w * h) {
      fail("cores", std::nullopt,
           num(std::uint64_t{image_.cores.size()}) + " cores on a grid of " + num(w * h) + " (" + num(w) + " x " +
               num(h) + ")");
    }
    auto& seen = core_at_;
    for (std::uint32_t i = 0; i < image_.cores.size(); ++i) {
      const core_image& c = image_.cores[i];
      if (c.x >= w || c.y >= h) {
        fail_core(i, "position", std::nullopt,
                  "(" + num(std::uint32_t{c.x}) + "," + num(std::uint32_t{c.y}) + ") is outside the " + num(w) +
                      " x " + num(h) + " grid of cores (mesh x chips)");
      }
      if (const auto [it, fresh] = seen.emplace(std::make_pair(c.x, c.y), i); !fresh) {
        fail_core(i, "position", std::nullopt, "core " + num(it->second) + " sits at the same position");
      }
    }
  }

  // --- One core ------------------------------------------------------------------

  template <class T>
  void check_fields(std::uint32_t core, const std::string& table, const std::vector<T>& records) const {
    for (std::size_t i = 0; i < records.size(); ++i) {
      try {
        (void)pack(records[i]);
      } catch (const field_out_of_range& e) {
        fail_core(core, table, i, e.what());
      }
    }
  }

  void check_limit(std::uint32_t core, const std::string& table, std::size_t used, std::uint32_t limit,
                   std::string_view limit_name, std::string_view unit) const {
    if (used > limit) {
      fail_core(core, table, std::nullopt,
                "needs " + num(std::uint64_t{used}) + " " + std::string(unit) + ", the chip has " + num(limit) +
                    " per core (" + std::string(limit_name) + ")");
    }
  }

  void check_core(std::uint32_t ci) const {
    const core_image& c = image_.cores[ci];
    const image_chip& chip = image_.chip;
    const std::size_t n = c.neuron_count();

    // Sizes first: everything below indexes these tables.
    check_limit(ci, "neurons", n, chip.neurons, "neurons", "neurons");
    const std::pair<const char*, std::size_t> per_neuron[] = {
        {"profile", c.profile.size()},
        {"initial_state", c.initial_state.size()},
        {"emits", c.emits.size()},
        {"sources", c.sources.size()},
    };
    for (const auto& [table, size] : per_neuron) {
      if (size != n) {
        fail_core(ci, table, std::nullopt,
                  "has " + num(std::uint64_t{size}) + " entries for " + num(std::uint64_t{n}) + " neurons");
      }
    }
    if (c.input_projection.size() != c.input_map.size()) {
      fail_core(ci, "input_projection", std::nullopt,
                "has " + num(std::uint64_t{c.input_projection.size()}) + " entries for " +
                    num(std::uint64_t{c.input_map.size()}) + " input_map entries");
    }
    check_limit(ci, "profiles", c.profiles.size(), chip.neuron_profiles, "neuron_profiles", "neuron profiles");
    check_limit(ci, "axons", c.axons.size(), chip.input_axons, "input_axons", "input axons");
    check_limit(ci, "synapse_memory", c.synapse_memory.size(), chip.synapse_words, "synapse_words", "words");
    check_limit(ci, "emits", c.emitting_count(), chip.output_axons, "output_axons", "output axons (emitting neurons)");
    check_limit(ci, "rules", c.rules.size(), chip.learning_rules, "learning_rules", "learning rules");
    check_limit(ci, "microcode", c.microcode.size(), chip.microcode_words, "microcode_words", "microcode words");
    check_limit(ci, "routes", c.routes.size(), chip.router_entries, "router_entries", "router entries");
    // The input map feeds each axon once, so it has at most one entry per axon.
    check_limit(ci, "input_map", c.input_map.size(), chip.input_axons, "input_axons", "entries");
    if (c.pre_trace_profiles.size() % 2 != 0) {
      fail_core(ci, "pre_trace_profiles", std::nullopt,
                "has " + num(std::uint64_t{c.pre_trace_profiles.size()}) + " entries, not 2 (x1, x2) per profile");
    }
    if (c.post_trace_profiles.size() % 3 != 0) {
      fail_core(ci, "post_trace_profiles", std::nullopt,
                "has " + num(std::uint64_t{c.post_trace_profiles.size()}) +
                    " entries, not 3 (y1, y2, y3) per profile");
    }
    check_limit(ci, "pre_trace_profiles", c.pre_trace_profiles.size() / 2, chip.trace_profiles, "trace_profiles",
                "trace profiles");
    check_limit(ci, "post_trace_profiles", c.post_trace_profiles.size() / 3, chip.trace_profiles, "trace_profiles",
                "trace profiles");
    if (!c.modulator_traces.empty() && c.modulator_traces.size() != static_cast<std::size_t>(modulator_channels)) {
      fail_core(ci, "modulator_traces", std::nullopt,
                "has " + num(std::uint64_t{c.modulator_traces.size()}) + " entries, expected 0 or " +
                    num(std::int64_t{modulator_channels}) + " (one per ModulatorChannels)");
    }

    // Every ISA record holds values its fields can hold.
    check_fields(ci, "initial_state", c.initial_state);
    check_fields(ci, "profiles", c.profiles);
    check_fields(ci, "input_map", c.input_map);
    check_fields(ci, "axons", c.axons);
    check_fields(ci, "pre_trace_profiles", c.pre_trace_profiles);
    check_fields(ci, "post_trace_profiles", c.post_trace_profiles);
    check_fields(ci, "modulator_traces", c.modulator_traces);
    check_fields(ci, "rules", c.rules);
    check_fields(ci, "microcode", c.microcode);
    check_fields(ci, "routes", c.routes);

    check_neurons(ci);
    check_profiles(ci);
    check_learning(ci);
    check_axons(ci);
    check_routes(ci);
  }

  void check_neurons(std::uint32_t ci) const {
    const core_image& c = image_.cores[ci];
    for (std::size_t k = 0; k < c.neuron_count(); ++k) {
      const neuron_kind kind = c.kinds[k];
      if (!is_valid(kind)) {
        fail_core(ci, "kinds", k, "value " + num(std::uint32_t{static_cast<std::uint8_t>(kind)}) + " is no neuron kind");
      }
      if (c.emits[k] > 1) {
        fail_core(ci, "emits", k, "value " + num(std::uint32_t{c.emits[k]}) + ", expected 0 or 1");
      }
      const spike_source& s = c.sources[k];
      const neuron_state& st = c.initial_state[k];
      if (kind == neuron_kind::lif) {
        if (c.profile[k] >= c.profiles.size()) {
          fail_core(ci, "profile", k,
                    "profile " + num(std::uint32_t{c.profile[k]}) + " of a lif neuron, the core has " +
                        num(std::uint64_t{c.profiles.size()}) + " profiles");
        }
        if (!(s == spike_source{})) {
          fail_core(ci, "sources", k, "a lif neuron has a source program (it must be empty)");
        }
        if (st.u_exc < 0) {
          fail_core(ci, "initial_state", k, "u_exc " + num(st.u_exc) + " is negative (the excitatory current is >= 0)");
        }
        if (st.u_inh > 0) {
          fail_core(ci, "initial_state", k, "u_inh " + num(st.u_inh) + " is positive (the inhibitory current is <= 0)");
        }
        continue;
      }
      const std::string what = "a " + std::string(to_string(kind)) + " source";
      if (c.profile[k] != 0) {
        fail_core(ci, "profile", k, what + " has profile " + num(std::uint32_t{c.profile[k]}) + " (sources have 0)");
      }
      if (!(st == neuron_state{})) {
        fail_core(ci, "initial_state", k, what + " has a non-zero state (sources have none)");
      }
      for (std::size_t j = 1; j < s.steps.size(); ++j) {
        if (s.steps[j] <= s.steps[j - 1]) {
          fail_core(ci, "sources", k,
                    "steps are not strictly ascending: step " + num(s.steps[j]) + " follows " + num(s.steps[j - 1]));
        }
      }
      if (kind == neuron_kind::poisson) {
        if (!s.steps.empty() || !s.payloads.empty()) {
          fail_core(ci, "sources", k, what + " has listed steps or payloads");
        }
        if (s.p32 > p32_always) {
          fail_core(ci, "sources", k, "p32 " + num(s.p32) + " exceeds 2^32 (a probability above 1)");
        }
        if (s.start_step > s.end_step) {
          fail_core(ci, "sources", k,
                    "start_step " + num(s.start_step) + " is after end_step " + num(s.end_step));
        }
        continue;
      }
      if (s.p32 != 0) {
        fail_core(ci, "sources", k, what + " has p32 " + num(s.p32) + " (only Poisson sources have one)");
      }
      if (kind == neuron_kind::modulator && s.payloads.size() != s.steps.size()) {
        fail_core(ci, "sources", k,
                  "a modulator has " + num(std::uint64_t{s.payloads.size()}) + " payloads for " +
                      num(std::uint64_t{s.steps.size()}) + " steps (one per step)");
      }
      if (kind == neuron_kind::spike_array && !s.payloads.empty()) {
        fail_core(ci, "sources", k, what + " has payloads (only modulators have them)");
      }
    }
  }

  void check_profiles(std::uint32_t ci) const {
    const core_image& c = image_.cores[ci];
    const std::size_t post_profiles = c.post_trace_profiles.size() / 3;
    for (std::size_t p = 0; p < c.profiles.size(); ++p) {
      const neuron_config& cfg = c.profiles[p];
      if (cfg.threshold_mant < 1) {
        fail_core(ci, "profiles", p, "threshold_mant is 0 (the threshold must lie above the reference voltage)");
      }
      if (static_cast<std::int64_t>(cfg.reset_mant) >= static_cast<std::int64_t>(cfg.threshold_mant)) {
        fail_core(ci, "profiles", p,
                  "reset_mant " + num(cfg.reset_mant) + " is not below threshold_mant " + num(cfg.threshold_mant));
      }
      check_trace_index(ci, "profiles", p, "post_trace_profile", cfg.post_trace_profile, post_profiles,
                        "post_trace_profiles");
    }
  }

  void check_trace_index(std::uint32_t ci, const std::string& table, std::size_t index, std::string_view field,
                         std::uint32_t value, std::size_t profiles, std::string_view profile_table) const {
    if (profiles == 0 ? value != 0 : value >= profiles) {
      fail_core(ci, table, index,
                std::string(field) + " " + num(value) + ", the core has " + num(std::uint64_t{profiles}) + " " +
                    std::string(profile_table) + (profiles == 0 ? " (then it must be 0)" : ""));
    }
  }

  bool carries_channel(const core_image& c, std::uint32_t channel) const {
    return std::any_of(c.axons.begin(), c.axons.end(), [&](const axon_entry& a) {
      return a.modulator == 1 && a.modulator_channel == channel;
    });
  }

  void check_learning(std::uint32_t ci) const {
    const core_image& c = image_.cores[ci];
    for (std::size_t j = 0; j < c.microcode.size(); ++j) {
      const learning_term& t = c.microcode[j];
      const std::pair<learn_operand, std::int32_t> factors[] = {{t.op0, t.const0}, {t.op1, t.const1}, {t.op2, t.const2}};
      for (std::size_t f = 0; f < 3; ++f) {
        if (factors[f].first == learn_operand::none && factors[f].second != 0) {
          fail_core(ci, "microcode", j,
                    "op" + num(std::uint64_t{f}) + " is none but const" + num(std::uint64_t{f}) + " is " +
                        num(factors[f].second) + " (must be 0)");
        }
      }
    }
    for (std::size_t r = 0; r < c.rules.size(); ++r) {
      const learning_rule& rule = c.rules[r];
      if (rule.num_terms < 1 || rule.num_terms > static_cast<std::uint32_t>(max_terms_per_rule)) {
        fail_core(ci, "rules", r,
                  "num_terms " + num(rule.num_terms) + " is outside 1.." + num(std::int64_t{max_terms_per_rule}));
      }
      if (std::uint64_t{rule.first_term} + rule.num_terms > c.microcode.size()) {
        fail_core(ci, "rules", r,
                  "terms " + num(rule.first_term) + ".." + num(rule.first_term + rule.num_terms - 1) +
                      " run past the " + num(std::uint64_t{c.microcode.size()}) + " microcode words");
      }
      if (rule.epoch < 1) {
        fail_core(ci, "rules", r, "epoch 0 is outside 1..63");
      }
      if (rule.epoch != c.rules.front().epoch) {
        fail_core(ci, "rules", r,
                  "epoch " + num(rule.epoch) + " differs from rule 0's epoch " + num(c.rules.front().epoch) +
                      " (the rules of a core share one epoch)");
      }
      if (rule.w_min > rule.w_max) {
        fail_core(ci, "rules", r, "w_min " + num(rule.w_min) + " is above w_max " + num(rule.w_max));
      }
      bool reads_modulator = false;
      for (std::uint32_t t = 0; t < rule.num_terms; ++t) {
        const std::uint32_t j = rule.first_term + t;
        const learning_term& term = c.microcode[j];
        const bool final_term = t + 1 == rule.num_terms;
        if ((term.last == 1) != final_term) {
          fail_core(ci, "microcode", j,
                    "last is " + num(term.last) + " in term " + num(t) + " of rule " + num(std::uint64_t{r}) +
                        " (" + num(rule.num_terms) + " terms): last marks exactly a rule's final term");
        }
        reads_modulator = reads_modulator || uses_modulator(term);
      }
      if (reads_modulator && !carries_channel(c, rule.modulator)) {
        fail_core(ci, "rules", r,
                  "reads modulator channel " + num(rule.modulator) +
                      " (r0 or r1), but no axon of the core carries that channel");
      }
    }
  }

  void check_axons(std::uint32_t ci) const {
    const core_image& c = image_.cores[ci];
    const std::size_t pre_profiles = c.pre_trace_profiles.size() / 2;
    const std::uint64_t memory = c.synapse_memory.size();
    std::vector<std::pair<std::uint64_t, std::size_t>> rows;  // (row_base, axon) of non-empty rows
    for (std::size_t a = 0; a < c.axons.size(); ++a) {
      const axon_entry& ax = c.axons[a];
      if (ax.weight_exp < weight_exp_min || ax.weight_exp > weight_exp_max) {
        fail_core(ci, "axons", a,
                  "weight_exp " + num(ax.weight_exp) + " is outside " + num(std::int32_t{weight_exp_min}) + ".." +
                      num(std::int32_t{weight_exp_max}));
      }
      if (ax.modulator == 1) {
        if (ax.row_len != 0 || ax.learning != 0) {
          fail_core(ci, "axons", a, "a modulator axon has synapses (row_len " + num(ax.row_len) + ", learning " +
                                        num(ax.learning) + ")");
        }
        if (c.modulator_traces.empty()) {
          fail_core(ci, "axons", a,
                    "feeds modulator channel " + num(ax.modulator_channel) + ", but the core has no modulator_traces");
        }
      }
      check_trace_index(ci, "axons", a, "pre_trace_profile", ax.pre_trace_profile, pre_profiles,
                        "pre_trace_profiles");
      if (ax.learning == 1) {
        if (ax.rule >= c.rules.size()) {
          fail_core(ci, "axons", a,
                    "rule " + num(ax.rule) + ", the core has " + num(std::uint64_t{c.rules.size()}) + " rules");
        }
        if (pre_profiles == 0 || c.post_trace_profiles.empty()) {
          fail_core(ci, "axons", a, "a learning row on a core without pre and post trace profiles");
        }
      }
      if (std::uint64_t{ax.row_base} + ax.row_len > memory) {
        fail_core(ci, "axons", a,
                  "row " + num(ax.row_base) + ".." + num(std::uint64_t{ax.row_base} + ax.row_len - 1) +
                      " runs past the " + num(memory) + " words of synapse memory");
      }
      if (ax.row_len > 0) {
        rows.emplace_back(ax.row_base, a);
      }
    }
    std::sort(rows.begin(), rows.end());
    for (std::size_t i = 1; i < rows.size(); ++i) {
      const axon_entry& prev = c.axons[rows[i - 1].second];
      if (std::uint64_t{prev.row_base} + prev.row_len > rows[i].first) {
        fail_core(ci, "axons", rows[i].second,
                  "row at word " + num(rows[i].first) + " overlaps the row of axon " +
                      num(std::uint64_t{rows[i - 1].second}) + " (words " + num(prev.row_base) + ".." +
                      num(prev.row_base + prev.row_len - 1) + ")");
      }
    }
    // Rows are disjoint: the words are decoded at most once.
    for (std::size_t a = 0; a < c.axons.size(); ++a) {
      check_row(ci, a);
    }
  }

  void check_row(std::uint32_t ci, std::size_t a) const {
    const core_image& c = image_.cores[ci];
    const axon_entry& ax = c.axons[a];
    const std::uint32_t delay_max = std::min<std::uint32_t>(static_cast<std::uint32_t>(max_delay), image_.chip.max_delay);
    const std::uint64_t end = std::uint64_t{ax.row_base} + ax.row_len;
    for (std::uint64_t i = ax.row_base; i < end;) {
      const std::uint32_t raw = c.synapse_memory[i];
      const synapse_word sw = unpack_synapse_word({raw});
      if (pack(sw)[0] != raw) {
        fail_core(ci, "synapse_memory", i, "unused bits of SynapseWord " + hex(raw, 8) + " are set");
      }
      if (sw.delay < static_cast<std::uint32_t>(min_delay) || sw.delay > delay_max) {
        fail_core(ci, "synapse_memory", i,
                  "delay " + num(sw.delay) + " is outside " + num(std::int64_t{min_delay}) + ".." + num(delay_max) +
                      " (the chip's max_delay is " + num(image_.chip.max_delay) + ")");
      }
      if (sw.target >= c.neuron_count()) {
        fail_core(ci, "synapse_memory", i,
                  "target " + num(sw.target) + " is not a neuron of the core (it has " +
                      num(std::uint64_t{c.neuron_count()}) + ")");
      }
      if (c.kinds[sw.target] != neuron_kind::lif) {
        fail_core(ci, "synapse_memory", i,
                  "target " + num(sw.target) + " is a " + std::string(to_string(c.kinds[sw.target])) +
                      " source; synapses feed lif neurons");
      }
      const bool excitatory = sw.receptor == receptor_kind::excitatory;
      if (excitatory ? sw.weight < 0 : sw.weight > 0) {
        fail_core(ci, "synapse_memory", i,
                  std::string(excitatory ? "excitatory" : "inhibitory") + " synapse with weight " + num(sw.weight) +
                      (excitatory ? " (excitatory weights are >= 0)" : " (inhibitory weights are <= 0)"));
      }
      ++i;
      if (sw.plastic == 0) {
        continue;
      }
      if (ax.learning != 1) {
        fail_core(ci, "synapse_memory", i - 1,
                  "plastic synapse in the row of axon " + num(std::uint64_t{a}) + ", whose learning bit is 0");
      }
      if (i >= end) {
        fail_core(ci, "synapse_memory", i - 1,
                  "plastic synapse at the end of axon " + num(std::uint64_t{a}) + "'s row: its PlasticWord is missing");
      }
      const std::uint32_t raw_plastic = c.synapse_memory[i];
      if (pack(unpack_plastic_word({raw_plastic}))[0] != raw_plastic) {
        fail_core(ci, "synapse_memory", i, "unused bits of PlasticWord " + hex(raw_plastic, 8) + " are set");
      }
      const learning_rule& rule = c.rules[ax.rule];
      if (sw.weight < rule.w_min || sw.weight > rule.w_max) {
        fail_core(ci, "synapse_memory", i - 1,
                  "plastic weight " + num(sw.weight) + " is outside rule " + num(ax.rule) + "'s [" + num(rule.w_min) +
                      ", " + num(rule.w_max) + "]");
      }
      if (excitatory ? rule.w_min < 0 : rule.w_max > 0) {
        fail_core(ci, "synapse_memory", i - 1,
                  std::string(excitatory ? "excitatory" : "inhibitory") + " plastic synapse under rule " +
                      num(ax.rule) + " with " +
                      (excitatory ? "w_min " + num(rule.w_min) + " < 0" : "w_max " + num(rule.w_max) + " > 0") +
                      " (learning would flip its sign)");
      }
      ++i;
    }
  }

  // Entries of the router at (x, y); fail_at(entry, reason) raises the error.
  template <class Fail>
  void check_route_table(const std::vector<route_entry>& entries, std::uint64_t x, std::uint64_t y,
                         Fail fail_at) const {
    const std::uint64_t w = image_.chip.grid_width();
    const std::uint64_t h = image_.chip.grid_height();
    for (std::size_t r = 0; r < entries.size(); ++r) {
      const route_entry& e = entries[r];
      if ((e.key & ~e.mask) != 0) {
        fail_at(r, "key " + hex(e.key, 7) + " has bits outside its mask " + hex(e.mask, 7));
      }
      if (e.ports == 0) {
        fail_at(r, "ports is 0: the entry sends its packets nowhere");
      }
      auto sends = [&](route_port p) { return (e.ports >> static_cast<unsigned>(p) & 1u) != 0; };
      const std::pair<route_port, bool> off_grid[] = {
          {route_port::east, x + 1 >= w},
          {route_port::west, x == 0},
          {route_port::north, y + 1 >= h},
          {route_port::south, y == 0},
      };
      for (const auto& [port, at_edge] : off_grid) {
        if (sends(port) && at_edge) {
          fail_at(r, "sends " + std::string(to_string(port)) + " off the edge of the " + num(w) + " x " + num(h) +
                         " grid");
        }
      }
    }
  }

  void check_routes(std::uint32_t ci) const {
    const core_image& c = image_.cores[ci];
    check_route_table(c.routes, c.x, c.y,
                      [&](std::size_t r, std::string reason) { fail_core(ci, "routes", r, std::move(reason)); });
  }

  void check_routers() const {
    const std::uint64_t w = image_.chip.grid_width();
    const std::uint64_t h = image_.chip.grid_height();
    for (std::size_t i = 0; i < image_.routers.size(); ++i) {
      const image_router& router = image_.routers[i];
      const std::string at = "router (" + num(std::uint32_t{router.x}) + "," + num(std::uint32_t{router.y}) + ")";
      if (router.x >= w || router.y >= h) {
        fail("routers", i, at + " is outside the " + num(w) + " x " + num(h) + " grid of cores (mesh x chips)");
      }
      if (i > 0) {
        const image_router& prev = image_.routers[i - 1];
        if (std::pair(prev.y, prev.x) >= std::pair(router.y, router.x)) {
          fail("routers", i,
               at + " comes after (" + num(std::uint32_t{prev.x}) + "," + num(std::uint32_t{prev.y}) +
                   "): routers are sorted by (y, x), one per position");
        }
      }
      if (const auto core = core_at_.find({router.x, router.y}); core != core_at_.end()) {
        fail("routers", i, at + " sits on core " + num(core->second) + ", whose router is the core's routes");
      }
      if (router.entries.size() > image_.chip.router_entries) {
        fail("routers", i,
             at + " needs " + num(std::uint64_t{router.entries.size()}) + " router entries, the chip has " +
                 num(image_.chip.router_entries) + " per router (router_entries)");
      }
      for (std::size_t r = 0; r < router.entries.size(); ++r) {
        try {
          (void)pack(router.entries[r]);
        } catch (const field_out_of_range& e) {
          fail("routers", i, at + " entry " + num(std::uint64_t{r}) + ": " + e.what());
        }
      }
      check_route_table(router.entries, router.x, router.y, [&](std::size_t r, std::string reason) {
        fail("routers", i, at + " entry " + num(std::uint64_t{r}) + ": " + reason);
      });
    }
  }

  // --- Slices and the tables that refer across cores ------------------------------

  void check_slices() {
    const auto& slices = image_.slices;
    for (std::size_t i = 0; i < slices.size(); ++i) {
      const image_slice& s = slices[i];
      if (s.population >= image_.populations.size()) {
        fail("slices", i,
             "population " + num(s.population) + ", there are " + num(std::uint64_t{image_.populations.size()}));
      }
      const image_population& p = image_.populations[s.population];
      if (s.count == 0) {
        fail("slices", i, "an empty slice of \"" + p.name + "\"");
      }
      if (std::uint64_t{s.first} + s.count > p.size) {
        fail("slices", i,
             "neurons " + num(s.first) + ".." + num(std::uint64_t{s.first} + s.count - 1) + " of \"" + p.name +
                 "\", which has " + num(p.size));
      }
      if (s.core >= image_.cores.size()) {
        fail("slices", i, "core " + num(s.core) + ", the image has " + num(std::uint64_t{image_.cores.size()}));
      }
      if (std::uint64_t{s.core_neuron} + s.count > image_.cores[s.core].neuron_count()) {
        fail("slices", i,
             "core neurons " + num(s.core_neuron) + ".." + num(std::uint64_t{s.core_neuron} + s.count - 1) +
                 ", core " + num(s.core) + " has " + num(std::uint64_t{image_.cores[s.core].neuron_count()}));
      }
    }
    // Every neuron of every population in exactly one slice.
    std::vector<std::size_t> order(slices.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::pair(slices[a].population, slices[a].first) < std::pair(slices[b].population, slices[b].first);
    });
    std::size_t k = 0;
    for (std::uint32_t pi = 0; pi < image_.populations.size(); ++pi) {
      const image_population& p = image_.populations[pi];
      std::uint64_t next = 0;
      for (; k < order.size() && slices[order[k]].population == pi; ++k) {
        const image_slice& s = slices[order[k]];
        if (s.first < next) {
          fail("slices", order[k], "\"" + p.name + "\" neuron " + num(s.first) + " is in two slices");
        }
        if (s.first > next) {
          fail("slices", order[k],
               "\"" + p.name + "\" neurons " + num(next) + ".." + num(std::uint64_t{s.first} - 1) + " are in no slice");
        }
        next = std::uint64_t{s.first} + s.count;
      }
      if (next != p.size) {
        fail("populations", pi,
             "\"" + p.name + "\" neurons " + num(next) + ".." + num(std::uint64_t{p.size} - 1) + " are in no slice");
      }
    }
    // Every neuron of every core in exactly one slice.
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::pair(slices[a].core, slices[a].core_neuron) < std::pair(slices[b].core, slices[b].core_neuron);
    });
    k = 0;
    population_of_.assign(image_.cores.size(), {});
    index_of_.assign(image_.cores.size(), {});
    for (std::uint32_t ci = 0; ci < image_.cores.size(); ++ci) {
      const core_image& c = image_.cores[ci];
      population_of_[ci].resize(c.neuron_count());
      index_of_[ci].resize(c.neuron_count());
      std::uint64_t next = 0;
      for (; k < order.size() && slices[order[k]].core == ci; ++k) {
        const image_slice& s = slices[order[k]];
        if (s.core_neuron < next) {
          fail_core(ci, "slices", order[k], "neuron " + num(s.core_neuron) + " of the core is in two slices");
        }
        if (s.core_neuron > next) {
          fail_core(ci, "slices", order[k],
                    "neurons " + num(next) + ".." + num(std::uint64_t{s.core_neuron} - 1) +
                        " of the core are in no slice");
        }
        const image_population& p = image_.populations[s.population];
        for (std::uint32_t j = 0; j < s.count; ++j) {
          const std::uint32_t n = s.core_neuron + j;
          if (c.kinds[n] != p.kind) {
            fail_core(ci, "kinds", n,
                      "neuron " + num(n) + " is " + std::string(to_string(c.kinds[n])) + ", but its population \"" +
                          p.name + "\" is " + std::string(to_string(p.kind)));
          }
          population_of_[ci][n] = s.population;
          index_of_[ci][n] = s.first + j;
        }
        next = std::uint64_t{s.core_neuron} + s.count;
      }
      if (next != c.neuron_count()) {
        fail_core(ci, "slices", std::nullopt,
                  "neurons " + num(next) + ".." + num(std::uint64_t{c.neuron_count()} - 1) +
                      " of the core are in no slice");
      }
    }
  }

  std::string name_of(std::uint32_t core, std::uint32_t neuron) const {
    return image_.populations[population_of_[core][neuron]].name + "[" + num(index_of_[core][neuron]) + "]";
  }

  void check_input_map(std::uint32_t ci) const {
    const core_image& c = image_.cores[ci];
    std::vector<std::uint8_t> fed(c.axons.size(), 0);
    for (std::size_t e = 0; e < c.input_map.size(); ++e) {
      const input_map_entry& m = c.input_map[e];
      if (m.count < 1) {
        fail_core(ci, "input_map", e, "count is 0");
      }
      if (std::uint64_t{m.axon_base} + m.count > c.axons.size()) {
        fail_core(ci, "input_map", e,
                  "axons " + num(m.axon_base) + ".." + num(std::uint64_t{m.axon_base} + m.count - 1) +
                      ", the core has " + num(std::uint64_t{c.axons.size()}));
      }
      // Each axon is fed by one source (numerics §12); this also bounds the
      // work below by the number of axons.
      for (std::uint32_t j = 0; j < m.count; ++j) {
        if (fed[m.axon_base + j] != 0) {
          fail_core(ci, "input_map", e, "axon " + num(m.axon_base + j) + " is fed by two input-map entries");
        }
        fed[m.axon_base + j] = 1;
      }
      if (m.src_core >= image_.cores.size()) {
        fail_core(ci, "input_map", e,
                  "src_core " + num(m.src_core) + ", the image has " + num(std::uint64_t{image_.cores.size()}) +
                      " cores");
      }
      const core_image& src = image_.cores[m.src_core];
      if (std::uint64_t{m.neuron_base} + m.count > src.neuron_count()) {
        fail_core(ci, "input_map", e,
                  "neurons " + num(m.neuron_base) + ".." + num(std::uint64_t{m.neuron_base} + m.count - 1) +
                      " of core " + num(m.src_core) + ", which has " + num(std::uint64_t{src.neuron_count()}));
      }
      if (e > 0) {
        const input_map_entry& p = c.input_map[e - 1];
        if (std::pair(m.src_core, m.neuron_base) < std::pair(p.src_core, p.neuron_base)) {
          fail_core(ci, "input_map", e,
                    "(src_core " + num(m.src_core) + ", neuron_base " + num(m.neuron_base) +
                        ") comes after (" + num(p.src_core) + ", " + num(p.neuron_base) +
                        "): the map is sorted by src_core, then neuron_base");
        }
      }
      const std::uint32_t proj = c.input_projection[e];
      const bool modulator = proj == no_projection;
      if (!modulator && proj >= image_.projections.size()) {
        fail_core(ci, "input_projection", e,
                  "projection " + num(proj) + ", the image has " + num(std::uint64_t{image_.projections.size()}));
      }
      for (std::uint32_t j = 0; j < m.count; ++j) {
        const std::uint32_t n = m.neuron_base + j;
        const std::uint32_t axon = m.axon_base + j;
        if (src.emits[n] != 1) {
          fail_core(ci, "input_map", e,
                    "maps core " + num(m.src_core) + " neuron " + num(n) + " (" + name_of(m.src_core, n) +
                        "), which does not emit (emits is 0)");
        }
        const axon_entry& ax = c.axons[axon];
        if (modulator) {
          if (src.kinds[n] != neuron_kind::modulator || ax.modulator != 1) {
            fail_core(ci, "input_map", e,
                      "carries no projection, so it must map a modulator to a modulator axon: core " +
                          num(m.src_core) + " neuron " + num(n) + " is " + std::string(to_string(src.kinds[n])) +
                          ", axon " + num(axon) + " has modulator " + num(ax.modulator));
          }
          continue;
        }
        const image_projection& p = image_.projections[proj];
        if (population_of_[m.src_core][n] != p.pre) {
          fail_core(ci, "input_map", e,
                    "maps " + name_of(m.src_core, n) + " (core " + num(m.src_core) + " neuron " + num(n) +
                        ") for projection \"" + p.name + "\", whose pre population is \"" +
                        image_.populations[p.pre].name + "\"");
        }
        if (ax.modulator != 0) {
          fail_core(ci, "axons", axon, "a modulator axon is fed by projection \"" + p.name + "\"");
        }
        if (ax.weight_exp != p.weight_exp) {
          fail_core(ci, "axons", axon,
                    "weight_exp " + num(ax.weight_exp) + " differs from projection \"" + p.name + "\"'s " +
                        num(p.weight_exp));
        }
        for (const row_synapse& s : decode_row(c, ax)) {
          if (population_of_[ci][s.word.target] != p.post) {
            fail_core(ci, "synapse_memory", s.address,
                      "target " + num(s.word.target) + " is " + name_of(ci, s.word.target) +
                          ", but the row belongs to projection \"" + p.name + "\" onto \"" +
                          image_.populations[p.post].name + "\"");
          }
        }
      }
    }
    for (std::size_t a = 0; a < fed.size(); ++a) {
      if (fed[a] == 0) {
        fail_core(ci, "axons", a, "no input-map entry feeds the axon");
      }
    }
  }

  // A Poisson source's Philox counter names its population and index.
  void check_source_counters(std::uint32_t ci) const {
    const core_image& c = image_.cores[ci];
    for (std::uint32_t n = 0; n < c.neuron_count(); ++n) {
      if (c.kinds[n] != neuron_kind::poisson) {
        continue;
      }
      const spike_source& s = c.sources[n];
      if (s.population != population_of_[ci][n] || s.index != index_of_[ci][n]) {
        fail_core(ci, "sources", n,
                  "the Poisson counter names population " + num(s.population) + " neuron " + num(s.index) +
                      ", but the neuron is " + name_of(ci, n) + " (population " + num(population_of_[ci][n]) +
                      " neuron " + num(index_of_[ci][n]) + ")");
      }
    }
  }

  const chip_image& image_;
  std::string_view source_;
  std::map<std::pair<std::uint16_t, std::uint16_t>, std::uint32_t> core_at_;  // position -> core id
  std::vector<std::vector<std::uint32_t>> population_of_;  // per core, per neuron (after check_slices)
  std::vector<std::vector<std::uint32_t>> index_of_;
};

}  // namespace

void validate_image(const chip_image& image, std::string_view source_name) {
  validator(image, source_name).run();
}

}  // namespace engram::isa
