// One core, docs/numerics.md §3–§9. The pseudo-code of the document is
// followed line by line; the comments name the section.
#include <engram/emulator/core.hpp>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include <engram/common/philox.hpp>
#include <engram/emulator/checkpoint.hpp>

#include <engram/emulator/fixed_point.hpp>

namespace engram::emulator {

namespace {

std::uint32_t ring_size_for(std::uint32_t max_delay) {
  // A packet of step t reaches slots t+1 .. t+max_delay; at most max_delay
  // consecutive slots are live at once (numerics §5). A power of two keeps
  // the slot index a mask.
  return std::bit_ceil(std::max<std::uint32_t>(max_delay, 1));
}

}  // namespace

core::core(const isa::core_image& image, std::uint32_t id, std::uint64_t seed)
    : id_(id), seed_(seed) {
  const std::size_t n = image.neuron_count();
  kinds_ = image.kinds;
  profile_of_ = image.profile;
  emits_ = image.emits;
  programs_ = image.sources;
  cursors_.assign(n, {});
  injected_now_.assign(n, -1);
  u_exc_.resize(n);
  u_inh_.resize(n);
  v_.resize(n);
  refractory_.resize(n);
  y1_.resize(n);
  y2_.resize(n);
  y3_.resize(n);
  y0_.assign(n, 0);
  y0e_.assign(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    (kinds_[i] == isa::neuron_kind::lif ? lif_ : source_neurons_).push_back(i);
  }
  active_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const isa::neuron_state& s = image.initial_state[i];
    u_exc_[i] = s.u_exc;
    u_inh_[i] = s.u_inh;
    v_[i] = s.v;
    refractory_[i] = static_cast<std::uint8_t>(s.refractory);
    y1_[i] = static_cast<std::uint16_t>(s.y1);
    y2_[i] = static_cast<std::uint16_t>(s.y2);
    y3_[i] = static_cast<std::uint16_t>(s.y3);
  }

  // Profiles with their derived values (numerics §3).
  for (const isa::neuron_config& c : image.profiles) {
    profile p{};
    p.decay_u_exc = c.decay_u_exc;
    p.decay_u_inh = c.decay_u_inh;
    p.decay_v = c.decay_v;
    p.threshold = static_cast<std::int32_t>(c.threshold_mant) << isa::threshold_shift;
    p.reset = c.reset_mant * (1 << isa::reset_shift);
    p.bias = c.bias_mant * (1 << c.bias_exp);
    p.refractory_period = c.refractory_period;
    for (int k = 0; k < 3; ++k) {
      const std::size_t at = std::size_t{c.post_trace_profile} * 3 + static_cast<std::size_t>(k);
      // A core without trace tables keeps its post traces where they start.
      p.y[k] = at < image.post_trace_profiles.size() ? image.post_trace_profiles[at] : isa::trace_config{};
    }
    profiles_.push_back(p);
  }
  pre_profiles_ = image.pre_trace_profiles;
  mod_traces_ = image.modulator_traces;
  rules_ = image.rules;
  microcode_ = image.microcode;
  for (const isa::learning_rule& r : rules_) {
    epoch_ = r.epoch;  // the same for every rule of a core (numerics §12)
  }
  memory_ = image.synapse_memory;

