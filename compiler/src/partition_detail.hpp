#pragma once

// The exact per-core accounting the partitioners share (docs/mapping.md,
// "Resources per core"): a context computed once per network, a filler that
// adds the neurons of one population to a core one at a time, and the checks
// and errors against the chip's limits. Private to the compiler.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/partition.hpp>
#include <engram/isa/formats.hpp>

namespace engram::compiler::detail {

inline bool fits(const core_usage& u, const core_limits& limits, const resource_info** failed = nullptr) {
    for (const auto& r: core_resources) {
        if (u.*r.used > limits.*r.limit) {
            if (failed != nullptr) {
                *failed = &r;
            }
            return false;
        }
    }
    return true;
}

// The inputs of one post population on a core from one projection: its
// distinct pre neurons (one ordinary axon each) and, for a static
// projection, the IndexWords an indexed axon would need instead
// (numerics §5: one per IndexBlock pre neurons).
struct input_group {
    std::uint64_t distinct = 0;
    std::uint64_t index_words = 0;
    bool indexable = false;
};

// Which groups take one indexed axon instead of an axon per pre neuron
// (docs/mapping.md, "Indexed axons"): none while the ordinary axons fit
// the limit; otherwise the indexable groups with the most distinct pre
// neurons first (ties by projection order) until they do, or until none is
// left. A function of the final groups only, so the partitioners and the
// image agree whatever order neurons were added in. Returns the axons and
// synapse words the groups use; indexed[k] says which were indexed.
struct group_cost {
    std::uint64_t axons = 0;
    std::uint64_t index_words = 0;
};
inline group_cost choose_indexed(const std::vector<input_group>& groups, std::uint64_t base_axons,
                                 std::uint64_t axon_limit, std::vector<std::uint8_t>& indexed) {
    group_cost cost;
    indexed.assign(groups.size(), 0);
    for (const auto& g: groups) {
        cost.axons += g.distinct;
    }
    if (base_axons + cost.axons <= axon_limit) {
        return cost;
    }
    std::vector<std::size_t> order;
    for (std::size_t k = 0; k < groups.size(); ++k) {
        if (groups[k].indexable && groups[k].distinct > 1) {
            order.push_back(k);
        }
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return groups[a].distinct > groups[b].distinct; });
    for (std::size_t k: order) {
        if (base_axons + cost.axons <= axon_limit) {
            break;
        }
        indexed[k] = 1;
        cost.axons -= groups[k].distinct - 1;
        cost.index_words += groups[k].index_words;
    }
    return cost;
}

// Axons of the modulator channels named by the rules on a population's
// incoming projections: what the population's ordinary and indexed input
// axons share a core's axons with (the filler and the image both ask here).
inline std::uint64_t modulator_axons_of(const network& net, std::size_t population) {
    std::set<std::size_t> modulators;
    for (const auto& proj: net.projections) {
        if (proj.post == population && proj.rule) {
            if (const auto m = net.rules[*proj.rule].modulator) {
                modulators.insert(*m);
            }
        }
    }
    return modulators.size();
}

// IndexWords of an indexed axon whose pre population has `size` neurons.
inline std::uint64_t index_words_for(std::uint32_t size) {
    return (std::uint64_t{size} + isa::index_block - 1) / isa::index_block;
}

// Everything about the network the partitioner needs, computed once.
class partition_context {
public:
    explicit partition_context(const network& net): net_(net) {
        incoming_.resize(net.populations.size());
        for (std::size_t p = 0; p < net.projections.size(); ++p) {
            incoming_[net.projections[p].post].push_back(p);
            generators_.emplace_back(net, p);
        }
        emitting_ = emitting_neurons(net);
        for (const auto& rule: net.rules) {
            rule_terms_.push_back(lowered_term_count(rule));
            rule_traces_.push_back(traces_of(rule, net.dt));
        }
    }

    const network& net() const { return net_; }
    const std::vector<std::size_t>& incoming(std::size_t population) const { return incoming_[population]; }
    const synapse_generator& generator(std::size_t projection) const { return generators_[projection]; }
    bool emits(std::size_t population, std::uint32_t neuron) const { return emitting_[population][neuron]; }
    const std::vector<std::vector<bool>>& emitting() const { return emitting_; }

    // Usage that depends only on the population, not on how many of its
    // neurons a core holds: profiles, rules, microcode, modulator axons.
    core_usage population_overhead(std::size_t population, std::vector<rule_use>& rules) const {
        core_usage u;
        rules.clear();
        if (net_.populations[population].is_source()) {
            return u;
        }
        u.neuron_profiles = 1;
        for (std::size_t p: incoming_[population]) {
            if (const auto r = net_.projections[p].rule) {
                const rule_use use{*r, static_cast<std::uint32_t>(population), net_.projections[p].target};
                if (std::find(rules.begin(), rules.end(), use) == rules.end()) {
                    rules.push_back(use);
                }
            }
        }
        std::sort(rules.begin(), rules.end());
        add_rules(u, rules);
        return u;
    }

