#pragma once

// Philox4x32-10, the counter-based generator of Random123 (Salmon, Moraes,
// Dror & Shaw, SC'11), as specified in docs/numerics.md §9. A random number
// is a pure function of a counter and a key, so what a number is used for
// (a spike, a synapse) names it, and results do not depend on the order or
// the thread in which they are computed.

#include <array>
#include <cstdint>

namespace engram {

using philox_counter = std::array<std::uint32_t, 4>;
using philox_key = std::array<std::uint32_t, 2>;

constexpr philox_counter philox4x32_10(philox_counter c, philox_key k) {
    constexpr std::uint64_t m0 = 0xD2511F53u;
    constexpr std::uint64_t m1 = 0xCD9E8D57u;
    for (int round = 0; round < 10; ++round) {
        const std::uint64_t p0 = m0 * c[0];
        const std::uint64_t p1 = m1 * c[2];
        c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
             static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
        if (round < 9) {
            k[0] += 0x9E3779B9u;
            k[1] += 0xBB67AE85u;
        }
    }
    return c;
}

constexpr philox_key philox_key_from_seed(std::uint64_t seed) {
    return {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
}

// The streams that divide the counter space (counter word 3); each use of
// random numbers in Engram has its own.
enum class random_stream_id : std::uint32_t {
    poisson = 0,      // emulator: Poisson spikes, counter {step, neuron, population, 0}
    connectivity = 1, // compiler: which synapses exist, counter {post neuron, block, projection, 1}
    weights = 2,      // compiler: weights drawn from distributions
    delays = 3,       // compiler: delays drawn from distributions
    initial_state = 4, // compiler: initial voltages, counter {neuron, block, population, 4}
    placement = 5      // compiler: the local search of placement, counter {0, block, 0, 5}
};

// Sequential draws from the blocks of one counter prefix: counter
// {a, block, b, stream} for block = 0, 1, 2, ..., four numbers per block.
class philox_stream {
public:
    constexpr philox_stream(std::uint64_t seed, std::uint32_t a, std::uint32_t b, random_stream_id stream):
        key_(philox_key_from_seed(seed)), a_(a), b_(b), stream_(static_cast<std::uint32_t>(stream)) {}

    constexpr std::uint32_t next_u32() {
        if (used_ == 4) {
            block_out_ = philox4x32_10({a_, block_, b_, stream_}, key_);
            ++block_;
            used_ = 0;
        }
        return block_out_[used_++];
    }

    // Uniform in [0, 1) with 53 random bits.
    constexpr double next_double() {
        const std::uint64_t hi = next_u32() >> 5; // 27 bits
        const std::uint64_t lo = next_u32() >> 6; // 26 bits
        return static_cast<double>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
    }

    // Uniform in (0, 1]: safe for log().
    constexpr double next_open_double() { return 1.0 - next_double(); }

    // Uniform integer in [0, n) without modulo bias (n >= 1).
    constexpr std::uint32_t next_below(std::uint32_t n) {
        const std::uint32_t limit = static_cast<std::uint32_t>((std::uint64_t{1} << 32) % n);
        for (;;) {
            const std::uint32_t u = next_u32();
            if (u >= limit) {
                return u % n;
            }
        }
    }

private:
    philox_key key_;
    std::uint32_t a_;
    std::uint32_t b_;
    std::uint32_t stream_;
    std::uint32_t block_ = 0;
    philox_counter block_out_{};
    int used_ = 4;
};

} // namespace engram
