#!/usr/bin/env python3
"""Held-out validation texts (JSONL, one {"text": ...} per line) that the calibration never saw.

Why: `quantize --int8` chooses its default mode on its calibration texts (the validator's built-in
set unless --calibration); the issue's targets are checked on other texts. Two sources, both on every
Debian/Ubuntu machine with Python, so the figures in Docs/quantization.md can be reproduced:

  --stdlib          docstrings of Python standard-library modules, classes and functions (the bundled
                    model's domain: it was trained on the Python documentation's reST sources)
  --dir DIR         paragraphs of the *.txt files under DIR (e.g. /usr/share/vim/vim90/doc for a
                    model trained on the Vim help, /usr/share/doc/git for an unrelated corpus)

Usage: python Scripts/heldout_texts.py (--stdlib | --dir DIR) [--count 300] [--seed 18] > texts.jsonl
No third-party packages.
"""
import argparse, glob, importlib, inspect, json, os, random, re, sys, warnings


def stdlib_paragraphs():
    warnings.filterwarnings("ignore")
    names = sorted(n for n in sys.stdlib_module_names if not n.startswith("_") and n not in {"antigravity", "this", "idlelib", "turtledemo", "tkinter", "turtle"})
    out = []
    for name in names:
        try:
            mod = importlib.import_module(name)
        except Exception:
            continue
        objs = [mod] + [v for _, v in sorted(vars(mod).items()) if (inspect.isclass(v) or inspect.isfunction(v)) and getattr(v, "__module__", None) == name]
        for obj in objs:
            doc = inspect.getdoc(obj) or ""
            out.extend(block for block in re.split(r"\n\s*\n", doc))
    return out


def dir_paragraphs(root):
    out = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.txt"), recursive=True)):
        out.extend(re.split(r"\n\s*\n", open(path, encoding="utf-8", errors="replace").read()))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--stdlib", action="store_true")
    src.add_argument("--dir")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()
    paras = stdlib_paragraphs() if args.stdlib else dir_paragraphs(args.dir)
    # Prose only: whole sentences, 80 to 1200 characters, each once.
    seen, keep = set(), []
    for p in paras:
        p = " ".join(p.split())
        if 80 <= len(p) <= 1200 and sum(c.isalpha() for c in p) > 0.6 * len(p) and p not in seen:
            seen.add(p)
            keep.append(p)
    random.Random(args.seed).shuffle(keep)
    for p in keep[:args.count]:
        print(json.dumps({"text": p}))


if __name__ == "__main__":
    main()
