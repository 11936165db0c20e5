#include <algorithm>
#include <numeric>
#include <optional>
#include <set>

#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/partition.hpp>

#include "partition_detail.hpp"

namespace engram::compiler {

using detail::add_population_usage;
using detail::check_core_count;
using detail::core_filler;
using detail::fits;
using detail::merge_rules;
using detail::one_neuron_does_not_fit;
using detail::partition_context;

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

std::vector<std::vector<bool>> emitting_neurons(const network& net) {
    std::vector<std::vector<bool>> emitting(net.populations.size());
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        emitting[p].assign(net.populations[p].size, false);
    }
    std::vector<std::uint32_t> buffer;
    for (std::size_t p = 0; p < net.projections.size(); ++p) {
        const auto& proj = net.projections[p];
        const synapse_generator generator(net, p);
        const std::uint32_t post_size = net.populations[proj.post].size;
        auto& marks = emitting[proj.pre];
        for (std::uint32_t j = 0; j < post_size; j += 64) {
            buffer.clear();
            generator.generate_pres(j, std::min(post_size, j + 64), buffer);
            for (const std::uint32_t pre: buffer) {
                marks[pre] = true;
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

core_usage measure_core(const network& net, const std::vector<slice>& slices, std::uint64_t axon_limit) {
    return measure_slices(partition_context(net), slices, axon_limit);
}

namespace {

// The slices of one population, and the pre populations of the projections
// that took indexed axons on any of them.
struct population_pieces {
    std::vector<core_plan> pieces;
    std::set<std::uint32_t> indexed_pres;
};

// Cuts population p, in neuron order, into the longest slices that fit a
// core, or, with size > 0, into slices of exactly `size` neurons (the last
// may be shorter); nullopt when such a slice does not fit.
std::optional<population_pieces> slice_population(const partition_context& ctx, const chip_spec& chip, std::size_t p,
                                                  std::uint32_t size) {
    const network& net = ctx.net();
    const population& pop = net.populations[p];
    const auto& incoming = ctx.incoming(p);
    population_pieces out;
    core_filler filler(ctx, p, chip.core.input_axons);
    auto close = [&](std::uint32_t first, std::uint32_t end) {
        out.pieces.push_back({{slice{static_cast<std::uint32_t>(p), first, end - first}}, filler.usage(),
                              filler.rules()});
        for (std::size_t k = 0; k < incoming.size(); ++k) {
            if (filler.indexed()[k] != 0) {
                out.indexed_pres.insert(static_cast<std::uint32_t>(net.projections[incoming[k]].pre));
            }
        }
    };
    std::uint32_t first = 0;
    for (std::uint32_t j = 0; j < pop.size; ++j) {
        const bool cut = size > 0 && j - first == size;
        core_usage u = filler.with(j);
        const resource_info* failed = nullptr;
        if (!cut && fits(u, chip.core, &failed)) {
            filler.commit(u);
            continue;
        }
        if (size > 0 && !cut) {
            return std::nullopt;
        }
        if (j == first) {
            one_neuron_does_not_fit(net, chip, pop, u, *failed);
        }
        close(first, j);
        filler.reset();
        first = j;
        u = filler.with(j);
        if (!fits(u, chip.core, &failed)) {
            one_neuron_does_not_fit(net, chip, pop, u, *failed);
        }
        filler.commit(u);
    }
    close(first, pop.size);
    return out;
}

// Equal slices for a population whose neurons feed indexed axons: then one
// input-map entry covers the run of its cores (numerics §5). The size is the
// smallest of the greedy slices (but the last), lowered while a slice of it
// does not fit, at most three times; the greedy cut stays otherwise.
void make_uniform(const partition_context& ctx, const chip_spec& chip, std::size_t p, population_pieces& pieces) {
    if (pieces.pieces.size() < 3) {
        return;
    }
    std::uint32_t size = UINT32_MAX;
    for (std::size_t i = 0; i + 1 < pieces.pieces.size(); ++i) {
        size = std::min(size, pieces.pieces[i].slices.front().count);
    }
    for (int attempt = 0; attempt < 3 && size > 0; ++attempt, --size) {
        if (auto uniform = slice_population(ctx, chip, p, size)) {
            pieces = std::move(*uniform);
            return;
        }
    }
}

} // namespace

partition_plan partition_sequential(const network& net, const chip_spec& chip) {
    const partition_context ctx(net);
    std::vector<population_pieces> by_population;
    std::set<std::uint32_t> indexed_pres;
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        by_population.push_back(*slice_population(ctx, chip, p, 0));
        indexed_pres.insert(by_population.back().indexed_pres.begin(), by_population.back().indexed_pres.end());
    }
    // Populations whose neurons feed indexed axons are cut into equal slices;
    // that may index more projections, so until nothing changes.
    std::set<std::uint32_t> uniform;
    while (uniform.size() < indexed_pres.size()) {
        for (std::uint32_t p: std::set<std::uint32_t>(indexed_pres)) {
            if (uniform.insert(p).second) {
                make_uniform(ctx, chip, p, by_population[p]);
                indexed_pres.insert(by_population[p].indexed_pres.begin(), by_population[p].indexed_pres.end());
            }
        }
    }
    std::vector<core_plan> pieces;
    for (auto& pp: by_population) {
        for (auto& piece: pp.pieces) {
            pieces.push_back(std::move(piece));
        }
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
            // The additive resources reject most cores before the exact sum.
            if (core.usage.neurons + piece.usage.neurons > chip.core.neurons ||
                core.usage.synapse_words + piece.usage.synapse_words > chip.core.synapse_words ||
                core.usage.output_axons + piece.usage.output_axons > chip.core.output_axons) {
                continue;
            }
            core_usage sum = core.usage;
            add_population_usage(sum, piece.usage);
            std::vector<rule_use> rules = core.rules;
            merge_rules(rules, piece.rules);
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

    check_core_count(net, chip, plan.cores.size());
    return plan;
}

} // namespace engram::compiler