  // Axons and their rows, decoded once.
  std::uint32_t max_delay_here = 1;
  axons_.reserve(image.axons.size());
  for (const isa::axon_entry& a : image.axons) {
    axon d{};
    d.first = static_cast<std::uint32_t>(synapses_.size());
    d.shift = isa::weight_shift + a.weight_exp;
    d.learning = static_cast<std::uint8_t>(a.learning);
    d.modulator = static_cast<std::uint8_t>(a.modulator);
    d.channel = static_cast<std::uint8_t>(a.modulator_channel);
    d.pre_profile = static_cast<std::uint8_t>(a.pre_trace_profile);
    d.rule = static_cast<std::uint8_t>(a.rule);
    d.indexed = static_cast<std::uint8_t>(a.indexed);
    if (a.indexed && !a.modulator) {
      // The index of row_len IndexWords, then the blocks (numerics §5).
      d.blocks = static_cast<std::uint32_t>(block_end_.size());
      d.block_count = a.row_len;
      const std::uint64_t memory = memory_.size();
      const std::uint64_t data = std::uint64_t{a.row_base} + a.row_len;
      std::uint64_t begin = 0;
      for (std::uint32_t b = 0; b < a.row_len; ++b) {
        const std::uint64_t at = std::uint64_t{a.row_base} + b;
        const std::uint64_t end = at < memory ? isa::unpack_index_word({memory_[at]}).run_end : begin;
        for (std::uint64_t i = data + begin; i < data + end && i < memory; ++i) {
          const isa::synapse_word w = isa::unpack_synapse_word({memory_[i]});
          synapse s{};
          s.weight = static_cast<std::int16_t>(w.weight);
          s.target = static_cast<std::uint16_t>(w.target);
          s.delay = static_cast<std::uint8_t>(w.delay);
          s.receptor = static_cast<std::uint8_t>(w.receptor);
          s.source = static_cast<std::uint8_t>(w.source);
          s.plastic = -1;  // never plastic (numerics §12)
          max_delay_here = std::max<std::uint32_t>(max_delay_here, w.delay);
          synapses_.push_back(s);
        }
        begin = std::max(begin, end);
        block_end_.push_back(static_cast<std::uint32_t>(synapses_.size()));
      }
    } else if (!a.modulator) {
      const std::uint32_t end = std::min<std::uint32_t>(a.row_base + a.row_len,
                                                        static_cast<std::uint32_t>(memory_.size()));
      for (std::uint32_t i = a.row_base; i < end;) {
        const std::uint32_t address = i;
        const isa::synapse_word w = isa::unpack_synapse_word({memory_[i++]});
        synapse s{};
        s.weight = static_cast<std::int16_t>(w.weight);
        s.target = static_cast<std::uint16_t>(w.target);
        s.delay = static_cast<std::uint8_t>(w.delay);
        s.receptor = static_cast<std::uint8_t>(w.receptor);
        s.plastic = -1;
        if (w.plastic && i < end) {
          const isa::plastic_word pw = isa::unpack_plastic_word({memory_[i++]});
          s.plastic = static_cast<std::int32_t>(plastic_.size());
          plastic_.push_back({w.weight, pw.weight_frac, pw.tag});
          plastic_address_.push_back(address);
        }
        max_delay_here = std::max<std::uint32_t>(max_delay_here, w.delay);
        synapses_.push_back(s);
      }
    }
    d.last = static_cast<std::uint32_t>(synapses_.size());
    if (d.learning) {
      learning_axons_.push_back(static_cast<std::uint32_t>(axons_.size()));
    }
    axons_.push_back(d);
  }
  x1_.assign(axons_.size(), 0);
  x2_.assign(axons_.size(), 0);
  x0_.assign(axons_.size(), 0);
  x0e_.assign(axons_.size(), 0);
  ring_ = ring_size_for(max_delay_here);
  acc_.assign(std::size_t{ring_} * 2 * n, 0);

