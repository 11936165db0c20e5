// Lock-step co-simulation: both models take the same packets, then every
// neuron's registers, the spike lists, the pre traces of learning axons, the
// modulator traces and the plastic synapses are compared (docs/rtl.md).
#include <engram/rtl/cosim.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

namespace engram::rtl {

// --- The emulator side ---------------------------------------------------------------

emulator_model::emulator_model(const isa::core_image& image, std::uint32_t core_id, std::uint64_t seed)
    : core_(image, core_id, seed), plastic_index_(image.synapse_memory.size(), ~0u) {
  for (std::uint32_t i = 0; i < core_.plastic_count(); ++i) {
    plastic_index_[core_.plastic_address(i)] = i;
  }
}

emulator::plastic_state emulator_model::plastic_at(std::uint32_t address) const {
  const std::uint32_t i = plastic_index_.at(address);
  if (i == ~0u) {
    throw std::logic_error("emulator_model: no plastic synapse at word " + std::to_string(address));
  }
  return core_.plastic(i);
}

void emulator_model::step(std::uint64_t s, std::span<const packet> packets) {
  core_.counters() = {};  // the step's own counters (what the timing model reads)
  for (const packet& p : packets) {
    core_.deliver(p.src_core, p.neuron, p.payload, s - 1, s);
  }
  core_.update(s);
}

std::vector<std::uint32_t> emulator_model::spiked() const {
  std::vector<std::uint32_t> out;
  for (const std::uint32_t n : core_.spiked()) {
    if (core_.kind(n) == isa::neuron_kind::lif) {
      out.push_back(n);
    }
  }
  return out;
}

// --- The RTL side -----------------------------------------------------------------------

namespace {

// The RTL core's ingress knows ordinary rows only: an indexed axon (numerics
// §5) would read its index words as synapses. part "indexed_axons", value
// the core's indexed axons, limit 0.
class no_indexed_ingress : public unsupported_core {
 public:
  no_indexed_ingress(std::uint64_t count, std::uint64_t first)
      : unsupported_core("indexed_axons", count, 0),
        message_("the RTL core cannot run this core: axon " + std::to_string(first) + " is indexed (" +
                 std::to_string(count) + " indexed axons in all), and the RTL core has no indexed ingress yet") {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

void refuse_indexed(const isa::core_image& image) {
  std::uint64_t count = 0;
  std::uint64_t first = 0;
  for (std::size_t a = 0; a < image.axons.size(); ++a) {
    if (image.axons[a].indexed != 0) {
      first = count == 0 ? a : first;
      ++count;
    }
  }
  if (count != 0) {
    throw no_indexed_ingress(count, first);
  }
}

}  // namespace

rtl_model::rtl_model(const isa::core_image& image, core_variant variant, const rtl_options& options)
    : image_(&image),
      neurons_(static_cast<std::uint32_t>(image.neuron_count())),
      core_(make_rtl_core(variant, options)) {
  refuse_indexed(image);
  core_->load(image);
}

void rtl_model::step(std::uint64_t s, std::span<const packet> packets) {
  // The input map (numerics §5): every entry holding the key, in map order.
  // Entries are sorted by (src_core, neuron_base): only the source's are read.
  // All are ordinary (src_cores 1): the constructor refuses indexed axons.
  const std::vector<isa::input_map_entry>& map = image_->input_map;
  for (const packet& p : packets) {
    auto m = std::lower_bound(map.begin(), map.end(), p.src_core,
                              [](const isa::input_map_entry& e, std::uint32_t c) { return e.src_core < c; });
    for (; m != map.end() && m->src_core == p.src_core && m->neuron_base <= p.neuron; ++m) {
      if (p.neuron < m->neuron_base + m->count) {
        core_->deliver(m->axon_base + (p.neuron - m->neuron_base), s - 1, p.payload);
      }
    }
  }
  core_->update(s);
}

emulator::plastic_state rtl_model::plastic_at(std::uint32_t address) const {
  const std::vector<std::uint32_t>& memory = core_->synapse_memory();
  const isa::synapse_word w = isa::unpack_synapse_word({memory.at(address)});
  const isa::plastic_word pw = isa::unpack_plastic_word({memory.at(std::size_t{address} + 1)});
  return {w.weight, pw.weight_frac, pw.tag};
}

// --- Comparison ---------------------------------------------------------------------------

std::string to_string(const mismatch& m) {
  std::string where;
  switch (m.what) {
    case element::neuron: where = "neuron " + std::to_string(m.neuron); break;
    case element::axon: where = "axon " + std::to_string(m.axon); break;
    case element::channel: where = "channel " + std::to_string(m.channel); break;
    case element::synapse:
      where = "synapse axon " + std::to_string(m.axon) + " word " + std::to_string(m.word) + " target " +
              std::to_string(m.neuron);
      break;
  }
  return "step " + std::to_string(m.step) + " " + where + " " + m.field + ": emulator " + std::to_string(m.emulator) +
         ", rtl " + std::to_string(m.rtl);
}

namespace {

// The invariants of numerics §12 the RTL relies on and the emulator guards
// against (an image that passed validation has them).
void check_runnable(const isa::core_image& image) {
  refuse_indexed(image);
  std::uint32_t max_delay = 0;
  for (const isa::axon_entry& a : image.axons) {
    if (a.modulator) {
      continue;
    }
    if (a.learning && a.rule >= image.rules.size()) {
      throw unsupported_core("learning_axon_rule", a.rule, image.rules.size());
    }
    for (const isa::row_synapse& s : isa::decode_row(image, a)) {
      max_delay = std::max<std::uint32_t>(max_delay, s.word.delay);
    }
  }
  if (max_delay > limits().slots) {
    throw unsupported_core("delay", max_delay, limits().slots);
  }
  for (const isa::learning_rule& r : image.rules) {
    if (std::uint64_t{r.first_term} + r.num_terms > image.microcode.size()) {
      throw unsupported_core("rule_terms_end", std::uint64_t{r.first_term} + r.num_terms, image.microcode.size());
    }
  }
}

}  // namespace

cosimulation::cosimulation(const isa::core_image& image, std::uint32_t core_id, std::uint64_t seed,
                           cosim_options options)
    : emu_((check_runnable(image), image), core_id, seed), rtl_(image, options.variant, options.rtl),
      options_(std::move(options)) {
  // What is compared besides the neurons: the learning axons' pre traces
  // and every plastic synapse of a learning row, with its axon and target.
  for (std::uint32_t a = 0; a < image.axons.size(); ++a) {
    const isa::axon_entry& entry = image.axons[a];
    if (!entry.learning) {
      continue;
    }
    learning_axons_.push_back(a);
    if (entry.modulator) {
      continue;
    }
    for (const isa::row_synapse& s : isa::decode_row(image, entry)) {
      if (s.plastic) {
        plastic_.push_back({a, s.address, s.word.target});
      }
    }
  }
  epoch_ = image.rules.empty() ? 0 : image.rules.back().epoch;
}

const std::vector<mismatch>& cosimulation::step(std::span<const packet> packets) {
  if (step_ == 0 && !packets.empty()) {
    throw std::logic_error("cosimulation: packets delivered at step 0 (nothing was emitted before it)");
  }
  const std::uint64_t s = step_;
  const std::uint64_t before = rtl_.core().cycles();
  const auto t0 = std::chrono::steady_clock::now();
  emu_.step(s, packets);
  const auto t1 = std::chrono::steady_clock::now();
  rtl_.step(s, packets);
  const auto t2 = std::chrono::steady_clock::now();
  emu_seconds_ += std::chrono::duration<double>(t1 - t0).count();
  rtl_seconds_ += std::chrono::duration<double>(t2 - t1).count();
  last_cycles_ = rtl_.core().cycles() - before;
  ++step_;

  mismatches_.clear();
  auto compare = [&](std::uint32_t n, const char* field, std::int64_t e, std::int64_t r) {
    if (e != r) {
      mismatches_.push_back({s, n, field, e, r});
    }
  };
  const std::vector<std::uint32_t> spikes_e = emu_.spiked();
  const std::vector<std::uint32_t>& spikes_r = rtl_.core().spiked();
  std::size_t ie = 0;
  std::size_t ir = 0;
  const std::uint32_t count = emu_.neuron_count();
  for (std::uint32_t n = 0; n < count; ++n) {
    const isa::neuron_state e = emu_.neuron(n);
    const isa::neuron_state r = rtl_.neuron(n);
    compare(n, "u_exc", e.u_exc, r.u_exc);
    compare(n, "u_inh", e.u_inh, r.u_inh);
    compare(n, "v", e.v, r.v);
    compare(n, "refractory", e.refractory, r.refractory);
    if (options_.compare_traces) {
      compare(n, "y1", e.y1, r.y1);
      compare(n, "y2", e.y2, r.y2);
      compare(n, "y3", e.y3, r.y3);
    }
    const bool se = ie < spikes_e.size() && spikes_e[ie] == n;
    const bool sr = ir < spikes_r.size() && spikes_r[ir] == n;
    ie += se ? 1 : 0;
    ir += sr ? 1 : 0;
    compare(n, "spike", se ? 1 : 0, sr ? 1 : 0);
  }
  // Spikes the RTL listed out of order or outside the neurons.
  for (; ir < spikes_r.size(); ++ir) {
    mismatches_.push_back({s, spikes_r[ir], "spike", 0, 1});
  }

  // Pre traces (learning axons only, numerics §7) and modulator traces.
  auto compare_in = [&](mismatch m, std::int64_t e, std::int64_t r) {
    if (e != r) {
      m.step = s;
      m.emulator = e;
      m.rtl = r;
      mismatches_.push_back(std::move(m));
    }
  };
  for (const std::uint32_t a : learning_axons_) {
    const isa::pre_trace_state e = emu_.pre_trace(a);
    const isa::pre_trace_state r = rtl_.pre_trace(a);
    compare_in({.field = "x1", .what = element::axon, .axon = a}, e.x1, r.x1);
    compare_in({.field = "x2", .what = element::axon, .axon = a}, e.x2, r.x2);
  }
  for (std::uint32_t c = 0; c < isa::modulator_channels; ++c) {
    compare_in({.field = "r1", .what = element::channel, .channel = c}, emu_.modulator_trace(c),
               rtl_.modulator_trace(c));
  }

  // Plastic synapses: they change only at the end of an epoch (numerics §8).
  const bool epoch_end = epoch_ != 0 && (s + 1) % epoch_ == 0;
  epochs_ += epoch_end ? 1 : 0;
  if (epoch_end || options_.compare_plastic_every_step) {
    for (const plastic_ref& p : plastic_) {
      const emulator::plastic_state e = emu_.plastic_at(p.address);
      const emulator::plastic_state r = rtl_.plastic_at(p.address);
      auto field = [&](const char* name) {
        mismatch m;
        m.neuron = p.target;
        m.field = name;
        m.what = element::synapse;
        m.axon = p.axon;
        m.word = p.address;
        return m;
      };
      compare_in(field("weight"), e.weight, r.weight);
      compare_in(field("weight_frac"), e.weight_frac, r.weight_frac);
      compare_in(field("tag"), e.tag, r.tag);
    }
  }
  return mismatches_;
}

std::vector<mismatch> cosimulation::compare_synapse_memory() {
  std::vector<mismatch> out;
  const std::vector<std::uint32_t> e = emu_.golden().synapse_memory();
  const std::vector<std::uint32_t> r = rtl_.core().read_synapse_memory();
  for (std::uint32_t i = 0; i < e.size() && i < r.size(); ++i) {
    if (e[i] != r[i]) {
      out.push_back({.step = step_ == 0 ? 0 : step_ - 1,
                     .field = "word",
                     .emulator = e[i],
                     .rtl = r[i],
                     .what = element::synapse,
                     .word = i});
    }
  }
  return out;
}

}  // namespace engram::rtl
