#!/usr/bin/env python3
"""End-to-end tests of `mbconvert serve` through real HTTP clients (run by Scripts/test-server.sh).

Starts servers on free loopback ports for three converted fixtures (an embedding model, a classifier
and a one-label reranker), then checks every route against the CLI (`embed --normalize --json`,
`classify --json`, `tokenize --offsets`), the `openai` and `huggingface_hub` clients, TEI's error
statuses and bodies, API keys, 429 on a full queue, 32 concurrent clients against serial results,
SIGTERM under load, and the deploy/ manifests. Prints one line per test and `N passed, N failed`.
"""
import argparse
import base64
import json
import math
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEXTS = [
    "A list is a mutable sequence.",
    "Tuples are immutable.",
    "Use list.remove(x) to delete the first item equal to x.",
    "naïve café: 函数 — x = [1, 2, 3]",
    "Marie Curie moved from Warsaw to Paris.",
    "The with statement wraps a block in a context manager. " * 6,
    "Short.",
    "Dictionaries map keys to values, and sets hold unique items; both are hashed.",
]
TESTS = []
ARGS = None
SERVERS = {}


def test(fn):
    TESTS.append(fn)
    return fn


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def max_diff(a, b):
    check(len(a) == len(b), f"lengths differ: {len(a)} vs {len(b)}")
    worst = 0.0
    for x, y in zip(a, b):
        if isinstance(x, list):
            worst = max(worst, max_diff(x, y))
        else:
            worst = max(worst, abs(float(x) - float(y)))
    return worst


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `mbconvert serve` process on a free loopback port, its log in a temporary file."""

    def __init__(self, model, *extra):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="mbconvert-serve-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [ARGS.binary, "serve", model, "--port", str(self.port), "--threads", "2", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            check(self.process.poll() is None, f"server exited early:\n{self.logtext()}")
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not become healthy:\n{self.logtext()}")

    def logtext(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def post(self, path, body, **kwargs):
        return requests.post(self.url + path, json=body, timeout=60, **kwargs)


def cli(*args):
    out = subprocess.run([ARGS.binary, *args], check=True, capture_output=True, text=True)
    return out.stdout


def model(name):
    return os.path.join(ARGS.models, name + ".mbc")


def error_of(response, status, error_type):
    check(response.status_code == status, f"status {response.status_code}, expected {status}: {response.text[:300]}")
    body = response.json()
    check(body.get("error_type") == error_type, f"error_type {body.get('error_type')}, expected {error_type}: {body}")
    check(isinstance(body.get("error"), str) and body["error"], f"no error message: {body}")
    return body["error"]


# MARK: - Embedding model: every route against the CLI

@test
def embed_equals_cli():
    s = SERVERS["embed"]
    cli_vectors = [row["embedding"] for row in json.loads(cli("embed", model("st-mean-normalize"), "--normalize", "--json", *TEXTS))]
    r = s.post("/embed", {"inputs": TEXTS})
    check(r.status_code == 200, r.text)
    d = max_diff(r.json(), cli_vectors)
    check(d <= 1e-6, f"/embed vs `embed --normalize --json`: {d}")
    single = s.post("/embed", {"inputs": TEXTS[0]}).json()
    check(len(single) == 1 and max_diff(single[0], cli_vectors[0]) <= 1e-6, "single input")
    raw_cli = [row["embedding"] for row in json.loads(cli("embed", model("st-mean-normalize"), "--no-normalize", "--json", *TEXTS[:3]))]
    raw = s.post("/embed", {"inputs": TEXTS[:3], "normalize": False}).json()
    check(max_diff(raw, raw_cli) <= 1e-6, "normalize: false vs `embed --no-normalize`")
    for name in ("x-compute-time", "x-compute-tokens", "x-total-time", "x-queue-time", "x-inference-time"):
        check(name in r.headers, f"header {name} missing: {dict(r.headers)}")
    return f"max |diff| vs CLI {d:.1e}"


@test
def embed_dimensions_and_ids():
    s = SERVERS["embed"]
    full = s.post("/embed", {"inputs": TEXTS[0], "normalize": False}).json()[0]
    cut = s.post("/embed", {"inputs": TEXTS[0], "dimensions": 8}).json()[0]
    norm = sum(x * x for x in full[:8]) ** 0.5
    check(max_diff(cut, [x / norm for x in full[:8]]) <= 1e-6, "dimensions: first values, renormalized")
    ids = s.post("/tokenize", {"inputs": TEXTS[1]}).json()[0]
    from_ids = s.post("/embed", {"inputs": [t["id"] for t in ids]}).json()
    from_text = s.post("/embed", {"inputs": TEXTS[1]}).json()
    check(max_diff(from_ids, from_text) <= 1e-6, "token ids give the text's vector")


@test
def prompt_name_equals_cli_prompt_name():
    # A sentence-transformers 6.x directory with Dense + Normalize and prompts {query, document}.
    s = SERVERS["prompts"]
    name = model("st6-mean-dense-normalize")
    for prompt in ("query", "document"):
        cli_vectors = [row["embedding"] for row in json.loads(cli("embed", name, "--prompt-name", prompt, "--json", *TEXTS[:3]))]
        r = s.post("/embed", {"inputs": TEXTS[:3], "prompt_name": prompt})
        check(r.status_code == 200, r.text)
        check(max_diff(r.json(), cli_vectors) <= 1e-6, f"/embed prompt_name={prompt} vs `embed --prompt-name {prompt}`")
    plain = s.post("/embed", {"inputs": TEXTS[0]}).json()
    query = s.post("/embed", {"inputs": TEXTS[0], "prompt_name": "query"}).json()
    check(max_diff(plain, query) > 1e-3, "the prompt changes the vector")
    tokens = s.post("/tokenize", {"inputs": TEXTS[0], "prompt_name": "query"}).json()[0]
    check("".join(t["text"] for t in tokens if not t["special"]).startswith("search_query: "), f"/tokenize with the prompt: {tokens[:6]}")
    error_of(s.post("/embed", {"inputs": TEXTS[0], "prompt_name": "nope"}), 422, "Validation")
    ids = [t["id"] for t in s.post("/tokenize", {"inputs": TEXTS[0]}).json()[0]]
    error_of(s.post("/embed", {"inputs": ids, "prompt_name": "nope"}), 422, "Validation")
    error_of(SERVERS["embed"].post("/embed", {"inputs": TEXTS[0], "prompt_name": "query"}), 422, "Validation")


@test
def embed_all_is_token_states():
    s = SERVERS["embed"]
    r = s.post("/embed_all", {"inputs": TEXTS[:2]})
    check(r.status_code == 200, r.text)
    states = r.json()
    tokens = [len(s.post("/tokenize", {"inputs": t}).json()[0]) for t in TEXTS[:2]]
    check([len(x) for x in states] == tokens, f"tokens per input {[len(x) for x in states]} vs {tokens}")
    pooled = s.post("/embed", {"inputs": TEXTS[:2], "normalize": False}).json()
    means = [[sum(col) / len(rows) for col in zip(*rows)] for rows in states]
    check(max_diff(means, pooled) <= 1e-5, "mean of /embed_all rows is the mean-pooled /embed")


@test
def openai_client_both_encodings():
    from openai import OpenAI
    s = SERVERS["embed"]
    client = OpenAI(base_url=s.url + "/v1", api_key="unused")
    expected = s.post("/embed", {"inputs": TEXTS[:3]}).json()
    default = client.embeddings.create(model="st", input=TEXTS[:3])          # base64 on the wire
    floats = client.embeddings.create(model="st", input=TEXTS[:3], encoding_format="float")
    check(max_diff([e.embedding for e in default.data], expected) <= 1e-6, "openai default (base64)")
    check(max_diff([e.embedding for e in floats.data], expected) <= 1e-6, "openai float")
    check([e.index for e in default.data] == [0, 1, 2], "indices")
    tokens = sum(len(s.post("/tokenize", {"inputs": t}).json()[0]) for t in TEXTS[:3])
    check(default.usage.prompt_tokens == tokens and default.usage.total_tokens == tokens, f"usage {default.usage}")
    raw = s.post("/v1/embeddings", {"input": TEXTS[0], "encoding_format": "base64"}).json()
    vector = struct.unpack(f"<{len(expected[0])}f", base64.b64decode(raw["data"][0]["embedding"]))
    check(max_diff(list(vector), expected[0]) <= 1e-6 and raw["object"] == "list", "raw base64 body")


@test
def huggingface_hub_feature_extraction():
    from huggingface_hub import InferenceClient
    s = SERVERS["embed"]
    client = InferenceClient(model=s.url)
    got = client.feature_extraction(TEXTS[2])
    expected = s.post("/embed", {"inputs": TEXTS[2]}).json()
    check(max_diff(got.tolist(), expected) <= 1e-6, "InferenceClient.feature_extraction posts to / and gets /embed")


@test
def tokenize_equals_cli_and_decode():
    s = SERVERS["embed"]
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "in.jsonl"), "w", encoding="utf-8") as f:
            for t in TEXTS:
                f.write(json.dumps(t) + "\n")
        cli("tokenize", model("st-mean-normalize"), "--input", f.name, "--output", os.path.join(d, "out.jsonl"), "--offsets")
        with open(os.path.join(d, "out.jsonl"), encoding="utf-8") as f:
            expected = [json.loads(line) for line in f]
    got = s.post("/tokenize", {"inputs": TEXTS}).json()
    for text, tokens, want in zip(TEXTS, got, expected):
        check([t["id"] for t in tokens] == want["ids"], f"ids of {text!r}")
        data = text.encode("utf-8")
        for t, (start, end) in zip(tokens, want["offsets"]):
            if t["special"]:
                check(t["start"] is None and t["stop"] is None, "special tokens have null offsets")
                continue
            # The CLI reports scalar offsets (Python's); TEI reports UTF-8 byte offsets.
            b0, b1 = len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))
            check((t["start"], t["stop"]) == (b0, b1), f"offsets {t} vs bytes {(b0, b1)}")
            check(t["text"] == data[b0:b1].decode("utf-8", errors="replace"), f"text of {t}")
    ids = [[t["id"] for t in tokens] for tokens in got]
    decoded = s.post("/decode", {"ids": ids}).json()
    check(decoded == TEXTS, f"decode round trip: {decoded[:2]}")
    plain = s.post("/tokenize", {"inputs": TEXTS[0], "add_special_tokens": False}).json()[0]
    check(len(plain) == len(got[0]) - 2, "add_special_tokens: false")


@test
def info_health_metrics_root():
    s = SERVERS["embed"]
    info = requests.get(s.url + "/info").json()
    for key in ("model_id", "model_dtype", "model_type", "max_input_length", "max_batch_tokens",
                "max_client_batch_size", "max_concurrent_requests", "auto_truncate", "version"):
        check(key in info, f"/info lacks {key}: {info}")
    check(info["model_type"] == {"embedding": {"pooling": "mean"}}, f"model_type {info['model_type']}")
    check(requests.get(s.url + "/health").status_code == 200, "/health")
    check(requests.get(s.url + "/").status_code == 200, "GET /")
    root = s.post("/", {"inputs": TEXTS[0]}).json()
    check(max_diff(root, s.post("/embed", {"inputs": TEXTS[0]}).json()) == 0, "POST / is /embed")
    metrics = requests.get(s.url + "/metrics").text
    for series in ('mbconvert_requests_total{route="/embed",status="200"}', "mbconvert_request_duration_seconds_bucket",
                   "mbconvert_queue_duration_seconds_count", "mbconvert_inference_duration_seconds_sum",
                   "mbconvert_batch_tokens_bucket", "mbconvert_queue_size ", "mbconvert_inputs_in_flight "):
        check(series in metrics, f"/metrics lacks {series}")


# MARK: - Classifier and reranker

@test
def predict_equals_cli():
    s = SERVERS["classify"]
    expected = json.loads(cli("classify", model("seqcls-single"), "--json", *TEXTS))
    got = s.post("/predict", {"inputs": [[t] for t in TEXTS]}).json()
    for g, e in zip(got, expected):
        check([p["label"] for p in g] == [p["label"] for p in e], f"labels {g} vs {e}")
        check(max_diff([p["score"] for p in g], [p["score"] for p in e]) <= 1e-6, "scores")
    single = s.post("/predict", {"inputs": TEXTS[0]}).json()
    flat = lambda rows: [(p["label"], round(p["score"], 5)) for p in rows]
    check(flat(single) == flat(got[0]), "a single input answers a flat list")
    check(flat(s.post("/", {"inputs": TEXTS[0]}).json()) == flat(single), "POST / is /predict on a classifier")
    raw = s.post("/predict", {"inputs": TEXTS[0], "raw_scores": True}).json()
    check(abs(sum(p["score"] for p in single) - 1) < 1e-5 and abs(sum(p["score"] for p in raw) - 1) > 1e-3,
          "softmax scores sum to 1, raw logits do not")
    pair = s.post("/predict", {"inputs": ["How do I remove an item?", TEXTS[2]]})
    check(pair.status_code == 200 and len(pair.json()) == 3, f"pair input: {pair.text}")
    info = requests.get(s.url + "/info").json()["model_type"]
    check(set(info) == {"classifier"} and len(info["classifier"]["id2label"]) == 3, f"model_type {info}")
    error_of(s.post("/embed", {"inputs": "x"}), 424, "Backend")


@test
def rerank_equals_cli():
    s = SERVERS["rerank"]
    query = "How do I remove an item from a list?"
    # The reranker fixture reads 64 positions: the long text is cut on the document's side, as the CLI does.
    expected = json.loads(cli("rerank", model("reranker"), "--query", query, "--json", "--return-text", *TEXTS))
    r = s.post("/rerank", {"query": query, "texts": TEXTS, "return_text": True, "truncate": True})
    check(r.status_code == 200, r.text)
    ranks = r.json()
    check([x["index"] for x in ranks] == [x["index"] for x in expected], f"order {ranks} vs CLI {expected}")
    check(all(x["text"] == TEXTS[x["index"]] for x in ranks), "return_text")
    d = max_diff([x["score"] for x in ranks], [x["score"] for x in expected])
    check(d <= 1e-6, f"scores vs `rerank --json`: {d}")
    scores = [x["score"] for x in ranks]
    check(scores == sorted(scores, reverse=True), "best first")
    message = error_of(s.post("/rerank", {"query": query, "texts": TEXTS}), 422, "Validation")
    check("less than 64 tokens" in message, f"long pair without truncate: {message}")
    raw = s.post("/rerank", {"query": query, "texts": TEXTS[:2], "raw_scores": True}).json()
    check(all("text" not in x for x in raw), "no text unless asked")
    raw_cli = json.loads(cli("rerank", model("reranker"), "--query", query, "--json", "--raw-scores", *TEXTS[:2]))
    check(max_diff([x["score"] for x in raw], [x["score"] for x in raw_cli]) <= 1e-6, "raw_scores vs --raw-scores")
    root = s.post("/", {"query": query, "texts": TEXTS[:2], "raw_scores": True}).json()
    check([x["index"] for x in root] == [x["index"] for x in raw], "POST / is /rerank")
    p = s.post("/predict", {"inputs": [query, TEXTS[0]], "raw_scores": True}).json()
    first = next(x for x in raw if x["index"] == 0)
    check(abs(p[0]["score"] - first["score"]) <= 1e-6, "a pair through /predict has the rerank logit")
    check("reranker" in requests.get(s.url + "/info").json()["model_type"], "model_type reranker")
    error_of(SERVERS["embed"].post("/rerank", {"query": query, "texts": ["a"]}), 424, "Backend")
    return f"max |diff| vs `rerank --json` {d:.1e}"


# MARK: - Bad input, limits, keys

@test
def bad_inputs_get_tei_errors_and_server_stays_healthy():
    s = SERVERS["embed"]
    raw = lambda path, data: requests.post(s.url + path, data=data, headers={"Content-Type": "application/json"}, timeout=60)
    error_of(raw("/embed", b'{"inputs": '), 400, "Validation")
    error_of(raw("/embed", b"not json at all"), 400, "Validation")
    error_of(raw("/embed", b'{"inputs": "\xff\xfe"}'), 400, "Validation")
    error_of(s.post("/embed", {"inputs": 42}), 422, "Validation")
    error_of(s.post("/embed", {"inputs": "x", "normalize": "yes"}), 422, "Validation")
    error_of(s.post("/embed", {"text": "x"}), 422, "Validation")
    error_of(s.post("/embed", {"inputs": []}), 400, "Empty")
    error_of(s.post("/embed", {"inputs": ""}), 400, "Empty")
    error_of(s.post("/tokenize", {"inputs": []}), 400, "Empty")
    error_of(s.post("/predict", {"inputs": "x"}), 424, "Backend")
    limit = requests.get(s.url + "/info").json()["max_input_length"]
    long = " ".join(["word"] * (limit + 10))
    message = error_of(s.post("/embed", {"inputs": long}), 422, "Validation")
    check(f"less than {limit} tokens" in message, f"over-long message names the limit: {message}")
    truncated = s.post("/embed", {"inputs": long, "truncate": True})
    check(truncated.status_code == 200 and truncated.headers["x-compute-tokens"] == str(limit), "truncate: true")
    big = json.dumps({"inputs": "x" * 3_000_000}).encode()
    error_of(raw("/embed", big), 413, "Validation")
    error_of(s.post("/embed", {"inputs": ["x"] * 33}), 413, "Validation")
    missing = requests.post(s.url + "/no/such/route", json={"inputs": "x"})
    check(missing.status_code == 404 and missing.json()["error_type"] == "NotFound", f"unknown route: {missing.status_code} {missing.text}")
    wrong_method = requests.get(s.url + "/embed")
    check(wrong_method.status_code in (404, 405) and "error" in wrong_method.json(), f"GET /embed: {wrong_method.status_code}")
    o = s.post("/v1/embeddings", {"input": 42})
    check(o.status_code == 422 and set(o.json()) == {"message", "code", "type"}, f"OpenAI-style error: {o.text}")
    # A malformed HTTP request line: the server answers 400 and carries on.
    with socket.create_connection(("127.0.0.1", s.port)) as c:
        c.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        c.settimeout(5)
        check(c.recv(100).startswith(b"HTTP/1.1 400"), "malformed HTTP gets 400")
    check(requests.get(s.url + "/health").status_code == 200, "still healthy")
    check(s.post("/embed", {"inputs": "still works"}).status_code == 200, "still serving")


@test
def api_key_and_full_queue():
    s = SERVERS["keyed"]
    error_of(s.post("/embed", {"inputs": "x"}), 401, "Unauthorized")
    error_of(s.post("/embed", {"inputs": "x"}, headers={"Authorization": "Bearer wrong"}), 401, "Unauthorized")
    auth = {"Authorization": "Bearer s3cret"}
    check(s.post("/embed", {"inputs": "x"}, headers=auth).status_code == 200, "right key")
    check(requests.get(s.url + "/health").status_code == 200, "/health needs no key")
    check(requests.get(s.url + "/metrics").status_code == 200, "/metrics needs no key")
    # --max-concurrent-requests 4: five inputs can never be admitted.
    error_of(s.post("/embed", {"inputs": ["a", "b", "c", "d", "e"]}, headers=auth), 429, "Overloaded")
    check(s.post("/embed", {"inputs": ["a", "b", "c", "d"]}, headers=auth).status_code == 200, "four fit")


# MARK: - Concurrency and shutdown

@test
def concurrent_clients_equal_serial():
    s = SERVERS["embed"]
    requests_ = [[TEXTS[(i + k) % len(TEXTS)] + f" #{i}" for k in range(1 + i % 4)] for i in range(64)]
    serial = [s.post("/embed", {"inputs": texts}).json() for texts in requests_]
    before = requests.get(s.url + "/metrics").text

    def one(texts):
        with requests.Session() as session:
            return session.post(s.url + "/embed", json={"inputs": texts}, timeout=120)

    with ThreadPoolExecutor(max_workers=32) as pool:
        responses = list(pool.map(one, requests_))
    check(all(r.status_code == 200 for r in responses), "all 200")
    d = max(max_diff(r.json(), want) for r, want in zip(responses, serial))
    check(d <= 1e-6, f"concurrent vs serial: {d}")
    after = requests.get(s.url + "/metrics").text

    def count(text, name):
        return int(float(next(line for line in text.splitlines() if line.startswith(name + " ")).split()[-1]))

    passes = count(after, "mbconvert_batch_size_count") - count(before, "mbconvert_batch_size_count")
    sequences = sum(len(t) for t in requests_)
    return f"max |diff| concurrent vs serial {d:.1e}; {sequences} inputs in {passes} forward passes"


@test
def sigterm_under_load_answers_every_accepted_request():
    s = Server(model("st-mean-normalize"))
    results, stop = [], threading.Event()
    lock = threading.Lock()

    def client(i):
        n = 0
        while not stop.is_set() and n < 400:
            n += 1
            try:
                r = requests.post(s.url + "/embed", json={"inputs": TEXTS[: 1 + (i + n) % 4]}, timeout=60)
                with lock:
                    results.append(r.status_code)
            except requests.RequestException as e:
                with lock:
                    results.append(type(e).__name__)
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    code = s.stop(signal.SIGTERM)
    stop.set()
    for t in threads:
        t.join()
    ok = sum(1 for r in results if r == 200)
    other_status = [r for r in results if isinstance(r, int) and r != 200]
    logged = s.logtext().count("POST /embed 200")
    check(code == 0, f"exit code {code}\n{s.logtext()[-2000:]}")
    check(not other_status, f"non-200 answers: {other_status[:5]}")
    check(ok > 0, "no request was served before the signal")
    # Every request the server accepted (and logged) reached its client as a 200.
    check(logged == ok, f"server answered {logged} requests, clients received {ok}")
    refused = len(results) - ok
    return f"{ok} answered with 200 during load and shutdown, {refused} refused after the listener closed, exit 0"


# MARK: - deploy/ manifests (no container engine runs here: this checks their content)

@test
def deploy_manifests():
    import yaml
    k8s = os.path.join(ROOT, "deploy", "k8s")
    docs = {}
    for name in sorted(os.listdir(k8s)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(k8s, name), encoding="utf-8") as f:
                for doc in yaml.safe_load_all(f):
                    if doc:
                        docs.setdefault(doc["kind"], []).append(doc)
    deployment = docs["Deployment"][0]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    check(container["readinessProbe"]["httpGet"]["path"] == "/health", "readiness on /health")
    check(container["livenessProbe"]["httpGet"]["path"] == "/health", "liveness on /health")
    check("preStop" in container["lifecycle"], "preStop drain")
    check(pod["terminationGracePeriodSeconds"] >= 30, "grace period covers the drain")
    check(pod["securityContext"]["runAsNonRoot"] is True, "non-root")
    port = container["ports"][0]["containerPort"]
    check(container["readinessProbe"]["httpGet"]["port"] in (port, container["ports"][0].get("name")), "probe port")
    check(all(k in container["resources"]["requests"] for k in ("cpu", "memory")), "resource requests (HPA needs cpu)")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = docs["Service"][0]
    check(all(labels.get(k) == v for k, v in service["spec"]["selector"].items()), "Service selects the pods")
    check(service["spec"]["ports"][0]["targetPort"] in (port, container["ports"][0].get("name")), "Service targets the port")
    hpa = docs["HorizontalPodAutoscaler"][0]
    check(hpa["apiVersion"] == "autoscaling/v2" and hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"], "HPA targets the Deployment")
    check(hpa["spec"]["minReplicas"] >= 2, "at least two replicas")
    job = docs["Job"][0]
    check(job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] >= 2, "Indexed Job")
    with open(os.path.join(ROOT, "deploy", "Dockerfile"), encoding="utf-8") as f:
        dockerfile = f.read()
    check(dockerfile.count("FROM ") >= 2, "multi-stage")
    check("HEALTHCHECK" in dockerfile and "/health" in dockerfile, "HEALTHCHECK on /health")
    check("USER " in dockerfile and "USER root" not in dockerfile, "runs as a non-root user")
    check("Scripts/package.sh" in dockerfile, "builds the packaged static binary")


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--models", required=True, help="directory with the converted fixtures")
    parser.add_argument("-k", help="run only tests whose name contains this")
    ARGS = parser.parse_args()
    ARGS.binary = os.path.abspath(ARGS.binary)
    selected = [t for t in TESTS if not ARGS.k or ARGS.k in t.__name__]
    passed = failed = 0
    try:
        SERVERS["embed"] = Server(model("st-mean-normalize"))
        SERVERS["classify"] = Server(model("seqcls-single"))
        SERVERS["rerank"] = Server(model("reranker"))
        SERVERS["prompts"] = Server(model("st6-mean-dense-normalize"))
        SERVERS["keyed"] = Server(model("st-mean-normalize"), "--api-key", "s3cret", "--max-concurrent-requests", "4")
        for t in selected:
            start = time.time()
            try:
                note = t()
                passed += 1
                print(f"PASS {t.__name__} ({time.time() - start:.1f} s){': ' + note if note else ''}", flush=True)
            except Exception as e:  # noqa: BLE001 - report every failure and go on
                failed += 1
                print(f"FAIL {t.__name__}: {e}", flush=True)
                if not isinstance(e, AssertionError):
                    traceback.print_exc()
        for name, s in SERVERS.items():
            code = s.stop()
            if code != 0:
                failed += 1
                print(f"FAIL server {name} exited {code} on SIGTERM\n{s.logtext()[-2000:]}")
    finally:
        for s in SERVERS.values():
            if s.process.poll() is None:
                s.process.kill()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
