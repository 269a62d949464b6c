#!/usr/bin/env bash
# One deployable binary: mbconvert with the Swift runtime and Foundation linked in
# (--static-swift-stdlib) and OpenBLAS, zstd and xxHash taken from their static archives where the
# system has them (Debian's -dev packages ship libopenblas.a, libzstd.a, libxxhash.a), stripped.
# What stays dynamic is the C and C++ runtime every Debian/Ubuntu system has (libc, libm,
# libstdc++, libgcc_s): glibc is not meant to be linked statically (NSS, dlopen), and libstdc++
# and libgcc_s are installed everywhere apt is. The flags are given here, not in Package.swift,
# so the manifest stays free of unsafe flags. Usage: Scripts/package.sh [-o OUTPUT] (default
# .build-package/mbconvert).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build-package/mbconvert
while [ $# -gt 0 ]; do
    case $1 in
        -o) out=$2; shift 2 ;;
        *) echo "usage: Scripts/package.sh [-o OUTPUT]" >&2; exit 2 ;;
    esac
done
Scripts/install-deps.sh
scratch=.build-package

# A folder holding only the static archives, searched before the system's: -lopenblas, -lzstd and
# -lxxhash (from the system-library module maps) then find the .a files, not the shared objects.
# An archive the system lacks is left out, so that library stays dynamic (reported below).
cc=$(command -v "${CC:-cc}" || command -v clang || command -v gcc)
static_dir=$PWD/$scratch/static-libs
rm -rf "$static_dir"; mkdir -p "$static_dir"
for lib in openblas zstd xxhash; do
    archive=$("$cc" -print-file-name="lib$lib.a")
    if [ -f "$archive" ]; then ln -s "$(readlink -f "$archive")" "$static_dir/lib$lib.a"
    else echo "note: no lib$lib.a on this system; lib$lib stays a shared library" >&2; fi
done

swift build -c release --product mbconvert --scratch-path "$scratch" \
    --static-swift-stdlib -Xlinker -L"$static_dir"
mkdir -p "$(dirname "$out")"
cp "$(swift build -c release --scratch-path "$scratch" --show-bin-path)/mbconvert" "$out"
if command -v strip >/dev/null 2>&1; then strip "$out"; else llvm-objcopy --strip-all "$out"; fi

needed=$(readelf -d "$out" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ' ||
         objdump -p "$out" | awk '/NEEDED/ {printf "%s ", $2}')
if grep -Eq 'libswift|Foundation|libdispatch|libBlocksRuntime' <<<"$needed"; then
    echo "package: $out still needs the Swift runtime: $needed" >&2; exit 1
fi
echo "$out: $(stat -c %s "$out" | awk '{printf "%.1f MB", $1 / 1e6}') stripped; shared libraries it needs: $needed"
