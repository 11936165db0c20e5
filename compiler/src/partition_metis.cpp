// METIS partition (docs/mapping.md, "Partitioning"): a graph of neurons (or
// contiguous groups of neurons) weighted by expected spike traffic, cut by
// METIS_PartGraphKway, then filled into cores with the sequential method's
// exact accounting (partition_detail.hpp).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <metis.h>

#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/partition.hpp>
#include <engram/compiler/placement.hpp>

#include "partition_detail.hpp"

namespace engram::compiler {

using detail::add_population_usage;
using detail::check_core_count;
using detail::core_filler;
using detail::fits;
using detail::merge_rules;
using detail::one_neuron_does_not_fit;
using detail::partition_context;

static_assert(sizeof(idx_t) == 4, "Engram expects METIS built with a 32-bit idx_t (Debian's libmetis-dev)");

namespace {

// Vertices: each population cut into groups of group_size neurons (the last
// group shorter), populations in network order.
class vertex_layout {
public:
    vertex_layout(const network& net, std::uint32_t group_size): group_(group_size) {
        for (std::size_t p = 0; p < net.populations.size(); ++p) {
            base_.push_back(static_cast<std::uint32_t>(population_.size()));
            const std::uint32_t size = net.populations[p].size;
            for (std::uint32_t first = 0; first < size; first += group_) {
                population_.push_back(static_cast<std::uint32_t>(p));
                first_.push_back(first);
                count_.push_back(std::min(group_, size - first));
            }
        }
    }
    std::size_t size() const { return population_.size(); }
    std::uint32_t vertex(std::size_t population, std::uint32_t neuron) const {
        return base_[population] + neuron / group_;
    }
    std::uint32_t population(std::size_t v) const { return population_[v]; }
    std::uint32_t first(std::size_t v) const { return first_[v]; }
    std::uint32_t count(std::size_t v) const { return count_[v]; }

private:
    std::uint32_t group_;
    std::vector<std::uint32_t> base_;
    std::vector<std::uint32_t> population_;
    std::vector<std::uint32_t> first_;
    std::vector<std::uint32_t> count_;
};

// The graph in METIS's CSR form.
struct metis_graph {
    idx_t ncon = 1;
    std::vector<idx_t> xadj;
    std::vector<idx_t> adjncy;
    std::vector<idx_t> adjwgt;
    std::vector<idx_t> vwgt;
    std::uint64_t total_weight = 0;
};

// A vertex weight of core_weight fills a core.
constexpr double core_weight = 65536.0;

struct directed_edge {
    std::uint32_t u;
    std::uint32_t v;
    float w; // packets per second
};

metis_graph build_graph(const partition_context& ctx, const vertex_layout& layout, const std::vector<double>& rates,
                        const core_limits& limits) {
    const network& net = ctx.net();
    const std::size_t nv = layout.size();
    // One edge per (pre neuron, post vertex): a neuron sends one packet per
    // spike to each core holding a target, so several synapses onto one
    // vertex count once. Modulators reach every neuron whose rules use them.
    std::vector<std::vector<std::uint32_t>> last(net.populations.size());
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        last[p].assign(net.populations[p].size, std::numeric_limits<std::uint32_t>::max());
    }
    std::vector<double> acc(nv, 0.0);
    std::vector<char> touched_flag(nv, 0);
    std::vector<std::uint32_t> touched;
    std::vector<directed_edge> edges;
    std::vector<std::uint64_t> words(nv, 0);
    std::vector<std::uint64_t> emitting(nv, 0);
    std::vector<std::uint32_t> buffer;
    metis_graph g;
    for (std::uint32_t v = 0; v < nv; ++v) {
        const std::uint32_t p = layout.population(v);
        touched.clear();
        auto add = [&](std::size_t pre_population, std::uint32_t pre) {
            if (last[pre_population][pre] == v) {
                return;
            }
            last[pre_population][pre] = v;
            const std::uint32_t u = layout.vertex(pre_population, pre);
            if (u == v) {
                return;
            }
            if (!touched_flag[u]) {
                touched_flag[u] = 1;
                touched.push_back(u);
            }
            acc[u] += rates[pre_population];
        };
        for (std::size_t k: ctx.incoming(p)) {
            const projection& proj = net.projections[k];
            buffer.clear();
            ctx.generator(k).generate_pres(layout.first(v), layout.first(v) + layout.count(v), buffer);
            words[v] += buffer.size() * (proj.rule ? 2 : 1);
            for (const std::uint32_t pre: buffer) {
                add(proj.pre, pre);
            }
            if (proj.rule) {
                if (const auto m = net.rules[*proj.rule].modulator) {
                    add(*m, 0);
                }
            }
        }
        std::sort(touched.begin(), touched.end());
        for (std::uint32_t u: touched) {
            edges.push_back({u, v, static_cast<float>(acc[u])});
            acc[u] = 0.0;
            touched_flag[u] = 0;
        }
        for (std::uint32_t i = 0; i < layout.count(v); ++i) {
            emitting[v] += ctx.emits(p, layout.first(v) + i) ? 1 : 0;
        }
    }

