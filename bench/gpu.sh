#!/usr/bin/env bash
# The browser training bench on a machine with a GPU, in one command: JSON lines on stdout only.
#
#   bench/gpu.sh            # needs Node 20, npm, this repository, and Chrome or Chromium
#   CHROME=/opt/google/chrome/chrome bench/gpu.sh --quick
#
# It installs the packages (`npm ci`) when node_modules is missing, fetches MNIST (npm run
# prepare-data) when it is missing, then runs bench/page-backends.ts --hardware: the core Trainer in
# the bench page's worker on wasm, webgl and webgpu, with Chromium's GPU flags instead of
# SwiftShader's. Its first line ({"bench":"gpu",...}) names WebGL's renderer (UNMASKED_RENDERER_WEBGL)
# and the WebGPU adapter, so a reader can tell a real GPU from SwiftShader; the rows follow
# ({"bench":"train_throughput","backend":...,"kernels_per_step":...,"ms_per_step":...,"examples_per_s":...}).
# If bench/app-run.ts exists, the app as a person runs it follows on webgl.
#
# Environment:
#   CHROME           the browser (default: /usr/bin/chromium, else google-chrome or chromium on PATH)
#   VAE_CHROME_ARGS  Chromium's GPU flags (default below: ANGLE on Vulkan for WebGL, Vulkan for WebGPU).
#                    On NVIDIA without Vulkan, try: --ignore-gpu-blocklist --use-gl=angle --use-angle=gl-egl
# Arguments are passed to bench/page-backends.ts (e.g. --quick, --backends webgl,webgpu).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "gpu.sh: $*" >&2; }

if [[ -z "${CHROME:-}" ]]; then
  for candidate in /usr/bin/chromium "$(command -v google-chrome || true)" "$(command -v chromium || true)" "$(command -v chromium-browser || true)"; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then CHROME="$candidate"; break; fi
  done
fi
if [[ -z "${CHROME:-}" || ! -x "$CHROME" ]]; then
  log "no Chrome or Chromium found: set CHROME to the browser's path"
  exit 1
fi
export CHROMIUM_PATH="$CHROME"
# Headless Chromium on Linux with a GPU: ANGLE over Vulkan for WebGL, Vulkan for WebGPU (Dawn);
# no surface (headless), and no blocklist (data-centre GPUs are often on it).
export VAE_CHROME_ARGS="${VAE_CHROME_ARGS:---ignore-gpu-blocklist --enable-gpu --use-gl=angle --use-angle=vulkan --enable-features=Vulkan --disable-vulkan-surface --enable-unsafe-webgpu}"
log "browser $CHROME, flags: $VAE_CHROME_ARGS"

if [[ ! -d node_modules ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund >&2
fi
if [[ ! -f public/data/mnist/train-images-idx3-ubyte.gz ]]; then
  log "npm run prepare-data"
  npm run --silent prepare-data >&2
fi

# The bench builds the page itself (vite build) and prints only JSON lines on stdout.
npx tsx bench/page-backends.ts --hardware "$@"
if [[ -f bench/app-run.ts ]]; then
  npx tsx bench/app-run.ts --backend webgl
fi
