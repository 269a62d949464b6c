#!/usr/bin/env python3
"""Cross-engine ModernBERT encoder benchmark: mbconvert against PyTorch and ONNX Runtime, in one go.

Runs every engine on the same machine, one after another, on the same token ids, and prints one
table (engines x shapes, tokens/s) plus ratios, peak RSS and load times. See Benchmarks/README.md.

What is measured: the encoder only (token embeddings, embedding norm, all layers, final norm; no
task head). That is what `mbconvert bench` runs (it calls `ModernBert.forward`), so the Python
engines run `ModernBertModel` (AutoModel) and the ONNX graph is an export of `ModernBertModel`.

Engines (each engine x shape runs in its own subprocess, so peak RSS is per engine and shape):
  torch-fp32        transformers ModernBertModel, attn_implementation="sdpa", fp32, inference_mode
  torch-bf16        the same model loaded as bfloat16 (dtype=torch.bfloat16)
  ort-fp32          ONNX export of ModernBertModel (dynamic batch/sequence axes), CPUExecutionProvider
  ort-int8-channel  onnxruntime.quantization.quantize_dynamic(QInt8 weights, per_channel=True)
  ort-int8-tensor   the same with per_channel=False
  mbconvert         `mbconvert bench` on each --files model file (int8 files: once per --modes entry,
                    when the binary has --mode)

Inputs: token ids come from the same SplitMix64(seed 42) stream `mbconvert bench` uses (id = next() %
vocab, sequence after sequence), so every engine sees identical ids. Python engines pad a mixed batch
to its longest sequence and pass an attention mask; mbconvert packs it without padding. tokens/s =
real (unpadded) tokens / median latency. Each run: warm-up, then timed forwards until at least
--iterations runs and --min-seconds have passed (capped by --max-seconds, at least 3 runs).

Usage (from the package root):
  swift build -c release
  python3 Benchmarks/compare.py --hf /tmp/base/hf --make-files --json bench.json
  python3 Benchmarks/compare.py --hf DIR --files f32.mbc int8.mbc --shapes 1x16,8x128 --engines ort-int8-channel,mbconvert
  python3 Benchmarks/compare.py --hf Tests/MBRuntimeTests/Fixtures/base-sharded --make-files --quick
Needs: torch, transformers, onnx, onnxscript, onnxruntime (pip install onnxruntime onnx onnxscript).
"""
import argparse
import hashlib
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ALL_ENGINES = ["torch-fp32", "torch-bf16", "ort-fp32", "ort-int8-channel", "ort-int8-tensor", "mbconvert"]
ORT_MODELS = {"ort-fp32": "model.fp32.onnx", "ort-int8-channel": "model.int8-channel.onnx",
              "ort-int8-tensor": "model.int8-tensor.onnx"}
DEFAULT_SHAPES = "1x16,8x128,4x512,1x2048,1x8192,mixed32"
QUICK_SHAPES = "1x16,2x64,mixed4:16-64"
MIXED_SEED = 2024


# ---------------------------------------------------------------- shared helpers

