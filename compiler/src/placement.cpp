#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <engram/common/philox.hpp>
#include <engram/compiler/connectivity.hpp>
#include <engram/compiler/placement.hpp>

namespace engram::compiler {

std::vector<double> population_rates(const network& net, const rate_options& options) {
    std::vector<double> rates;
    const double window = options.duration_ms;
    auto spikes_in_window = [&](const std::vector<double>& times) {
        return static_cast<double>(std::count_if(times.begin(), times.end(), [&](double t) { return t < window; }));
    };
    for (const auto& pop: net.populations) {
        double rate = options.default_rate_hz;
        if (const auto* p = std::get_if<spike_source_poisson_params>(&pop.params)) {
            const double active = std::max(0.0, std::min(window, p->start + p->duration) - std::min(window, p->start));
            rate = p->rate * active / window;
        }
        else if (const auto* a = std::get_if<spike_source_array_params>(&pop.params)) {
            double total = 0.0;
            for (const auto& times: a->times) {
                total += spikes_in_window(times);
            }
            rate = a->times.empty() ? 0.0 : total / static_cast<double>(a->times.size()) * 1000.0 / window;
        }
        else if (const auto* m = std::get_if<modulator_params>(&pop.params)) {
            rate = spikes_in_window(m->times) * 1000.0 / window;
        }
        rates.push_back(rate);
    }
    return rates;
}

double traffic_matrix::total() const {
    double sum = 0.0;
    for (const auto& row: out) {
        for (const auto& [b, t]: row) {
            sum += t;
        }
    }
    return sum;
}

double traffic_matrix::inter_core() const {
    double sum = 0.0;
    for (std::size_t a = 0; a < out.size(); ++a) {
        for (const auto& [b, t]: out[a]) {
            sum += b == a ? 0.0 : t;
        }
    }
    return sum;
}

std::vector<slice_fanout> compute_fanout(const network& net, const partition_plan& plan) {
    const std::size_t n = plan.cores.size();
    // Where each neuron sits: its core and the index of its fanout entry.
    std::vector<slice_fanout> fanout;
    std::vector<std::vector<std::uint32_t>> entry_of(net.populations.size());
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        entry_of[p].assign(net.populations[p].size, 0);
    }
    for (std::uint32_t c = 0; c < n; ++c) {
        for (std::uint32_t k = 0; k < plan.cores[c].slices.size(); ++k) {
            const slice& s = plan.cores[c].slices[k];
            std::fill_n(entry_of[s.population].begin() + s.first, s.count, static_cast<std::uint32_t>(fanout.size()));
            fanout.push_back({c, k, {}});
        }
    }
    std::vector<synapse_generator> generators;
    for (std::size_t p = 0; p < net.projections.size(); ++p) {
        generators.emplace_back(net, p);
    }
    std::vector<std::vector<char>> seen(net.populations.size());
    for (std::size_t p = 0; p < net.populations.size(); ++p) {
        seen[p].assign(net.populations[p].size, 0);
    }
    std::vector<std::uint32_t> neurons(fanout.size(), 0);
    std::vector<std::uint32_t> entries;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> touched;
    std::vector<std::uint32_t> buffer;
    for (std::uint32_t b = 0; b < n; ++b) {
        touched.clear();
        auto touch = [&](std::uint32_t q, std::uint32_t i) {
            if (!seen[q][i]) {
                seen[q][i] = 1;
                touched.emplace_back(q, i);
            }
        };
        for (const auto& s: plan.cores[b].slices) {
            for (std::size_t p = 0; p < net.projections.size(); ++p) {
                const auto& proj = net.projections[p];
                if (proj.post != s.population) {
                    continue;
                }
                buffer.clear();
                generators[p].generate_pres(s.first, s.first + s.count, buffer);
                for (const std::uint32_t pre: buffer) {
                    touch(static_cast<std::uint32_t>(proj.pre), pre);
                }
            }
        }
        for (const rule_use& r: plan.cores[b].rules) {
            if (const auto m = net.rules[r.rule].modulator) {
                touch(static_cast<std::uint32_t>(*m), 0);
            }
        }
        entries.clear();
        for (const auto& [q, i]: touched) {
            seen[q][i] = 0;
            const std::uint32_t e = entry_of[q][i];
            if (neurons[e]++ == 0) {
                entries.push_back(e);
            }
        }
        for (std::uint32_t e: entries) {
            fanout[e].targets.emplace_back(b, neurons[e]);
            neurons[e] = 0;
        }
    }
    for (auto& f: fanout) {
        f.targets.shrink_to_fit(); // grown one core at a time: up to twice its size
    }
    return fanout;
}

