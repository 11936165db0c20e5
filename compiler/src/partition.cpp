#include <algorithm>
#include <numeric>

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

core_usage measure_core(const network& net, const std::vector<slice>& slices) {
    return measure_slices(partition_context(net), slices);
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
