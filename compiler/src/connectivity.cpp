#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <unordered_set>

#include <engram/compiler/connectivity.hpp>

namespace engram::compiler {

double draw_value(const value_spec& spec, std::uint64_t list_index, philox_stream& stream) {
    switch (spec.type) {
    case value_spec::kind::constant: return spec.value;
    case value_spec::kind::list:
        if (list_index >= spec.values.size()) {
            throw std::logic_error("value list index " + std::to_string(list_index) + " beyond its " +
                                   std::to_string(spec.values.size()) + " values (the loader checks lengths)");
        }
        return spec.values[list_index];
    case value_spec::kind::uniform: return spec.low + (spec.high - spec.low) * stream.next_double();
    case value_spec::kind::normal:
    case value_spec::kind::normal_clipped: {
        auto normal = [&] {
            // Box-Muller, one value per pair of uniforms.
            const double u1 = stream.next_open_double();
            const double u2 = stream.next_double();
            return spec.mean + spec.sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
        };
        if (spec.type == value_spec::kind::normal) {
            return normal();
        }
        for (int attempt = 0; attempt < 1000; ++attempt) {
            const double x = normal();
            if (x >= spec.low && x <= spec.high) {
                return x;
            }
        }
        return std::clamp(spec.mean, spec.low, spec.high);
    }
    }
    return spec.value;
}

synapse_generator::synapse_generator(const network& net, std::size_t projection_index):
    net_(&net),
    proj_(&net.projections.at(projection_index)),
    index_(static_cast<std::uint32_t>(projection_index)),
    pre_size_(net.populations.at(proj_->pre).size),
    post_size_(net.populations.at(proj_->post).size),
    no_self_(proj_->pre == proj_->post && !proj_->conn.allow_self_connections) {
    if (proj_->conn.kind == connector_kind::from_list) {
        // Counting sort of the list by post neuron, keeping list order within each.
        const auto& list = proj_->conn.connections;
        list_offsets_.assign(post_size_ + 1, 0);
        for (const auto& c: list) {
            ++list_offsets_[c.post + 1];
        }
        for (std::uint32_t j = 0; j < post_size_; ++j) {
            list_offsets_[j + 1] += list_offsets_[j];
        }
        list_order_.resize(list.size());
        std::vector<std::uint32_t> next(list_offsets_.begin(), list_offsets_.end() - 1);
        for (std::uint32_t k = 0; k < list.size(); ++k) {
            list_order_[next[list[k].post]++] = k;
        }
    }
}

std::uint64_t synapse_generator::list_index(std::uint32_t pre, std::uint32_t post) const {
    switch (proj_->conn.kind) {
    case connector_kind::all_to_all:
        if (no_self_) {
            return std::uint64_t{pre} * (post_size_ - 1) + (post > pre ? post - 1 : post);
        }
        return std::uint64_t{pre} * post_size_ + post;
    case connector_kind::one_to_one: return post;
    default: return 0; // lists need a deterministic connector (checked by the loader)
    }
}

template <typename Sink>
void synapse_generator::connect_post(std::uint32_t j, Sink&& add) const {
    const std::uint64_t seed = net_->seed;
    const connector& c = proj_->conn;
    switch (c.kind) {
    case connector_kind::all_to_all:
        for (std::uint32_t i = 0; i < pre_size_; ++i) {
            if (!(no_self_ && i == j)) {
                add(i, list_index(i, j), nullptr);
            }
        }
        break;
    case connector_kind::one_to_one:
        if (!no_self_) {
            add(j, j, nullptr);
        }
        break;
    case connector_kind::fixed_probability: {
        if (c.p <= 0.0) {
            break;
        }
        if (c.p >= 1.0) {
            for (std::uint32_t i = 0; i < pre_size_; ++i) {
                if (!(no_self_ && i == j)) {
                    add(i, 0, nullptr);
                }
            }
            break;
        }
        // Bernoulli trials over the pre neurons, drawn as geometric gaps
        // between successes: O(synapses), not O(pre).
        philox_stream draws(seed, j, index_, random_stream_id::connectivity);
        const double log_q = std::log1p(-c.p);
        double i = -1.0;
        for (;;) {
            const double gap = std::floor(std::log(draws.next_open_double()) / log_q);
            i += gap + 1.0;
            if (i >= static_cast<double>(pre_size_)) {
                break;
            }
            const auto pre = static_cast<std::uint32_t>(i);
            if (!(no_self_ && pre == j)) {
                add(pre, 0, nullptr);
            }
        }
        break;
    }
    case connector_kind::fixed_number_pre: {
        // Floyd's algorithm: n distinct of the pool (pre neurons, less self).
        philox_stream draws(seed, j, index_, random_stream_id::connectivity);
        const std::uint32_t pool = no_self_ ? pre_size_ - 1 : pre_size_;
        std::vector<std::uint32_t> chosen;
        chosen.reserve(c.n);
        std::unordered_set<std::uint32_t> seen; // only for large n; a scan is faster for small n
        const bool use_set = c.n > 32;
        for (std::uint32_t k = pool - c.n; k < pool; ++k) {
            const std::uint32_t t = draws.next_below(k + 1);
            const bool taken = use_set ? seen.contains(t) : std::find(chosen.begin(), chosen.end(), t) != chosen.end();
            const std::uint32_t pick = taken ? k : t;
            chosen.push_back(pick);
            if (use_set) {
                seen.insert(pick);
            }
        }
        std::sort(chosen.begin(), chosen.end());
        for (std::uint32_t t: chosen) {
            add(no_self_ && t >= j ? t + 1 : t, 0, nullptr);
        }
        break;
    }
    case connector_kind::from_list:
        for (std::uint32_t k = list_offsets_[j]; k < list_offsets_[j + 1]; ++k) {
            const std::uint32_t index = list_order_[k];
            add(c.connections[index].pre, index, &c.connections[index]);
        }
        break;
    }
}

void synapse_generator::check_range(std::uint32_t post_begin, std::uint32_t post_end) const {
    if (post_begin > post_end || post_end > post_size_) {
        throw std::logic_error("synapse_generator: post range [" + std::to_string(post_begin) + ", " +
                               std::to_string(post_end) + ") outside the population of " +
                               std::to_string(post_size_));
    }
}

void synapse_generator::generate(std::uint32_t post_begin, std::uint32_t post_end, std::vector<synapse>& out) const {
    check_range(post_begin, post_end);
    for (std::uint32_t j = post_begin; j < post_end; ++j) {
        philox_stream weights(net_->seed, j, index_, random_stream_id::weights);
        philox_stream delays(net_->seed, j, index_, random_stream_id::delays);
        connect_post(j, [&](std::uint32_t pre, std::uint64_t list_index, const list_connection* lc) {
            synapse s;
            s.pre = pre;
            s.post = j;
            s.weight = lc != nullptr && lc->weight ? *lc->weight : draw_value(proj_->weight, list_index, weights);
            s.delay = lc != nullptr && lc->delay ? *lc->delay : draw_value(proj_->delay, list_index, delays);
            out.push_back(s);
        });
    }
}

void synapse_generator::generate_pres(std::uint32_t post_begin, std::uint32_t post_end,
                                      std::vector<std::uint32_t>& out) const {
    check_range(post_begin, post_end);
    for (std::uint32_t j = post_begin; j < post_end; ++j) {
        connect_post(j, [&](std::uint32_t pre, std::uint64_t, const list_connection*) { out.push_back(pre); });
    }
}

std::vector<synapse> synapse_generator::generate_all() const {
    std::vector<synapse> out;
    out.reserve(static_cast<std::size_t>(proj_->expected_synapses(pre_size_, post_size_) * 1.05) + 16);
    generate(0, post_size_, out);
    return out;
}

} // namespace engram::compiler
