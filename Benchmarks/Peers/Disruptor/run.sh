#!/usr/bin/env bash
# Runs the Disruptor peer (building it first when a source is newer than the build), e.g.
#   Benchmarks/Peers/Disruptor/run.sh --variant busy-spin --duration 5s
# Prints one JSON line per run. JAVA_OPTS overrides the JVM options.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stamp=$here/build/classes/ticklab/peers/SaturationPeer.class
if [[ ! -e $stamp || ! -e $here/build/classpath ]] || [[ -n $(find "$here/src" -name '*.java' -newer "$stamp") ]]; then
    "$here/build.sh" >&2
fi
# A fixed heap (no resizing during the window); the rest is the JVM's default (G1, C2).
read -r -a java_opts <<< "${JAVA_OPTS:--Xms512m -Xmx512m}"
exec java "${java_opts[@]}" -cp "$here/build/classes:$(cat "$here/build/classpath")" ticklab.peers.SaturationPeer "$@"