  // The input map and, per source core, the lookahead of its packets.
  input_map_ = image.input_map;
  entry_updates_.assign(input_map_.size(), 0);
  // entry_list_[entry_begin_[c] .. entry_begin_[c + 1]): the entries covering
  // source core c, in input-map order, so a packet looks only at entries
  // that can hold its key.
  std::uint64_t src_end = 0;
  for (const isa::input_map_entry& m : input_map_) {
    src_end = std::max<std::uint64_t>(src_end, std::uint64_t{m.src_core} + std::max<std::uint32_t>(m.src_cores, 1));
  }
  entry_begin_.assign(input_map_.empty() ? 0 : src_end + 1, 0);
  for (const isa::input_map_entry& m : input_map_) {
    for (std::uint32_t k = 0; k < std::max<std::uint32_t>(m.src_cores, 1); ++k) {
      ++entry_begin_[std::size_t{m.src_core} + k + 1];
    }
  }
  for (std::size_t i = 1; i < entry_begin_.size(); ++i) {
    entry_begin_[i] += entry_begin_[i - 1];
  }
  entry_list_.resize(entry_begin_.empty() ? 0 : entry_begin_.back());
  {
    std::vector<std::uint32_t> fill(entry_begin_.begin(), entry_begin_.end());
    for (std::uint32_t e = 0; e < input_map_.size(); ++e) {
      const isa::input_map_entry& m = input_map_[e];
      for (std::uint32_t k = 0; k < std::max<std::uint32_t>(m.src_cores, 1); ++k) {
        entry_list_[fill[std::size_t{m.src_core} + k]++] = e;
      }
    }
  }
  entry_of_axon_.assign(axons_.size(), ~0u);
  for (std::uint32_t e = 0; e < input_map_.size(); ++e) {
    const isa::input_map_entry& m = input_map_[e];
    const std::uint32_t axons = m.indexed ? 1 : m.count;
    for (std::uint32_t k = 0; k < axons && m.axon_base + k < axons_.size(); ++k) {
      entry_of_axon_[m.axon_base + k] = e;
    }
  }
  // Per source core, the lookahead of its packets: the smallest over the
  // entries covering it.
  std::vector<std::uint32_t> lookahead_of(src_end, 0);  // 0: no entry covers the core
  for (const isa::input_map_entry& m : input_map_) {
    std::uint32_t lookahead = isa::max_delay;
    const std::uint32_t axons = m.indexed ? 1 : m.count;
    for (std::uint32_t k = 0; k < axons; ++k) {
      const std::uint32_t ax = m.axon_base + k;
      if (ax >= axons_.size()) {
        break;
      }
      const axon& a = axons_[ax];
      if (a.learning || a.modulator) {
        lookahead = 1;
        break;
      }
      for (std::uint32_t i = a.first; i < a.last; ++i) {
        lookahead = std::min<std::uint32_t>(lookahead, synapses_[i].delay);
      }
    }
    for (std::uint32_t k = 0; k < std::max<std::uint32_t>(m.src_cores, 1); ++k) {
      std::uint32_t& l = lookahead_of[std::size_t{m.src_core} + k];
      l = l == 0 ? lookahead : std::min(l, lookahead);
    }
  }
  for (std::uint32_t c = 0; c < lookahead_of.size(); ++c) {
    if (lookahead_of[c] != 0) {
      sources_.push_back({c, lookahead_of[c]});
    }
  }
}

// --- Phases 2 to 5 ----------------------------------------------------------------

void core::inject(std::uint32_t neuron, std::uint64_t step, std::uint8_t payload) {
  if (neuron >= kinds_.size() ||
      (kinds_[neuron] != isa::neuron_kind::spike_array && kinds_[neuron] != isa::neuron_kind::modulator)) {
    throw std::invalid_argument("core " + std::to_string(id_) + ": neuron " + std::to_string(neuron) +
                                " is not a spike-array or modulator source");
  }
  if (step < step_) {
    throw std::invalid_argument("core " + std::to_string(id_) + ": cannot inject at step " + std::to_string(step) +
                                ", already at step " + std::to_string(step_));
  }
  // A min-heap on the step: update() takes only the events of its own step,
  // however many later ones are pending.
  injected_.push_back({step, neuron, payload});
  std::push_heap(injected_.begin(), injected_.end(), later);
}