traffic_matrix core_traffic(const partition_plan& plan, const std::vector<slice_fanout>& fanout,
                            const std::vector<double>& rates) {
    traffic_matrix traffic;
    traffic.out.resize(plan.cores.size());
    for (const auto& f: fanout) {
        const double rate = rates[plan.cores[f.core].slices[f.slice].population];
        auto& row = traffic.out[f.core];
        for (const auto& [b, count]: f.targets) {
            // Rows stay sorted: merge into an existing destination or insert.
            auto it = std::lower_bound(row.begin(), row.end(), b,
                                       [](const auto& entry, std::uint32_t key) { return entry.first < key; });
            if (it != row.end() && it->first == b) {
                it->second += rate * count;
            }
            else {
                row.insert(it, {b, rate * count});
            }
        }
    }
    return traffic;
}

namespace {

// Chip-edge crossings between two coordinates along one axis.
std::uint32_t crossings(std::uint32_t a, std::uint32_t b, std::uint32_t chip_extent) {
    const std::uint32_t ca = a / chip_extent;
    const std::uint32_t cb = b / chip_extent;
    return ca > cb ? ca - cb : cb - ca;
}

std::uint32_t distance(std::uint32_t a, std::uint32_t b) {
    return a > b ? a - b : b - a;
}

} // namespace

std::uint32_t hop_count(grid_position from, grid_position to) {
    return distance(from.x, to.x) + distance(from.y, to.y);
}

double hop_cost(const chip_spec& chip, grid_position from, grid_position to) {
    const std::uint32_t dx = distance(from.x, to.x);
    const std::uint32_t dy = distance(from.y, to.y);
    const std::uint32_t cx = crossings(from.x, to.x, chip.mesh.width);
    const std::uint32_t cy = crossings(from.y, to.y, chip.mesh.height);
    const double inter = chip.inter_chip ? chip.inter_chip->hop_pj : 0.0;
    return (dx - cx) * chip.energy.hop_east_west_pj + (dy - cy) * chip.energy.hop_north_south_pj +
           (cx + cy) * inter;
}

double placement_cost(const chip_spec& chip, const traffic_matrix& traffic,
                      const std::vector<grid_position>& positions) {
    double cost = 0.0;
    for (std::size_t a = 0; a < traffic.out.size(); ++a) {
        for (const auto& [b, t]: traffic.out[a]) {
            cost += t * hop_cost(chip, positions[a], positions[b]);
        }
    }
    return cost;
}

namespace {

double traffic_hops(const traffic_matrix& traffic, const std::vector<grid_position>& positions) {
    double sum = 0.0;
    for (std::size_t a = 0; a < traffic.out.size(); ++a) {
        for (const auto& [b, t]: traffic.out[a]) {
            sum += t * hop_count(positions[a], positions[b]);
        }
    }
    return sum;
}

} // namespace