class SplitMix64:
    """The generator of `mbconvert bench` (Sources/mbconvert/BenchCommand.swift), bit for bit."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)


def token_ids(lengths, vocab):
    """The sequences `mbconvert bench` feeds for these lengths."""
    generator = SplitMix64(42)
    return [[generator.next() % vocab for _ in range(n)] for n in lengths]


def parse_shape(text):
    """'BxS' -> B sequences of S tokens; 'mixedN' or 'mixedN:LO-HI' -> N lengths uniform in LO..HI (default 16..256)."""
    text = text.strip()
    m = re.fullmatch(r"(\d+)x(\d+)", text)
    if m:
        b, s = int(m.group(1)), int(m.group(2))
        if b < 1 or s < 1:
            raise ValueError(f"shape {text}: batch and sequence must be positive")
        return {"name": text, "lengths": [s] * b, "mixed": False}
    m = re.fullmatch(r"mixed(\d+)(?::(\d+)-(\d+))?", text)
    if m:
        n = int(m.group(1))
        lo, hi = (int(m.group(2)), int(m.group(3))) if m.group(2) else (16, 256)
        if n < 1 or lo < 1 or hi < lo:
            raise ValueError(f"shape {text}: need N >= 1 and 1 <= LO <= HI")
        rng = random.Random(MIXED_SEED)
        return {"name": text, "lengths": [rng.randint(lo, hi) for _ in range(n)], "mixed": True}
    raise ValueError(f"shape {text!r}: expected BxS, mixedN or mixedN:LO-HI")


def timed_loop(run, warmup, iterations, min_seconds, max_seconds):
    """Warm-up runs, then timed runs until >= iterations and >= min_seconds (or max_seconds with >= 3 runs)."""
    first = None
    for i in range(max(1, warmup)):
        start = time.perf_counter()
        run()
        if i == 0:
            first = (time.perf_counter() - start) * 1000
    latencies = []
    begin = time.perf_counter()
    while True:
        start = time.perf_counter()
        run()
        latencies.append((time.perf_counter() - start) * 1000)
        elapsed = time.perf_counter() - begin
        if len(latencies) >= iterations and elapsed >= min_seconds:
            break
        if elapsed >= max_seconds and len(latencies) >= min(3, iterations):
            break
    return first, latencies


def summarize(latencies):
    ordered = sorted(latencies)
    p90 = ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.9) - 1)]
    return statistics.median(ordered), p90


# ---------------------------------------------------------------- worker: one Python engine, one shape

def worker(spec_path):
    """Runs in its own process: load one engine, run one shape, print 'RESULT {json}'."""
    with open(spec_path) as f:
        spec = json.load(f)
    engine, lengths, threads = spec["engine"], spec["lengths"], spec["threads"]
    vocab, pad = spec["vocab"], spec["pad_id"]
    sequences = token_ids(lengths, vocab)
    longest = max(lengths)
    padded = [s + [pad] * (longest - len(s)) for s in sequences]
    mask = [[1] * len(s) + [0] * (longest - len(s)) for s in sequences]
    result = {}

    if engine.startswith("torch"):
        import torch
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:
            pass
        from transformers import AutoModel
        dtype = torch.bfloat16 if engine == "torch-bf16" else torch.float32
        start = time.perf_counter()
        model = AutoModel.from_pretrained(spec["hf"], attn_implementation="sdpa", dtype=dtype).eval()
        result["load_ms"] = (time.perf_counter() - start) * 1000
        result["model_class"] = type(model).__name__
        ids = torch.tensor(padded, dtype=torch.long)
        attention = torch.tensor(mask, dtype=torch.long)

        def run():
            with torch.inference_mode():
                model(input_ids=ids, attention_mask=attention)
        result["runtime"] = f"torch {torch.__version__}, threads {torch.get_num_threads()}"
    else:
        import numpy as np
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Long sequences: dense S x S attention tensors per layer; with the memory arena and memory
        # patterns ORT keeps growing past 15 GB at 1x8192, so release buffers after each op instead.
        arena = longest <= spec["ort_arena_max_seq"]
        options.enable_cpu_mem_arena = arena
        options.enable_mem_pattern = arena
        result["ort_memory_arena"] = arena
        start = time.perf_counter()
        session = ort.InferenceSession(spec["onnx"], options, providers=["CPUExecutionProvider"])
        result["load_ms"] = (time.perf_counter() - start) * 1000
        feeds = {"input_ids": np.asarray(padded, dtype=np.int64), "attention_mask": np.asarray(mask, dtype=np.int64)}
        names = {i.name for i in session.get_inputs()}
        feeds = {k: v for k, v in feeds.items() if k in names}

        def run():
            session.run(None, feeds)
        result["runtime"] = f"onnxruntime {ort.__version__}, intra-op threads {threads}"

    first, latencies = timed_loop(run, spec["warmup"], spec["iterations"], spec["min_seconds"], spec["max_seconds"])
    median, p90 = summarize(latencies)
    tokens = sum(lengths)
    import resource
    result.update({
        "tokens": tokens, "padded_tokens": longest * len(lengths), "first_forward_ms": first,
        "latencies_ms": latencies, "latency_ms_median": median, "latency_ms_p90": p90,
        "tokens_per_second": tokens / (median / 1000),
        "self_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })
    print("RESULT " + json.dumps(result), flush=True)


# ---------------------------------------------------------------- export worker: ONNX export + quantization

def export_worker(spec_path):
    """Runs in its own process: export ModernBertModel to ONNX, check it against PyTorch, quantize it."""
    with open(spec_path) as f:
        spec = json.load(f)
    import numpy as np
    import torch
    from transformers import AutoModel
    torch.set_num_threads(spec["threads"])
    out_dir = spec["out_dir"]
    fp32_path = os.path.join(out_dir, ORT_MODELS["ort-fp32"])
    model = AutoModel.from_pretrained(spec["hf"], attn_implementation="sdpa", dtype=torch.float32).eval()
    config = model.config
    window = int(getattr(config, "local_attention", 128) or 128)
    max_pos = int(config.max_position_embeddings)
    vocab = int(config.vocab_size)
    pad = int(config.pad_token_id if config.pad_token_id is not None else 0)

    def batch(lengths, seed):
        seqs = token_ids(lengths, vocab) if seed is None else [[(i * 7919 + seed) % vocab for i in range(n)] for n in lengths]
        longest = max(lengths)
        ids = torch.tensor([s + [pad] * (longest - len(s)) for s in seqs])
        mask = torch.tensor([[1] * len(s) + [0] * (longest - len(s)) for s in seqs])
        return ids, mask

    # Trace on a padded batch longer than the sliding window so no branch specializes on all-ones masks.
    trace_len = min(max_pos, max(64, 2 * window + 8))
    trace_ids, trace_mask = batch([trace_len, trace_len // 2], 3)
    check_len = min(max_pos, 2 * window + 40)
    checks = [batch([16], None), batch([check_len, max(2, check_len // 3)], None), batch([min(max_pos, 3 * window + 5)], None)]
    report = {"exporter": None, "errors": []}

    def verify(path):
        import onnxruntime as ort
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        worst = 0.0
        for ids, mask in checks:
            with torch.inference_mode():
                ref = model(input_ids=ids, attention_mask=mask).last_hidden_state.float().numpy()
            out = session.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
            valid = mask.numpy().astype(bool)
            diff = float(np.abs(out - ref)[valid].max() / max(1.0, float(np.abs(ref[valid]).max())))
            worst = max(worst, diff)
        return worst

    dims = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "last_hidden_state": {0: "batch", 1: "sequence"}}
    attempts = []
    if spec["exporter"] in ("auto", "dynamo"):
        attempts.append("dynamo")
    if spec["exporter"] in ("auto", "legacy"):
        attempts.append("legacy")
    for exporter in attempts:
        try:
            kwargs = dict(input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"])
            with torch.no_grad():
                if exporter == "dynamo":
                    b, s = torch.export.Dim("batch", max=4096), torch.export.Dim("sequence", max=max_pos)
                    torch.onnx.export(model, (trace_ids, trace_mask), fp32_path, dynamo=True, external_data=False,
                                      dynamic_shapes=({0: b, 1: s}, {0: b, 1: s}), opset_version=18, **kwargs)
                else:
                    torch.onnx.export(model, (trace_ids, trace_mask), fp32_path, dynamo=False, dynamic_axes=dims,
                                      opset_version=17, **kwargs)
            diff = verify(fp32_path)
            report[f"{exporter}_max_rel_diff"] = diff
            if diff > 1e-3:
                raise RuntimeError(f"ONNX output differs from PyTorch (max relative diff {diff:.2e})")
            report["exporter"] = exporter
            report["fp32_max_rel_diff"] = diff
            break
        except Exception as error:  # keep going: the other exporter may work
            message = f"{exporter} export failed: {error.__class__.__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}"
            print(message, flush=True)
            report["errors"].append(message)
            if os.path.exists(fp32_path):
                os.remove(fp32_path)
    if report["exporter"] is None:
        print("EXPORT " + json.dumps(report), flush=True)
        return

    from onnxruntime.quantization import QuantType, quantize_dynamic
    import onnxruntime as ort
    fp32_session = ort.InferenceSession(fp32_path, providers=["CPUExecutionProvider"])
    ids, mask = checks[1]
    reference = fp32_session.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
    for engine, per_channel in (("ort-int8-channel", True), ("ort-int8-tensor", False)):
        path = os.path.join(out_dir, ORT_MODELS[engine])
        try:
            quantize_dynamic(fp32_path, path, weight_type=QuantType.QInt8, per_channel=per_channel)
            out = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
                None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
            valid = mask.numpy().astype(bool)
            a, b = reference[valid].astype(np.float64), out[valid].astype(np.float64)
            cos = (a * b).sum(-1) / np.maximum(np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1), 1e-300)
            report[f"{engine}_cosine_vs_fp32_min"] = float(cos.min())
        except Exception as error:
            message = f"{engine}: quantize_dynamic failed: {error.__class__.__name__}: {error}"
            print(message, flush=True)
            report["errors"].append(message)
            if os.path.exists(path):
                os.remove(path)
    print("EXPORT " + json.dumps(report), flush=True)


# ---------------------------------------------------------------- orchestrator

MEMORY_LIMIT_MB = None  # set from --max-rss-gb in main()


def resident_mb(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576
    except (OSError, ValueError, IndexError):
        return 0.0


def run_child(command, timeout, env=None):
    """Runs a child; returns (returncode, stdout, stderr, peak RSS MB of that child alone).

    The child is killed when it runs past `timeout` or its resident memory passes --max-rss-gb
    (dense attention at long sequences can take many GB in the Python engines)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        deadline = time.monotonic() + timeout
        killed = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.monotonic() > deadline:
                killed = f"timed out after {timeout:.0f} s"
            elif MEMORY_LIMIT_MB and resident_mb(proc.pid) > MEMORY_LIMIT_MB:
                killed = f"killed: resident memory above --max-rss-gb ({MEMORY_LIMIT_MB / 1024:.1f} GB)"
            if killed:
                proc.kill()
                pid, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if killed:
        stderr += f"\n({killed})"
    return proc.returncode, stdout, stderr, rusage.ru_maxrss / 1024