void core::update(std::uint64_t s) {
  if (s != step_) {
    throw std::logic_error("core " + std::to_string(id_) + ": update of step " + std::to_string(s) +
                           ", expected " + std::to_string(step_));
  }
  spiked_.clear();
  spiked_payloads_.clear();
  const std::size_t n = kinds_.size();
  const std::uint32_t k = static_cast<std::uint32_t>(s) & (ring_ - 1);
  std::int32_t* acc_e = acc_.data() + std::size_t{k} * 2 * n;
  std::int32_t* acc_i = acc_e + n;
  const philox_key key = philox_key_from_seed(seed_);

  // Phase 2: neuron update (§6), then the spike sources (§9); the spikes of
  // both are merged into index order.
  std::uint32_t active_count = 0;
  for (const std::uint32_t i : lif_) {
    const profile& p = profiles_[profile_of_[i]];
    const std::int32_t in_e = acc_e[i];
    const std::int32_t in_i = acc_i[i];
    acc_e[i] = 0;
    acc_i[i] = 0;
    const std::int32_t old_ue = u_exc_[i], old_ui = u_inh_[i], old_v = v_[i];
    const std::uint8_t old_r = refractory_[i];
    const std::int32_t ue = fp::sat24(std::int64_t{fp::decay(old_ue, p.decay_u_exc)} + in_e);
    const std::int32_t ui = fp::sat24(std::int64_t{fp::decay(old_ui, p.decay_u_inh)} + in_i);
    u_exc_[i] = ue;
    u_inh_[i] = ui;
    bool spike = false;
    std::int32_t v = p.reset;
    std::uint8_t r = old_r;
    if (old_r > 0) {
      r = static_cast<std::uint8_t>(old_r - 1);  // v held at reset; currents keep integrating
    } else {
      v = fp::sat24(std::int64_t{fp::decay(old_v, p.decay_v)} + ue + ui + p.bias);
      if (v >= p.threshold) {
        spike = true;
        v = p.reset;
        r = static_cast<std::uint8_t>(p.refractory_period);
      }
    }
    v_[i] = v;
    refractory_[i] = r;
    y0_[i] = spike ? 1 : 0;
    y0e_[i] = static_cast<std::uint8_t>(y0e_[i] | y0_[i]);
    const bool active = spike || (in_e | in_i) != 0 || ue != old_ue || ui != old_ui || v != old_v || r != old_r;
    active_[i] = active ? 1 : 0;
    active_count += active ? 1u : 0u;
    if (spike) {
      spiked_.push_back(i);
    }
  }
  counters_.neuron_updates_active += active_count;
  counters_.neuron_updates_idle += static_cast<std::uint32_t>(lif_.size()) - active_count;
  spiked_payloads_.assign(spiked_.size(), 0);
  const std::size_t lif_spikes = spiked_.size();
  bool any_injected = false;
  while (!injected_.empty() && injected_.front().step == s) {
    const injection& e = injected_.front();
    std::int16_t& m = injected_now_[e.neuron];
    m = std::max<std::int16_t>(m, e.payload);
    any_injected = true;
    std::pop_heap(injected_.begin(), injected_.end(), later);
    injected_.pop_back();
  }
  for (const std::uint32_t i : source_neurons_) {
    bool spike = false;
    std::uint8_t payload = 0;
    const isa::spike_source& src = programs_[i];
    if (kinds_[i] == isa::neuron_kind::poisson) {
      if (s >= src.start_step && s < src.end_step && src.p32 != 0) {
        const philox_counter ctr{static_cast<std::uint32_t>(s), src.index, src.population,
                                 static_cast<std::uint32_t>(random_stream_id::poisson)};
        const std::uint32_t u = philox4x32_10(ctr, key)[0];
        spike = std::uint64_t{u} < src.p32;
      }
    } else {  // spike_array, modulator
      std::uint32_t& next = cursors_[i].next;
      while (next < src.steps.size() && src.steps[next] < s) {
        ++next;  // only after a checkpoint taken between a source's steps
      }
      if (next < src.steps.size() && src.steps[next] == s) {
        spike = true;
        if (kinds_[i] == isa::neuron_kind::modulator && next < src.payloads.size()) {
          payload = src.payloads[next];
        }
        ++next;
      }
    }
    if (any_injected && injected_now_[i] >= 0) {
      // An external event (inject()): merged like two times within one step.
      spike = true;
      if (kinds_[i] == isa::neuron_kind::modulator) {
        payload = std::max(payload, static_cast<std::uint8_t>(injected_now_[i]));
      }
      injected_now_[i] = -1;
    }
    if (spike) {
      spiked_.push_back(i);
      spiked_payloads_.push_back(payload);
    }
  }
  if (lif_spikes != 0 && lif_spikes != spiked_.size()) {
    // Both kinds spiked: restore index order (payloads travel with their neuron).
    std::vector<std::pair<std::uint32_t, std::uint8_t>> both(spiked_.size());
    for (std::size_t j = 0; j < spiked_.size(); ++j) {
      both[j] = {spiked_[j], spiked_payloads_[j]};
    }
    std::inplace_merge(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(lif_spikes), both.end());
    for (std::size_t j = 0; j < both.size(); ++j) {
      spiked_[j] = both[j].first;
      spiked_payloads_[j] = both[j].second;
    }
  }
  counters_.spikes += static_cast<std::uint32_t>(spiked_.size());

  // Phase 3: traces (§7). Pre traces of axons no rule reads are not kept.
  for (std::uint32_t ax : learning_axons_) {
    const axon& a = axons_[ax];
    const std::size_t at = std::size_t{a.pre_profile} * 2;
    const isa::trace_config c1 = at < pre_profiles_.size() ? pre_profiles_[at] : isa::trace_config{};
    const isa::trace_config c2 = at + 1 < pre_profiles_.size() ? pre_profiles_[at + 1] : isa::trace_config{};
    x1_[ax] = fp::trace_step(x1_[ax], c1, x0_[ax] != 0, c1.impulse);
    x2_[ax] = fp::trace_step(x2_[ax], c2, x0_[ax] != 0, c2.impulse);
  }
  for (const std::uint32_t i : lif_) {
    const bool e = y0_[i] != 0;
    if (!e && (y1_[i] | y2_[i] | y3_[i]) == 0) {
      continue;  // zero traces without an event stay zero
    }
    const profile& p = profiles_[profile_of_[i]];
    y1_[i] = fp::trace_step(y1_[i], p.y[0], e, p.y[0].impulse);
    y2_[i] = fp::trace_step(y2_[i], p.y[1], e, p.y[1].impulse);
    y3_[i] = fp::trace_step(y3_[i], p.y[2], e, p.y[2].impulse);
  }
  for (std::size_t c = 0; c < mod_traces_.size() && c < isa::modulator_channels; ++c) {
    r1_[c] = fp::trace_step(static_cast<std::uint16_t>(r1_[c]), mod_traces_[c], r0_[c] != 0, mod_in_[c]);
  }

  // Phase 4: learning at the end of an epoch (§8).
  if (epoch_ != 0 && (s + 1) % epoch_ == 0) {
    learn();
    std::fill(x0e_.begin(), x0e_.end(), std::uint8_t{0});
    std::fill(y0e_.begin(), y0e_.end(), std::uint8_t{0});
    std::fill(std::begin(r0e_), std::end(r0e_), std::uint8_t{0});
  }

  // Phase 5: egress is the simulation's (spiked_); clear the step's flags.
  for (std::uint32_t ax : learning_axons_) {
    x0_[ax] = 0;
  }
  for (std::uint32_t i : spiked_) {
    y0_[i] = 0;
  }
  std::fill(std::begin(r0_), std::end(r0_), std::uint8_t{0});
  std::fill(std::begin(mod_in_), std::end(mod_in_), 0u);
  step_ = s + 1;
}

