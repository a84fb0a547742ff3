#!/usr/bin/env bash
# TickLab's saturation against its peers, in one run on one machine.
#
# Runs, back to back and interleaved over R repeats (round-robin: every run of repeat 1, then of
# repeat 2, …, each peer next to the TickLab model it is compared with), the Disruptor peer
# (Benchmarks/Peers/Disruptor: busy-spin, yielding, blocking, ArrayBlockingQueue) and
#   ticklab run --rate max --proc-ms 0 --eval-ms 0 --duration D --json
# for spin-ring with each wait strategy (busy, yield, park), threads, event-loop and tasks; then
# prints medians, min–max, hop (received → processed) p50/p99, and the ratios of issue 11 with a
# PASS or SHORT per target.
#
# usage: Benchmarks/Peers/compare.sh [--repeats R] [--duration D] [--out DIR]
#        Benchmarks/Peers/compare.sh --report DIR   (the table of an earlier run, from its records)
#   ticklab: $TICKLAB, else .build/release/ticklab (built with swift build -c release if missing)
#   the peer: installed by Disruptor/install.sh if its jars or javac are missing
#   env: REPEATS, DURATION (as the options), PEER_WARMUP (1s), PEER_RING (the Disruptor's ring, 64)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
repeats=${REPEATS:-3}
duration=${DURATION:-5s}
warmup=${PEER_WARMUP:-1s}
# The Disruptor's ring: 64 as spin-ring's (SpinRingModel.ringCapacity); 65536 is the Disruptor's usual size.
peer_ring=${PEER_RING:-64}
out=
report_only=

usage_error() {
    echo "compare.sh: $1 (usage: compare.sh [--repeats R] [--duration D] [--out DIR] | --report DIR)" >&2
    exit 64
}

while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -r | --repeats) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; repeats=$2; shift 2 ;;
        -d | --duration) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; duration=$2; shift 2 ;;
        --out) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; out=$2; shift 2 ;;
        --report) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; report_only=$2; shift 2 ;;
        *) usage_error "unknown argument '$1'" ;;
    esac
done
[[ $repeats =~ ^[1-9][0-9]*$ ]] || usage_error "--repeats '$repeats' is not a positive integer"
[[ $duration =~ ^[0-9]+(\.[0-9]+)?(s|ms|m)$ ]] || usage_error "--duration '$duration' is not a duration such as 5s or 500ms"
[[ $peer_ring =~ ^[1-9][0-9]*$ ]] && (((peer_ring & (peer_ring - 1)) == 0)) ||
    usage_error "PEER_RING '$peer_ring' is not a power of two"
command -v python3 >/dev/null 2>&1 || { echo "compare.sh: python3 is needed to read the JSON records" >&2; exit 1; }