def last_lines(text, n=3):
    lines = [l for l in text.strip().splitlines() if l.strip() and "Warning" not in l]
    return " | ".join(lines[-n:])[-600:]


def python_env(threads):
    env = dict(os.environ)
    for key in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[key] = str(threads)
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    env["PYTHONWARNINGS"] = "ignore"
    return env


def hf_fingerprint(hf):
    h = hashlib.sha1()
    for name in sorted(os.listdir(hf)):
        path = os.path.join(hf, name)
        if name.endswith((".json", ".safetensors", ".bin")) and os.path.isfile(path):
            st = os.stat(path)
            h.update(f"{name}:{st.st_size}:{int(st.st_mtime)}".encode())
    with open(os.path.join(hf, "config.json"), "rb") as f:
        h.update(f.read())
    return h.hexdigest()[:12]


def ensure_onnx(args, work):
    """Exports and quantizes once per checkpoint (cached in the work dir). Returns (paths, report)."""
    try:
        import importlib.util
        missing = [m for m in ("torch", "transformers", "onnx", "onnxscript", "onnxruntime") if importlib.util.find_spec(m) is None]
    except Exception:
        missing = []
    if missing:
        return {}, {"errors": [f"missing Python packages: {', '.join(missing)} (pip install {' '.join(missing)})"]}
    out_dir = os.path.join(work, "onnx-" + hf_fingerprint(args.hf))
    os.makedirs(out_dir, exist_ok=True)
    report_path = os.path.join(out_dir, "export.json")
    if os.path.exists(report_path) and not args.reexport:
        with open(report_path) as f:
            report = json.load(f)
        paths = {e: os.path.join(out_dir, p) for e, p in ORT_MODELS.items() if os.path.exists(os.path.join(out_dir, p))}
        print(f"ONNX: cached in {out_dir} ({report.get('exporter')} exporter)")
        return paths, report
    print(f"ONNX: exporting ModernBertModel to {out_dir} (once; cached) ...", flush=True)
    spec = os.path.join(out_dir, "export-spec.json")
    with open(spec, "w") as f:
        json.dump({"hf": args.hf, "out_dir": out_dir, "threads": args.threads, "exporter": args.exporter}, f)
    start = time.perf_counter()
    code, stdout, stderr, rss = run_child([sys.executable, os.path.abspath(__file__), "_export", spec],
                                          args.timeout, python_env(args.threads))
    report = None
    for line in stdout.splitlines():
        if line.startswith("EXPORT "):
            report = json.loads(line[len("EXPORT "):])
    if report is None:
        report = {"exporter": None, "errors": [f"export process failed (exit {code}): {last_lines(stderr or stdout)}"]}
    report["export_seconds"] = time.perf_counter() - start
    report["export_peak_rss_mb"] = rss
    for message in report.get("errors", []):
        print("  " + message)
    if report.get("exporter"):
        with open(report_path, "w") as f:
            json.dump(report, f, indent=2)
        print(f"  {report['exporter']} exporter, max relative diff vs PyTorch {report.get('fp32_max_rel_diff', float('nan')):.1e}, "
              f"{report['export_seconds']:.0f} s")
    paths = {e: os.path.join(out_dir, p) for e, p in ORT_MODELS.items() if os.path.exists(os.path.join(out_dir, p))}
    return paths, report


