#!/usr/bin/env bash
# Quick start: install, build, and run the main job on the flagship example:
# map the Vogels–Abbott CUBA network onto the Loihi-like chip (quantize,
# partition, place, route), write its chip image and mapping report, and
# print the image's summary.
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