void core::learn() {
  for (std::uint32_t ax : learning_axons_) {
    const axon& a = axons_[ax];
    if (a.rule >= rules_.size()) {
      continue;
    }
    const isa::learning_rule& rule = rules_[a.rule];
    const std::uint32_t ch = rule.modulator;
    std::uint64_t updated = 0;
    for (std::uint32_t i = a.first; i < a.last; ++i) {
      synapse& sw = synapses_[i];
      if (sw.plastic < 0) {
        continue;
      }
      plastic_state& pw = plastic_[static_cast<std::size_t>(sw.plastic)];
      const std::uint32_t post = sw.target;
      const std::int32_t W = static_cast<std::int32_t>(pw.weight * (1 << isa::learn_frac_bits)) |
                             static_cast<std::int32_t>(pw.weight_frac);
      const std::int32_t T = fp::decay(pw.tag, rule.tag_decay);
      fp::learning_operands ops{};
      ops.x0 = x0e_[ax];
      ops.y0 = y0e_[post];
      ops.r0 = ch < isa::modulator_channels ? r0e_[ch] : 0;
      ops.x1 = x1_[ax];
      ops.x2 = x2_[ax];
      ops.y1 = y1_[post];
      ops.y2 = y2_[post];
      ops.y3 = y3_[post];
      ops.r1 = ch < isa::modulator_channels ? static_cast<std::int32_t>(r1_[ch]) : 0;
      ops.w = W;
      ops.t = T;
      std::int64_t dw = 0;
      std::int64_t dt = 0;
      for (std::uint32_t j = 0; j < rule.num_terms; ++j) {
        const std::uint32_t at = rule.first_term + j;
        if (at >= microcode_.size()) {
          break;
        }
        const isa::learning_term& m = microcode_[at];
        const std::int32_t term = fp::evaluate_term(m, ops);
        if (m.target == isa::learn_target::weight) {
          dw += term;
        } else {
          dt += term;
        }
      }
      const std::int64_t lo = std::int64_t{rule.w_min} * 256;
      const std::int64_t hi = std::int64_t{rule.w_max} * 256 + 255;
      const std::int64_t Wn = std::clamp<std::int64_t>(W + dw, lo, hi);
      pw.weight = static_cast<std::int32_t>(Wn >> isa::learn_frac_bits);
      pw.weight_frac = static_cast<std::uint32_t>(Wn & 0xFF);
      pw.tag = fp::sat16(std::int64_t{T} + dt);
      sw.weight = static_cast<std::int16_t>(pw.weight);
      ++counters_.synaptic_updates;
      ++updated;
    }
    if (entry_of_axon_[ax] != ~0u) {
      entry_updates_[entry_of_axon_[ax]] += updated;
    }
  }
}