def mbconvert_capabilities(binary):
    caps = {"mode": False, "quantize": False}
    try:
        help_text = subprocess.run([binary, "bench", "--help"], capture_output=True, text=True, timeout=60).stdout
        caps["mode"] = "--mode" in help_text
        top = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=60).stdout
        caps["quantize"] = re.search(r"^\s+quantize\b", top, re.M) is not None
    except Exception as error:
        caps["error"] = str(error)
    return caps


def is_int8(binary, path):
    try:
        out = subprocess.run([binary, "inspect", "--json", path], capture_output=True, text=True, timeout=120)
        tensors = json.loads(out.stdout).get("tensors", [])
        return any(t.get("dtype") in ("I8", "U8") for t in tensors)
    except Exception:
        return bool(re.search(r"int8|\bi8\b|q8|w8", os.path.basename(path), re.I))


def make_files(args, work, caps):
    """Creates f32, f16 and (when `quantize` exists) int8 model files; reuses them while newer than inputs."""
    out_dir = os.path.join(work, "mbc-" + hf_fingerprint(args.hf))
    os.makedirs(out_dir, exist_ok=True)
    newest_input = max([os.path.getmtime(args.mbconvert)] + [os.path.getmtime(os.path.join(args.hf, n)) for n in os.listdir(args.hf)])
    jobs = [("f32.mbc", ["convert", args.hf, "-o", None]), ("f16.mbc", ["convert", args.hf, "-o", None, "--dtype", "f16"])]
    if caps["quantize"]:
        jobs.append(("int8.mbc", ["quantize", args.hf, "-o", None, "--int8"]))
    else:
        print("mbconvert: no `quantize` command in this binary; no int8 file")
    files = []
    for name, command in jobs:
        path = os.path.join(out_dir, name)
        if os.path.exists(path) and os.path.getmtime(path) >= newest_input:
            files.append(path)
            continue
        command = [args.mbconvert] + [path if c is None else c for c in command]
        print("mbconvert: " + " ".join(command[1:]), flush=True)
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode == 0:
            files.append(path)
        else:
            print(f"  failed (exit {result.returncode}): {last_lines(result.stderr or result.stdout)}")
    return files


