#!/usr/bin/env bash
# The C kernels on ARM64 without ARM64 hardware: cross-compiles Sources/CKernels and the C test harness
# (Tests/CKernelsHarness) for aarch64 Linux and runs it under qemu-user as three CPUs, one per int8
# tier: cortex-a53 (NEON only), cortex-a76 (+ dot product), max (+ i8mm). On every tier each CPU has,
# the integer GEMM results must equal the portable reference exactly and the float kernels must stay
# within the harness's stated tolerances of double-precision references. Then the same harness runs
# natively (every tier of this machine's CPU). The last line lists the tiers that passed.
#
#   Scripts/test-aarch64.sh            # ARM64 under qemu, then native
#   Scripts/test-aarch64.sh --arm      # ARM64 only
#   Scripts/test-aarch64.sh --native   # native only
#
# Needs clang and lld (both come with the Swift toolchain); installs qemu-user and the ARM64 C
# library and libgcc (Debian packages) through Scripts/install-deps.sh. qemu says nothing about speed.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
case "$mode" in all | --arm | --native) ;; *) echo "usage: $0 [--arm | --native]" >&2; exit 2 ;; esac

command -v clang >/dev/null || { echo "clang not found (it comes with the Swift toolchain)" >&2; exit 1; }
sources=(Sources/CKernels/*.c Sources/CKernels/x86/*.c Sources/CKernels/arm/*.c Tests/CKernelsHarness/harness.c)
flags=(-O2 -Wall -Wextra -ISources/CKernels/include)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
summary=()

if [ "$mode" != --native ]; then
    # The cross libgcc matching the host's gcc (clang's --gcc-toolchain=/usr finds it there).
    gcc_major=$( (gcc -dumpversion 2>/dev/null || echo 12) | cut -d. -f1)
    Scripts/install-deps.sh qemu-user libc6-dev-arm64-cross "libgcc-${gcc_major}-dev-arm64-cross"
    # Baseline armv8-a: dot product and i8mm are enabled per function (target attributes), so the same
    # binary must run on the NEON-only CPU.
    clang --target=aarch64-linux-gnu --gcc-toolchain=/usr -static -fuse-ld=lld "${flags[@]}" "${sources[@]}" \
        -lm -lpthread -o "$out/harness-aarch64"
    for spec in cortex-a53:neon cortex-a76:neon-dotprod max:neon-i8mm; do
        cpu=${spec%%:*} best=${spec#*:}
        echo "== qemu-aarch64 -cpu $cpu"
        qemu-aarch64 -cpu "$cpu" "$out/harness-aarch64" | tee "$out/$cpu.log"
        # Each CPU model must also be detected as the tier it stands for.
        grep -q "best tier $best\$" "$out/$cpu.log" || { echo "FAIL: -cpu $cpu was not detected as $best" >&2; exit 1; }
        summary+=("aarch64 $cpu:$(sed -n 's/^tiers passed://p' "$out/$cpu.log")")
    done
fi

if [ "$mode" != --arm ]; then
    clang "${flags[@]}" "${sources[@]}" -lm -lpthread -o "$out/harness-native"
    echo "== native ($(uname -m))"
    "$out/harness-native" | tee "$out/native.log"
    summary+=("$(uname -m) native:$(sed -n 's/^tiers passed://p' "$out/native.log")")
fi

joined=$(printf '%s; ' "${summary[@]}")
echo "tiers passed: ${joined%; }"
