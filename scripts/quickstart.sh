#!/usr/bin/env bash
# Quick start: install, build, and run the main job on the flagship example
# (today: validate the Vogels–Abbott CUBA network against the Loihi-like chip).
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ENGRAM_BUILD_DIR:-$root_dir/build}
"$root_dir/scripts/setup.sh"
"$build_dir/apps/engram/engram" chips
echo
"$build_dir/apps/engram/engram" compile --check "$root_dir/examples/vogels_abbott_cuba/network.json" --chip loihi-like
