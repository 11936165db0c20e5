#!/usr/bin/env bash
# Install, build, replay the fuzz corpus through the libFuzzer build of the
# loaders, then run the whole test suite (unit, integration, CLI, ISA lint and
# backend tests). ctest's summary is the last thing printed.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ENGRAM_BUILD_DIR:-$root_dir/build}
"$root_dir/scripts/setup.sh"
"$root_dir/scripts/fuzz.sh" --replay
ctest --test-dir "$build_dir" --output-on-failure -j 2
