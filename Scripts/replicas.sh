#!/usr/bin/env bash
# Load balancing and failover on loopback: two `mbconvert serve` replicas (one thread each) behind
# nginx with upstream retries. Measures throughput with one replica and with two, then SIGKILLs one
# replica in the middle of a load run and reports what clients saw and what nginx retried.
#
#   Scripts/replicas.sh            # about a minute; needs nginx (apt-get installs it when missing)
#
# Environment: MBCONVERT_BIN (default: build it), SECONDS_PER_RUN (10), CONCURRENCY (16), TEXTS (8).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
if ! command -v nginx > /dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    apt-get install -y -qq nginx-light > /dev/null 2>&1 || apt-get install -y -qq nginx > /dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

bin=${MBCONVERT_BIN:-}
if [[ -z "$bin" ]]; then
    swift build -c release --product mbconvert
    bin=.build/release/mbconvert
fi
seconds=${SECONDS_PER_RUN:-10}
concurrency=${CONCURRENCY:-16}
texts=${TEXTS:-8}
work=$(mktemp -d /tmp/mbconvert-replicas.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2> /dev/null || true
    wait 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" convert Models/mini-pydocs-h256-l6 -o "$work/mini.mbc" > /dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_a=$(free_port); port_b=$(free_port); port_lb=$(free_port)

start_replica() {  # port, log
    "$bin" serve "$work/mini.mbc" --host 127.0.0.1 --port "$1" --threads 1 > "$2" 2>&1 &
    pids+=($!)
    for _ in $(seq 300); do
        python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$1/health', timeout=1)" 2> /dev/null && return 0
        sleep 0.1
    done
    echo "replica on port $1 did not start" >&2; cat "$2" >&2; exit 1
}

write_nginx() {  # upstream servers...
    local servers=""
    for p in "$@"; do servers+="        server 127.0.0.1:$p max_fails=1 fail_timeout=30s;"$'\n'; done
    cat > "$work/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    log_format upstreams '\$status "\$upstream_addr" "\$upstream_status" \$request_time';
    access_log $work/access.log upstreams;
    upstream replicas {
$servers        keepalive 32;
    }
    server {
        listen 127.0.0.1:$port_lb;
        location / {
            proxy_pass http://replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # Retry on the other replica when one refuses, resets or dies mid-request. Embedding a
            # text is idempotent, so retrying a POST (non_idempotent) is safe here.
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 1s;
            proxy_read_timeout 60s;
        }
    }
}
EOF
}

run_nginx() {
    [[ -f "$work/nginx.pid" ]] && { kill "$(cat "$work/nginx.pid")"; sleep 0.5; }
    : > "$work/access.log"
    "$nginx" -c "$work/nginx.conf" -p "$work"
    sleep 0.3
}

load() {  # extra args for serve_bench.py load
    python3 Benchmarks/serve_bench.py load --url "http://127.0.0.1:$port_lb" --seconds "$seconds" \
        --concurrency "$concurrency" --texts "$texts" "$@"
}

start_replica "$port_a" "$work/a.log"
start_replica "$port_b" "$work/b.log"
pid_b=${pids[1]}

echo "== one replica behind nginx ($concurrency clients, $texts texts per request, ${seconds}s)"
write_nginx "$port_a"; run_nginx
one=$(load); echo "$one"

echo "== two replicas behind nginx"
write_nginx "$port_a" "$port_b"; run_nginx
two=$(load); echo "$two"

echo "== two replicas, replica B SIGKILLed after $((seconds / 3))s"
run_nginx
failover=$(load --kill-pid "$pid_b" --kill-after "$((seconds / 3))"); echo "$failover"
sleep 0.5
# A retried request lists both upstreams: 200 "127.0.0.1:A, 127.0.0.1:B" "502, 200" 0.8
retried=$(awk -F'"' '$2 ~ /, /' "$work/access.log" | wc -l)
served_a=$(grep -c "POST /embed 200" "$work/a.log" || true)
served_b=$(grep -c "POST /embed 200" "$work/b.log" || true)
failed_at_nginx=$(awk '$1 != 200' "$work/access.log" | wc -l)
echo "nginx: $(wc -l < "$work/access.log") requests in the failover run, $retried retried on the other replica, $failed_at_nginx answered non-200"
echo "examples of retried requests (status, upstreams tried, their statuses, seconds):"
awk -F'"' '$2 ~ /, /' "$work/access.log" | head -5
echo "replica logs over all runs: A answered $served_a, B answered $served_b (B killed)"
python3 - "$one" "$two" "$failover" <<'EOF'
import json, sys
one, two, fail = (json.loads(a) for a in sys.argv[1:])
print(f"throughput: 1 replica {one['requests_per_s']} req/s, 2 replicas {two['requests_per_s']} req/s "
      f"(x{two['requests_per_s'] / max(one['requests_per_s'], 1e-9):.2f})")
errors = sum(fail['client_errors'].values()) + sum(v for k, v in fail['statuses'].items() if str(k) != '200')
print(f"failover run: {fail['requests_ok']} requests answered 200, {errors} failures seen by clients")
sys.exit(1 if errors else 0)
EOF