# Prints the table of a finished comparison from DIR/run.json and DIR/records.jsonl.
report() {
    python3 - "$1" <<'PY'
import json, statistics, sys

folder = sys.argv[1]
meta = json.load(open(f"{folder}/run.json"))
started, machine, cores = meta["started"], meta["machine"], meta["cores"]
load_before, load_after, repeats, duration = meta["loadBefore"], meta["loadAfter"], meta["repeats"], meta["duration"]
java, ticklab, ring = meta["java"], meta["ticklab"], meta["peerRing"]
runs = [json.loads(line) for line in open(f"{folder}/records.jsonl")]

def figures(run):
    """(ticks per second, hop p50 µs, hop p99 µs) of a run, or None when it failed."""
    record = run["record"]
    if run["status"] != 0 or record is None:
        return None
    if run["kind"] == "peer":
        if not record["selfCheck"]["passed"]:
            return None
        hop = record["hopMicros"]
        return record["ticksPerSecond"], hop["p50"], hop["p99"]
    if not record["selfCheck"]["passed"]:
        return None
    hop = record["segments"]["receivedToProcessed"]
    return record["window"]["throughput"], hop["p50"] * 1e3, hop["p99"] * 1e3

labels = []
by_label = {}
for run in runs:
    if run["label"] not in by_label:
        labels.append(run["label"])
        by_label[run["label"]] = {}
    by_label[run["label"]][run["repeat"]] = figures(run)

def median(label, index):
    values = [f[index] for f in by_label[label].values() if f is not None]
    return statistics.median(values) if values else None

def spread(label, index):
    values = [f[index] for f in by_label[label].values() if f is not None]
    return (min(values), max(values)) if values else None

def mega(x):
    return "-" if x is None else f"{x / 1e6:.2f}"

def micros(x):
    return "-" if x is None else (f"{x:.1f}" if x < 1000 else f"{x:,.0f}")

print(f"TickLab saturation against its peers: ticklab run --rate max --proc-ms 0 --eval-ms 0 --duration {duration}")
print(f"date {started}; machine: {machine}, {cores} cores; load average {load_before} before, {load_after} after")
print(f"{ticklab}; {java}; Disruptor ring {ring}; {repeats} repeats, interleaved; peers after a warm-up")
print()
header = f"{'run':<22} {'M ticks/s':>9} {'min-max':>13} {'hop p50 µs':>11} {'hop p99 µs':>11} {'failed':>6}"
print(header)
print("-" * len(header))
for label in labels:
    low_high = spread(label, 0)
    failed = sum(1 for f in by_label[label].values() if f is None)
    span = "-" if low_high is None else f"{mega(low_high[0])}-{mega(low_high[1])}"
    print(f"{label:<22} {mega(median(label, 0)):>9} {span:>13} {micros(median(label, 1)):>11} "
          f"{micros(median(label, 2)):>11} {failed:>6}")
print()

def paired(ours, theirs):
    """The ratio ours ÷ theirs in each repeat where both ran (they ran next to each other)."""
    out = []
    for repeat, f in by_label.get(ours, {}).items():
        g = by_label.get(theirs, {}).get(repeat)
        if f is not None and g is not None and g[0] > 0:
            out.append(f[0] / g[0])
    return out

targets = [
    ("spin-ring busy ÷ Disruptor busy-spin", "spin-ring-busy", "disruptor-busy-spin"),
    ("spin-ring park ÷ Disruptor blocking", "spin-ring-park", "disruptor-blocking"),
    ("threads ÷ ArrayBlockingQueue", "threads", "array-blocking-queue"),
    ("event-loop ÷ 2 M ticks/s", "event-loop", None),
    ("tasks ÷ 2 M ticks/s", "tasks", None),
    ("spin-ring yield ÷ Disruptor yielding (no target)", "spin-ring-yield", "disruptor-yielding"),
]
header = f"{'ratio (medians; per-repeat min-max)':<50} {'throughput':>18} {'hop p50':>8} {'hop p99':>8}  target 1.0"
print(header)
print("-" * len(header))
for name, ours, theirs in targets:
    ours_tps = median(ours, 0)
    if theirs is None:
        ratio = None if ours_tps is None else ours_tps / 2e6
        per_repeat = [f[0] / 2e6 for f in by_label[ours].values() if f is not None]
        hop50 = hop99 = "-"
    else:
        theirs_tps = median(theirs, 0)
        ratio = None if ours_tps is None or not theirs_tps else ours_tps / theirs_tps
        per_repeat = paired(ours, theirs)
        def hop(index):
            a, b = median(ours, index), median(theirs, index)
            return "-" if a is None or not b else f"{a / b:.2g}"
        hop50, hop99 = hop(1), hop(2)
    span = f"({min(per_repeat):.2f}-{max(per_repeat):.2f})" if per_repeat else ""
    value = "-" if ratio is None else f"{ratio:.2f} {span}"
    if "no target" in name:
        mark = ""
    else:
        mark = "-" if ratio is None else ("PASS" if ratio >= 1.0 else "SHORT")
    print(f"{name:<50} {value:>18} {hop50:>8} {hop99:>8}  {mark}")
print()
print("Throughput ratios are TickLab ÷ peer (at least 1.0 passes); hop ratios are TickLab's hop ÷ the peer's")
print("(at most 1.0: TickLab's received → processed is as short or shorter).")
PY
}

