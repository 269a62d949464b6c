#!/usr/bin/env bash
# End-to-end tests of `mbconvert serve` with real HTTP clients: builds the release binary, converts
# the committed random-init fixtures (an embedding model, a classifier, a one-label reranker), makes a
# venv with requests, openai and huggingface_hub from PyPI, and runs Tests/ServerHTTP/test_server.py,
# which starts the servers on loopback ports, checks every route against the CLI, bad inputs,
# concurrency and SIGTERM under load, and the deploy/ manifests. A few minutes on 2 cores.
#
#   Scripts/test-server.sh            # everything
#   MBCONVERT_BIN=path Scripts/test-server.sh   # use an already built binary
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh

if [[ -z "${MBCONVERT_BIN:-}" ]]; then
    swift build -c release --product mbconvert
    MBCONVERT_BIN=.build/release/mbconvert
fi

work=${MBCONVERT_SERVER_TEST_DIR:-.build/test-server}
mkdir -p "$work"
fixtures=Tests/MBTasksTests/Fixtures
for name in st-mean-normalize seqcls-single reranker st/st6-mean-dense-normalize; do
    "$MBCONVERT_BIN" convert "$fixtures/$name" -o "$work/$(basename "$name").mbc" > /dev/null
done

venv="$work/venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
# Lower bounds only: any current release of each client works.
"$venv/bin/pip" install --quiet --disable-pip-version-check "requests>=2.31" "openai>=1.0" "huggingface_hub>=0.24" "numpy" "pyyaml>=6"

"$venv/bin/python" Tests/ServerHTTP/test_server.py --binary "$MBCONVERT_BIN" --models "$work"
