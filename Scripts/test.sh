#!/usr/bin/env bash
# All tests, from a fresh clone: installs the system libraries if missing, then runs the Swift test
# suite in release with testing enabled (the numeric modules are unusably slow unoptimised, and the
# manifest carries no unsafe flags to optimise debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."

# What a green run proves depends on the CPU: the kernel tests run every tier it has and print them
# ("PanelGemmTests.test...: tiers portable, avx2, ..."); this says which instruction sets it has.
cpu_report() {
    local model="" features=""   # best effort: never fails the run
    case "$(uname -s)" in
    Linux)
        model=$(grep -m1 -E '^(model name|Hardware|cpu model)' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
        [ -n "$model" ] || model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1 || true)
        features=$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | tr ' ' '\n' |
            grep -E '^(avx2|fma|f16c|avx512.*|avx_vnni.*|amx_.*|asimd|asimddp|asimdhp|i8mm|bf16|sve|sve2|sme|sme2)$' | sort -u | tr '\n' ' ' || true)
        ;;
    Darwin)
        model=$(sysctl -n machdep.cpu.brand_string 2>/dev/null || true)
        features=$(sysctl -a 2>/dev/null | grep -E '^hw\.optional\.(avx2_0|avx512[a-z]*|arm\.FEAT_(DotProd|I8MM|BF16|FP16))[^:]*: 1' |
            sed -E 's/^hw\.optional\.(arm\.)?//; s/: 1$//' | tr '\n' ' ' || true)
        ;;
    esac
    echo "CPU: ${model:-unknown} ($(uname -m), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores)"
    echo "CPU SIMD features: ${features:-none found}"
}
cpu_report

Scripts/install-deps.sh

swift test -c release -Xswiftc -enable-testing "$@"

# The C kernels on ARM64 under qemu (NEON, dot product, i8mm) and natively on this CPU's tiers.
Scripts/test-aarch64.sh

# The HTTP server with real clients (requests, openai, huggingface_hub from PyPI in a venv), using the
# mbconvert binary the test run just built.
MBCONVERT_BIN=.build/release/mbconvert Scripts/test-server.sh

# The library as a versioned dependency: a package outside this repo resolves a tagged clone by URL
# (where SwiftPM refuses unsafe build flags), builds MBRuntime and MBConverter, and runs them.
Scripts/example-consumer.sh
