#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (address and undefined-behaviour
# sanitizers) in build-fuzz/, then either
#   scripts/fuzz.sh --replay            runs every seed-corpus file once through
#                                       each target (CI), or
#   scripts/fuzz.sh [TARGET] [SECONDS]  fuzzes TARGET for SECONDS (default 60)
#                                       from a copy of its seed corpus kept in
#                                       build-fuzz/corpus[-TARGET].
# Targets: loaders (default; the network and chip JSON loaders,
# tests/fuzz/corpus), image (the chip-image reader, tests/fuzz/image_corpus)
# and protocol (the engram serve wire protocol, tests/fuzz/protocol_corpus).
# Needs the packages of scripts/setup.sh (clang-14, libclang-rt-14-dev).
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz_dir=${ENGRAM_FUZZ_BUILD_DIR:-$root_dir/build-fuzz}

# target -> executable, seed corpus, working corpus, longest input, where findings go
declare -A fuzzer=([loaders]=engram_fuzz_loaders [image]=engram_fuzz_image [protocol]=engram_fuzz_protocol)
declare -A seed_corpus=([loaders]=$root_dir/tests/fuzz/corpus [image]=$root_dir/tests/fuzz/image_corpus
                        [protocol]=$root_dir/tests/fuzz/protocol_corpus)
declare -A work_corpus=([loaders]=$fuzz_dir/corpus [image]=$fuzz_dir/corpus-image [protocol]=$fuzz_dir/corpus-protocol)
declare -A max_len=([loaders]=65536 [image]=16384 [protocol]=8192)
declare -A artifact_prefix=([loaders]=$fuzz_dir/ [image]=$fuzz_dir/image- [protocol]=$fuzz_dir/protocol-)

configure() {
  cmake -S "$root_dir" -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DENGRAM_FUZZ=ON -DENGRAM_BUILD_TESTS=OFF -DENGRAM_BUILD_BENCH=OFF >/dev/null
}

if [ "${1:-}" = "--replay" ]; then
  configure
  cmake --build "$fuzz_dir" -j 2 --target "${fuzzer[loaders]}" "${fuzzer[image]}" "${fuzzer[protocol]}"
  for target in loaders image protocol; do
    "$fuzz_dir/tests/fuzz/${fuzzer[$target]}" "${seed_corpus[$target]}"/* 2>&1 | tail -n 3
    echo "fuzz ($target): replayed $(ls "${seed_corpus[$target]}" | wc -l) corpus files without a finding"
  done
  exit 0
fi

target=loaders
if [ $# -gt 0 ] && [ -n "${fuzzer[$1]+set}" ]; then
  target=$1
  shift
elif [ $# -gt 0 ] && ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh --replay | [loaders|image|protocol] [SECONDS]" >&2
  exit 1
fi
seconds=${1:-60}

configure
cmake --build "$fuzz_dir" -j 2 --target "${fuzzer[$target]}"
mkdir -p "${work_corpus[$target]}"
cp -n "${seed_corpus[$target]}"/* "${work_corpus[$target]}"/ 2>/dev/null || true
"$fuzz_dir/tests/fuzz/${fuzzer[$target]}" -max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="${artifact_prefix[$target]}" "${work_corpus[$target]}"