def mbconvert_env(args):
    """With --kernel-tier, OpenBLAS (fp32 matrices) is capped the same way, unless OPENBLAS_CORETYPE is set."""
    env = dict(os.environ)
    core = {"avx2": "Haswell", "avx-vnni": "Haswell", "avx512": "SkylakeX"}.get(args.kernel_tier or "")
    if core and "OPENBLAS_CORETYPE" not in env:
        env["OPENBLAS_CORETYPE"] = core
    return env


def run_mbconvert(args, shape, target, lengths_file):
    """One `mbconvert bench` run (plus a one-iteration probe to size the iteration count when --min-seconds > 0)."""
    base = [args.mbconvert, "bench", target["file"], "--threads", str(args.threads), "--json"]
    if shape["mixed"]:
        base += ["--lengths", lengths_file]
    else:
        base += ["--batch", str(len(shape["lengths"])), "--seq", str(shape["lengths"][0])]
    if target.get("mode"):
        base += ["--mode", target["mode"]]
    if args.kernel_tier:
        base += ["--kernel-tier", args.kernel_tier]
    iterations = args.iterations
    if args.min_seconds > 0:
        code, stdout, stderr, _ = run_child(base + ["--iterations", "1"], args.timeout, mbconvert_env(args))
        if code != 0:
            return {"error": f"mbconvert bench failed (exit {code}): {last_lines(stderr or stdout)}"}
        probe = json.loads(stdout[stdout.index("{"):])
        per_run = max(probe["latency_ms_median"], 1e-3) / 1000
        wanted = math.ceil(args.min_seconds / per_run)
        cap = max(min(3, args.iterations), math.floor(args.max_seconds / per_run))
        iterations = max(args.iterations, min(wanted, cap))
    code, stdout, stderr, rss = run_child(base + ["--iterations", str(iterations)], args.timeout, mbconvert_env(args))
    if code != 0:
        return {"error": f"mbconvert bench failed (exit {code}): {last_lines(stderr or stdout)}"}
    data = json.loads(stdout[stdout.index("{"):])
    data["peak_rss_mb_reported"] = data.pop("peak_rss_mb", None)
    data["peak_rss_mb"] = rss
    data["iterations"] = iterations
    return data


