#!/usr/bin/env bash
# Compiles the Disruptor peer with plain javac into build/ (gitignored). Jars: Debian's
# /usr/share/java (install.sh), or DISRUPTOR_JAR and HDRHISTOGRAM_JAR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
disruptor_jar=${DISRUPTOR_JAR:-/usr/share/java/disruptor.jar}
hdrhistogram_jar=${HDRHISTOGRAM_JAR:-/usr/share/java/hdrhistogram.jar}
for jar in "$disruptor_jar" "$hdrhistogram_jar"; do
    if [[ ! -e $jar ]]; then
        echo "build.sh: $jar is missing: run $here/install.sh (or set DISRUPTOR_JAR / HDRHISTOGRAM_JAR)" >&2
        exit 1
    fi
done
if ! command -v javac >/dev/null 2>&1; then
    echo "build.sh: javac is missing: run $here/install.sh" >&2
    exit 1
fi
rm -rf "$here/build/classes"
mkdir -p "$here/build/classes"
javac -Xlint:all -Werror -d "$here/build/classes" -cp "$disruptor_jar:$hdrhistogram_jar" "$here"/src/ticklab/peers/*.java
echo "$disruptor_jar:$hdrhistogram_jar" > "$here/build/classpath"
