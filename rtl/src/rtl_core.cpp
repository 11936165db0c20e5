// The verilated neuron core behind rtl_core: one template over the four
// verilated builds (reference and mutants), which have the same ports.
// The clock is driven here; every tick is one core cycle.
#include <engram/rtl/rtl_core.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vcore_mutant_decay_floor.h"
#include "Vcore_mutant_learn_round.h"
#include "Vcore_mutant_threshold_gt.h"
#include "Vcore_reference.h"

namespace engram::rtl {

namespace {

// Load-port targets (engram_core_pkg::cfg_target_e).
enum cfg_target : std::uint8_t {
  cfg_neuron_count = 0,
  cfg_profile = 1,
  cfg_neuron = 2,
  cfg_neuron_map = 3,
  cfg_axon = 4,
  cfg_synapse = 5,
  cfg_post_trace = 6,
  cfg_pre_trace = 7,
  cfg_mod_trace = 8,
  cfg_rule = 9,
  cfg_microcode = 10,
  cfg_learning = 11,
  cfg_lif_list = 12,
};
constexpr unsigned lif_count_lsb = 16;  // CfgNeuronCount's word: LIF neurons << 16
constexpr std::uint32_t lif_bit = 1u << 16;
// CfgLearning's word (engram_core_pkg): axons, epoch << 16, modulators << 24.
constexpr unsigned learn_epoch_lsb = 16;
constexpr unsigned learn_mod_bit = 24;

// The core's phases (engram_core_pkg::core_phase_e).
enum phase : std::uint8_t {
  phase_idle = 0,
  phase_clear = 1,
  phase_deliver = 2,
  phase_update = 3,
  phase_mod_trace = 4,
  phase_pre_trace = 5,
  phase_learn = 6,
};

constexpr std::uint32_t rtl_rules = 16;                    // 1 << AxonEntryRuleWidth
constexpr std::uint32_t rtl_pre_trace_configs = 2 * 8;     // {profile, x1/x2}
constexpr std::uint32_t rtl_microcode = 256;               // MicrocodeDepth

using words128 = std::array<std::uint32_t, 4>;

template <std::size_t N>
words128 to_words(const std::array<std::uint64_t, N>& packed) {
  words128 w{};
  for (std::size_t i = 0; i < N && i < 2; ++i) {
    w[2 * i] = static_cast<std::uint32_t>(packed[i]);
    w[2 * i + 1] = static_cast<std::uint32_t>(packed[i] >> 32);
  }
  return w;
}

template <class Model>
class verilated_core final : public rtl_core {
 public:
  explicit verilated_core(const rtl_options& options) : context_(std::make_unique<VerilatedContext>()) {
    context_->debug(0);
    context_->randReset(0);
    if (!options.trace.empty()) {
      context_->traceEverOn(true);
    }
    model_ = std::make_unique<Model>(context_.get(), "core");
    if (!options.trace.empty()) {
      trace_ = std::make_unique<VerilatedFstC>();
      model_->trace(trace_.get(), 99);
      trace_->open(options.trace.string().c_str());
    }
    model_->clk_i = 0;
    model_->rst_ni = 1;
    model_->cfg_valid_i = 0;
    model_->clear_i = 0;
    model_->start_i = 0;
    model_->in_valid_i = 0;
    model_->in_payload_i = 0;
    model_->dbg_syn_addr_i = 0;
    model_->eval();
  }

  ~verilated_core() override { finish(); }