if [[ -n $report_only ]]; then
    [[ -f $report_only/run.json && -f $report_only/records.jsonl ]] ||
        usage_error "--report '$report_only' holds no run.json and records.jsonl of a finished comparison"
    report "$report_only"
    exit 0
fi

# TickLab.
ticklab=${TICKLAB:-$root/.build/release/ticklab}
if [[ ! -x $ticklab ]]; then
    if [[ -n ${TICKLAB:-} ]]; then
        echo "compare.sh: TICKLAB=$TICKLAB is not an executable" >&2
        exit 1
    fi
    echo "compare.sh: building ticklab (swift build -c release --product ticklab)" >&2
    (cd "$root" && swift build -c release --product ticklab >&2)
fi

# The peer: installed if needed, built once here so that no run pays for javac.
"$here/Disruptor/install.sh" >&2
"$here/Disruptor/build.sh" >&2

if [[ -z $out ]]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/ticklab-peers.XXXXXX")
fi
mkdir -p "$out"
records=$out/records.jsonl
: > "$records"

# Each cell: label, kind (peer or ticklab), arguments. Peers sit next to their TickLab counterpart.
cells=(
    "disruptor-busy-spin|peer|--variant busy-spin --capacity $peer_ring"
    "spin-ring-busy|ticklab|--model spin-ring --wait busy"
    "disruptor-yielding|peer|--variant yielding --capacity $peer_ring"
    "spin-ring-yield|ticklab|--model spin-ring --wait yield"
    "disruptor-blocking|peer|--variant blocking --capacity $peer_ring"
    "spin-ring-park|ticklab|--model spin-ring --wait park"
    "array-blocking-queue|peer|--variant abq"
    "threads|ticklab|--model threads"
    "event-loop|ticklab|--model event-loop"
    "tasks|ticklab|--model tasks"
)

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
total=$((repeats * ${#cells[@]}))
n=0
for ((r = 1; r <= repeats; r++)); do
    for cell in "${cells[@]}"; do
        IFS='|' read -r label kind arguments <<< "$cell"
        n=$((n + 1))
        echo "compare.sh: [$n/$total] repeat $r: $label" >&2
        read -r -a argv <<< "$arguments"
        status=0
        if [[ $kind == peer ]]; then
            line=$("$here/Disruptor/run.sh" "${argv[@]}" --duration "$duration" --warmup "$warmup") || status=$?
        else
            line=$("$ticklab" run "${argv[@]}" --rate max --proc-ms 0 --eval-ms 0 --duration "$duration" --json) ||
                status=$?
        fi
        # One line per run: label, repeat, exit status, the run's own record (null if it printed none).
        python3 -c '
import json, sys
label, kind, repeat, status, text = sys.argv[1:6]
try:
    record = json.loads(text)
except ValueError:
    record = None
print(json.dumps({"label": label, "kind": kind, "repeat": int(repeat), "status": int(status), "record": record}))
' "$label" "$kind" "$r" "$status" "${line:-}" >> "$records"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

machine=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
cores=$(nproc 2>/dev/null || echo '?')
java_version=$(java -version 2>&1 | head -1)
ticklab_version=$("$ticklab" --version 2>/dev/null || echo unknown)

python3 -c '
import json, sys
keys = ["started", "machine", "cores", "loadBefore", "loadAfter", "repeats", "duration", "java", "ticklab", "peerRing"]
print(json.dumps(dict(zip(keys, sys.argv[1:]))))
' "$started" "$machine" "$cores" "$load_before" "$load_after" "$repeats" "$duration" "$java_version" \
    "ticklab $ticklab_version ($ticklab)" "$peer_ring" > "$out/run.json"
report "$out"
echo "compare.sh: records in $records (compare.sh --report $out prints this table again)" >&2
