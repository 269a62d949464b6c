#!/usr/bin/env bash
# Installs the three system libraries mbconvert builds against (OpenBLAS, zstd, xxHash) when they are
# missing, then returns. Called by the README's two commands (Scripts/quickstart.sh, Scripts/test.sh)
# and by .ci/run, so a fresh machine with Swift needs nothing else. Extra Debian packages a caller
# needs (qemu-user, nginx, ...) can be passed as arguments.
set -euo pipefail

packages=(libopenblas-dev libzstd-dev libxxhash-dev "$@")

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    # Without apt we cannot tell what is installed: look for the headers with whatever C compiler
    # there is (the Swift toolchain brings clang), and name the packages when one is missing.
    cc=$(command -v "${CC:-cc}" || command -v clang || command -v gcc || true)
    for h in cblas.h zstd.h xxhash.h; do
        if [ -z "$cc" ] || ! printf '#include <%s>\n' "$h" | "$cc" -E -x c - >/dev/null 2>&1; then
            echo "mbconvert needs OpenBLAS, zstd and xxHash development files (on Debian/Ubuntu: ${packages[*]}); this system has no apt-get, so install them with its package manager and run this again." >&2
            exit 1
        fi
    done
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "mbconvert needs these Debian packages: ${missing[*]}; run as root or install sudo, then run this again." >&2
    exit 1
fi
echo "installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