    // The learning engine of a core holding these rule uses: exactly what
    // compile lowers (one LearningRule per use, its terms, the trace
    // profiles of plan_core_traces).
    void add_rules(core_usage& u, const std::vector<rule_use>& rules) const {
        u.learning_rules = rules.size();
        u.microcode_words = 0;
        for (const auto& r: rules) {
            u.microcode_words += rule_terms_[r.rule];
        }
        u.trace_profiles = rules.empty() ? 0 : plan_core_traces(net_, rules, rule_traces_).profiles();
        // One modulator axon per modulator named by the core's rules: the
        // sum of the pieces' is replaced by the count of the union.
        std::set<std::size_t> modulators;
        for (const auto& r: rules) {
            if (const auto m = net_.rules[r.rule].modulator) {
                modulators.insert(*m);
            }
        }
        u.input_axons = u.input_axons - u.modulator_axons + modulators.size();
        u.modulator_axons = modulators.size();
    }

private:
    const network& net_;
    std::vector<std::vector<std::size_t>> incoming_;
    std::vector<synapse_generator> generators_;
    std::vector<std::vector<bool>> emitting_;
    std::vector<std::uint32_t> rule_terms_;
    std::vector<rule_traces> rule_traces_;
};

// Adds post neurons to a core one at a time, counting exactly what they add.
// The projections onto the population are its input groups; when their
// ordinary axons overflow the core's input axons, choose_indexed turns the
// largest static ones into indexed axons.
class core_filler {
public:
    core_filler(const partition_context& ctx, std::size_t population, std::uint64_t axon_limit)
        : ctx_(ctx), population_(population), axon_limit_(axon_limit) {
        base_ = ctx.population_overhead(population, rules_);
        modulator_axons_ = modulator_axons_of(ctx.net(), population);
        for (std::size_t p: ctx.incoming(population)) {
            const auto& proj = ctx.net().projections[p];
            seen_.emplace_back(ctx.net().populations[proj.pre].size, false);
            input_group g;
            g.indexable = !proj.rule.has_value();
            g.index_words = index_words_for(ctx.net().populations[proj.pre].size);
            groups_.push_back(g);
        }
        trial_ = groups_;
        indexed_.assign(groups_.size(), 0);
        usage_ = base_;
    }

    const core_usage& usage() const { return usage_; }
    const std::vector<rule_use>& rules() const { return rules_; }
    // Per incoming projection (ctx.incoming order) of the committed neurons:
    // 1 if it takes an indexed axon.
    const std::vector<std::uint8_t>& indexed() const { return indexed_; }

    // The usage with neuron j added, without adding it.
    core_usage with(std::uint32_t j) {
        rollback();
        core_usage u = usage_;
        u.neurons += 1;
        u.output_axons += ctx_.emits(population_, j) ? 1 : 0;
        u.input_axons -= committed_cost_.axons;
        u.synapse_words -= committed_cost_.index_words;
        const auto& incoming = ctx_.incoming(population_);
        for (std::size_t k = 0; k < incoming.size(); ++k) {
            const std::size_t p = incoming[k];
            const bool plastic = ctx_.net().projections[p].rule.has_value();
            buffer_.clear();
            ctx_.generator(p).generate_pres(j, j + 1, buffer_);
            u.synapse_words += buffer_.size() * (plastic ? 2 : 1);
            trial_[k].distinct = groups_[k].distinct;
            for (const std::uint32_t pre: buffer_) {
                if (!seen_[k][pre]) {
                    seen_[k][pre] = true; // taken back by rollback() unless committed
                    pending_.emplace_back(k, pre);
                    trial_[k].distinct += 1;
                }
            }
        }
        trial_cost_ = choose_indexed(trial_, modulator_axons_, axon_limit_, trial_indexed_);
        u.input_axons += trial_cost_.axons;
        u.synapse_words += trial_cost_.index_words;
        return u;
    }

    // Adds the neuron last passed to with(), whose usage is u.
    void commit(const core_usage& u) {
        usage_ = u;
        pending_.clear();
        groups_ = trial_;
        committed_cost_ = trial_cost_;
        indexed_ = trial_indexed_;
    }

