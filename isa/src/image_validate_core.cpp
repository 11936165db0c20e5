// validate_image, the checks of one core's tables: sizes against the chip's
// limits, field ranges, neurons, profiles, learning rules and microcode, axons
// and their rows of synapse memory, and the core's routes. See
// image_validate.cpp for the order the checks run in.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <engram/isa/chip_image.hpp>

#include "image_validate.hpp"

namespace engram::isa::detail {
namespace {

bool uses_modulator(const learning_term& t) {
  for (learn_operand op : {t.op0, t.op1, t.op2}) {
    if (op == learn_operand::r0 || op == learn_operand::r1) {
      return true;
    }
  }
  return false;
}

}  // namespace

template <class T>
void validator::check_fields(std::uint32_t core, const std::string& table,
                             const std::vector<T>& records) const {
  for (std::size_t i = 0; i < records.size(); ++i) {
    try {
      (void)pack(records[i]);
    } catch (const field_out_of_range& e) {
      fail_core(core, table, i, e.what());
    }
  }
}

void validator::check_limit(std::uint32_t core, const std::string& table, std::size_t used, std::uint32_t limit,
                            std::string_view limit_name, std::string_view unit) const {
  if (used > limit) {
    fail_core(core, table, std::nullopt,
              "needs " + num(std::uint64_t{used}) + " " + std::string(unit) + ", the chip has " + num(limit) +
                  " per core (" + std::string(limit_name) + ")");
  }
}

void validator::check_core(std::uint32_t ci) const {
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

void validator::check_neurons(std::uint32_t ci) const {
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

void validator::check_profiles(std::uint32_t ci) const {
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

void validator::check_trace_index(std::uint32_t ci, const std::string& table, std::size_t index, std::string_view field,
                                  std::uint32_t value, std::size_t profiles, std::string_view profile_table) const {
  if (profiles == 0 ? value != 0 : value >= profiles) {
    fail_core(ci, table, index,
              std::string(field) + " " + num(value) + ", the core has " + num(std::uint64_t{profiles}) + " " +
                  std::string(profile_table) + (profiles == 0 ? " (then it must be 0)" : ""));
  }
}

bool validator::carries_channel(const core_image& c, std::uint32_t channel) const {
  return std::any_of(c.axons.begin(), c.axons.end(), [&](const axon_entry& a) {
    return a.modulator == 1 && a.modulator_channel == channel;
  });
}

void validator::check_learning(std::uint32_t ci) const {
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

void validator::check_axons(std::uint32_t ci) const {
  const core_image& c = image_.cores[ci];
  const std::size_t pre_profiles = c.pre_trace_profiles.size() / 2;
  const std::uint64_t memory = c.synapse_memory.size();
  std::vector<std::pair<std::uint64_t, std::size_t>> rows;  // (row_base, axon) of non-empty rows
  for (std::size_t a = 0; a < c.axons.size(); ++a) {
    const axon_entry& ax = c.axons[a];
    if (ax.indexed == 1 && (ax.learning != 0 || ax.modulator != 0)) {
      fail_core(ci, "axons", a,
                "an indexed axon has learning " + num(ax.learning) + ", modulator " + num(ax.modulator) +
                    " (indexed axons carry static synapses only: both must be 0)");
    }
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
                std::string(ax.indexed == 1 ? "index " : "row ") + num(ax.row_base) + ".." +
                    num(std::uint64_t{ax.row_base} + ax.row_len - 1) + " runs past the " + num(memory) +
                    " words of synapse memory");
    }
    if (ax.indexed == 1) {
      check_index(ci, a);
    }
    if (ax.row_len > 0) {
      rows.emplace_back(ax.row_base, a);
    }
  }
  // An indexed axon occupies its index and its blocks (axon_words).
  std::sort(rows.begin(), rows.end());
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const axon_entry& prev = c.axons[rows[i - 1].second];
    const std::uint64_t prev_words = axon_words(c, prev);
    if (std::uint64_t{prev.row_base} + prev_words > rows[i].first) {
      fail_core(ci, "axons", rows[i].second,
                "row at word " + num(rows[i].first) + " overlaps the row of axon " +
                    num(std::uint64_t{rows[i - 1].second}) + " (words " + num(prev.row_base) + ".." +
                    num(prev.row_base + prev_words - 1) + ")");
    }
  }
  // Rows are disjoint: the words are decoded at most once.
  for (std::size_t a = 0; a < c.axons.size(); ++a) {
    if (c.axons[a].indexed == 1) {
      check_blocks(ci, a);
    } else {
      check_row(ci, a);
    }
  }
}

// An indexed axon (numerics §5, §12): no learning, no modulator, and an
// index of non-decreasing run_ends whose blocks lie within synapse memory.
// row_len == ceil(N/16) needs the projection: check_input_map.
void validator::check_index(std::uint32_t ci, std::size_t a) const {
  const core_image& c = image_.cores[ci];
  const axon_entry& ax = c.axons[a];
  const std::uint64_t memory = c.synapse_memory.size();
  std::uint64_t prev = 0;
  for (std::uint32_t b = 0; b < ax.row_len; ++b) {
    const std::uint64_t address = std::uint64_t{ax.row_base} + b;
    const std::uint32_t raw = c.synapse_memory[address];
    const index_word w = unpack_index_word({raw});
    if (pack(w)[0] != raw) {
      fail_core(ci, "synapse_memory", address,
                "unused bits of IndexWord " + hex(raw, 8) + " (block " + num(b) + " of axon " +
                    num(std::uint64_t{a}) + ") are set");
    }
    if (w.run_end < prev) {
      fail_core(ci, "synapse_memory", address,
                "run_end " + num(w.run_end) + " of block " + num(b) + " of indexed axon " + num(std::uint64_t{a}) +
                    " is below the previous block's " + num(prev) + " (run_ends are non-decreasing)");
    }
    prev = w.run_end;
  }
  const std::uint64_t data = std::uint64_t{ax.row_base} + ax.row_len;
  if (data + prev > memory) {
    fail_core(ci, "axons", a,
              "the blocks of indexed axon " + num(std::uint64_t{a}) + " (words " + num(data) + ".." +
                  num(data + prev - 1) + ") run past the " + num(memory) + " words of synapse memory");
  }
}

void validator::check_blocks(std::uint32_t ci, std::size_t a) const {
  const core_image& c = image_.cores[ci];
  for (const indexed_synapse& s : decode_indexed(c, c.axons[a])) {
    check_synapse_word(ci, s.address);
    if (s.word.plastic != 0) {
      fail_core(ci, "synapse_memory", s.address,
                "plastic synapse in block " + num(s.block) + " of indexed axon " + num(std::uint64_t{a}) +
                    " (indexed axons carry static synapses only)");
    }
  }
}

synapse_word validator::check_synapse_word(std::uint32_t ci, std::uint64_t i) const {
  const core_image& c = image_.cores[ci];
  const std::uint32_t delay_max = std::min<std::uint32_t>(static_cast<std::uint32_t>(max_delay), image_.chip.max_delay);
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
  return sw;
}

void validator::check_row(std::uint32_t ci, std::size_t a) const {
  const core_image& c = image_.cores[ci];
  const axon_entry& ax = c.axons[a];
  const std::uint64_t end = std::uint64_t{ax.row_base} + ax.row_len;
  for (std::uint64_t i = ax.row_base; i < end;) {
    const synapse_word sw = check_synapse_word(ci, i);
    const bool excitatory = sw.receptor == receptor_kind::excitatory;
    if (sw.source != 0) {
      fail_core(ci, "synapse_memory", i,
                "source " + num(sw.source) + " in the row of ordinary axon " + num(std::uint64_t{a}) +
                    " (only indexed axons' synapses name a source; it must be 0)");
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

void validator::check_routes(std::uint32_t ci) const {
  const core_image& c = image_.cores[ci];
  check_route_table(c.routes, c.x, c.y,
                    [&](std::size_t r, std::string reason) { fail_core(ci, "routes", r, std::move(reason)); });
}

}  // namespace engram::isa::detail