// --- State access -----------------------------------------------------------------

isa::neuron_state core::neuron(std::uint32_t n) const noexcept {
  isa::neuron_state s;
  s.u_exc = u_exc_[n];
  s.u_inh = u_inh_[n];
  s.v = v_[n];
  s.refractory = refractory_[n];
  s.y1 = y1_[n];
  s.y2 = y2_[n];
  s.y3 = y3_[n];
  return s;
}

isa::pre_trace_state core::pre_trace(std::uint32_t ax) const noexcept {
  isa::pre_trace_state s;
  s.x1 = x1_[ax];
  s.x2 = x2_[ax];
  return s;
}

std::vector<std::uint32_t> core::synapse_memory() const {
  std::vector<std::uint32_t> out = memory_;
  for (std::size_t i = 0; i < plastic_.size(); ++i) {
    const std::uint32_t address = plastic_address_[i];
    isa::synapse_word w = isa::unpack_synapse_word({out[address]});
    w.weight = plastic_[i].weight;
    out[address] = static_cast<std::uint32_t>(isa::pack(w)[0]);
    isa::plastic_word pw;
    pw.tag = plastic_[i].tag;
    pw.weight_frac = plastic_[i].weight_frac;
    out[address + 1] = static_cast<std::uint32_t>(isa::pack(pw)[0]);
  }
  return out;
}