    void reset() {
        pending_.clear();
        usage_ = base_;
        for (auto& s: seen_) {
            std::fill(s.begin(), s.end(), false);
        }
        for (auto& g: groups_) {
            g.distinct = 0;
        }
        trial_ = groups_;
        committed_cost_ = {};
        indexed_.assign(groups_.size(), 0);
    }

private:
    // Unmarks the pre neurons of a with() that was not committed.
    void rollback() {
        for (const auto& [k, pre]: pending_) {
            seen_[k][pre] = false;
        }
        pending_.clear();
    }

    const partition_context& ctx_;
    std::size_t population_;
    std::uint64_t axon_limit_;
    std::uint64_t modulator_axons_ = 0;
    core_usage base_;
    core_usage usage_;
    std::vector<rule_use> rules_;
    std::vector<std::vector<bool>> seen_; // per incoming projection: pre neurons already with an axon
    std::vector<std::pair<std::size_t, std::uint32_t>> pending_;
    std::vector<std::uint32_t> buffer_;
    std::vector<input_group> groups_;     // committed neurons' groups
    std::vector<input_group> trial_;      // with the neuron of the last with()
    group_cost committed_cost_;
    group_cost trial_cost_;
    std::vector<std::uint8_t> indexed_;
    std::vector<std::uint8_t> trial_indexed_;
};

[[noreturn]] inline void one_neuron_does_not_fit(const network& net, const chip_spec& chip, const population& pop,
                                          const core_usage& alone, const resource_info& r) {
    const std::uint64_t needed = alone.*r.used;
    const std::uint32_t available = chip.core.*r.limit;
    std::string hint;
    if (r.name == "synapse_words" || r.name == "input_axons") {
        hint = "; use a chip with more per core, or fewer synapses onto each neuron";
    }
    else if (r.name == "learning_rules" || r.name == "microcode_words" || r.name == "trace_profiles") {
        hint = "; use fewer or shorter learning rules on this population, or a chip with a larger learning engine";
    }
    throw chip_limit_error(net.source, pop.path, std::string(r.name), static_cast<double>(needed), available,
                           "population \"" + pop.name + "\": one neuron needs " + with_commas(needed) + " " +
                               std::string(r.name) + ", a core of chip \"" + chip.name + "\" has " +
                               with_commas(available) + hint);
}

// Adds the usage of neurons of another population to a core: everything but
// the learning engine adds up (profiles and input axons are per population
// on a core); the rules are merged with merge_rules and counted by add_rules,
// which also replaces the summed modulator axons by those of the union.
inline void add_population_usage(core_usage& sum, const core_usage& piece) {
    sum.neurons += piece.neurons;
    sum.neuron_profiles += piece.neuron_profiles;
    sum.input_axons += piece.input_axons;
    sum.modulator_axons += piece.modulator_axons;
    sum.synapse_words += piece.synapse_words;
    sum.output_axons += piece.output_axons;
}

// rules := sorted union of rules and more.
inline void merge_rules(std::vector<rule_use>& rules, const std::vector<rule_use>& more) {
    for (const rule_use& r: more) {
        if (std::find(rules.begin(), rules.end(), r) == rules.end()) {
            rules.push_back(r);
        }
    }
    std::sort(rules.begin(), rules.end());
}

// Exact usage of a core holding slices (measure_core with the context at hand).
inline core_usage measure_slices(const partition_context& ctx, const std::vector<slice>& slices,
                                 std::uint64_t axon_limit) {
    // The neurons of one population on a core share its profile and its
    // input axons, however many slices hold them.
    std::vector<std::uint32_t> populations;
    for (const auto& s: slices) {
        if (std::find(populations.begin(), populations.end(), s.population) == populations.end()) {
            populations.push_back(s.population);
        }
    }
    core_usage total;
    std::vector<rule_use> all_rules;
    for (std::uint32_t p: populations) {
        core_filler filler(ctx, p, axon_limit);
        for (const auto& s: slices) {
            if (s.population != p) {
                continue;
            }
            for (std::uint32_t j = s.first; j < s.first + s.count; ++j) {
                filler.commit(filler.with(j));
            }
        }
        add_population_usage(total, filler.usage());
        merge_rules(all_rules, filler.rules());
    }
    ctx.add_rules(total, all_rules);
    return total;
}

inline void check_core_count(const network& net, const chip_spec& chip, std::size_t cores) {
    if (cores > chip.core_count()) {
        throw chip_limit_error(net.source, "/populations", "cores", static_cast<double>(cores),
                               static_cast<double>(chip.core_count()),
                               "the network needs " + with_commas(cores) + " cores, chip \"" + chip.name +
                                   "\" has " + with_commas(chip.core_count()) +
                                   "; use a larger preset or more chips (\"chips\" in the chip file)");
    }
}

} // namespace engram::compiler::detail
