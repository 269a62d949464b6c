#!/usr/bin/env bash
# Runs the README's two commands as a new user would: in a fresh clone of the current commit, on a
# Debian machine that has Swift but not the OpenBLAS, zstd and xxHash -dev packages, so each
# command must install them itself (Scripts/install-deps.sh) and then pass. The machine is a
# minimal Debian root (debootstrap --variant=minbase bookworm) with what the Swift toolchain needs
# on Debian 12 (git, gcc, libc6-dev, libstdc++-12-dev, libcurl4, libxml2, ...); the toolchain is this
# machine's own, bind-mounted read-only at the same path. If git here rewrites github.com addresses
# to a local folder of packages (url.<folder>.insteadOf), that folder and setting go in too.
# Needs root and the Debian mirror; takes as long as a build plus the test suite. Not in CI.
# Usage: Scripts/fresh-clone-check.sh [--root DIR] [quickstart|test|both]   (default both; DIR is
# reused if it holds a root, and kept; the three -dev packages are purged from it before each run)
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/debian-root.sh
root= keep=0 which=both
while [ $# -gt 0 ]; do
    case $1 in
        --root) root=$2; keep=1; shift 2 ;;
        quickstart|test|both) which=$1; shift ;;
        *) echo "usage: Scripts/fresh-clone-check.sh [--root DIR] [quickstart|test|both]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-clone-check: debootstrap, mount and chroot need root; run it as root (sudo)." >&2; exit 1; }
Scripts/install-deps.sh debootstrap

if [ -z "$root" ]; then root=$(mktemp -d "${TMPDIR:-/tmp}/mbconvert-fresh.XXXXXX")/root; fi
mkdir -p "$root"; root=$(readlink -f "$root")
cleanup() {
    unmount_all "$root"
    if [ "$keep" -eq 0 ]; then remove_root "$root"; rmdir "$(dirname "$root")" 2>/dev/null || true; fi
}
trap cleanup EXIT

# What swift.org's Debian 12 image installs for the toolchain (less ICU and Python headers).
make_debian_root "$root" git,gcc,libc6-dev,libstdc++-12-dev,binutils,libcurl4,libxml2,libsqlite3-0,libedit2,libncurses6,libpython3.11,zlib1g-dev,pkg-config,ca-certificates,tzdata,sudo
cp /etc/resolv.conf "$root/etc/resolv.conf"
dev_packages="libopenblas-dev libzstd-dev libxxhash-dev"

toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
bind_ro "$toolchain" "$root"
mount -t proc proc "$root/proc"
mount --bind /dev/pts "$root/dev/pts"   # apt-get logs through a pseudo-terminal
: >"$root/etc/gitconfig"
git config --system --get-regexp '^url\..*\.insteadof$' | while read -r key value; do
    base=${key#url.}; base=${base%.insteadof}
    git config --file "$root/etc/gitconfig" --add "url.$base.insteadOf" "$value"
    if [ -d "$base" ] && ! mountpoint -q "$root$base"; then bind_ro "${base%/}" "$root"; fi
done

# A fresh clone of this commit for each command.
commit=$(git rev-parse HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
    echo "note: checking the committed HEAD ${commit:0:12}; uncommitted changes are not in the clone" >&2
fresh_clone() {
    rm -rf "$root/root/mbconvert" "$root/root/.cache" "$root/root/.swiftpm"
    git clone --quiet --no-tags "$PWD" "$root/root/mbconvert"
    git -C "$root/root/mbconvert" -c advice.detachedHead=false checkout --quiet --detach "$commit"
}
purge_dev_packages() {
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $dev_packages >/dev/null 2>&1 || true
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq >/dev/null 2>&1 || true
    local installed
    installed=$(chroot "$root" dpkg-query -W -f '${Package} ${Status}\n' $dev_packages libopenblas0 2>/dev/null | grep "install ok installed" || true)
    [ -z "$installed" ] || { echo "fresh-clone-check: could not remove: $installed" >&2; exit 1; }
    for h in cblas.h zstd.h xxhash.h; do
        [ ! -e "$root/usr/include/$h" ] || { echo "fresh-clone-check: $h is still in the root" >&2; exit 1; }
    done
}

# run COMMAND: on a root without the -dev packages, in a fresh clone.
run() {
    purge_dev_packages
    fresh_clone
    local t=$SECONDS
    echo "== in the root, without $dev_packages, fresh clone ${commit:0:12}: $*" >&2
    chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH="$toolchain/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        /bin/bash -c 'cd /root/mbconvert && "$@"' bash "$@"
    echo "== passed in $((SECONDS - t)) s: $*" >&2
}
case $which in
    quickstart) run Scripts/quickstart.sh ;;
    test) run Scripts/test.sh ;;
    both) run Scripts/quickstart.sh; run Scripts/test.sh ;;
esac
echo "fresh-clone-check: the README's commands passed in a fresh clone on a root without $dev_packages"