    // Undirected: both directions, merged.
    const std::size_t directed = edges.size();
    edges.reserve(2 * directed);
    for (std::size_t e = 0; e < directed; ++e) {
        edges.push_back({edges[e].v, edges[e].u, edges[e].w});
    }
    std::sort(edges.begin(), edges.end(), [](const directed_edge& a, const directed_edge& b) {
        return std::pair(a.u, a.v) < std::pair(b.u, b.v);
    });
    std::size_t kept = 0;
    for (std::size_t e = 0; e < edges.size(); ++e) {
        if (kept > 0 && edges[kept - 1].u == edges[e].u && edges[kept - 1].v == edges[e].v) {
            edges[kept - 1].w += edges[e].w;
        }
        else {
            edges[kept++] = edges[e];
        }
    }
    edges.resize(kept);

    // Integer weights: 0.01 Hz resolution, scaled down where the sum would
    // come near idx_t's range; every edge weighs at least 1.
    double total = 0.0;
    for (const auto& e: edges) {
        total += static_cast<double>(e.w);
    }
    const double scale = total > 0.0 ? std::min(100.0, 1073741824.0 / total) : 1.0;
    g.xadj.assign(nv + 1, 0);
    g.adjncy.reserve(edges.size() + 1);
    g.adjwgt.reserve(edges.size() + 1);
    for (const auto& e: edges) {
        ++g.xadj[e.u + 1];
        g.adjncy.push_back(static_cast<idx_t>(e.v));
        g.adjwgt.push_back(static_cast<idx_t>(std::max(1.0, std::round(static_cast<double>(e.w) * scale))));
    }
    if (edges.size() > static_cast<std::size_t>(std::numeric_limits<idx_t>::max())) {
        throw std::length_error("the METIS graph has more edges than a 32-bit idx_t counts");
    }
    for (std::size_t v = 0; v < nv; ++v) {
        g.xadj[v + 1] += g.xadj[v];
    }

