// Lock-step co-simulation: both models take the same packets, then every
// neuron's registers and the spike lists are compared (docs/rtl.md).
#include <engram/rtl/cosim.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

namespace engram::rtl {

// --- The emulator side ---------------------------------------------------------------

emulator_model::emulator_model(const isa::core_image& image, std::uint32_t core_id, std::uint64_t seed)
    : core_(image, core_id, seed) {}

void emulator_model::step(std::uint64_t s, std::span<const packet> packets) {
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

rtl_model::rtl_model(const isa::core_image& image, core_variant variant, const rtl_options& options)
    : image_(&image),
      neurons_(static_cast<std::uint32_t>(image.neuron_count())),
      core_(make_rtl_core(variant, options)) {
  core_->load(image);
}

void rtl_model::step(std::uint64_t s, std::span<const packet> packets) {
  // The input map (numerics §5): every entry holding the key, in map order.
  // Entries are sorted by (src_core, neuron_base): only the source's are read.
  const std::vector<isa::input_map_entry>& map = image_->input_map;
  for (const packet& p : packets) {
    auto m = std::lower_bound(map.begin(), map.end(), p.src_core,
                              [](const isa::input_map_entry& e, std::uint32_t c) { return e.src_core < c; });
    for (; m != map.end() && m->src_core == p.src_core && m->neuron_base <= p.neuron; ++m) {
      if (p.neuron < m->neuron_base + m->count) {
        core_->deliver(m->axon_base + (p.neuron - m->neuron_base), s - 1);
      }
    }
  }
  core_->update(s);
}

// --- Comparison ---------------------------------------------------------------------------

std::string to_string(const mismatch& m) {
  return "step " + std::to_string(m.step) + " neuron " + std::to_string(m.neuron) + " " + m.field +
         ": emulator " + std::to_string(m.emulator) + ", rtl " + std::to_string(m.rtl);
}

namespace {

void check_runnable(const isa::core_image& image) {
  std::uint64_t plastic = 0;
  std::uint32_t max_delay = 0;
  for (const isa::axon_entry& a : image.axons) {
    if (a.modulator) {
      continue;
    }
    for (const isa::row_synapse& s : isa::decode_row(image, a)) {
      plastic += s.plastic ? 1 : 0;
      max_delay = std::max<std::uint32_t>(max_delay, s.word.delay);
    }
  }
  if (plastic != 0) {
    throw unsupported_core("plastic_synapses", plastic, 0);
  }
  if (max_delay > limits().slots) {
    throw unsupported_core("delay", max_delay, limits().slots);
  }
}

}  // namespace

cosimulation::cosimulation(const isa::core_image& image, std::uint32_t core_id, std::uint64_t seed,
                           cosim_options options)
    : emu_((check_runnable(image), image), core_id, seed), rtl_(image, options.variant, options.rtl),
      options_(std::move(options)) {}

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
  return mismatches_;
}

}  // namespace engram::rtl
