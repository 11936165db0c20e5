#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include <engram/common/error.hpp>
#include <engram/common/philox.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/check.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/lower_rules.hpp>
#include <engram/compiler/partition.hpp>
#include <engram/compiler/routing.hpp>

#include "image_records.hpp"
#include "partition_detail.hpp"

namespace engram::compiler {

namespace {

// A partition with what placement and routing need from it.
struct mapped_plan {
    partition_plan plan;
    std::vector<slice_fanout> fanout;
    traffic_matrix traffic;
};

struct partition_choice {
    std::vector<mapped_plan> plans; // the preferred first
    std::vector<partition_candidate> candidates;
};

// Runs the partitioners options.partition asks for. In automatic mode a
// partitioner that runs out of cores leaves the other; when both do, or
// one neuron does not fit a core, the sequential error is thrown.
partition_choice choose_partition(const network& net, const chip_spec& chip, const std::vector<double>& rates,
                                  const compile_options& options, double expected_synapses) {
    partition_choice choice;
    std::exception_ptr first_error;
    auto attempt = [&](partitioner which) {
        partition_candidate c;
        c.method = std::string(to_string(which));
        try {
            partition_plan plan = which == partitioner::sequential ? partition_sequential(net, chip)
                                                                   : partition_metis(net, chip, rates, options.metis);
            auto fanout = compute_fanout(net, plan);
            auto traffic = core_traffic(plan, fanout, rates);
            c.fits = true;
            c.cores = plan.cores.size();
            c.inter_core_traffic = traffic.inter_core();
            choice.plans.push_back({std::move(plan), std::move(fanout), std::move(traffic)});
        }
        catch (const chip_limit_error& e) {
            if (options.partition != partitioner::automatic || e.resource != "cores") {
                throw;
            }
            if (!first_error) {
                first_error = std::current_exception();
            }
            c.error = e.what();
        }
        choice.candidates.push_back(std::move(c));
    };
    if (options.partition != partitioner::metis) {
        attempt(partitioner::sequential);
    }
    if (options.partition == partitioner::metis ||
        (options.partition == partitioner::automatic && expected_synapses <= options.auto_metis_max_synapses)) {
        attempt(partitioner::metis);
    }
    else if (options.partition == partitioner::automatic) {
        partition_candidate c;
        c.method = "metis";
        c.error = "not run: about " + with_commas(static_cast<std::uint64_t>(expected_synapses)) +
                  " synapses, over the automatic limit of " +
                  with_commas(static_cast<std::uint64_t>(options.auto_metis_max_synapses)) +
                  " (--partitioner metis runs it)";
        choice.candidates.push_back(std::move(c));
    }
    if (choice.plans.empty()) {
        std::rethrow_exception(first_error);
    }
    if (choice.plans.size() == 2) {
        // Less inter-core traffic wins. Traffic within 1% of the other
        // plan's is a tie, which the sequential plan wins: the estimate is
        // no finer than that, and the graph's plan is costlier to route.
        const double a = choice.candidates[0].inter_core_traffic;
        const double b = choice.candidates[1].inter_core_traffic;
        if (b < a - 0.01 * a) {
            std::swap(choice.plans[0], choice.plans[1]);
        }
    }
    return choice;
}

std::string core_name(std::size_t c, const grid_position& at) {
    return "core " + std::to_string(c) + " at (" + std::to_string(at.x) + "," + std::to_string(at.y) + ")";
}

// The learning engine of one core: its rules (one per use, in the plan's
// order), their microcode, the trace profiles and the modulator channels.
struct core_learning {
    core_trace_plan traces;
    std::vector<isa::learning_rule> rules;
    std::vector<isa::learning_term> microcode;
    std::vector<isa::trace_config> modulator_traces;   // empty or ModulatorChannels entries
    std::vector<std::pair<std::uint32_t, std::size_t>> channels; // (channel, modulator population), ascending
};

core_learning lower_core(const network& net, const chip_spec& chip, const std::vector<rule_use>& uses,
                         const std::map<rule_use, lowered_rule>& lowered, std::size_t c, const grid_position& at) {
    core_learning out;
    if (uses.empty()) {
        return out;
    }
    out.traces = plan_core_traces(net, uses);
    const rule_use* first = nullptr;
    std::map<std::uint32_t, std::pair<isa::trace_config, const rule_use*>> channel_trace;
    for (const auto& use: uses) {
        const lowered_rule& l = lowered.at(use);
        if (first == nullptr) {
            first = &use;
        }
        else if (lowered.at(*first).rule.epoch != l.rule.epoch) {
            const auto& a = net.rules[first->rule];
            const auto& b = net.rules[use.rule];
            throw conflict_error(net.source, b.path + "/epoch",
                                 core_name(c, at) + " holds rules \"" + a.name + "\" (epoch " +
                                     std::to_string(lowered.at(*first).rule.epoch) + " steps) and \"" + b.name +
                                     "\" (epoch " + std::to_string(l.rule.epoch) +
                                     " steps); the rules of a core share one learning epoch (numerics §12): give "
                                     "the rules learning on one population, or mapped together, the same epoch");
        }
        isa::learning_rule r = l.rule;
        r.first_term = static_cast<std::uint32_t>(out.microcode.size());
        out.microcode.insert(out.microcode.end(), l.terms.begin(), l.terms.end());
        out.rules.push_back(r);
        if (l.channel) {
            const auto [it, fresh] = channel_trace.try_emplace(*l.channel, *l.traces.modulator, &use);
            if (!fresh && it->second.first != *l.traces.modulator) {
                throw conflict_error(net.source, net.rules[use.rule].path,
                                     core_name(c, at) + ": rules \"" + net.rules[it->second.second->rule].name +
                                         "\" and \"" + net.rules[use.rule].name +
                                         "\" read one modulator with different time constants; a core has one "
                                         "modulator trace per channel");
            }
            if (fresh) {
                out.channels.emplace_back(*l.channel, *net.rules[use.rule].modulator);
            }
        }
    }
    std::sort(out.channels.begin(), out.channels.end());
    if (!channel_trace.empty()) {
        out.modulator_traces.assign(static_cast<std::size_t>(isa::modulator_channels), isa::trace_config{});
        for (const auto& [channel, t]: channel_trace) {
            out.modulator_traces[channel] = t.first;
        }
    }
    // The partitioner budgets these; a lowering over a limit is reported
    // by core and resource all the same.
    auto limit = [&](std::string_view resource, std::size_t used, std::uint32_t available) {
        if (used > available) {
            throw chip_limit_error(net.source, net.rules[uses.front().rule].path, std::string(resource),
                                   static_cast<double>(used), available,
                                   core_name(c, at) + ": the learning rules need " + std::to_string(used) + " " +
                                       std::string(resource) + ", chip \"" + chip.name + "\" has " +
                                       std::to_string(available) + " per core");
        }
    };
    limit("learning_rules", out.rules.size(), chip.core.learning_rules);
    limit("microcode_words", out.microcode.size(), chip.core.microcode_words);
    limit("trace_profiles", out.traces.profiles(), chip.core.trace_profiles);
    return out;
}

// Where every neuron of the network sits: core and index on the core.
struct neuron_site {
    std::uint32_t core = 0;
    std::uint32_t neuron = 0;
};

isa::input_map_entry ordinary_entry(std::uint32_t core, std::uint32_t neuron, std::uint32_t axon) {
    isa::input_map_entry e{};
    e.src_core = core;
    e.src_cores = 1;
    e.neuron_base = neuron;
    e.count = 1;
    e.axon_base = axon;
    return e;
}

// The input-map entries (axon_base left 0) that give every neuron of a
// population its index there for an indexed axon (numerics §5): the
// population's slices in neuron order, consecutive cores with equal slices
// at the same place joined into one entry.
std::vector<isa::input_map_entry> population_runs(const std::vector<neuron_site>& sites) {
    std::vector<isa::input_map_entry> runs;
    for (std::uint32_t i = 0; i < sites.size();) {
        std::uint32_t n = 1;
        while (i + n < sites.size() && sites[i + n].core == sites[i].core &&
               sites[i + n].neuron == sites[i].neuron + n) {
            ++n;
        }
        if (!runs.empty()) {
            auto& r = runs.back();
            if (r.count == n && r.neuron_base == sites[i].neuron && sites[i].core == r.src_core + r.src_cores &&
                i == r.index_base + r.src_cores * r.count) {
                ++r.src_cores;
                i += n;
                continue;
            }
        }
        isa::input_map_entry e{};
        e.src_core = sites[i].core;
        e.src_cores = 1;
        e.neuron_base = sites[i].neuron;
        e.count = n;
        e.indexed = 1;
        e.index_base = i;
        runs.push_back(e);
        i += n;
    }
    return runs;
}

} // namespace

std::string_view to_string(partitioner p) {
    switch (p) {
    case partitioner::automatic: return "auto";
    case partitioner::sequential: return "sequential";
    case partitioner::metis: return "metis";
    }
    return "auto";
}

std::optional<partitioner> partitioner_from_string(std::string_view name) {
    for (partitioner p: {partitioner::automatic, partitioner::sequential, partitioner::metis}) {
        if (name == to_string(p)) {
            return p;
        }
    }
    return std::nullopt;
}

compile_result compile_network(const network& net, const chip_spec& chip, const compile_options& options) {
    const network_summary checked = check_network_on_chip(net, chip);
    quantization q = quantize_network(net, options.quantize);
    const auto rates = population_rates(net, options.rates);
    partition_choice choice = choose_partition(net, chip, rates, options, checked.expected_synapses);
    // Place and route the preferred plan; in automatic mode, a plan whose
    // routes do not fit the routers gives way to the other.
    std::vector<std::string> population_names;
    for (const auto& pop: net.populations) {
        population_names.push_back(pop.name);
    }
    std::size_t chosen = 0;
    std::optional<placement> placed;
    std::optional<routing> routed;
    double expected_traffic = 0.0;
    for (;; ++chosen) {
        mapped_plan& m = choice.plans[chosen];
        try {
            placed = place_cores(chip, m.traffic, m.plan.cores.size(), net.seed, options.placement_iterations_per_core);
            // The core-to-core traffic (for a dense network one of the
            // largest structures of the mapping) is not needed past placement.
            expected_traffic = m.traffic.total();
            decltype(m.traffic.out)().swap(m.traffic.out);
            routed = route_multicast(chip, m.plan, m.fanout, placed->positions, net.source, population_names);
            break;
        }
        catch (const chip_limit_error& e) {
            if (chosen + 1 == choice.plans.size()) {
                throw;
            }
            for (auto& c: choice.candidates) {
                if (c.method == m.plan.method) {
                    c.fits = false;
                    c.error = e.what();
                }
            }
        }
    }
    const partition_plan& plan = choice.plans[chosen].plan;
    // Nor is the fanout past routing.
    for (auto& m: choice.plans) {
        std::vector<slice_fanout>().swap(m.fanout);
        decltype(m.traffic.out)().swap(m.traffic.out);
    }
    const placement& place = *placed;
    const routing& routes = *routed;
    const auto& emitting = plan.emitting;
    const auto bases = slice_bases(plan);

    std::vector<std::vector<neuron_site>> site(net.populations.size());
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        site[p].resize(net.populations[p].size);
    }
    compile_result result;
    isa::chip_image& image = result.image;
    image.network_name = net.name;
    image.dt_ms = net.dt;
    image.seed = net.seed;
    image.chip = image_chip_of(chip);
    for (const auto& pop: net.populations) {
        image.populations.push_back({pop.name, pop.size, kind_of(pop.model)});
    }
    for (std::size_t c = 0; c < plan.cores.size(); ++c) {
        for (std::size_t k = 0; k < plan.cores[c].slices.size(); ++k) {
            const slice& s = plan.cores[c].slices[k];
            image.slices.push_back({s.population, s.first, s.count, static_cast<std::uint32_t>(c), bases[c][k]});
            for (std::uint32_t i = 0; i < s.count; ++i) {
                site[s.population][s.first + i] = {static_cast<std::uint32_t>(c), bases[c][k] + i};
            }
        }
    }

