#pragma once

// Expanding a projection's connector into concrete synapses. Every random
// choice is drawn from a counter-based stream keyed by the network seed, the
// projection and the POST neuron (docs/mapping.md, "Connectivity"), so the
// synapses onto a post neuron are the same whichever slice of the post
// population is generated, in whatever order, on whatever thread: the
// mapper can generate one core's synapses at a time.

#include <cstdint>
#include <vector>

#include <engram/common/philox.hpp>
#include <engram/compiler/network.hpp>

namespace engram::compiler {

// One synapse in physical units (the mapper quantizes it).
struct synapse {
    std::uint32_t pre = 0;   // index in the pre population
    std::uint32_t post = 0;  // index in the post population
    double weight = 0.0;     // nA, magnitude
    double delay = 0.0;      // ms
    friend bool operator==(const synapse&, const synapse&) = default;
};

// One value of a spec: a constant, a draw from its distribution (using
// stream), or element list_index of its list. normal_clipped redraws values
// outside [low, high] (as PyNN's normal_clipped does), up to 1,000 times,
// then clamps.
double draw_value(const value_spec& spec, std::uint64_t list_index, philox_stream& stream);

class synapse_generator {
public:
    // net must outlive the generator.
    synapse_generator(const network& net, std::size_t projection_index);

    // Appends the synapses onto post neurons [post_begin, post_end), ordered by
    // post neuron, then by pre neuron (FromList: in list order for each post).
    void generate(std::uint32_t post_begin, std::uint32_t post_end, std::vector<synapse>& out) const;

    // Appends only the pre neurons of the same synapses, in the same order,
    // without drawing weights and delays (the partitioners and placement
    // need no more).
    void generate_pres(std::uint32_t post_begin, std::uint32_t post_end, std::vector<std::uint32_t>& out) const;
    // All synapses of the projection.
    std::vector<synapse> generate_all() const;

    std::uint32_t pre_size() const { return pre_size_; }
    std::uint32_t post_size() const { return post_size_; }

private:
    // sink(pre, list_index, weights, delays) for each synapse onto post, in order.
    template <typename Sink>
    void connect_post(std::uint32_t post, Sink&& sink) const;
    void check_range(std::uint32_t post_begin, std::uint32_t post_end) const;
    // Position of (pre, post) in the connector's order, for value lists.
    std::uint64_t list_index(std::uint32_t pre, std::uint32_t post) const;

    const network* net_;
    const projection* proj_;
    std::uint32_t index_;
    std::uint32_t pre_size_;
    std::uint32_t post_size_;
    bool no_self_;
    // FromList: connection indices grouped by post neuron (offsets into order_).
    std::vector<std::uint32_t> list_offsets_;
    std::vector<std::uint32_t> list_order_;
};

} // namespace engram::compiler