    // One balance constraint: the fraction of a core a vertex fills at
    // least, the largest of its neurons, synapse words and output axons over
    // the core's limits (in units of 1/2^16 of a core). A part whose weights
    // sum to at most one core may still need more input axons, profiles or
    // rules than a core has: the fill below finds out.
    g.ncon = 1;
    for (std::size_t v = 0; v < nv; ++v) {
        const double fraction = std::max({static_cast<double>(layout.count(v)) / std::max(1u, limits.neurons),
                                          static_cast<double>(words[v]) / std::max(1u, limits.synapse_words),
                                          static_cast<double>(emitting[v]) / std::max(1u, limits.output_axons)});
        const auto w = static_cast<idx_t>(std::clamp(std::ceil(fraction * core_weight), 1.0, 1073741824.0));
        g.vwgt.push_back(w);
        g.total_weight += static_cast<std::uint64_t>(w);
    }
    return g;
}

std::vector<idx_t> run_metis(metis_graph& g, std::size_t nv, idx_t nparts, std::int32_t seed) {
    std::vector<idx_t> part(nv, 0);
    if (nparts <= 1 || nv <= 1) {
        return part;
    }
    idx_t options[METIS_NOPTIONS];
    METIS_SetDefaultOptions(options);
    options[METIS_OPTION_SEED] = seed;
    options[METIS_OPTION_NUMBERING] = 0;
    options[METIS_OPTION_OBJTYPE] = METIS_OBJTYPE_CUT;
    options[METIS_OPTION_UFACTOR] = 30; // parts up to 3% over the average weight
    idx_t nvtxs = static_cast<idx_t>(nv);
    idx_t objval = 0;
    // METIS reads adjncy and adjwgt even for a graph without edges.
    if (g.adjncy.empty()) {
        g.adjncy.push_back(0);
        g.adjwgt.push_back(1);
    }
    const int rc = METIS_PartGraphKway(&nvtxs, &g.ncon, g.xadj.data(), g.adjncy.data(), g.vwgt.data(), nullptr,
                                       g.adjwgt.data(), &nparts, nullptr, nullptr, options, &objval, part.data());
    if (rc != METIS_OK) {
        throw std::logic_error("METIS_PartGraphKway failed with code " + std::to_string(rc) + " on " +
                               std::to_string(nv) + " vertices and " + std::to_string(nparts) + " parts");
    }
    return part;
}

// Fills each part's neurons (population by population, in neuron order)
// into cores, exactly as the sequential method counts them; a neuron that
// does not fit closes the core and starts the next.
partition_plan fill_parts(const partition_context& ctx, const chip_spec& chip, const vertex_layout& layout,
                          const std::vector<idx_t>& part, idx_t nparts) {
    const network& net = ctx.net();
    std::vector<std::vector<std::uint32_t>> members(static_cast<std::size_t>(nparts));
    for (std::uint32_t v = 0; v < layout.size(); ++v) {
        members[static_cast<std::size_t>(part[v])].push_back(v);
    }
    std::vector<std::optional<core_filler>> fillers(net.populations.size());
    partition_plan plan;
    plan.method = "metis";
    plan.emitting = ctx.emitting();

    core_plan core;
    core_usage closed; // populations of the core already complete
    std::vector<rule_use> closed_rules;
    auto flush = [&](const core_filler& f) {
        if (f.usage().neurons > 0) {
            add_population_usage(closed, f.usage());
            merge_rules(closed_rules, f.rules());
        }
    };
    auto close_core = [&] {
        if (closed.neurons == 0) {
            return;
        }
        core.usage = closed;
        ctx.add_rules(core.usage, closed_rules);
        core.rules = closed_rules;
        plan.cores.push_back(std::move(core));
        core = {};
        closed = {};
        closed_rules.clear();
    };
    std::vector<rule_use> rules;
    for (const auto& vertices: members) {
        // Vertices come in index order: population by population.
        core_filler* filler = nullptr;
        for (std::uint32_t v: vertices) {
            const std::uint32_t p = layout.population(v);
            if (!fillers[p] || filler != &*fillers[p]) {
                if (filler != nullptr) {
                    flush(*filler);
                }
                if (!fillers[p]) {
                    fillers[p].emplace(ctx, p, chip.core.input_axons);
                }
                filler = &*fillers[p];
                filler->reset();
            }
            for (std::uint32_t j = layout.first(v); j < layout.first(v) + layout.count(v); ++j) {
                for (int attempt = 0;; ++attempt) {
                    const core_usage own = filler->with(j);
                    core_usage u = closed;
                    add_population_usage(u, own);
                    rules = closed_rules;
                    merge_rules(rules, filler->rules());
                    ctx.add_rules(u, rules);
                    const resource_info* failed = nullptr;
                    if (fits(u, chip.core, &failed)) {
                        filler->commit(own);
                        if (!core.slices.empty() && core.slices.back().population == p &&
                            core.slices.back().first + core.slices.back().count == j) {
                            ++core.slices.back().count;
                        }
                        else {
                            core.slices.push_back({p, j, 1});
                        }
                        break;
                    }
                    if (attempt > 0 || (closed.neurons == 0 && filler->usage().neurons == 0)) {
                        one_neuron_does_not_fit(net, chip, net.populations[p], u, *failed);
                    }
                    flush(*filler);
                    close_core();
                    filler->reset();
                }
            }
        }
        if (filler != nullptr) {
            flush(*filler);
        }
        close_core();
    }
    return plan;
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
    return b == 0 ? 0 : (a + b - 1) / b;
}

// Slices sorted by (population, first), runs that continue each other joined.
std::vector<slice> joined(std::vector<slice> slices) {
    std::sort(slices.begin(), slices.end(),
              [](const slice& a, const slice& b) { return std::pair(a.population, a.first) < std::pair(b.population, b.first); });
    std::vector<slice> out;
    for (const auto& s: slices) {
        if (!out.empty() && out.back().population == s.population && out.back().first + out.back().count == s.first) {
            out.back().count += s.count;
        }
        else {
            out.push_back(s);
        }
    }
    return out;
}

// Cores that the fill left partly empty (a part that overflowed one core
// spilled into the next) share cores where their exact usage fits: first
// fit, most neurons first (ties in fill order), as the sequential method
// packs its slices. Neurons, synapse words, output axons and the learning
// engine add up exactly and reject most pairs at once; the shared profiles
// and input axons are measured, for at most max_measures candidates a core.
void pack_cores(const partition_context& ctx, const chip_spec& chip, partition_plan& plan, std::size_t max_measures) {
    std::vector<std::size_t> order(plan.cores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return plan.cores[a].usage.neurons > plan.cores[b].usage.neurons;
    });
    std::vector<core_plan> packed;
    std::vector<rule_use> rules;
    for (std::size_t index: order) {
        core_plan& piece = plan.cores[index];
        bool merged = false;
        std::size_t measures = 0;
        for (auto& core: packed) {
            core_usage sum = core.usage;
            add_population_usage(sum, piece.usage);
            rules = core.rules;
            merge_rules(rules, piece.rules);
            ctx.add_rules(sum, rules);
            core_usage additive = sum;
            additive.neuron_profiles = 0;
            additive.input_axons = 0;
            if (!fits(additive, chip.core)) {
                continue;
            }
            if (measures++ >= max_measures) {
                break;
            }
            std::vector<slice> slices = core.slices;
            slices.insert(slices.end(), piece.slices.begin(), piece.slices.end());
            slices = joined(std::move(slices));
            const core_usage exact = detail::measure_slices(ctx, slices, chip.core.input_axons);
            if (!fits(exact, chip.core)) {
                continue;
            }
            core.slices = std::move(slices);
            core.usage = exact;
            core.rules = rules;
            merged = true;
            break;
        }
        if (!merged) {
            packed.push_back(std::move(piece));
        }
    }
    plan.cores = std::move(packed);
}

} // namespace