  void load(const isa::core_image& image) override {
    check_fits(image);
    reset();
    const std::uint64_t start = cycles_;
    const std::uint32_t n = static_cast<std::uint32_t>(image.neuron_count());
    // The update engine visits the LIF neurons only (a list, ascending).
    std::uint32_t lif_count = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (image.kinds[i] == isa::neuron_kind::lif) {
        write(cfg_lif_list, lif_count++, {i, 0, 0, 0});
      }
    }
    write(cfg_neuron_count, 0, {n | (lif_count << lif_count_lsb), 0, 0, 0});
    for (std::uint32_t p = 0; p < image.profiles.size(); ++p) {
      write(cfg_profile, p, to_words(isa::pack(image.profiles[p])));
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      write(cfg_neuron, i, to_words(isa::pack(image.initial_state[i])));
      const bool lif = image.kinds[i] == isa::neuron_kind::lif;
      write(cfg_neuron_map, i, {image.profile[i] | (lif ? lif_bit : 0u), 0, 0, 0});
    }
    for (std::uint32_t a = 0; a < image.axons.size(); ++a) {
      write(cfg_axon, a, to_words(isa::pack(image.axons[a])));
    }
    for (std::uint32_t w = 0; w < image.synapse_memory.size(); ++w) {
      write(cfg_synapse, w, {image.synapse_memory[w], 0, 0, 0});
    }
    // Post-trace profiles: a core without trace tables keeps its traces
    // (decay 0, impulse 0), as the emulator does.
    for (std::uint32_t p = 0; p < isa::max_trace_profiles; ++p) {
      for (std::uint32_t k = 0; k < 3; ++k) {
        const std::size_t at = std::size_t{p} * 3 + k;
        const isa::trace_config c =
            at < image.post_trace_profiles.size() ? image.post_trace_profiles[at] : isa::trace_config{};
        write(cfg_post_trace, 4 * p + k, to_words(isa::pack(c)));
      }
    }
    // Learning tables (a table shorter than the core's is padded with zeros,
    // as the emulator reads a missing trace profile as {0, 0}).
    for (std::uint32_t i = 0; i < rtl_pre_trace_configs; ++i) {
      const isa::trace_config c =
          i < image.pre_trace_profiles.size() ? image.pre_trace_profiles[i] : isa::trace_config{};
      write(cfg_pre_trace, i, to_words(isa::pack(c)));
    }
    for (std::uint32_t c = 0; c < isa::modulator_channels; ++c) {
      const isa::trace_config t = c < image.modulator_traces.size() ? image.modulator_traces[c] : isa::trace_config{};
      write(cfg_mod_trace, c, to_words(isa::pack(t)));
    }
    for (std::uint32_t r = 0; r < rtl_rules; ++r) {
      write(cfg_rule, r, to_words(isa::pack(r < image.rules.size() ? image.rules[r] : isa::learning_rule{})));
    }
    for (std::uint32_t j = 0; j < rtl_microcode; ++j) {
      write(cfg_microcode, j,
            to_words(isa::pack(j < image.microcode.size() ? image.microcode[j] : isa::learning_term{})));
    }
    // The pre-trace and learning engines visit the axons up to the last
    // learning one; the epoch is the rules' (the emulator takes the last
    // rule's; numerics §12 makes them equal).
    std::uint32_t learn_axons = 0;
    bool modulators = !image.modulator_traces.empty();
    for (std::uint32_t a = 0; a < image.axons.size(); ++a) {
      learn_axons = image.axons[a].learning ? a + 1 : learn_axons;
      modulators = modulators || image.axons[a].modulator;
    }
    const std::uint32_t epoch = image.rules.empty() ? 0 : image.rules.back().epoch;
    write(cfg_learning, 0,
          {learn_axons | (epoch << learn_epoch_lsb) | ((modulators ? 1u : 0u) << learn_mod_bit), 0, 0, 0});
    model_->clear_i = 1;
    tick();
    model_->clear_i = 0;
    wait_idle(std::uint64_t{ENGRAM_RTL_SLOTS} * 2 * n + 4);
    states_ = image.initial_state;
    pre_traces_.assign(image.axons.size(), {});
    memory_ = image.synapse_memory;
    spiked_.clear();
    // The longest a step can take: every neuron, two passes over the axons,
    // and every synapse word as a plastic synapse with 16 terms.
    step_limit_ = n + 2 * std::uint64_t{learn_axons} + 21 * memory_.size() + 16;
    load_cycles_ = cycles_ - start;
    cycles_ = 0;
    steps_ = 0;
    by_phase_ = {};
  }

  void deliver(std::uint32_t axon, std::uint64_t emitted, std::uint32_t payload) override {
    const std::uint64_t before = cycles_;
    model_->in_valid_i = 1;
    model_->in_axon_i = static_cast<std::uint16_t>(axon);
    model_->in_time_i = static_cast<std::uint16_t>(emitted & 0xfff);
    model_->in_payload_i = static_cast<std::uint8_t>(payload);
    tick();
    model_->in_valid_i = 0;
    wait_idle(std::uint64_t{1} << 21);
    by_phase_.ingress += cycles_ - before;
  }

