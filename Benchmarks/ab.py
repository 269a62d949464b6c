#!/usr/bin/env python3
"""A/B of mbconvert builds: the same `mbconvert bench` runs on two or more binaries, alternating.

Timings on a shared 2-core VM drift by several percent from minute to minute, so a before/after
comparison made as two separate runs mostly measures the drift. Here every round runs each binary
once per (file, mode, shape) cell, in an order that alternates from round to round, and the report
is the median tokens/s per binary and cell, with the min-max range, and the ratio to the first binary.

    python3 Benchmarks/ab.py --bin before=/tmp/mbconvert-old --bin after=.build/release/mbconvert \
        --file f32=/tmp/base/f32.mbc --file int8=/tmp/base/int8.mbc:w8a8 \
        --shape 1x16 --shape 8x128 --shape mixed32=/tmp/lengths-mixed32.txt --rounds 5

`--file NAME=PATH[:MODE]` (MODE passed as `--mode`), `--shape BxS` or `NAME=LENGTHS_FILE`,
`--tier avx2` adds `--kernel-tier avx2` to every run and, unless OPENBLAS_CORETYPE is already set, runs
them with OPENBLAS_CORETYPE=Haswell (`--tier avx-vnni` too: OpenBLAS has no AVX-VNNI fp32 kernels; `--tier avx512`: SkylakeX), so OpenBLAS's fp32 GEMM (f32 files,
w8a32) uses the kernels such a host would get too; `--kernel-tier` alone reaches only mbconvert's own
kernels. Prints the CPU model and its int8 features first.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def cpu_summary():
    model, flags = "unknown", set()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            elif line.startswith(("flags", "Features")) and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    wanted = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "avx_vnni",
              "asimd", "asimddp", "i8mm"]
    return model, [f for f in wanted if f in flags]


def parse_pairs(values, what):
    out = []
    for v in values:
        if "=" not in v:
            sys.exit(f"{what} {v!r}: expected NAME=VALUE")
        out.append(tuple(v.split("=", 1)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", action="append", required=True, help="NAME=PATH of an mbconvert binary")
    ap.add_argument("--file", action="append", required=True, help="NAME=PATH[:MODE] of a model file")
    ap.add_argument("--shape", action="append", required=True, help="BxS or NAME=LENGTHS_FILE")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tier", help="--kernel-tier for every run (e.g. avx2)")
    ap.add_argument("--json", help="write every run here")
    args = ap.parse_args()

    bins = parse_pairs(args.bin, "--bin")
    files = []
    for name, spec in parse_pairs(args.file, "--file"):
        path, _, mode = spec.partition(":")
        files.append((name, path, mode or None))
    shapes = []
    for s in args.shape:
        if "=" in s:
            name, path = s.split("=", 1)
            shapes.append((name, ["--lengths", path]))
        else:
            b, _, n = s.partition("x")
            shapes.append((s, ["--batch", b, "--seq", n]))

    env = dict(os.environ)
    blas_core = {"avx2": "Haswell", "avx-vnni": "Haswell", "avx512": "SkylakeX"}.get(args.tier or "")
    if blas_core and "OPENBLAS_CORETYPE" not in env:
        env["OPENBLAS_CORETYPE"] = blas_core
    model, features = cpu_summary()
    print(f"cpu: {model}; features: {' '.join(features) or 'none of the int8 ones'}; threads {args.threads}"
          + (f"; kernel tier capped at {args.tier}" if args.tier else "")
          + (f"; OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}" if "OPENBLAS_CORETYPE" in env else ""))
    results = {}  # (bin, file, shape) -> [tok/s]
    tiers = {}
    for rnd in range(args.rounds):
        order = bins if rnd % 2 == 0 else list(reversed(bins))
        for fname, path, mode in files:
            for sname, sargs in shapes:
                for bname, bpath in order:
                    cmd = [bpath, "bench", path, *sargs, "--iterations", str(args.iterations), "--threads",
                           str(args.threads), "--json"]
                    if mode:
                        cmd += ["--mode", mode]
                    if args.tier:
                        cmd += ["--kernel-tier", args.tier]
                    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
                    if run.returncode != 0:
                        sys.exit(f"{' '.join(cmd)} failed:\n{run.stderr}")
                    report = json.loads(run.stdout)
                    results.setdefault((bname, fname, sname), []).append(report["tokens_per_second"])
                    tiers[(bname, fname)] = report.get("kernel_tier", "?")
        print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)

    first = bins[0][0]
    print(f"\nmedian tokens/s over {args.rounds} rounds (min-max), ratio to {first}")
    header = ["file", "shape"] + [b for b, _ in bins]
    rows = []
    for fname, _, mode in files:
        for sname, _ in shapes:
            base = statistics.median(results[(first, fname, sname)])
            row = [fname + (f" ({mode})" if mode else ""), sname]
            for bname, _ in bins:
                vals = results[(bname, fname, sname)]
                med = statistics.median(vals)
                cell = f"{med:,.0f} ({min(vals):,.0f}-{max(vals):,.0f})"
                if bname != first:
                    cell += f" {med / base:.3f}x"
                row.append(cell)
            rows.append(row)
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print("kernel tiers: " + ", ".join(f"{b}/{f}: {t}" for (b, f), t in sorted(tiers.items())))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": model, "features": features,
                       "runs": [{"bin": b, "file": fl, "shape": s, "tokensPerSecond": v}
                                for (b, fl, s), v in results.items()]}, f, indent=1)


if __name__ == "__main__":
    main()
