#!/usr/bin/env python3
"""Lists the innermost loops of a disassembled object: each backward branch whose body holds no other
backward branch, with its instruction count and mix. For estimating a kernel's instructions per
multiply-add where it cannot be timed (Docs/kernels.md, "ARM64 estimates").

    llvm-objdump -d --no-show-raw-insn gemm_i8_dot.o | python3 Benchmarks/inner_loops.py [--min 20]
"""
import re
import sys
from collections import Counter

minimum = int(sys.argv[sys.argv.index("--min") + 1]) if "--min" in sys.argv else 20
function, lines = None, []
for raw in sys.stdin:
    if m := re.match(r"^[0-9a-f]+ <(.+)>:", raw):
        function = m.group(1)
    elif m := re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", raw):
        lines.append((function, int(m.group(1), 16), m.group(2), m.group(3)))

index = {addr: i for i, (_, addr, _, _) in enumerate(lines)}
loops = []
for i, (fn, addr, op, args) in enumerate(lines):
    target = re.search(r"0x([0-9a-f]+)", args)
    if (op.startswith("b") or op in ("cbz", "cbnz", "tbz", "tbnz")) and target:
        t = int(target.group(1), 16)
        if t < addr and t in index:
            loops.append((index[t], i))
inner = [(a, b) for a, b in loops if not any(a <= c and d <= b and (c, d) != (a, b) for c, d in loops)]
for a, b in inner:
    body = lines[a:b + 1]
    if len(body) < minimum:
        continue
    mix = Counter(op for _, _, op, _ in body)
    loads = sum(n for op, n in mix.items() if op.startswith("ld"))
    stores = sum(n for op, n in mix.items() if op.startswith("st"))
    spills = sum(1 for _, _, op, args in body if "[sp" in args)
    print(f"{body[0][0]} @ {body[0][1]:#x}: {len(body)} instructions, {loads} loads, {stores} stores, {spills} stack accesses")
    print("   " + ", ".join(f"{op} {n}" for op, n in mix.most_common()))