  void update(std::uint64_t step) override {
    // The core counts its steps from the clear; the caller's must agree.
    if (step != steps_) {
      throw std::logic_error("rtl core: update of step " + std::to_string(step) + ", expected " +
                             std::to_string(steps_));
    }
    ++steps_;
    spiked_.clear();
    model_->start_i = 1;
    ++by_phase_.update;  // the start cycle: it updates the first LIF neuron
    tick();
    model_->start_i = 0;
    for (std::uint64_t k = 0;; ++k) {
      if (model_->obs_valid_o) {
        const std::uint32_t n = model_->obs_neuron_o;
        const auto& w = model_->obs_state_o;
        const isa::neuron_state::packed_type packed{
            std::uint64_t{w[0]} | (std::uint64_t{w[1]} << 32), std::uint64_t{w[2]} | (std::uint64_t{w[3]} << 32)};
        if (n < states_.size()) {
          states_[n] = isa::unpack_neuron_state(packed);
        }
      }
      if (model_->spike_valid_o) {
        spiked_.push_back(model_->spike_neuron_o);
      }
      if (model_->pre_obs_valid_o) {
        const std::uint32_t a = model_->pre_obs_axon_o;
        if (a < pre_traces_.size()) {
          pre_traces_[a] = isa::unpack_pre_trace_state({std::uint64_t{model_->pre_obs_o}});
        }
      }
      if (model_->syn_obs_valid_o) {
        const std::uint32_t at = model_->syn_obs_addr_o;
        if (std::size_t{at} + 1 < memory_.size()) {
          memory_[at] = model_->syn_obs_word_o;
          memory_[at + 1] = model_->syn_obs_plastic_o;
        }
      }
      if (model_->done_o) {
        break;
      }
      if (k > step_limit_) {
        throw std::logic_error("rtl core: step " + std::to_string(step) + " did not finish in " +
                               std::to_string(step_limit_) + " cycles");
      }
      switch (model_->phase_o) {
        case phase_learn: ++by_phase_.learn; break;
        case phase_pre_trace: ++by_phase_.pre_trace; break;
        case phase_mod_trace: ++by_phase_.mod_trace; break;
        default: ++by_phase_.update; break;
      }
      tick();
    }
  }

  const std::vector<std::uint32_t>& spiked() const override { return spiked_; }
  const std::vector<isa::neuron_state>& states() const override { return states_; }
  const std::vector<isa::pre_trace_state>& pre_traces() const override { return pre_traces_; }
  std::array<std::uint32_t, isa::modulator_channels> modulator_traces() const override {
    std::array<std::uint32_t, isa::modulator_channels> r1{};
    const auto& w = model_->mod_r1_o;  // 8 x 16 bits, channel 0 in the low half of word 0
    for (std::size_t c = 0; c < r1.size(); ++c) {
      r1[c] = (w[c / 2] >> (16 * (c % 2))) & 0xffffu;
    }
    return r1;
  }
  const std::vector<std::uint32_t>& synapse_memory() const override { return memory_; }
  std::vector<std::uint32_t> read_synapse_memory() override {
    std::vector<std::uint32_t> out(memory_.size());
    for (std::uint32_t i = 0; i < out.size(); ++i) {
      model_->dbg_syn_addr_i = i;
      model_->eval();
      out[i] = model_->dbg_syn_rdata_o;
    }
    return out;
  }
  std::uint64_t cycles() const override { return cycles_; }
  const cycle_counts& cycles_by_phase() const override { return by_phase_; }
  std::uint64_t load_cycles() const override { return load_cycles_; }

  void finish() override {
    if (finished_) {
      return;
    }
    finished_ = true;
    model_->final();
    if (trace_) {
      trace_->close();
    }
  }

 private:
  void tick() {
    model_->clk_i = 0;
    model_->eval();
    if (trace_) {
      trace_->dump(time_);
    }
    ++time_;
    model_->clk_i = 1;
    model_->eval();
    if (trace_) {
      trace_->dump(time_);
    }
    ++time_;
    ++cycles_;
  }

