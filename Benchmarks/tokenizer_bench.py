#!/usr/bin/env python3
"""Tokens per second: Hugging Face `tokenizers` against `mbconvert tokenize`, same corpus.

Builds the golden corpus texts (Scripts/make_tokenizer_golden.py --corpus-only), then times:
  * HF single-threaded: Tokenizer.encode in a loop (RAYON_NUM_THREADS=1, TOKENIZERS_PARALLELISM=false)
  * HF batched: Tokenizer.encode_batch on all cores (2 here)
  * Swift single-threaded: mbconvert tokenize --threads 1 --stats
  * Swift batched: mbconvert tokenize --stats (all cores)
Only the encode step is timed on both sides (no file parsing, no output writing).
Each figure is the best of --repeat runs.

Usage (from the package root, after `swift build -c release --scratch-path .build-tok`):
  python3 Benchmarks/tokenizer_bench.py [--binary .build-tok/release/mbconvert] [--repeat 5]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TOKENIZER = os.path.join(ROOT, "Tests", "MBTokenizerTests", "Fixtures", "tokenizer.json")


def hf_rate(texts, batched, repeat):
    """Runs in a child process so that the thread-pool environment takes effect."""
    code = f"""
import json, os, sys, time
from tokenizers import Tokenizer
t = Tokenizer.from_file({TOKENIZER!r})
texts = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
best = 1e9
for _ in range({repeat}):
    start = time.perf_counter()
    if {batched}:
        encs = t.encode_batch(texts)
    else:
        encs = [t.encode(x) for x in texts]
    best = min(best, time.perf_counter() - start)
print(sum(len(e.ids) for e in encs), best)
"""
    env = dict(os.environ)
    if batched:
        env["TOKENIZERS_PARALLELISM"] = "true"
        env["RAYON_NUM_THREADS"] = str(os.cpu_count())
    else:
        env["TOKENIZERS_PARALLELISM"] = "false"
        env["RAYON_NUM_THREADS"] = "1"
    out = subprocess.run([sys.executable, "-c", code, texts], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    tokens, seconds = int(out[0]), float(out[1])
    return tokens, seconds


def swift_rate(binary, texts, threads, repeat):
    best = None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            cmd = [binary, "tokenize", TOKENIZER, "--input", texts, "--output", os.path.join(tmp, "ids.jsonl"), "--stats"]
            if threads:
                cmd += ["--threads", str(threads)]
            err = subprocess.run(cmd, check=True, capture_output=True, text=True).stderr
            m = re.search(r"tokens (\d+) seconds ([0-9.]+)", err)
            tokens, seconds = int(m.group(1)), float(m.group(2))
            if best is None or seconds < best[1]:
                best = (tokens, seconds)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build-tok", "release", "mbconvert"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        texts = os.path.join(tmp, "corpus.jsonl")
        subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "make_tokenizer_golden.py"), "--corpus-only",
                        "--seed", str(args.seed), "--out", texts], check=True, capture_output=True)
        n = sum(1 for _ in open(texts, encoding="utf-8"))
        print(f"corpus: {n} texts, {os.path.getsize(texts) / 1e6:.1f} MB JSON, {os.cpu_count()} cores, best of {args.repeat}")
        rows = []
        for label, batched in (("single", False), ("batched", True)):
            hf = hf_rate(texts, batched, args.repeat)
            sw = swift_rate(args.binary, texts, None if batched else 1, args.repeat)
            if hf[0] != sw[0]:
                print(f"warning: token counts differ (HF {hf[0]}, Swift {sw[0]})")
            hf_tps, sw_tps = hf[0] / hf[1], sw[0] / sw[1]
            rows.append((label, hf_tps, sw_tps))
            print(f"{label:8s} HF {hf_tps / 1e6:7.2f} M tokens/s   Swift {sw_tps / 1e6:7.2f} M tokens/s   "
                  f"Swift/HF {sw_tps / hf_tps:5.2f}x   ({sw[0]} tokens)")


if __name__ == "__main__":
    main()