placement place_cores(const chip_spec& chip, const traffic_matrix& traffic, std::size_t core_count,
                      std::uint64_t seed, std::size_t iterations_per_core) {
    const std::uint32_t width = chip.mesh.width * chip.chips.width;
    const std::uint32_t height = chip.mesh.height * chip.chips.height;
    const std::size_t cells = std::size_t{width} * height;
    if (core_count > cells) {
        throw std::logic_error("place_cores: " + std::to_string(core_count) + " cores for " + std::to_string(cells) +
                               " positions (the partitioner checks the count)");
    }
    placement result;
    result.positions.resize(core_count);
    std::vector<std::int64_t> occupant(cells, -1);
    for (std::size_t k = 0; k < core_count; ++k) {
        result.positions[k] = {static_cast<std::uint32_t>(k % width), static_cast<std::uint32_t>(k / width)};
        occupant[k] = static_cast<std::int64_t>(k);
    }
    result.naive_cost = placement_cost(chip, traffic, result.positions);
    result.naive_traffic_hops = traffic_hops(traffic, result.positions);

    // The search holds every pair of talking cores twice (both directions);
    // for dense traffic between thousands of cores that is gigabytes, and
    // its budget of moves is small against the cores anyway: the row-major
    // placement stays (docs/mapping.md, "Placement").
    std::size_t pairs = 0;
    for (const auto& row: traffic.out) {
        pairs += row.size();
    }
    if (iterations_per_core == 0 || 2 * pairs * sizeof(std::pair<std::uint32_t, double>) > max_search_bytes) {
        result.searched = false;
        result.cost = result.naive_cost;
        result.traffic_hops = result.naive_traffic_hops;
        return result;
    }
    // Symmetric weights: the cost of a path does not depend on its direction.
    std::vector<std::vector<std::pair<std::uint32_t, double>>> adjacent(core_count);
    for (std::uint32_t a = 0; a < core_count; ++a) {
        for (const auto& [b, t]: traffic.out[a]) {
            if (a != b && t > 0.0) {
                adjacent[a].emplace_back(b, t);
                adjacent[b].emplace_back(a, t);
            }
        }
    }
    auto cost_at = [&](std::uint32_t a, grid_position where, std::int64_t ignore) {
        double c = 0.0;
        for (const auto& [b, w]: adjacent[a]) {
            if (static_cast<std::int64_t>(b) != ignore) {
                c += w * hop_cost(chip, where, result.positions[b]);
            }
        }
        return c;
    };

    philox_stream random(seed, 0, 0, random_stream_id::placement);
    // Each move evaluates the hop costs of the moved cores' partners: with
    // dense traffic (every core talking to every other) that is O(cores) per
    // move, so the moves are capped by a budget of evaluations (about a
    // second of work here) rather than growing as O(cores^2).
    std::size_t degree_sum = 0;
    for (const auto& partners: adjacent) {
        degree_sum += partners.size();
    }
    const double mean_degree = core_count == 0 ? 0.0 : static_cast<double>(degree_sum) / double(core_count);
    constexpr double evaluation_budget = 2.0e7;
    const auto budget_moves = static_cast<std::size_t>(evaluation_budget / std::max(1.0, 2.0 * mean_degree));
    const std::size_t iterations = std::min(iterations_per_core * core_count, std::max<std::size_t>(budget_moves, core_count));
    for (std::size_t it = 0; it < iterations && core_count > 1; ++it) {
        const auto a = random.next_below(static_cast<std::uint32_t>(core_count));
        if (adjacent[a].empty()) {
            continue;
        }
        // A target near one of a's partners (within 2 hops), or anywhere.
        grid_position target;
        if (random.next_below(4) != 0) {
            const auto& partner =
                result.positions[adjacent[a][random.next_below(static_cast<std::uint32_t>(adjacent[a].size()))].first];
            const auto dx = static_cast<std::int64_t>(random.next_below(5)) - 2;
            const auto dy = static_cast<std::int64_t>(random.next_below(5)) - 2;
            target.x = static_cast<std::uint32_t>(std::clamp<std::int64_t>(partner.x + dx, 0, width - 1));
            target.y = static_cast<std::uint32_t>(std::clamp<std::int64_t>(partner.y + dy, 0, height - 1));
        }
        else {
            const auto cell = random.next_below(static_cast<std::uint32_t>(cells));
            target = {cell % width, cell / width};
        }
        const grid_position from = result.positions[a];
        if (target == from) {
            continue;
        }
        const std::int64_t b = occupant[std::size_t{target.y} * width + target.x];
        double delta = cost_at(a, target, b) - cost_at(a, from, b);
        if (b >= 0) {
            const auto bb = static_cast<std::uint32_t>(b);
            delta += cost_at(bb, from, a) - cost_at(bb, target, a);
        }
        if (delta < -1e-12 * std::max(1.0, result.naive_cost)) {
            result.positions[a] = target;
            occupant[std::size_t{target.y} * width + target.x] = a;
            occupant[std::size_t{from.y} * width + from.x] = b;
            if (b >= 0) {
                result.positions[static_cast<std::size_t>(b)] = from;
            }
        }
    }
    result.cost = placement_cost(chip, traffic, result.positions);
    result.traffic_hops = traffic_hops(traffic, result.positions);
    return result;
}

} // namespace engram::compiler