def run_python(args, engine, shape, config, onnx_paths, work):
    spec = {"engine": engine, "lengths": shape["lengths"], "threads": args.threads, "hf": args.hf,
            "vocab": config["vocab_size"], "pad_id": config.get("pad_token_id") or 0,
            "warmup": args.warmup, "iterations": args.iterations,
            "min_seconds": args.min_seconds, "max_seconds": args.max_seconds, "onnx": onnx_paths.get(engine),
            "ort_arena_max_seq": args.ort_arena_max_seq}
    spec_path = os.path.join(work, f"spec-{engine}.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    code, stdout, stderr, rss = run_child([sys.executable, os.path.abspath(__file__), "_worker", spec_path],
                                          args.timeout, python_env(args.threads))
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            data = json.loads(line[len("RESULT "):])
            data["peak_rss_mb"] = rss
            return data
    return {"error": f"exit {code}: {last_lines(stderr or stdout)}"}


def fmt(value, spec="{:.0f}"):
    return "-" if value is None else spec.format(value)


def print_table(title, rows, columns, cell, width=None):
    width = width or max([len(r) for r in rows] + [6])
    col = max([len(c) for c in columns] + [8]) + 2
    print(f"\n{title}")
    print(" " * width + "".join(f"{c:>{col}}" for c in columns))
    for r in rows:
        print(f"{r:<{width}}" + "".join(f"{cell(r, c):>{col}}" for c in columns))


