#pragma once

// The lowering of named plasticity rules (pair STDP, triplet STDP,
// three-factor, sum of products, G-DHL) to the learning engine's microcode
// (docs/numerics.md §8 and §11, docs/learning.md): per rule, its terms
// (LearningTerm words), its LearningRule record (epoch, weight bounds, tag
// decay, modulator channel) and the trace configurations it reads; per core,
// the pre- and post-trace profiles of the rules it holds.
//
// A rule's coefficients are in physical units (nA per spike pair); the
// extended-weight LSB they become depends on the projection's weight
// exponent and the post population's voltage scale, and the sign on the
// receptor. A rule is therefore lowered once per use: (rule, post
// population, receptor). The partitioner counts uses, so its budget is the
// lowering's exact count.

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <engram/compiler/network.hpp>
#include <engram/compiler/quantize.hpp>
#include <engram/isa/formats.hpp>

namespace engram::compiler {

// A rule as used by the plastic projections onto one population with one
// receptor: the unit of lowering (one LearningRule on each core it reaches).
struct rule_use {
    std::size_t rule = 0;
    std::uint32_t population = 0; // the post population
    receptor target = receptor::excitatory;
    friend auto operator<=>(const rule_use&, const rule_use&) = default;
};

// The learning epoch in steps: round_half_away(epoch_ms/dt), 0 (the
// default) giving 1, clamped to 1..63 (the loader admits only whole steps
// in that range).
std::uint32_t epoch_steps(const plasticity_rule& rule, double dt_ms);

// The trace configurations a rule reads (nullopt: the trace is not read):
// decay from its τ (§11), impulse 4096 (the trace unit 1.0); the modulator
// trace's impulse is round_half_away(4096/255), so that a payload of 255
// (an event of amplitude 1) adds one trace unit.
struct rule_traces {
    std::array<std::optional<isa::trace_config>, 2> pre;  // x1, x2
    std::array<std::optional<isa::trace_config>, 3> post; // y1, y2, y3
    std::optional<isa::trace_config> modulator;           // r1
};
rule_traces traces_of(const plasticity_rule& rule, double dt_ms);

// The modulator channel of a Modulator population: its rank among the
// network's Modulator populations (at most ModulatorChannels of them).
std::uint32_t modulator_channel(const network& net, std::size_t population);

// How a rule's physical amplitudes meet one projection's weights.
struct rule_scale {
    double dt_ms = 1.0;
    double weight_lsb_nA = 1.0;          // nA of one weight-mantissa LSB (the projection's)
    receptor target = receptor::excitatory;
    std::int32_t w_min_mantissa = 0;     // the rule's bounds as mantissas (magnitudes, >= 0)
    std::int32_t w_max_mantissa = 127;
};

// The scale of a use, from the quantized network.
rule_scale scale_of(const network& net, const quantization& q, const rule_use& use);

struct lowered_rule {
    isa::learning_rule rule;                 // first_term 0 (the core's layout sets it)
    std::vector<isa::learning_term> terms;   // `last` set on the final one
    rule_traces traces;
    std::optional<std::uint32_t> channel;    // the modulator channel, if the rule names a modulator
    // Every coefficient and trace time constant: requested and realised.
    std::vector<parameter_entry> parameters;
};

// Lowers a rule for one use. Throws unsupported_rule_error naming the rule,
// the parameter's JSON path and the term when a coefficient's scale falls
// outside the engine's −32..31.
lowered_rule lower_rule(const network& net, std::size_t rule, const rule_scale& scale);

// The number of terms lower_rule produces for the rule (whatever the
// scale): pair STDP 2 (multiplicative 3, or 4 with w_min > 0), triplet 4,
// three-factor 3, a sum of products its terms, G-DHL one per non-zero
// coefficient.
std::uint32_t lowered_term_count(const plasticity_rule& rule);

// The trace profiles of a core holding `uses` (sorted): one pre-trace
// profile per distinct (x1, x2) configuration, and post-trace profiles: one
// for all populations when their rules agree on each of y1, y2, y3, else one
// per population. Throws conflict_error when two rules onto one population
// need different configurations of the same post trace.
struct core_trace_plan {
    std::vector<isa::trace_config> pre;        // 2 per profile
    std::vector<isa::trace_config> post;       // 3 per profile
    std::vector<std::uint32_t> pre_profile;    // per use
    std::map<std::uint32_t, std::uint32_t> post_profile; // per post population with rules
    std::size_t profiles() const { return std::max(pre.size() / 2, post.size() / 3); }
};
core_trace_plan plan_core_traces(const network& net, const std::vector<rule_use>& uses);
// The same with traces_of(rule, net.dt) computed beforehand, per rule.
core_trace_plan plan_core_traces(const network& net, const std::vector<rule_use>& uses,
                                 const std::vector<rule_traces>& traces);

} // namespace engram::compiler
