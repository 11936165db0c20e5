#!/usr/bin/env bash
# Quick start: install, build, and run the main job on the flagship example:
# map the Vogels–Abbott CUBA network onto the Loihi-like chip (quantize,
# partition, place, route), write its chip image and mapping report, print
# the image's summary, then run the image on the emulated chip for one second
# of network time and print the energy and timing report.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ENGRAM_BUILD_DIR:-$root_dir/build}
"$root_dir/scripts/setup.sh"
engram=$build_dir/apps/engram/engram
out=$build_dir/quickstart
mkdir -p "$out"
"$engram" chips
echo
"$engram" compile --check "$root_dir/examples/vogels_abbott_cuba/network.json" --chip loihi-like
echo
"$engram" compile "$root_dir/examples/vogels_abbott_cuba/network.json" --chip loihi-like \
  -o "$out/vogels_abbott_cuba.engram" --report "$out/vogels_abbott_cuba.report.json"
echo
"$engram" inspect "$out/vogels_abbott_cuba.engram"
echo
"$engram" run "$out/vogels_abbott_cuba.engram" --steps 10000 --threads 2 -o "$out/vogels_abbott_cuba.run"
echo
head -5 "$out/vogels_abbott_cuba.run/spikes.csv"
