#!/usr/bin/env python3
"""Sizes of a model file's compiled tokenizer (TKBP) section, part by part.

Usage: Scripts/tkbp_sizes.py FILE.mbc [FILE.mbc ...]
Needs: the `zstandard` package (PyPI). Reads the section directory and the TKBP header as
Formats/model-file.md lays them out, and prints each part's decoded size and its size compressed
alone with zstd level 19, then the whole section compressed at once. The figures in
Docs/tokenizer.md ("Layout version 3") come from it.
"""
import os
import struct
import sys

import zstandard


def compiled_section(path):
    with open(path, "rb") as f:
        data = f.read()
    count = struct.unpack_from("<I", data, 12)[0]
    for i in range(count):
        kind, encoding, offset, stored, decoded = struct.unpack_from("<4sIQQQ", data, 64 + 48 * i)
        if kind == b"TKBP":
            body = data[offset:offset + stored]
            section = zstandard.ZstdDecompressor().decompress(body) if encoding == 1 else body
            return section, encoding, stored
    sys.exit(f"{path}: no TKBP section")


def zstd19(data):
    return len(zstandard.ZstdCompressor(level=19).compress(bytes(data)))


def main():
    for path in sys.argv[1:]:
        section, encoding, stored = compiled_section(path)
        version, n, s, m, b, j = struct.unpack_from("<6I", section, 0)
        header = 1056 if version == 1 else 2080
        if version == 3:
            arrays = [("token_lengths", 4 * n), ("lefts", 4 * m), ("rights", 4 * m), ("merged_deltas", 4 * m)]
        else:
            arrays = [("token_offsets", 4 * (n + 1)), ("sorted_ids", 4 * s), ("merges", 12 * m)]
        parts = [("header and id tables", header)] + arrays + [("token_bytes", b), ("json", j)]
        print(f"{path}: {os.path.getsize(path):,} bytes; TKBP layout version {version}, "
              f"{len(section):,} bytes decoded, stored {stored:,} ({'zstd' if encoding == 1 else 'raw'})")
        at = 0
        for name, size in parts:
            print(f"  {name:22s} {size:>10,} -> {zstd19(section[at:at + size]):>9,}")
            at += size
        print(f"  {'whole section':22s} {len(section):>10,} -> {zstd19(section):>9,}")


if __name__ == "__main__":
    main()
