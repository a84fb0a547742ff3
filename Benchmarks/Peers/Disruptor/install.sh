#!/usr/bin/env bash
# Installs what the Disruptor peer needs: the LMAX Disruptor and HdrHistogram's Java port as
# Debian packages (jars under /usr/share/java) and a JDK with javac. Safe to run again: it only
# installs what is missing.
set -euo pipefail

packages=(libdisruptor-java libhdrhistogram-java default-jdk-headless)
jar_dir=/usr/share/java

manual_help() {
    cat >&2 <<HELP
To install by hand:
  Debian/Ubuntu (as root):  apt-get update && apt-get install -y --no-install-recommends ${packages[*]}
  elsewhere: a JDK 11 or newer with javac, plus the jars
    com.lmax:disruptor:3.4.x and org.hdrhistogram:HdrHistogram:2.1.x
  (e.g. from your distribution or a Maven repository); then point the run script at them:
    DISRUPTOR_JAR=/path/disruptor.jar HDRHISTOGRAM_JAR=/path/hdrhistogram.jar
HELP
}

have_everything() {
    command -v javac >/dev/null 2>&1 && [[ -e $jar_dir/disruptor.jar ]] && [[ -e $jar_dir/hdrhistogram.jar ]]
}

if have_everything; then
    echo "install.sh: already installed: $(javac -version 2>&1), $jar_dir/disruptor.jar, $jar_dir/hdrhistogram.jar"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install.sh: apt-get is not available on this machine; cannot install ${packages[*]}." >&2
    manual_help
    exit 1
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "install.sh: installing Debian packages needs root (or sudo), and this is uid $(id -u)." >&2
        manual_help
        exit 1
    fi
fi

echo "install.sh: installing ${packages[*]}"
if ! "${sudo[@]}" apt-get update; then
    echo "install.sh: apt-get update failed (see above)." >&2
    manual_help
    exit 1
fi
if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}"; then
    echo "install.sh: apt-get install ${packages[*]} failed (see above)." >&2
    manual_help
    exit 1
fi

if ! have_everything; then
    echo "install.sh: the packages installed, but javac, $jar_dir/disruptor.jar or $jar_dir/hdrhistogram.jar is missing." >&2
    manual_help
    exit 1
fi
echo "install.sh: done: $(javac -version 2>&1), $jar_dir/disruptor.jar, $jar_dir/hdrhistogram.jar"