  void reset() {
    model_->rst_ni = 0;
    model_->eval();
    tick();
    model_->rst_ni = 1;
    model_->eval();
  }

  void write(std::uint8_t target, std::uint32_t addr, const words128& data) {
    model_->cfg_valid_i = 1;
    model_->cfg_target_i = target;
    model_->cfg_addr_i = addr;
    for (std::size_t i = 0; i < 4; ++i) {
      model_->cfg_wdata_i[i] = data[i];
    }
    tick();
    model_->cfg_valid_i = 0;
  }

  void wait_idle(std::uint64_t limit) {
    for (std::uint64_t k = 0; model_->busy_o; ++k) {
      if (k > limit) {
        throw std::logic_error("rtl core: still busy after " + std::to_string(limit) + " cycles");
      }
      tick();
    }
  }

  static void check_fits(const isa::core_image& image) {
    const core_limits l = limits();
    auto check = [](const char* what, std::uint64_t value, std::uint64_t limit) {
      if (value > limit) {
        throw unsupported_core(what, value, limit);
      }
    };
    check("neurons", image.neuron_count(), l.neurons);
    check("neuron_profiles", image.profiles.size(), l.profiles);
    check("input_axons", image.axons.size(), l.axons);
    check("synapse_words", image.synapse_memory.size(), l.synapse_words);
    check("post_trace_profiles", image.post_trace_profiles.size() / 3, l.trace_profiles);
    check("pre_trace_profiles", image.pre_trace_profiles.size() / 2, l.trace_profiles);
    check("modulator_traces", image.modulator_traces.size(), isa::modulator_channels);
    check("learning_rules", image.rules.size(), rtl_rules);
    check("microcode", image.microcode.size(), rtl_microcode);
  }

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<VerilatedFstC> trace_;
  std::uint64_t time_ = 0;
  std::uint64_t cycles_ = 0;
  std::uint64_t load_cycles_ = 0;
  bool finished_ = false;
  std::uint64_t step_limit_ = 0;
  std::uint64_t steps_ = 0;  // steps run since load()
  cycle_counts by_phase_;
  std::vector<isa::neuron_state> states_;
  std::vector<isa::pre_trace_state> pre_traces_;
  std::vector<std::uint32_t> memory_;
  std::vector<std::uint32_t> spiked_;
};

}  // namespace

std::string_view to_string(core_variant variant) noexcept {
  switch (variant) {
    case core_variant::reference: return "reference";
    case core_variant::mutant_decay_floor: return "mutant_decay_floor";
    case core_variant::mutant_threshold_gt: return "mutant_threshold_gt";
    case core_variant::mutant_learn_round: return "mutant_learn_round";
  }
  return "";
}

core_limits limits() noexcept {
  return {.neurons = ENGRAM_RTL_NEURONS,
          .profiles = ENGRAM_RTL_PROFILES,
          .axons = ENGRAM_RTL_AXONS,
          .synapse_words = ENGRAM_RTL_SYNAPSE_WORDS,
          .slots = ENGRAM_RTL_SLOTS,
          .trace_profiles = isa::max_trace_profiles};
}

unsupported_core::unsupported_core(std::string part_in, std::uint64_t value_in, std::uint64_t limit_in)
    : user_error("the RTL core cannot run this core: " + part_in + " " + std::to_string(value_in) + " exceed its " +
                 std::to_string(limit_in)),
      part(std::move(part_in)),
      value(value_in),
      limit(limit_in) {}

std::unique_ptr<rtl_core> make_rtl_core(core_variant variant, const rtl_options& options) {
  switch (variant) {
    case core_variant::reference: return std::make_unique<verilated_core<Vcore_reference>>(options);
    case core_variant::mutant_decay_floor:
      return std::make_unique<verilated_core<Vcore_mutant_decay_floor>>(options);
    case core_variant::mutant_threshold_gt:
      return std::make_unique<verilated_core<Vcore_mutant_threshold_gt>>(options);
    case core_variant::mutant_learn_round:
      return std::make_unique<verilated_core<Vcore_mutant_learn_round>>(options);
  }
  throw std::logic_error("make_rtl_core: unknown variant");
}

}  // namespace engram::rtl
