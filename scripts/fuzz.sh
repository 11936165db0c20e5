#!/usr/bin/env bash
# Builds the libFuzzer target for the network and chip loaders with clang-14
# (address and undefined-behaviour sanitizers) in build-fuzz/, then either
#   scripts/fuzz.sh --replay     runs every file of the seed corpus once (CI), or
#   scripts/fuzz.sh [SECONDS]    fuzzes for SECONDS (default 60) from a copy of
#                                the seed corpus kept in build-fuzz/corpus.
# Needs the packages of scripts/setup.sh (clang-14, libclang-rt-14-dev).
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz_dir=${ENGRAM_FUZZ_BUILD_DIR:-$root_dir/build-fuzz}
seed_corpus=$root_dir/tests/fuzz/corpus

cmake -S "$root_dir" -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DENGRAM_FUZZ=ON -DENGRAM_BUILD_TESTS=OFF -DENGRAM_BUILD_BENCH=OFF >/dev/null
cmake --build "$fuzz_dir" -j 2 --target engram_fuzz_loaders
fuzzer=$fuzz_dir/tests/fuzz/engram_fuzz_loaders

if [ "${1:-}" = "--replay" ]; then
  "$fuzzer" "$seed_corpus"/* 2>&1 | tail -n 3
  echo "fuzz: replayed $(ls "$seed_corpus" | wc -l) corpus files without a finding"
  exit 0
fi

seconds=${1:-60}
work_corpus=$fuzz_dir/corpus
mkdir -p "$work_corpus"
cp -n "$seed_corpus"/* "$work_corpus"/ 2>/dev/null || true
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$fuzz_dir/" "$work_corpus"
