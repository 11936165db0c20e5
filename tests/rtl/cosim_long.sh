#!/usr/bin/env bash
# The long RTL co-simulation (docs/rtl.md): the randomized cores at 1e6
# compared core-steps (the suite runs 1e5) — 5,000 random LIF cores of 200
# steps and 5,000 random plastic cores of 200 steps, on other seeds than the
# suite's — then `engram cosim` on the busiest core of every example, the
# plastic ones for 5,000 steps. Usage: tests/rtl/cosim_long.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-build}
engram="$build/apps/engram/engram"

ENGRAM_COSIM_CORES=${ENGRAM_COSIM_CORES:-5000} \
ENGRAM_COSIM_STEPS=${ENGRAM_COSIM_STEPS:-200} \
ENGRAM_COSIM_SEED=${ENGRAM_COSIM_SEED:-1000000} \
ENGRAM_COSIM_LEARN_CORES=${ENGRAM_COSIM_LEARN_CORES:-5000} \
ENGRAM_COSIM_LEARN_STEPS=${ENGRAM_COSIM_LEARN_STEPS:-200} \
ENGRAM_COSIM_LEARN_SEED=${ENGRAM_COSIM_LEARN_SEED:-2000000} \
  "$build/tests/engram_tests" \
  --gtest_filter='cosim.randomized_cores_match_the_emulator_bit_for_bit:cosim.randomized_plastic_cores_match_the_emulator_bit_for_bit'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# example, busiest core (the timing model's most frequent bottleneck in `engram run`), steps
while read -r example core steps; do
  "$engram" compile "$root/examples/$example/network.json" -o "$work/$example.engram" >/dev/null
  echo "== engram cosim $example.engram --core $core --steps $steps"
  "$engram" cosim "$work/$example.engram" --core "$core" --steps "$steps"
done <<'EOF'
vogels_abbott_cuba 0 20000
stdp_song2000 0 5000
stdp_song2000_correlated 0 5000
distal_reward 0 20000
single_neuron 0 1000
stdp_window 0 2000
gdhl_kernels 0 2000
triplet_frequency 0 2000
closed_loop 0 2000
EOF

# The digit-learning example's network is generated with its spike files;
# its two learning cores (100 neurons each, instar and adaptive-threshold
# rules on plastic excitatory and inhibitory synapses).
/usr/bin/python3 "$root/examples/digits_stdp/digits.py" prepare "$work/digits" >/dev/null
"$engram" compile "$work/digits/train.json" -o "$work/digits.engram" >/dev/null
for core in 0 1; do
  echo "== engram cosim digits.engram --core $core --steps 5000"
  "$engram" cosim "$work/digits.engram" --core "$core" --steps 5000
done
