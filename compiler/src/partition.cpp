#include <algorithm>
#include <numeric>
#include <set>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/partition.hpp>

namespace engram::compiler {

const std::vector<resource_info> core_resources{
    {"neurons", &core_usage::neurons, &core_limits::neurons},
    {"neuron_profiles", &core_usage::neuron_profiles, &core_limits::neuron_profiles},
    {"input_axons", &core_usage::input_axons, &core_limits::input_axons},
    {"synapse_words", &core_usage::synapse_words, &core_limits::synapse_words},
    {"output_axons", &core_usage::output_axons, &core_limits::output_axons},
    {"learning_rules", &core_usage::learning_rules, &core_limits::learning_rules},
    {"microcode_words", &core_usage::microcode_words, &core_limits::microcode_words},
    {"trace_profiles", &core_usage::trace_profiles, &core_limits::trace_profiles},
};

std::uint32_t rule_term_count(const plasticity_rule& rule) {
    switch (rule.kind) {
    case rule_kind::pair_stdp: return 2;    // potentiation at post spikes, depression at pre spikes
    case rule_kind::triplet_stdp: return 4; // pair and triplet terms, each sign
    case rule_kind::three_factor: return 3; // two STDP terms into the tag, one modulator x tag into the weight
    case rule_kind::sum_of_products: {
        const auto& p = std::get<sum_of_products_params>(rule.params);
        return static_cast<std::uint32_t>(p.dw.terms.size() + p.dt.terms.size());
    }
    case rule_kind::gdhl: {
        const auto& g = std::get<gdhl_params>(rule.params);
        std::uint32_t n = 0;
        for (double c: {g.eta_sp, g.eta_sn, g.eta_ps, g.eta_ns, g.sigma_pp, g.sigma_pn, g.sigma_np, g.sigma_nn}) {
            n += c != 0.0 ? 1 : 0;
        }
        return n;
    }
    }
    return 0;
}

std::vector<std::vector<bool>> emitting_neurons(const network& net) {
    std::vector<std::vector<bool>> emitting(net.populations.size());
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        emitting[p].assign(net.populations[p].size, false);
    }
    std::vector<synapse> buffer;
    for (std::size_t p = 0; p < net.projections.size(); ++p) {
        const auto& proj = net.projections[p];
        const synapse_generator generator(net, p);
        const std::uint32_t post_size = net.populations[proj.post].size;
        auto& marks = emitting[proj.pre];
        for (std::uint32_t j = 0; j < post_size; ++j) {
            buffer.clear();
            generator.generate(j, j + 1, buffer);
            for (const auto& s: buffer) {
                marks[s.pre] = true;
            }
        }
    }
    for (const auto& proj: net.projections) {
        if (proj.rule) {
            if (const auto m = net.rules[*proj.rule].modulator) {
                emitting[*m].assign(1, true);
            }
        }
    }
    return emitting;
}

namespace {

bool fits(const core_usage& u, const core_limits& limits, const resource_info** failed = nullptr) {
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
    }

    const network& net() const { return net_; }
    const std::vector<std::size_t>& incoming(std::size_t population) const { return incoming_[population]; }
    const synapse_generator& generator(std::size_t projection) const { return generators_[projection]; }
    bool emits(std::size_t population, std::uint32_t neuron) const { return emitting_[population][neuron]; }
    const std::vector<std::vector<bool>>& emitting() const { return emitting_; }

    // Usage that depends only on the population, not on how many of its
    // neurons a core holds: profiles, rules, microcode, modulator axons.
    core_usage population_overhead(std::size_t population, std::vector<std::size_t>& rules) const {
        core_usage u;
        rules.clear();
        if (net_.populations[population].is_source()) {
            return u;
        }
        u.neuron_profiles = 1;
        std::set<std::size_t> modulators;
        for (std::size_t p: incoming_[population]) {
            if (const auto r = net_.projections[p].rule) {
                if (std::find(rules.begin(), rules.end(), *r) == rules.end()) {
                    rules.push_back(*r);
                }
                if (net_.rules[*r].modulator) {
                    modulators.insert(*net_.rules[*r].modulator);
                }
            }
        }
        std::sort(rules.begin(), rules.end());
        add_rules(u, rules);
        u.input_axons += modulators.size();
        return u;
    }

    void add_rules(core_usage& u, const std::vector<std::size_t>& rules) const {
        u.learning_rules = rules.size();
        u.trace_profiles = rules.size();
        u.microcode_words = 0;
        for (std::size_t r: rules) {
            u.microcode_words += rule_term_count(net_.rules[r]);
        }
    }

private:
    const network& net_;
    std::vector<std::vector<std::size_t>> incoming_;
    std::vector<synapse_generator> generators_;
    std::vector<std::vector<bool>> emitting_;
};

// Adds post neurons to a core one at a time, counting exactly what they add.
class core_filler {
public:
    core_filler(const partition_context& ctx, std::size_t population): ctx_(ctx), population_(population) {
        base_ = ctx.population_overhead(population, rules_);
        for (std::size_t p: ctx.incoming(population)) {
            const auto& proj = ctx.net().projections[p];
            seen_.emplace_back(ctx.net().populations[proj.pre].size, false);
        }
        usage_ = base_;
    }

    const core_usage& usage() const { return usage_; }
    const std::vector<std::size_t>& rules() const { return rules_; }

