#!/usr/bin/env bash
# Builds and runs Examples/EmbedderDemo the way a package depending on mbconvert would: it clones the
# current commit into a temporary directory, tags it 0.1.0, and points the example's
# `.package(url:from: "0.1.0")` at that clone (MBCONVERT_URL=file://...). SwiftPM then resolves the
# version, checks out the tag and builds the MBRuntime and MBConverter products as a dependency,
# where it refuses unsafe build flags. The example converts the bundled model with MBConverter
# (ConvertModel) and runs it with MBRuntime alone (EmbedderDemo: an embedding and a fill-mask result).
# Only committed files are in the clone. Release build, as a host would ship it.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
repo=$PWD
start=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/mbconvert-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
commit=$(git rev-parse HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
    echo "note: the example builds the committed HEAD ${commit:0:12}; uncommitted changes are not in the clone" >&2
git clone --quiet --no-tags "$repo" "$work/mbconvert"
git -C "$work/mbconvert" -c advice.detachedHead=false checkout --quiet --detach "$commit"
git -C "$work/mbconvert" tag 0.1.0

cp -R Examples/EmbedderDemo "$work/EmbedderDemo"
rm -rf "$work/EmbedderDemo/.build" "$work/EmbedderDemo/Package.resolved"
# The clone's path changes every run: keep SwiftPM's shared repository cache out of it.
export MBCONVERT_URL="file://$work/mbconvert"
swift build -c release --package-path "$work/EmbedderDemo" --disable-dependency-cache
bin=$(swift build -c release --package-path "$work/EmbedderDemo" --show-bin-path)
grep -q '"version" : "0.1.0"' "$work/EmbedderDemo/Package.resolved" ||
    { echo "example-consumer: mbconvert was not resolved at version 0.1.0" >&2; exit 1; }

"$bin/ConvertModel" Models/mini-pydocs-h256-l6 "$work/mini.mbc"
"$bin/EmbedderDemo" "$work/mini.mbc" | tee "$work/demo.txt"

# A smoke check that the library ran the model, not a parity test (Tests/ hold those): 256 dims,
# and transformers' top-1 for this text on this checkpoint ("list", README) is the demo's top-1.
grep -q '^embedding: 256 dims' "$work/demo.txt" &&
    sed -n '/^fill-mask/{n;p;}' "$work/demo.txt" | grep -Eq '^ +[0-9.]+ +list$' ||
    { echo "example-consumer: unexpected output from EmbedderDemo" >&2; exit 1; }
echo "example consumer: resolved mbconvert 0.1.0 (${commit:0:12}) by URL, built and ran in $((SECONDS - start)) s"
