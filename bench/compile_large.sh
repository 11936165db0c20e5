#!/usr/bin/env bash
# Compile time and peak memory of `engram compile` on large networks.
#
# Usage: bench/compile_large.sh ENGRAM_BINARY [OUTDIR]
#
# Generates the networks into OUTDIR (default /tmp/engram-large) and compiles
#   (a) examples/vogels_abbott_cuba/network.json on the loihi-like preset,
#   (b) bench/networks/random_1e8.py (1e5 neurons, 1e8 synapses) and
#   (c) bench/networks/potjans_diesmann.py (77,169 neurons, ~2.85e8 synapses)
#       on bench/chips/loihi-like-system.json (16 x 16 loihi-like chips),
# each under `/usr/bin/time -v`, and prints wall time, peak RSS and, from the
# --report JSON, cores and chips used and traffic x hops (placed vs row-major).
# A failed compile prints its error; the script goes on with the next one and
# exits 1 at the end. OUTDIR/summary.tsv collects the results.
#
# Environment (optional): RANDOM_ARGS and PD_ARGS are passed to the generators,
# e.g. RANDOM_ARGS="--neurons 2000" PD_ARGS="--scale 0.02" for a quick check;
# ONLY="a c" runs a subset.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi

ENGRAM=$1
OUTDIR=${2:-/tmp/engram-large}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=/usr/bin/python3
TIME=/usr/bin/time
CHIP_SYSTEM=$ROOT/bench/chips/loihi-like-system.json
ONLY=${ONLY:-"a b c"}

case $ENGRAM in
    /*) ;;
    *) ENGRAM=$(pwd)/$ENGRAM ;;
esac
if [ ! -x "$ENGRAM" ]; then
    echo "error: $ENGRAM is not an executable" >&2
    exit 2
fi
if [ ! -x "$TIME" ]; then
    echo "error: $TIME not found (Debian: apt-get install time)" >&2
    exit 2
fi
mkdir -p "$OUTDIR" || exit 2

failures=0
summary=$OUTDIR/summary.tsv
printf 'case\tnetwork\tchip\tstatus\twall_s\tpeak_rss_mb\tneurons\tsynapses\tcores_used\tchips_used\ttraffic_hops_per_s\tnaive_traffic_hops_per_s\n' >"$summary"

# generate NAME SCRIPT ARGS...: writes OUTDIR/NAME.json; prints the generator's output.
generate() {
    local name=$1 script=$2
    shift 2
    echo "== generating $name: $script $*"
    if ! "$PYTHON" "$ROOT/bench/networks/$script" "$OUTDIR/$name.json" "$@"; then
        echo "error: generating $name failed" >&2
        return 1
    fi
    echo "   $(stat -c %s "$OUTDIR/$name.json") bytes"
}

# measure CASE NAME NETWORK CHIP
measure() {
    local case=$1 name=$2 net=$3 chip=$4
    local base=$OUTDIR/$name
    echo "== ($case) $name on $(basename "$chip" .json)"
    rm -f "$base.engram" "$base.report.json"
    "$TIME" -v -o "$base.time" "$ENGRAM" compile "$net" --chip "$chip" -o "$base.engram" \
        --report "$base.report.json" >"$base.out" 2>"$base.err"
    local rc=$?
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
            n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$base.time")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$base.time")
    if [ $rc -ne 0 ] || [ ! -s "$base.report.json" ]; then
        failures=$((failures + 1))
        echo "   FAILED (exit status $rc) after ${wall:-?} s, peak RSS ${rss:-?} MB"
        grep -h "Command terminated by signal" "$base.time" | sed 's/^/   /'
        tail -n 20 "$base.err" | sed 's/^/   /'
        printf '%s\t%s\t%s\tfailed(%s)\t%s\t%s\t\t\t\t\t\t\n' "$case" "$name" "$(basename "$chip")" "$rc" \
            "${wall:-}" "${rss:-}" >>"$summary"
        return 1
    fi
    echo "   wall time   ${wall} s"
    echo "   peak RSS    ${rss} MB"
    "$PYTHON" - "$base.report.json" "$case" "$name" "$(basename "$chip")" "$wall" "$rss" "$summary" <<'PY'
import json, sys
path, case, name, chip, wall, rss, summary = sys.argv[1:]
r = json.load(open(path))
p = r["placement"]
hops, naive = p["traffic_hops_per_s"], p["naive_traffic_hops_per_s"]
gain = f" ({100 * (1 - hops / naive):.1f}% less)" if naive > 0 else ""
print(f"   network     {r['neurons']:,} neurons, {r['synapses']:,} synapses")
print(f"   cores used  {r['cores']['used']:,} of {r['cores']['available']:,}; chips used {r['chips_used']}")
print(f"   partition   {r['partition']['method']} ({r['partition']['mode']})")
print(f"   traffic x hops {hops:,.0f}/s placed vs {naive:,.0f}/s row-major{gain}")
with open(summary, "a") as f:
    f.write("\t".join(map(str, [case, name, chip, "ok", wall, rss, r["neurons"], r["synapses"], r["cores"]["used"],
                                 r["chips_used"], hops, naive])) + "\n")
PY
}

# generated_case CASE NAME [GENERATOR ARGS...]: bench/networks/NAME.py writes
# the network, which is then compiled on the chip system.
generated_case() {
    local c=$1 name=$2
    shift 2
    if generate "$name" "$name.py" "$@"; then
        measure "$c" "$name" "$OUTDIR/$name.json" "$CHIP_SYSTEM" || true
    else
        failures=$((failures + 1))
        printf '%s\t%s\t%s\tgenerator_failed\t\t\t\t\t\t\t\t\n' "$c" "$name" "$(basename "$CHIP_SYSTEM")" >>"$summary"
    fi
}

for c in $ONLY; do
    case $c in
    a)
        measure a vogels_abbott_cuba "$ROOT/examples/vogels_abbott_cuba/network.json" loihi-like || true
        ;;
    b)
        # shellcheck disable=SC2086  # word splitting of the argument list is intended
        generated_case b random_1e8 ${RANDOM_ARGS:-}
        ;;
    c)
        # shellcheck disable=SC2086
        generated_case c potjans_diesmann ${PD_ARGS:-}
        ;;
    *)
        echo "error: unknown case \"$c\" in ONLY (expected a, b, c)" >&2
        failures=$((failures + 1))
        ;;
    esac
done

echo "== summary ($summary)"
column -t -s $'\t' "$summary" 2>/dev/null || cat "$summary"
if [ $failures -gt 0 ]; then
    echo "$failures case(s) failed" >&2
    exit 1
fi