    // The usage with neuron j added, without adding it.
    core_usage with(std::uint32_t j) {
        rollback();
        core_usage u = usage_;
        u.neurons += 1;
        u.output_axons += ctx_.emits(population_, j) ? 1 : 0;
        const auto& incoming = ctx_.incoming(population_);
        for (std::size_t k = 0; k < incoming.size(); ++k) {
            const std::size_t p = incoming[k];
            const bool plastic = ctx_.net().projections[p].rule.has_value();
            buffer_.clear();
            ctx_.generator(p).generate(j, j + 1, buffer_);
            u.synapse_words += buffer_.size() * (plastic ? 2 : 1);
            for (const auto& s: buffer_) {
                if (!seen_[k][s.pre]) {
                    seen_[k][s.pre] = true; // taken back by rollback() unless committed
                    pending_.emplace_back(k, s.pre);
                    u.input_axons += 1;
                }
            }
        }
        return u;
    }

    // Adds the neuron last passed to with(), whose usage is u.
    void commit(const core_usage& u) {
        usage_ = u;
        pending_.clear();
    }

    void reset() {
        pending_.clear();
        usage_ = base_;
        for (auto& s: seen_) {
            std::fill(s.begin(), s.end(), false);
        }
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
    core_usage base_;
    core_usage usage_;
    std::vector<std::size_t> rules_;
    std::vector<std::vector<bool>> seen_; // per incoming projection: pre neurons already with an axon
    std::vector<std::pair<std::size_t, std::uint32_t>> pending_;
    std::vector<synapse> buffer_;
};

[[noreturn]] void one_neuron_does_not_fit(const network& net, const chip_spec& chip, const population& pop,
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

} // namespace

core_usage measure_core(const network& net, const std::vector<slice>& slices) {
    const partition_context ctx(net);
    core_usage total;
    std::vector<std::size_t> all_rules;
    for (const auto& s: slices) {
        core_filler filler(ctx, s.population);
        for (std::uint32_t j = s.first; j < s.first + s.count; ++j) {
            filler.commit(filler.with(j));
        }
        const auto& u = filler.usage();
        total.neurons += u.neurons;
        total.neuron_profiles += u.neuron_profiles;
        total.input_axons += u.input_axons;
        total.synapse_words += u.synapse_words;
        total.output_axons += u.output_axons;
        for (std::size_t r: filler.rules()) {
            if (std::find(all_rules.begin(), all_rules.end(), r) == all_rules.end()) {
                all_rules.push_back(r);
            }
        }
    }
    ctx.add_rules(total, all_rules);
    return total;
}

partition_plan partition_sequential(const network& net, const chip_spec& chip) {
    const partition_context ctx(net);
    std::vector<core_plan> pieces;
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        const population& pop = net.populations[p];
        core_filler filler(ctx, p);
        std::uint32_t first = 0;
        for (std::uint32_t j = 0; j < pop.size; ++j) {
            core_usage u = filler.with(j);
            const resource_info* failed = nullptr;
            if (fits(u, chip.core, &failed)) {
                filler.commit(u);
                continue;
            }
            if (j == first) {
                one_neuron_does_not_fit(net, chip, pop, u, *failed);
            }
            pieces.push_back({{slice{static_cast<std::uint32_t>(p), first, j - first}}, filler.usage(), filler.rules()});
            filler.reset();
            first = j;
            u = filler.with(j);
            if (!fits(u, chip.core, &failed)) {
                one_neuron_does_not_fit(net, chip, pop, u, *failed);
            }
            filler.commit(u);
        }
        pieces.push_back({{slice{static_cast<std::uint32_t>(p), first, pop.size - first}}, filler.usage(),
                          filler.rules()});
    }

    // Share cores between slices of different populations: first fit, largest
    // first (ties in network order), summing exact usage.
    std::vector<std::size_t> order(pieces.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return pieces[a].usage.neurons > pieces[b].usage.neurons;
    });
    partition_plan plan;
    plan.method = "sequential";
    plan.emitting = ctx.emitting();
    for (std::size_t index: order) {
        const core_plan& piece = pieces[index];
        bool placed = false;
        for (auto& core: plan.cores) {
            const bool same_population = std::any_of(core.slices.begin(), core.slices.end(), [&](const slice& s) {
                return s.population == piece.slices.front().population;
            });
            if (same_population) {
                continue;
            }
            core_usage sum = core.usage;
            sum.neurons += piece.usage.neurons;
            sum.neuron_profiles += piece.usage.neuron_profiles;
            sum.input_axons += piece.usage.input_axons;
            sum.synapse_words += piece.usage.synapse_words;
            sum.output_axons += piece.usage.output_axons;
            std::vector<std::size_t> rules = core.rules;
            for (std::size_t r: piece.rules) {
                if (std::find(rules.begin(), rules.end(), r) == rules.end()) {
                    rules.push_back(r);
                }
            }
            std::sort(rules.begin(), rules.end());
            ctx.add_rules(sum, rules);
            if (fits(sum, chip.core)) {
                core.slices.push_back(piece.slices.front());
                core.usage = sum;
                core.rules = std::move(rules);
                placed = true;
                break;
            }
        }
        if (!placed) {
            plan.cores.push_back(piece);
        }
    }

    if (plan.cores.size() > chip.core_count()) {
        throw chip_limit_error(net.source, "/populations", "cores", static_cast<double>(plan.cores.size()),
                               static_cast<double>(chip.core_count()),
                               "the network needs " + with_commas(plan.cores.size()) + " cores, chip \"" + chip.name +
                                   "\" has " + with_commas(chip.core_count()) +
                                   "; use a larger preset or more chips (\"chips\" in the chip file)");
    }
    return plan;
}

} // namespace engram::compiler
