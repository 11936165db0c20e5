#!/usr/bin/env bash
# Installs what Engram needs (Debian 12 packages, only those missing), then
# configures and builds it in build/. Idempotent: run it as often as you like.
# Usage: scripts/setup.sh            (as root, or with sudo available)
# Environment: ENGRAM_BUILD_DIR (default build), ENGRAM_BUILD_TYPE (default RelWithDebInfo)
set -euo pipefail

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ENGRAM_BUILD_DIR:-$root_dir/build}
build_type=${ENGRAM_BUILD_TYPE:-RelWithDebInfo}

packages=(
  g++ make cmake ninja-build             # toolchain
  llvm-14-dev                            # TableGen (ISA backend) and ADT
  libboost-dev                           # Asio
  nlohmann-json3-dev                     # every JSON in and out
  libgtest-dev libbenchmark-dev          # tests and benchmarks
  libmetis-dev                           # graph partitioner (mapping)
  verilator zlib1g-dev                   # RTL simulation (zlib for FST traces)
  clang-14 libclang-rt-14-dev            # libFuzzer targets
  python3-numpy python3-sklearn          # digit-learning example and its test (digits data set)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install packages" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi

jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] || jobs=2
cmake -S "$root_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build "$build_dir" -j "$jobs"
echo "setup: built in $build_dir"