partition_plan partition_metis(const network& net, const chip_spec& chip, const std::vector<double>& rates,
                               const metis_options& options) {
    const partition_context ctx(net);
    const std::uint64_t neurons = net.neuron_count();
    std::uint32_t group = options.group_size;
    if (group == 0) {
        group = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, ceil_div(neurons, options.max_vertices)));
    }
    const vertex_layout layout(net, group);
    metis_graph graph = build_graph(ctx, layout, rates, chip.core);

    // The fewest parts the weights allow (METIS lets a part exceed the
    // average by 3%; what then overflows a core spills, and the next attempt
    // asks for as many parts as the fill needed cores).
    std::uint64_t parts =
        std::max<std::uint64_t>(1, ceil_div(graph.total_weight, static_cast<std::uint64_t>(core_weight)));
    std::optional<partition_plan> best;
    double best_traffic = 0.0;
    std::optional<partition_plan> smallest; // the fewest cores, for the error when none fits
    for (std::uint32_t attempt = 0; attempt < std::max<std::uint32_t>(1, options.attempts); ++attempt) {
        parts = std::min<std::uint64_t>(parts, layout.size());
        const auto nparts = static_cast<idx_t>(std::min<std::uint64_t>(parts, std::numeric_limits<idx_t>::max()));
        const auto part = run_metis(graph, layout.size(), nparts, options.seed);
        partition_plan plan = fill_parts(ctx, chip, layout, part, nparts);
        pack_cores(ctx, chip, plan, 8);
        const std::size_t cores = plan.cores.size();
        bool improved = false;
        if (cores <= chip.core_count()) {
            const double traffic = core_traffic(plan, compute_fanout(net, plan), rates).inter_core();
            if (!best || traffic < best_traffic || (traffic == best_traffic && cores < best->cores.size())) {
                improved = true;
                best_traffic = traffic;
                best = std::move(plan);
            }
        }
        else if (!smallest || cores < smallest->cores.size()) {
            improved = true;
            smallest = std::move(plan);
        }
        // Parts that overflowed a core spilled into more cores: partition
        // again into that many, while that helps.
        if (!improved || cores <= parts || cores >= layout.size()) {
            break;
        }
        parts = cores;
    }
    if (!best) {
        check_core_count(net, chip, smallest->cores.size());
    }
    return std::move(*best);
}

} // namespace engram::compiler
