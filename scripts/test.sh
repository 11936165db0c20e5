#!/usr/bin/env bash
# Install, build, and run the whole test suite (unit, integration, CLI, ISA
# lint and backend tests), then replay the fuzz corpus through the libFuzzer
# build of the loaders.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ENGRAM_BUILD_DIR:-$root_dir/build}
"$root_dir/scripts/setup.sh"
ctest --test-dir "$build_dir" --output-on-failure -j 2
"$root_dir/scripts/fuzz.sh" --replay
