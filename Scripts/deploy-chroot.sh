#!/usr/bin/env bash
# Proves the packaged binary deploys alone. Makes a minimal Debian root (debootstrap
# --variant=minbase bookworm from the mirror apt uses here: no Swift, no Python, no -dev packages,
# no OpenBLAS), copies in only the binary from Scripts/package.sh and one int8 model file quantized
# from the bundled model, and runs fill-mask and embed there with chroot. Each output must equal the
# same command's output outside the root. It also checks that, before /proc is mounted, the binary
# refuses to run with one sentence instead of printing its help and exiting 0.
# Needs root (debootstrap, mount, chroot) and the Debian mirror. Not in CI (a root is made each time).
# Usage: Scripts/deploy-chroot.sh [--root DIR]   (DIR is reused if it holds a root and kept; by
# default a temporary root is made and removed at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/debian-root.sh
root= keep=0
while [ $# -gt 0 ]; do
    case $1 in
        --root) root=$2; keep=1; shift 2 ;;
        *) echo "usage: Scripts/deploy-chroot.sh [--root DIR]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "deploy-chroot: debootstrap, mount and chroot need root; run it as root (sudo)." >&2; exit 1; }
Scripts/install-deps.sh debootstrap

work=$(mktemp -d "${TMPDIR:-/tmp}/mbconvert-deploy.XXXXXX")
[ -n "$root" ] || root=$work/root
mkdir -p "$root"; root=$(readlink -f "$root")
cleanup() {
    unmount_all "$root"
    if [ "$keep" -eq 0 ]; then remove_root "$root"; fi
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

t=$SECONDS
Scripts/package.sh -o "$work/mbconvert"
bin=$work/mbconvert
echo "package: $((SECONDS - t)) s"

t=$SECONDS
make_debian_root "$root"
echo "root: $((SECONDS - t)) s, $(du -sm --one-file-system "$root" | cut -f1) MB"
# What the root must not have: a Swift toolchain, Python, development packages, OpenBLAS.
found=$(chroot "$root" sh -c 'command -v swift swiftc python3 python cc gcc clang; dpkg-query -W -f "\${Package}\n" | grep -E -- "-dev$|openblas|gfortran"' || true)
[ -z "$found" ] || { echo "deploy-chroot: the root is not minimal, it has: $found" >&2; exit 1; }

# Only these two files go in.
model=$work/mini-int8.mbc
"$bin" quantize Models/mini-pydocs-h256-l6 -o "$model" --int8 >/dev/null
install -D -m 755 "$bin" "$root/usr/local/bin/mbconvert"
install -D -m 644 "$model" "$root/srv/mini-int8.mbc"
echo "copied in: /usr/local/bin/mbconvert ($(stat -c %s "$bin") bytes), /srv/mini-int8.mbc ($(stat -c %s "$model") bytes)"

# Without /proc the Swift runtime cannot read the arguments: the binary must say so and fail.
if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
set +e
chroot "$root" /usr/local/bin/mbconvert fill-mask /srv/mini-int8.mbc "A list is a mutable [MASK]." >"$work/noproc.out" 2>"$work/noproc.err"
rc=$?
set -e
if [ "$rc" -eq 0 ] || ! grep -q '/proc' "$work/noproc.err"; then
    echo "deploy-chroot: without /proc the binary exited $rc and said: $(cat "$work/noproc.out" "$work/noproc.err" | head -3)" >&2; exit 1
fi
echo "without /proc: exit $rc, $(cat "$work/noproc.err")"

mount -t proc proc "$root/proc"
# run_both NAME ARGS...: the same command inside the root and outside; outputs must be equal.
run_both() {
    local name=$1; shift
    local t0 inside outside
    t0=$(date +%s%N)
    chroot "$root" /bin/sh -c 'cd /srv && exec /usr/local/bin/mbconvert "$@"' sh "$@" >"$work/$name.inside"
    inside=$(( ($(date +%s%N) - t0) / 1000000 ))
    t0=$(date +%s%N)
    (cd "$work" && "$bin" "$@") >"$work/$name.outside"
    outside=$(( ($(date +%s%N) - t0) / 1000000 ))
    cmp -s "$work/$name.inside" "$work/$name.outside" ||
        { diff "$work/$name.outside" "$work/$name.inside" | head -20 >&2; echo "deploy-chroot: $name differs inside the root" >&2; exit 1; }
    echo "$name: equal inside and outside ($(wc -c <"$work/$name.inside") bytes of output; ${inside} ms inside, ${outside} ms outside)"
}
# Both run from the model's folder (/srv inside, the work folder outside), so the paths print alike.
m=mini-int8.mbc
run_both fill-mask        fill-mask $m "A list is a mutable [MASK]." "The [MASK] statement leaves a loop early." --top-k 5 --threads 2
run_both fill-mask-w8a8   fill-mask $m "A list is a mutable [MASK]." --mode w8a8 --threads 2
run_both fill-mask-json   fill-mask $m "A list is a mutable [MASK]." --json --threads 2
run_both embed-json       embed $m "A list is a mutable sequence." "Tuples are immutable." --normalize --json --threads 2
run_both inspect          inspect $m
cat "$work/fill-mask.inside"
umount "$root/proc"
echo "deploy-chroot: ok (the binary and one model file ran fill-mask and embed in a bare Debian root)"