    std::map<std::pair<std::uint32_t, std::uint32_t>, const router_table*> router_at;
    for (const auto& r: routes.routers) {
        router_at[{r.at.x, r.at.y}] = &r;
    }

    // Every rule use, lowered once (its microcode is the same on every core).
    std::map<rule_use, lowered_rule> lowered;
    for (const auto& core: plan.cores) {
        for (const auto& use: core.rules) {
            if (lowered.find(use) == lowered.end()) {
                lowered.emplace(use, lower_rule(net, use.rule, scale_of(net, q, use)));
            }
        }
    }
    for (const auto& [use, l]: lowered) {
        const plasticity_rule& rule = net.rules[use.rule];
        rule_quantization_report r;
        r.name = rule.name;
        r.path = rule.path;
        r.population = net.populations[use.population].name;
        r.target = use.target;
        r.epoch_steps = l.rule.epoch;
        r.terms = l.rule.num_terms;
        r.w_min = l.rule.w_min;
        r.w_max = l.rule.w_max;
        r.parameters = l.parameters;
        for (const auto& e: l.parameters) {
            // Listed once when several uses of a rule realise it alike.
            const bool listed = std::any_of(q.report.parameters.begin(), q.report.parameters.end(),
                                            [&](const parameter_entry& x) {
                                                return x.path == e.path && x.realised == e.realised;
                                            });
            if (!listed && !(std::fabs(e.relative_error) <= q.report.report_threshold)) {
                q.report.parameters.push_back(e);
            }
        }
        q.report.rules.push_back(std::move(r));
    }

