#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages laclip needs, only those missing; safe to run again and again.
#   libtorch-dev          PyTorch's C++ library and headers (the compute engine; skip with LIBTORCH=/path)
#   libgloo-dev           Gloo headers for c10d's CPU process group (data-parallel training)
#   libopenblas0-pthread  a fast BLAS: the reference BLAS Debian falls back to is ~40x slower
#   python3-torch         PyTorch 1.13, the peer that benchmarks compare against (not needed at run time)
#   chromium              headless browser for the tests of `laclip serve`'s page and `laclip report`'s HTML (not needed at run time)
#   python3-onnx          ONNX's checker, run on the exported graphs by the tests (not needed at run time)
#   xz-utils              xz for the GPU check's bundle (scripts/device/bundle.sh) and its dry-run test
set -euo pipefail
pkgs=(libopenblas0-pthread libgloo-dev python3-torch xz-utils)
pkgs+=(chromium python3-onnx)
[ -n "${LIBTORCH:-}" ] || pkgs+=(libtorch-dev)
[ "${LACLIP_SKIP_PYTORCH:-}" = 1 ] && pkgs=("${pkgs[@]/python3-torch}")
missing=()
for p in "${pkgs[@]}"; do
  [ -z "$p" ] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "laclip: installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "laclip: need root or sudo to install: ${missing[*]} (or install them yourself)" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
