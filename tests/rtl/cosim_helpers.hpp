#pragma once

// Shared by the RTL co-simulation tests (test_cosim.cpp, test_cosim_learning.cpp):
// building core images by hand, drawing random values, printing mismatches.

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include <engram/isa/chip_image.hpp>
#include <engram/rtl/cosim.hpp>

#include "../emulator/core_fixtures.hpp"

namespace engram::test::rtl_cosim {

constexpr std::uint32_t src = 1;  // the core the test packets come from

// Hand-built cores: the same builders as the emulator core's tests.
using core_fixtures::add_axon;
using core_fixtures::add_neuron;

/// Neurons 0 .. axons-1 of core `src` feed axons 0 .. axons-1.
inline void map_all_axons(isa::core_image& c) {
  c.input_map.push_back(
      {.src_core = src, .neuron_base = 0, .count = static_cast<std::uint32_t>(c.axons.size()), .axon_base = 0});
  c.input_projection.push_back(0);
}

inline std::string describe(const std::vector<rtl::mismatch>& ms) {
  std::string out;
  for (const rtl::mismatch& m : ms) {
    out += rtl::to_string(m) + "\n";
  }
  return out;
}

inline bool has(const std::vector<rtl::mismatch>& ms, const rtl::mismatch& m) {
  for (const rtl::mismatch& x : ms) {
    if (x == m) {
      return true;
    }
  }
  return false;
}

template <class T>
T pick(std::mt19937_64& rng, std::initializer_list<T> values) {
  std::uniform_int_distribution<std::size_t> d(0, values.size() - 1);
  return *(values.begin() + static_cast<std::ptrdiff_t>(d(rng)));
}

inline std::int64_t uniform(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

inline bool chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

inline std::uint32_t random_decay(std::mt19937_64& rng) {
  if (chance(rng, 0.4)) {
    return pick<std::uint32_t>(rng, {0, 1, 2, 4094, 4095, 2048, 200, 742, 390});
  }
  return static_cast<std::uint32_t>(uniform(rng, 0, 4095));
}

inline std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::strtoull(v, nullptr, 10) : fallback;
}

/// A random core and its input packets, per step.
struct random_core {
  isa::core_image image;
  std::vector<std::vector<rtl::packet>> inputs;
};

}  // namespace engram::test::rtl_cosim
