// Philox4x32-10 against Random123's known answers, and the stream helpers.

#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include <engram/common/philox.hpp>

using engram::philox4x32_10;
using engram::philox_stream;
using engram::random_stream_id;

TEST(philox, known_answers) {
    // Random123's kat_vectors for philox4x32_10.
    EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
              (engram::philox_counter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
    EXPECT_EQ(philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}),
              (engram::philox_counter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
    EXPECT_EQ(philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}),
              (engram::philox_counter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(philox, numerics_worked_example) {
    // docs/numerics.md §9: seed 42, population 1, neuron 3, step 100 -> u = 0x8f393d93.
    const auto key = engram::philox_key_from_seed(42);
    EXPECT_EQ(philox4x32_10({100, 3, 1, 0}, key)[0], 0x8f393d93u);
    EXPECT_EQ(philox4x32_10({34, 3, 1, 0}, key)[0], 0x04aba1afu);
}

TEST(philox, stream_reads_blocks_in_order) {
    philox_stream s(7, 11, 13, random_stream_id::connectivity);
    const auto key = engram::philox_key_from_seed(7);
    const auto b0 = philox4x32_10({11, 0, 13, 1}, key);
    const auto b1 = philox4x32_10({11, 1, 13, 1}, key);
    for (int k = 0; k < 4; ++k) {
        EXPECT_EQ(s.next_u32(), b0[static_cast<std::size_t>(k)]);
    }
    EXPECT_EQ(s.next_u32(), b1[0]);
}

TEST(philox, doubles_are_in_range_and_uniform) {
    philox_stream s(1, 2, 3, random_stream_id::weights);
    double sum = 0.0;
    const int n = 100000;
    for (int k = 0; k < n; ++k) {
        const double u = s.next_double();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        const double o = s.next_open_double();
        ASSERT_GT(o, 0.0);
        ASSERT_LE(o, 1.0);
        sum += u;
    }
    // Mean of n uniforms: sd = sqrt(1/12/n) ~ 0.0009; allow 5 sd.
    EXPECT_NEAR(sum / n, 0.5, 5 * std::sqrt(1.0 / 12.0 / n));
}

TEST(philox, next_below_covers_the_range_without_bias) {
    philox_stream s(3, 0, 0, random_stream_id::connectivity);
    std::vector<int> counts(7, 0);
    const int n = 70000;
    for (int k = 0; k < n; ++k) {
        const auto v = s.next_below(7);
        ASSERT_LT(v, 7u);
        ++counts[v];
    }
    for (int c: counts) {
        // Binomial(n, 1/7): sd ~ 92; allow 5 sd around 10000.
        EXPECT_NEAR(c, 10000, 5 * 92.6);
    }
    EXPECT_EQ(s.next_below(1), 0u);
}
