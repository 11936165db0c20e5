#!/usr/bin/env bash
# The randomized RTL co-simulation at 1e6 compared core-steps (the test suite
# runs 1e5): 5,000 random cores of 200 steps each, a different seed range
# from the suite's. Usage: tests/rtl/cosim_long.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
ENGRAM_COSIM_CORES=${ENGRAM_COSIM_CORES:-5000} \
ENGRAM_COSIM_STEPS=${ENGRAM_COSIM_STEPS:-200} \
ENGRAM_COSIM_SEED=${ENGRAM_COSIM_SEED:-1000000} \
  "$build/tests/engram_tests" --gtest_filter='cosim.randomized_cores_match_the_emulator_bit_for_bit'