def available_mb():
    try:
        with open("/proc/meminfo") as f:
            fields = dict(line.split(":", 1) for line in f)
        return int(fields["MemAvailable"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        return 0.0


def machine_info(binary):
    info = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), None)
    except OSError:
        pass
    try:
        info["load_average"] = os.getloadavg()
    except OSError:
        pass
    for module in ("torch", "transformers", "onnxruntime"):
        try:
            out = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.__version__)"],
                                 capture_output=True, text=True, timeout=120)
            info[module] = out.stdout.strip() or None
        except Exception:
            info[module] = None
    try:
        info["git_commit"] = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                            text=True).stdout.strip()
    except Exception:
        pass
    info["mbconvert"] = os.path.abspath(binary)
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hf", required=True, help="Hugging Face ModernBERT directory (config.json + safetensors)")
    parser.add_argument("--mbconvert", default=os.path.join(ROOT, ".build", "release", "mbconvert"), help="mbconvert binary")
    parser.add_argument("--files", nargs="+", default=[], help="model files to bench with mbconvert")
    parser.add_argument("--make-files", action="store_true", help="create f32/f16/int8 model files in the work dir")
    parser.add_argument("--modes", default="w8a32,w8a8", help="execution modes for int8 files (when bench has --mode); 'default' runs the file's recorded default")
    parser.add_argument("--shapes", help=f"comma-separated BxS, mixedN or mixedN:LO-HI (default {DEFAULT_SHAPES})")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--kernel-tier", help="cap mbconvert's kernel tier (e.g. avx2: what an AVX2-only host runs; "
                        "OpenBLAS gets the matching OPENBLAS_CORETYPE). PyTorch and ONNX Runtime cannot be capped: "
                        "they keep this CPU's best instructions")
    parser.add_argument("--engines", default=",".join(ALL_ENGINES), help="comma-separated subset of " + ",".join(ALL_ENGINES))
    parser.add_argument("--iterations", type=int, default=5, help="minimum timed runs per engine and shape")
    parser.add_argument("--min-seconds", type=float, default=2.0, help="minimum timed seconds per engine and shape")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="stop adding runs after this (>= 3 runs)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs (mbconvert bench always does 1)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the whole matrix, report the median per cell")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "mbconvert-compare"), help="cache dir")
    parser.add_argument("--exporter", choices=["auto", "dynamo", "legacy"], default="auto", help="torch.onnx exporter")
    parser.add_argument("--reexport", action="store_true", help="ignore the cached ONNX files")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per child process")
    parser.add_argument("--ort-arena-max-seq", type=int, default=2048,
                        help="ORT memory arena and memory patterns off above this padded sequence length")
    parser.add_argument("--max-rss-gb", type=float, help="kill a child whose RSS passes this (default: 85%% of available memory)")
    parser.add_argument("--json", help="write all results here")
    parser.add_argument("--quick", action="store_true", help=f"smoke test: shapes {QUICK_SHAPES}, 1 iteration, no minimum time")
    args = parser.parse_args()

    if args.quick:
        args.iterations, args.min_seconds, args.warmup = 1, 0.0, 1
        args.shapes = args.shapes or QUICK_SHAPES
    args.shapes = args.shapes or DEFAULT_SHAPES
    global MEMORY_LIMIT_MB
    MEMORY_LIMIT_MB = args.max_rss_gb * 1024 if args.max_rss_gb else available_mb() * 0.85
    args.hf = os.path.abspath(args.hf)
    args.mbconvert = os.path.abspath(args.mbconvert)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ALL_ENGINES]
    if unknown:
        parser.error(f"unknown engines {unknown}; choose from {ALL_ENGINES}")
    with open(os.path.join(args.hf, "config.json")) as f:
        config = json.load(f)
    max_pos = config.get("max_position_embeddings", 8192)
    os.makedirs(args.work, exist_ok=True)

    shapes = []
    for text in args.shapes.split(","):
        if not text.strip():
            continue
        shape = parse_shape(text)
        if max(shape["lengths"]) > max_pos:
            print(f"skipping shape {shape['name']}: longer than max_position_embeddings {max_pos}")
            continue
        shape["tokens"] = sum(shape["lengths"])
        shapes.append(shape)
    if not shapes:
        sys.exit("no shapes to run")

    info = machine_info(args.mbconvert)
    print(f"cpu: {info.get('cpu')} ({info['cpus']} cores), load average "
          f"{', '.join(f'{x:.1f}' for x in info.get('load_average', ()))}; child memory limit {MEMORY_LIMIT_MB / 1024:.1f} GB")
    print(f"torch {info['torch']}, transformers {info['transformers']}, onnxruntime {info['onnxruntime']}, "
          f"mbconvert {info.get('git_commit')}; threads {args.threads}")
    print(f"model: {args.hf}: {config.get('num_hidden_layers')} layers, hidden {config.get('hidden_size')}, "
          f"vocab {config.get('vocab_size')}, local window {config.get('local_attention')}")
    if args.kernel_tier:
        print(f"mbconvert kernel tier capped at {args.kernel_tier} (OPENBLAS_CORETYPE={mbconvert_env(args).get('OPENBLAS_CORETYPE')}); "
              "PyTorch and ONNX Runtime run with every instruction this CPU has")
    print("measured: the encoder only (embeddings + layers + final norm, no head); `mbconvert bench` runs ModernBert.forward, "
          "the Python engines run ModernBertModel")

    skipped = {}
    onnx_paths, export_report = {}, None
    if any(e.startswith("ort-") for e in engines):
        onnx_paths, export_report = ensure_onnx(args, args.work)
        for e in engines:
            if e.startswith("ort-") and e not in onnx_paths:
                skipped[e] = "no ONNX model: " + "; ".join(export_report.get("errors", [])[-2:])

    targets = []
    if "mbconvert" in engines:
        if not os.path.exists(args.mbconvert):
            skipped["mbconvert"] = f"binary not found: {args.mbconvert} (swift build -c release)"
        else:
            caps = mbconvert_capabilities(args.mbconvert)
            files = list(args.files)
            if args.make_files:
                files += make_files(args, args.work, caps)
            if not files:
                skipped["mbconvert"] = "no model files (--files or --make-files)"
            modes = [m.strip() for m in args.modes.split(",") if m.strip()]
            for path in files:
                label = "mbc " + os.path.splitext(os.path.basename(path))[0]
                if any(t["engine"].startswith(label) for t in targets):
                    label += f" #{len(targets) + 1}"
                if is_int8(args.mbconvert, path):
                    if caps["mode"]:
                        # "default": no --mode, so the file's recorded default mode runs (what users get).
                        targets += [{"engine": f"{label} {m}", "file": path, "mode": None if m == "default" else m}
                                    for m in modes]
                    else:
                        print(f"note: {path} is int8 but this mbconvert has no bench --mode; running its default mode")
                        targets.append({"engine": label, "file": path})
                else:
                    targets.append({"engine": label, "file": path})

    for engine, reason in skipped.items():
        print(f"skipping {engine}: {reason}")
    python_engines = [e for e in engines if e != "mbconvert" and e not in skipped]
    rows = python_engines + [t["engine"] for t in targets]
    print("shapes: " + ", ".join(f"{s['name']} ({s['tokens']} tokens" + (f", lengths {min(s['lengths'])}..{max(s['lengths'])}" if s["mixed"] else "") + ")"
                                 for s in shapes))

    runs = []
    for round_index in range(args.rounds):
        for shape in shapes:
            lengths_file = os.path.join(args.work, f"lengths-{shape['name'].replace(':', '_')}.txt")
            with open(lengths_file, "w") as f:
                f.write("\n".join(map(str, shape["lengths"])) + "\n")
            for row in rows:
                start = time.perf_counter()
                if row in python_engines:
                    data = run_python(args, row, shape, config, onnx_paths, args.work)
                else:
                    target = next(t for t in targets if t["engine"] == row)
                    data = run_mbconvert(args, shape, target, lengths_file)
                data.update({"engine": row, "shape": shape["name"], "round": round_index,
                             "wall_seconds": time.perf_counter() - start})
                runs.append(data)
                if "error" in data:
                    print(f"  {row} {shape['name']}: FAILED: {data['error']}", flush=True)
                else:
                    print(f"  {row:<22} {shape['name']:<14} {data['tokens_per_second']:9.0f} tokens/s  "
                          f"median {data['latency_ms_median']:8.1f} ms  RSS {data['peak_rss_mb']:6.0f} MB  "
                          f"load {data['load_ms']:7.0f} ms", flush=True)

    def cell_values(row, shape, key):
        return [r[key] for r in runs if r["engine"] == row and r["shape"] == shape and "error" not in r and r.get(key) is not None]

    def median_of(row, shape, key):
        values = cell_values(row, shape, key)
        return statistics.median(values) if values else None

    names = [s["name"] for s in shapes]
    tps = {r: {s: median_of(r, s, "tokens_per_second") for s in names} for r in rows}
    rss = {r: {s: median_of(r, s, "peak_rss_mb") for s in names} for r in rows}
    load = {r: statistics.median([x for s in names for x in cell_values(r, s, "load_ms")] or [float("nan")]) for r in rows}
    first = {r: {s: median_of(r, s, "first_forward_ms") for s in names} for r in rows}

    width = max(len(r) for r in rows) + 2
    print_table(f"tokens/s ({args.threads} threads; higher is better; median of {args.rounds} round(s))",
                rows, names, lambda r, s: fmt(tps[r][s]), width)

    ratios = {}
    int8_rows = [r for r in rows if r.startswith("ort-int8")]
    mbc_rows = [r for r in rows if r.startswith("mbc ")]

    def best_int8(s):
        values = [tps[r][s] for r in int8_rows if tps[r][s]]
        return max(values) if values else None

    if mbc_rows:
        references = []
        if int8_rows:
            references.append(("best ORT int8", best_int8))
        if "torch-fp32" in rows:
            references.append(("torch-fp32", lambda s: tps["torch-fp32"][s]))
        for ref_name, ref in references:
            table = {r: {s: (tps[r][s] / ref(s) if tps[r][s] and ref(s) else None) for s in names} for r in mbc_rows}
            ratios[ref_name] = table
            print_table(f"ratio to {ref_name} (tokens/s; > 1 means mbconvert is faster)", mbc_rows, names,
                        lambda r, s: fmt(table[r][s], "{:.2f}"), width)

    print_table("peak RSS, MB (whole process: runtime, weights, activations)", rows, names, lambda r, s: fmt(rss[r][s]), width)
    print(f"\n{'load ms':<{width}}{'':>2}first forward ms (shape {names[0]})")
    for r in rows:
        print(f"{r:<{width}}{fmt(load[r]) if load[r] == load[r] else '-':>7}    {fmt(first[r][names[0]], '{:.1f}')}")
    failures = [r for r in runs if "error" in r]
    if failures:
        print(f"\n{len(failures)} run(s) failed; see above or the JSON output")
    print("\nnotes: Python engines pad mixed batches to the longest sequence and build dense attention masks (local "
          "layers too); mbconvert packs sequences without padding. tokens/s counts real tokens only.")

    if args.json:
        output = {
            "machine": info, "settings": {k: v for k, v in vars(args).items()},
            "measured": "encoder only (embeddings, layers, final norm; no head): mbconvert bench = ModernBert.forward; "
                        "Python engines = ModernBertModel",
            "model_config": config, "shapes": shapes, "rows": rows, "skipped": skipped, "export": export_report,
            "mbconvert_targets": targets, "tokens_per_second": tps, "ratios": ratios, "peak_rss_mb": rss,
            "load_ms": load, "first_forward_ms": first, "runs": runs,
        }
        with open(args.json, "w") as f:
            json.dump(output, f, indent=2, default=str)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "_worker":
        worker(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "_export":
        export_worker(sys.argv[2])
    else:
        main()