    std::vector<synapse_generator> generators; // built once: a FromList generator sorts its list
    for (std::size_t p = 0; p < net.projections.size(); ++p) {
        generators.emplace_back(net, p);
    }
    std::vector<std::size_t> incoming;              // projections onto a population
    std::vector<std::vector<synapse>> synapses;     // per incoming projection; post = neuron on the core
    std::vector<detail::input_group> groups;
    std::vector<std::uint8_t> indexed;
    // Per population, the input-map entries that cover all its neurons for
    // an indexed axon: one per run of consecutive cores holding equal slices.
    std::map<std::size_t, std::vector<isa::input_map_entry>> runs_of;
    auto source_runs = [&](std::size_t population) -> const std::vector<isa::input_map_entry>& {
        auto [it, fresh] = runs_of.try_emplace(population);
        if (fresh) {
            it->second = population_runs(site[population]);
        }
        return it->second;
    };
    for (std::size_t c = 0; c < plan.cores.size(); ++c) {
        isa::core_image core;
        core.x = static_cast<std::uint16_t>(place.positions[c].x);
        core.y = static_cast<std::uint16_t>(place.positions[c].y);
        struct map_entry {
            isa::input_map_entry entry;
            std::uint32_t projection;
        };
        std::vector<map_entry> input_map;
        const auto& uses = plan.cores[c].rules;
        core_learning learning = lower_core(net, chip, uses, lowered, c, place.positions[c]);
        // The neurons of one population on a core share one profile and one
        // set of rows (docs/mapping.md, "Partitioning"), written at its
        // first slice on the core.
        const auto& slices = plan.cores[c].slices;
        std::map<std::uint32_t, std::uint16_t> profile_of;
        for (std::size_t k = 0; k < slices.size(); ++k) {
            const slice& s = slices[k];
            const population& pop = net.populations[s.population];
            std::uint16_t profile = 0;
            bool first_slice = true;
            if (!pop.is_source()) {
                const auto [it, added] =
                    profile_of.try_emplace(s.population, static_cast<std::uint16_t>(core.profiles.size()));
                if (added) {
                    isa::neuron_config config = q.neurons[s.population]->config;
                    if (const auto found = learning.traces.post_profile.find(s.population);
                        found != learning.traces.post_profile.end()) {
                        config.post_trace_profile = found->second;
                    }
                    core.profiles.push_back(config);
                }
                profile = it->second;
                first_slice = added;
            }
            for (std::uint32_t i = s.first; i < s.first + s.count; ++i) {
                core.kinds.push_back(kind_of(pop.model));
                core.profile.push_back(profile);
                core.emits.push_back(emitting[s.population][i] ? 1 : 0);
                isa::neuron_state state{};
                if (!pop.is_source()) {
                    const auto& qn = *q.neurons[s.population];
                    double v0 = std::get<if_curr_exp_params>(pop.params).v_rest;
                    if (pop.initial_v) {
                        philox_stream draws(net.seed, i, static_cast<std::uint32_t>(s.population),
                                            random_stream_id::initial_state);
                        v0 = draw_value(*pop.initial_v, i, draws);
                    }
                    state.v = qn.voltage_register(v0);
                    core.sources.emplace_back();
                }
                else {
                    core.sources.push_back(source_program(net, s.population, i));
                }
                core.initial_state.push_back(state);
            }
            if (pop.is_source() || !first_slice) {
                continue;
            }
            // The synapses of every projection onto the population's neurons
            // on this core, then its input groups: an ordinary axon (row) per
            // (projection, pre neuron), or one indexed axon per projection
            // where those overflow the core's axons (as the partitioner chose).
            incoming.clear();
            for (std::size_t p = 0; p < net.projections.size(); ++p) {
                if (net.projections[p].post == s.population) {
                    incoming.push_back(p);
                }
            }
            synapses.resize(incoming.size());
            groups.assign(incoming.size(), {});
            for (std::size_t g = 0; g < incoming.size(); ++g) {
                const std::size_t p = incoming[g];
                auto& buf = synapses[g];
                buf.clear();
                for (std::size_t m = k; m < slices.size(); ++m) {
                    if (slices[m].population != s.population) {
                        continue;
                    }
                    const std::size_t before = buf.size();
                    generators[p].generate(slices[m].first, slices[m].first + slices[m].count, buf);
                    for (std::size_t b = before; b < buf.size(); ++b) {
                        buf[b].post = bases[c][m] + (buf[b].post - slices[m].first); // now the core's neuron
                    }
                }
                // By pre neuron; a pre's synapses keep their generation order.
                std::stable_sort(buf.begin(), buf.end(),
                                 [](const synapse& a, const synapse& b) { return a.pre < b.pre; });
                auto& group = groups[g];
                group.indexable = !net.projections[p].rule.has_value();
                group.index_words = detail::index_words_for(net.populations[net.projections[p].pre].size);
                for (std::size_t b = 0; b < buf.size(); ++b) {
                    group.distinct += (b == 0 || buf[b].pre != buf[b - 1].pre) ? 1 : 0;
                }
            }
            detail::choose_indexed(groups, detail::modulator_axons_of(net, s.population), chip.core.input_axons, indexed);
            for (std::size_t g = 0; g < incoming.size(); ++g) {
                const std::size_t p = incoming[g];
                const projection& proj = net.projections[p];
                const auto& pq = q.projections[p];
                const auto& buf = synapses[g];
                auto word_of = [&](const synapse& syn) {
                    isa::synapse_word word{};
                    word.weight = pq.weights.mantissa(syn.weight);
                    q.accumulate(p, syn.weight, word.weight);
                    word.delay = pq.delays.delay_steps(syn.delay);
                    q.accumulate_delay(p, syn.delay, word.delay);
                    word.target = syn.post;
                    word.receptor = proj.target == receptor::excitatory ? isa::receptor_kind::excitatory
                                                                         : isa::receptor_kind::inhibitory;
                    return word;
                };
                if (indexed[g] != 0) {
                    // numerics §5: the index, one IndexWord per block of
                    // IndexBlock pre neurons, then the blocks' synapses.
                    const std::uint32_t pre_size = net.populations[proj.pre].size;
                    isa::axon_entry axon{};
                    axon.indexed = 1;
                    axon.weight_exp = pq.weights.exponent();
                    axon.row_base = static_cast<std::uint32_t>(core.synapse_memory.size());
                    axon.row_len = static_cast<std::uint32_t>(detail::index_words_for(pre_size));
                    core.synapse_memory.resize(core.synapse_memory.size() + axon.row_len, 0);
                    const std::size_t data = core.synapse_memory.size();
                    std::uint32_t block = 0; // blocks before it have their run_end
                    auto close_blocks = [&](std::uint32_t until) {
                        isa::index_word w{};
                        w.run_end = static_cast<std::uint32_t>(core.synapse_memory.size() - data);
                        for (; block < until; ++block) {
                            core.synapse_memory[axon.row_base + block] = static_cast<std::uint32_t>(isa::pack(w)[0]);
                        }
                    };
                    for (const synapse& syn: buf) {
                        close_blocks(syn.pre / isa::index_block);
                        isa::synapse_word word = word_of(syn);
                        word.source = syn.pre % isa::index_block;
                        core.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(word)[0]));
                    }
                    close_blocks(axon.row_len);
                    const std::uint32_t axon_index = static_cast<std::uint32_t>(core.axons.size());
                    core.axons.push_back(axon);
                    for (isa::input_map_entry e: source_runs(proj.pre)) {
                        e.axon_base = axon_index;
                        input_map.push_back({e, static_cast<std::uint32_t>(p)});
                    }
                    continue;
                }
                // A plastic projection's rows learn under its rule's use.
                std::optional<std::uint32_t> use_index;
                if (proj.rule) {
                    const rule_use use{*proj.rule, static_cast<std::uint32_t>(proj.post), proj.target};
                    const auto it = std::lower_bound(uses.begin(), uses.end(), use);
                    if (it == uses.end() || *it != use) {
                        throw std::logic_error("compile: the partition did not budget rule \"" +
                                               net.rules[*proj.rule].name + "\" on core " + std::to_string(c));
                    }
                    use_index = static_cast<std::uint32_t>(it - uses.begin());
                }
                for (std::size_t b = 0; b < buf.size();) {
                    const std::uint32_t pre = buf[b].pre;
                    isa::axon_entry axon{};
                    axon.row_base = static_cast<std::uint32_t>(core.synapse_memory.size());
                    axon.weight_exp = pq.weights.exponent();
                    if (use_index) {
                        axon.learning = 1;
                        axon.rule = *use_index;
                        axon.pre_trace_profile = learning.traces.pre_profile[*use_index];
                    }
                    for (; b < buf.size() && buf[b].pre == pre; ++b) {
                        isa::synapse_word word = word_of(buf[b]);
                        word.plastic = use_index ? 1 : 0;
                        core.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(word)[0]));
                        if (use_index) {
                            // weight_frac 0, tag 0 (numerics §12)
                            core.synapse_memory.push_back(static_cast<std::uint32_t>(isa::pack(isa::plastic_word{})[0]));
                        }
                    }
                    axon.row_len = static_cast<std::uint32_t>(core.synapse_memory.size()) - axon.row_base;
                    const std::uint32_t axon_index = static_cast<std::uint32_t>(core.axons.size());
                    core.axons.push_back(axon);
                    // Extend the previous input-map entry when the source and
                    // the axons both continue it.
                    const neuron_site from = site[proj.pre][pre];
                    if (!input_map.empty()) {
                        auto& last = input_map.back();
                        if (last.projection == p && last.entry.indexed == 0 && last.entry.src_core == from.core &&
                            last.entry.neuron_base + last.entry.count == from.neuron &&
                            last.entry.axon_base + last.entry.count == axon_index) {
                            ++last.entry.count;
                            continue;
                        }
                    }
                    input_map.push_back({ordinary_entry(from.core, from.neuron, axon_index), static_cast<std::uint32_t>(p)});
                }
            }
        }
        // One axon per modulator channel the core's rules use, fed by the
        // modulator's neuron (routed to every core whose rules name it).
        for (const auto& [channel, modulator]: learning.channels) {
            isa::axon_entry axon{};
            axon.modulator = 1;
            axon.modulator_channel = channel;
            const std::uint32_t axon_index = static_cast<std::uint32_t>(core.axons.size());
            core.axons.push_back(axon);
            const neuron_site from = site[modulator][0];
            input_map.push_back({ordinary_entry(from.core, from.neuron, axon_index), isa::no_projection});
        }
        core.pre_trace_profiles = learning.traces.pre;
        core.post_trace_profiles = learning.traces.post;
        core.modulator_traces = std::move(learning.modulator_traces);
        core.rules = std::move(learning.rules);
        core.microcode = std::move(learning.microcode);
        std::stable_sort(input_map.begin(), input_map.end(), [](const map_entry& a, const map_entry& b) {
            return std::pair{a.entry.src_core, a.entry.neuron_base} < std::pair{b.entry.src_core, b.entry.neuron_base};
        });
        if (input_map.size() > chip.core.input_axons) {
            // Indexed axons take one entry per run of their sources' cores.
            throw chip_limit_error(net.source, "/populations", "input_axons", static_cast<double>(input_map.size()),
                                   chip.core.input_axons,
                                   core_name(c, place.positions[c]) + " needs " + with_commas(input_map.size()) +
                                       " input-map entries, chip \"" + chip.name + "\" holds " +
                                       with_commas(chip.core.input_axons) +
                                       " per core; the pre populations of its indexed axons are cut into too many "
                                       "unequal slices");
        }
        for (const auto& m: input_map) {
            core.input_map.push_back(m.entry);
            core.input_projection.push_back(m.projection);
        }
        if (const auto it = router_at.find({place.positions[c].x, place.positions[c].y}); it != router_at.end()) {
            core.routes = it->second->entries;
        }
        image.cores.push_back(std::move(core));
    }
    std::set<std::pair<std::uint32_t, std::uint32_t>> core_cells;
    for (const auto& pos: place.positions) {
        core_cells.insert({pos.x, pos.y});
    }
    for (const auto& r: routes.routers) {
        if (core_cells.count({r.at.x, r.at.y}) == 0) {
            image.routers.push_back({static_cast<std::uint16_t>(r.at.x), static_cast<std::uint16_t>(r.at.y), r.entries});
        }
    }
    for (std::size_t p = 0; p < net.projections.size(); ++p) {
        const auto& proj = net.projections[p];
        image.projections.push_back({proj.name, static_cast<std::uint32_t>(proj.pre),
                                     static_cast<std::uint32_t>(proj.post), q.projections[p].weights.exponent(),
                                     q.projections[p].weights.realised(1)});
    }

    // The report.
    mapping_report& report = result.report;
    report.network = net.name;
    report.chip = chip.name;
    report.neurons = net.neuron_count();
    report.cores_used = plan.cores.size();
    report.cores_available = chip.core_count();
    std::set<std::pair<std::uint32_t, std::uint32_t>> chips;
    for (const auto& pos: place.positions) {
        chips.insert({pos.x / chip.mesh.width, pos.y / chip.mesh.height});
    }
    report.chips_used = chips.size();
    for (const auto& r: core_resources) {
        resource_summary rs;
        rs.name = std::string(r.name);
        rs.limit = chip.core.*r.limit;
        double sum = 0.0;
        for (std::size_t c = 0; c < plan.cores.size(); ++c) {
            const std::uint64_t used = plan.cores[c].usage.*r.used;
            sum += static_cast<double>(used);
            if (used > rs.max) {
                rs.max = used;
                rs.fullest_core = static_cast<std::uint32_t>(c);
                rs.fullest_at = place.positions[c];
            }
        }
        rs.mean = plan.cores.empty() ? 0.0 : sum / static_cast<double>(plan.cores.size());
        report.resources.push_back(rs);
    }
    report.synapses = isa::count_totals(image).synapses;
    report.partition_method = plan.method;
    report.partition_mode = std::string(to_string(options.partition));
    report.partition_candidates = std::move(choice.candidates);
    report.traffic = expected_traffic;
    report.placement_cost = place.cost;
    report.naive_placement_cost = place.naive_cost;
    report.traffic_hops = place.traffic_hops;
    report.naive_traffic_hops = place.naive_traffic_hops;
    report.placement_searched = place.searched;
    report.route_entries = routes.entries;
    report.route_entries_before_compression = routes.entries_before_compression;
    report.routers_with_entries = routes.routers.size();
    report.fullest_router = routes.fullest;
    report.fullest_router_at = routes.fullest_at;
    report.quantization = std::move(q.report);

    isa::validate_image(image, net.source);
    return result;
}

} // namespace engram::compiler
