#!/usr/bin/env python3
"""Load and latency of `mbconvert serve` (standard library only).

    python3 Benchmarks/serve_bench.py bench --binary .build/release/mbconvert --model mini-int8.mbc [--mode w8a8]
        starts a server, drives it at concurrency 1, 8 and 32 with 1-text and 8-text /embed requests,
        prints requests/s, tokens/s, p50/p99 latency, the serving overhead against `mbconvert bench`
        on the same token count, and the server's peak RSS.
    python3 Benchmarks/serve_bench.py load --url http://127.0.0.1:8080 --seconds 10 --concurrency 16 \
        [--kill-pid PID --kill-after 4]
        one closed-loop run against a running server (Scripts/replicas.sh uses it); prints a JSON summary.

Clients run in this process (threads over http.client, one keep-alive connection each) on the same
cores as the server, at nice 19 so the server wins the CPU; on a shared 2-core machine the figures are
noisy, so compare runs made in one sitting.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

def mode_flag(args):
    """`--mode` when one was asked for; otherwise the file's recorded default runs (what users get)."""
    return ["--mode", args.mode] if args.mode else []


TEXTS = [
    "A list is a mutable sequence, and tuples are immutable ones.",
    "Use list.remove(x) to delete the first item whose value is equal to x.",
    "The with statement wraps the execution of a block with methods defined by a context manager.",
    "Dictionaries map hashable keys to arbitrary values and keep their insertion order.",
    "A generator function returns an iterator that produces a sequence of values lazily.",
    "The import statement finds a module, loads and initialises it, and binds a name to it.",
    "Exceptions raised in the try clause are matched against the except clauses in order.",
    "String methods such as split, join and strip return new strings; str objects are immutable.",
]


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def load(url, seconds, concurrency, texts_per_request, kill_pid=None, kill_after=None, max_requests=None):
    """Closed loop: each client posts /embed again as soon as it has its answer."""
    parsed = urllib.parse.urlparse(url)
    body = json.dumps({"inputs": TEXTS[:texts_per_request] if texts_per_request > 1 else TEXTS[0]}).encode()
    lock = threading.Lock()
    latencies, statuses, errors, tokens = [], {}, {}, [0]
    stop = time.monotonic() + seconds
    count = [0]

    def client():
        connection = None
        while time.monotonic() < stop:
            with lock:
                if max_requests and count[0] >= max_requests:
                    return
                count[0] += 1
            start = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
                connection.request("POST", "/embed", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                elapsed = time.monotonic() - start
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    if response.status == 200:
                        latencies.append(elapsed)
                        tokens[0] += int(response.getheader("x-compute-tokens", "0"))
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                if connection is not None:
                    connection.close()
                connection = None
                time.sleep(0.01)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    if kill_pid:
        time.sleep(kill_after)
        os.kill(kill_pid, signal.SIGKILL)
    for t in threads:
        t.join()
    wall = time.monotonic() - begin
    ok = statuses.get(200, 0)
    return {
        "seconds": round(wall, 2), "concurrency": concurrency, "texts_per_request": texts_per_request,
        "requests_ok": ok, "statuses": statuses, "client_errors": errors,
        "requests_per_s": round(ok / wall, 1), "tokens_per_s": round(tokens[0] / wall, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def token_counts(url, texts):
    parsed = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    c.request("POST", "/tokenize", json.dumps({"inputs": texts}), {"Content-Type": "application/json"})
    return [len(t) for t in json.loads(c.getresponse().read())]


def pass_totals(url):
    """(forward passes, tokens in them, seconds in them) so far, from /metrics."""
    parsed = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    values = {}
    for line in text.splitlines():
        if line.startswith(("mbconvert_batch_tokens_count ", "mbconvert_batch_tokens_sum ",
                            "mbconvert_inference_duration_seconds_sum ")):
            name, value = line.split()
            values[name] = float(value)
    return (values["mbconvert_batch_tokens_count"], values["mbconvert_batch_tokens_sum"],
            values["mbconvert_inference_duration_seconds_sum"])


def run_bench(args, lengths):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(str(n) for n in lengths) + "\n")
    out = subprocess.run([args.binary, "bench", args.model, "--lengths", f.name, *mode_flag(args), "--json",
                          "--iterations", "5"] + (["--threads", str(args.threads)] if args.threads else []),
                         capture_output=True, text=True, check=True)
    os.unlink(f.name)
    return json.loads(out.stdout)["tokens_per_second"]


def bench(args):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    extra = mode_flag(args) + (["--threads", str(args.threads)] if args.threads else [])
    server = subprocess.Popen([args.binary, "serve", args.model, "--port", str(port), *extra],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        os.nice(19)
        lengths = token_counts(url, TEXTS)
        load(url, 2, 4, 8)  # warm-up
        rows = []
        for texts in (1, 8):
            for concurrency in (1, 8, 32):
                passes0, tokens0, busy0 = pass_totals(url)
                r = load(url, args.seconds, concurrency, texts)
                passes1, tokens1, busy1 = pass_totals(url)
                r["mean_pass_tokens"] = round((tokens1 - tokens0) / max(1, passes1 - passes0), 1)
                # Share of the run's wall time the model thread spent in forward passes: the rest is
                # time the model waited for work (HTTP, JSON, tokenizing, the clients themselves).
                r["model_busy_percent"] = round(100 * (busy1 - busy0) / r["seconds"], 1)
                rows.append(r)
                print(f"texts/request {texts}  concurrency {concurrency:2d}: {r['requests_per_s']:8.1f} req/s "
                      f"{r['tokens_per_s']:9.1f} tok/s  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
                      f"mean pass {r['mean_pass_tokens']:7.1f} tokens  model busy {r['model_busy_percent']:5.1f}%  statuses {r['statuses']} errors {r['client_errors']}",
                      flush=True)
        rss = peak_rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    # `mbconvert bench` on the same texts packed as the saturated server packed them (its mean pass),
    # and as one pass of all 32 requests' texts.
    saturated = max((r for r in rows if r["texts_per_request"] == 8), key=lambda r: r["tokens_per_s"])
    per_text = sum(lengths) / len(lengths)
    mean_pass = lengths * max(1, round(saturated["mean_pass_tokens"] / per_text / len(lengths)))
    same_pass = run_bench(args, mean_pass)
    full = run_bench(args, lengths * 32)
    print(f"mbconvert bench on the server's mean pass ({sum(mean_pass)} tokens, {len(mean_pass)} sequences): {same_pass:.1f} tok/s; "
          f"one pass of 32 requests ({sum(lengths) * 32} tokens): {full:.1f} tok/s")
    print(f"serving at saturation (8 texts/request, concurrency {saturated['concurrency']}): {saturated['tokens_per_s']:.1f} tok/s: "
          f"overhead {100 * (1 - saturated['tokens_per_s'] / same_pass):.1f}% against the same passes, "
          f"{100 * (1 - saturated['tokens_per_s'] / full):.1f}% against one 32-request pass")
    print(f"server peak RSS: {rss:.1f} MB")
    print(json.dumps({"rows": rows, "bench_same_pass_tokens_per_s": same_pass, "bench_full_tokens_per_s": full,
                      "peak_rss_mb": rss}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--binary", default=".build/release/mbconvert")
    b.add_argument("--model", required=True)
    b.add_argument("--mode", help="w8a32 or w8a8 for an int8 file; default: the mode the file records")
    b.add_argument("--threads", type=int)
    b.add_argument("--seconds", type=float, default=8)
    l = sub.add_parser("load")
    l.add_argument("--url", required=True)
    l.add_argument("--seconds", type=float, default=10)
    l.add_argument("--concurrency", type=int, default=16)
    l.add_argument("--texts", type=int, default=1)
    l.add_argument("--kill-pid", type=int)
    l.add_argument("--kill-after", type=float, default=3)
    args = parser.parse_args()
    if args.command == "bench":
        bench(args)
    else:
        print(json.dumps(load(args.url, args.seconds, args.concurrency, args.texts, args.kill_pid, args.kill_after)))


if __name__ == "__main__":
    sys.exit(main())