// --- Checkpoints ------------------------------------------------------------------

void core::save(state_writer& out) const {
  out.section("core", id_);
  out.u64(step_);
  out.u32(static_cast<std::uint32_t>(kinds_.size()));
  out.u32(ring_);
  out.u32(static_cast<std::uint32_t>(axons_.size()));
  out.u32(static_cast<std::uint32_t>(plastic_.size()));
  out.array(u_exc_);
  out.array(u_inh_);
  out.array(v_);
  out.array(refractory_);
  out.array(y1_);
  out.array(y2_);
  out.array(y3_);
  out.array(y0e_);
  std::vector<std::uint32_t> cursor(cursors_.size());
  for (std::size_t i = 0; i < cursors_.size(); ++i) {
    cursor[i] = cursors_[i].next;
  }
  out.array(cursor);
  out.array(acc_);
  out.array(x1_);
  out.array(x2_);
  out.array(x0e_);
  for (std::uint32_t c = 0; c < isa::modulator_channels; ++c) {
    out.u32(r1_[c]);
    out.u32(r0e_[c]);
  }
  out.array(entry_updates_);
  // Flags of the next step: packets of the last step may already have been
  // delivered (the simulation delivers all of them before a checkpoint).
  out.array(x0_);
  for (std::uint32_t c = 0; c < isa::modulator_channels; ++c) {
    out.u32(r0_[c]);
    out.u32(mod_in_[c]);
  }
  for (const plastic_state& p : plastic_) {
    out.i32(p.weight);
    out.u32(p.weight_frac);
    out.i32(p.tag);
  }
}

void core::load(state_reader& in) {
  in.section("core", id_);
  step_ = in.u64();
  in.expect_u32("neuron count", static_cast<std::uint32_t>(kinds_.size()));
  in.expect_u32("accumulator slots", ring_);
  in.expect_u32("input axons", static_cast<std::uint32_t>(axons_.size()));
  in.expect_u32("plastic synapses", static_cast<std::uint32_t>(plastic_.size()));
  in.array(u_exc_);
  in.array(u_inh_);
  in.array(v_);
  in.array(refractory_);
  in.array(y1_);
  in.array(y2_);
  in.array(y3_);
  in.array(y0e_);
  std::vector<std::uint32_t> cursor(cursors_.size());
  in.array(cursor);
  for (std::size_t i = 0; i < cursors_.size(); ++i) {
    cursors_[i].next = cursor[i];
  }
  in.array(acc_);
  in.array(x1_);
  in.array(x2_);
  in.array(x0e_);
  for (std::uint32_t c = 0; c < isa::modulator_channels; ++c) {
    r1_[c] = in.u32();
    r0e_[c] = static_cast<std::uint8_t>(in.u32() != 0);
  }
  in.array(entry_updates_);
  in.array(x0_);
  for (std::uint32_t c = 0; c < isa::modulator_channels; ++c) {
    r0_[c] = static_cast<std::uint8_t>(in.u32() != 0);
    mod_in_[c] = in.u32();
  }
  for (std::size_t i = 0; i < plastic_.size(); ++i) {
    plastic_state& p = plastic_[i];
    p.weight = in.i32();
    p.weight_frac = in.u32();
    p.tag = in.i32();
  }
  // The delivered weight of a plastic synapse is its learned mantissa.
  for (synapse& s : synapses_) {
    if (s.plastic >= 0) {
      s.weight = static_cast<std::int16_t>(plastic_[static_cast<std::size_t>(s.plastic)].weight);
    }
  }
  std::fill(y0_.begin(), y0_.end(), std::uint8_t{0});
}

}  // namespace engram::emulator
