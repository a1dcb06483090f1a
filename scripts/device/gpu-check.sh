#!/usr/bin/env bash
# The GPU check (docs/gpu.md): on a lent GPU machine, from the carry folder that bundle.sh made, unpack Node,
# build the addon against that machine's PyTorch (LIBTORCH=pip), then print one JSON line per result to stdout
# and to $OUT/gpu-check.jsonl (where OUT is set; the parts' logs go to $OUT/gpu-check-logs.tar.gz):
#   env            Node, libtorch, GPU
#   parity         each quantity of the ../shared parity fixtures computed on the device in fp32 with TF32 off,
#                  within the CPU tolerances (embeddings, logit scale, losses, every parameter's gradient)
#   bench-train    ViT-B/16 bf16 batch 128 train steps: laclip, then the PyTorch peer eager and --compile, in the
#                  same run: samples/s and peak GPU memory of each, and the ratios
#   train, train-resume, eval
#                  `laclip train` of 50 steps on generated data in bf16; the same run killed with SIGKILL after
#                  its step-20 checkpoint and started again must end with bit-identical weights and optimizer
#                  state; `laclip eval` of the result
#   bench-embed    `laclip bench embed` where this build has it
#   summary        every check's verdict
# Each part has a time limit, so the whole ends well inside the device tool's 10 minutes; run it again in the
# same session and the unpacked Node and the built addon are reused.
#
# usage: scripts/device/gpu-check.sh [--bundle DIR] [--work DIR] [--dry-run]
#   --bundle DIR  the carry folder (default .gpu-bundle beside this script's project)
#   --work DIR    where to unpack and build (default /tmp/laclip-gpu)
#   --dry-run     the same script on this CPU machine: --device cpu, tiny sizes, the peer on the CPU and no
#                 --compile, this machine's Node and its built addon (no unpacking of Node, no build). With
#                 --bundle the app and fixtures still come from the bundle; without, from this checkout.
set -uo pipefail
SELF_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUNDLE=""
WORK="/tmp/laclip-gpu"
DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) BUNDLE="$(cd "$2" && pwd)" || exit 2; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "gpu-check.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
START=$(date +%s)
RESULTS="${OUT:-}"
[ -n "$RESULTS" ] && mkdir -p "$RESULTS" && : > "$RESULTS/gpu-check.jsonl"
LOGS="$WORK/logs"
rm -rf "$LOGS" && mkdir -p "$LOGS"
# Every part's log comes back with the results (one file: the device tool returns at most 8 from $OUT).
[ -n "$RESULTS" ] && trap 'tar -czf "$RESULTS/gpu-check-logs.tar.gz" -C "$WORK" logs 2>/dev/null' EXIT
VERDICTS=()

# One JSON line to stdout and $OUT/gpu-check.jsonl.
emit() {
  echo "$1"
  [ -n "$RESULTS" ] && echo "$1" >> "$RESULTS/gpu-check.jsonl"
  return 0
}
# A JSON string from any text (last lines of a log, say).
jstr() { python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()[-600:].strip()))'; }
fail_line() { emit "{\"check\":\"$1\",\"ok\":false,\"error\":$(printf '%s' "$2" | jstr)}"; VERDICTS+=("$1:false"); }
elapsed() { echo $(( $(date +%s) - START )); }
# A part's time limit: its own, or what is left of 560 s since the start (the device tool stops a command at 600).
tl() { local left=$(( 560 - $(elapsed) )); [ "$left" -lt 5 ] && left=5; [ "$left" -lt "$1" ] && echo "$left" || echo "$1"; }
# Seconds each part took, for the summary line.
TIMES=""
LAP=$(date +%s)
lap() { local now; now=$(date +%s); TIMES="$TIMES${TIMES:+,}\"$1\":$(( now - LAP ))"; LAP=$now; }

# ---- the app, Node and the addon
if [ "$DRY" = 1 ]; then
  DEVICE=cpu
  NODE="$(command -v node)"
  if [ -n "$BUNDLE" ]; then
    APP="$WORK/app"; SHARED="$WORK/shared"
    rm -rf "$APP" "$SHARED" && mkdir -p "$APP" "$SHARED"
    xz -dc "$BUNDLE/app.tar.xz" | tar -xf - -C "$APP" && xz -dc "$BUNDLE/shared.tar.xz" | tar -xf - -C "$SHARED" \
      || { fail_line setup "cannot unpack $BUNDLE"; exit 1; }
    export LACLIP_NATIVE="$SELF_ROOT/native/build/Release/laclip_native.node"  # this machine's build
  else
    APP="$SELF_ROOT"; SHARED="${LACLIP_SHARED:-$SELF_ROOT/../shared}"
  fi
else
  DEVICE=cuda
  BUNDLE="${BUNDLE:-$SELF_ROOT/.gpu-bundle}"
  [ -f "$BUNDLE/app.tar.xz" ] && [ -f "$BUNDLE/node-linux-x64.tar.xz" ] \
    || { fail_line setup "no bundle at $BUNDLE: run scripts/device/bundle.sh here and carry .gpu-bundle"; exit 1; }
  unxz() { if command -v xz >/dev/null; then xz -dc "$1"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi; }
  APP="$WORK/app"; SHARED="$WORK/shared"; NODEDIR="$WORK/node"
  # Unpacked once per bundle (a second run in the same session reuses it, and the addon built below).
  STAMP="$(cat "$BUNDLE/MANIFEST.json" 2>/dev/null | md5sum | cut -c1-12)"
  if [ "$(cat "$WORK/.unpacked" 2>/dev/null)" != "$STAMP" ]; then
    rm -rf "$APP" "$SHARED" "$NODEDIR" && mkdir -p "$APP" "$SHARED" "$NODEDIR"
    { unxz "$BUNDLE/node-linux-x64.tar.xz" | tar -xf - -C "$NODEDIR" && unxz "$BUNDLE/app.tar.xz" | tar -xf - -C "$APP" \
      && unxz "$BUNDLE/shared.tar.xz" | tar -xf - -C "$SHARED"; } || { fail_line setup "cannot unpack $BUNDLE"; exit 1; }
    echo "$STAMP" > "$WORK/.unpacked"
  fi
  NODE="$NODEDIR/bin/node"
  export PATH="$NODEDIR/bin:$PATH"
  # The CUDA runtime headers (for the allocator statistics) also switch on code that includes them elsewhere
  # (NCCL); if that build fails, the addon is built again without them and the statistics report null.
  build() { ( cd "$APP/native" && LIBTORCH=pip timeout "$(tl 300)" "$NODE" ../node_modules/node-gyp/bin/node-gyp.js rebuild \
        --nodedir="$NODEDIR" -j "$(nproc)" ) > "$LOGS/$1.log" 2>&1; }
  FIRST_ERROR=""
  if [ ! -f "$APP/native/build/Release/laclip_native.node" ]; then
    if ! build build; then
      FIRST_ERROR="$(grep -m3 -E 'laclip native build:|error:' "$LOGS/build.log")"
      export LACLIP_CUDA_INCLUDE=none
      build build-retry \
        || { fail_line build "$(grep -m5 -E 'laclip native build:|error:' "$LOGS/build-retry.log" || tail -5 "$LOGS/build-retry.log")"; exit 1; }
    fi
  fi
  emit "{\"check\":\"build\",\"ok\":true,\"libtorch\":$(cd "$APP/native" && LIBTORCH=pip python3 torch_config.py --describe | jstr),\"cflags\":$(cd "$APP/native" && LIBTORCH=pip python3 torch_config.py --cflags | jstr),\"first_build_error\":$(printf '%s' "$FIRST_ERROR" | jstr),\"seconds\":$(elapsed)}"
fi
export LACLIP_SHARED="$SHARED"
export LACLIP_BPE="$SHARED/reference/bpe_simple_vocab_16e6.txt.gz"
LACLIP=("$NODE" "$APP/bin/laclip.js")
PEER="$SHARED/bench/torch_clip_step.py"
# The peer's Python: the one with torch (on the GPU machine python3; here Debian's python3-torch).
PY=python3
[ "$DRY" = 1 ] && ! python3 -c 'import torch' 2>/dev/null && PY=/usr/bin/python3
# Wraps JSON lines from a command's stdout: {"check": NAME, ...line}.
wrap() { "$NODE" -e 'const c=process.argv[1];let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n")){if(!l.startsWith("{"))continue;try{console.log(JSON.stringify({check:c,...JSON.parse(l)}))}catch{}}})' "$1"; }

# ---- env
ENV_JSON=$("$NODE" --input-type=module -e '
  const { engineInfo } = await import(process.argv[1] + "/dist/src/engine/index.js");
  const i = engineInfo();
  console.log(JSON.stringify({ check: "env", ok: true, node: process.version, torch: i.torchVersion, built_with_cuda: i.builtWithCuda, cuda_devices: i.cudaDevices }));
' "$APP" 2>"$LOGS/env.log") || ENV_JSON=""
if [ -z "$ENV_JSON" ]; then fail_line env "$(tail -5 "$LOGS/env.log")"; exit 1; fi
PY_JSON=$($PY -c 'import json, torch; print(json.dumps({"gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none", "peer_torch": torch.__version__})[1:-1])' 2>/dev/null || echo '"gpu":"unknown"')
emit "${ENV_JSON%\}},\"device\":\"$DEVICE\",$PY_JSON,\"dry_run\":$([ "$DRY" = 1 ] && echo true || echo false)}"

lap setup
# ---- parity on the device (fp32, TF32 off: laclip parity --device turns it off)
timeout "$(tl 300)" "${LACLIP[@]}" parity --device "$DEVICE" --numbers-only "$SHARED/reference/parity" > "$LOGS/parity.out" 2> "$LOGS/parity.err"
RC=$?
wrap parity < "$LOGS/parity.out" | while read -r l; do emit "$l"; done
N_BAD=$(grep -c '"ok":false' "$LOGS/parity.out")
N_ALL=$(grep -c '^{' "$LOGS/parity.out")
if [ "$RC" = 0 ] && [ "$N_ALL" -gt 0 ]; then VERDICTS+=("parity:true"); else
  fail_line parity "exit $RC, $N_BAD of $N_ALL lines out of tolerance; $(tail -3 "$LOGS/parity.err")"; fi

lap parity
# ---- train-step benchmark against the PyTorch peer, eager and compiled, in this run
if [ "$DRY" = 1 ]; then BENCH=(--config bench-s --dtype fp32 --batch 2 --steps 1 --warmup 1 --threads 1); COMPILE=(); else
  BENCH=(--config vit-b16 --dtype bf16 --batch 128 --steps 20 --warmup 5 --threads 8); COMPILE=(eager compile); fi
[ "$DRY" = 1 ] && COMPILE=(eager)
OURS=$(timeout "$(tl 240)" "${LACLIP[@]}" bench train-step "${BENCH[@]}" --device "$DEVICE" 2> "$LOGS/bench.err" | grep '^{' | tail -1)
if [ -n "$OURS" ]; then emit "$(echo "$OURS" | wrap bench-train | sed 's/^{"check":"bench-train",/{"check":"bench-train","ok":true,/')"; else fail_line bench-train "$(tail -5 "$LOGS/bench.err")"; fi
PEERS=()
for mode in "${COMPILE[@]}"; do
  extra=(); [ "$mode" = compile ] && extra=(--compile)
  P=$(PYTHONUNBUFFERED=1 timeout "$(tl 300)" "$PY" "$APP/scripts/device/torch_peer.py" "$PEER" --mode train "${BENCH[@]}" --device "$DEVICE" "${extra[@]}" 2> "$LOGS/peer-$mode.err" | grep '^{' | tail -2)
  MERGED=$(printf '%s\n' "$P" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const o=Object.assign({},...s.trim().split("\n").filter(Boolean).map(l=>JSON.parse(l)));if(o.samples_per_s!==undefined)console.log(JSON.stringify({check:"bench-train-peer",ok:true,...o}))})' 2>/dev/null)
  if [ -n "$MERGED" ]; then emit "$MERGED"; PEERS+=("$MERGED"); else fail_line "bench-train-peer-$mode" "$(tail -5 "$LOGS/peer-$mode.err")"; fi
done
if [ -n "$OURS" ] && [ "${#PEERS[@]}" -gt 0 ]; then
  R=$(printf '%s\n' "$OURS" "${PEERS[@]}" | "$NODE" -e '
    let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
      const [ours,...peers]=s.trim().split("\n").map(l=>JSON.parse(l));
      const r={check:"bench-train-ratio",ok:true,config:ours.config,dtype:ours.dtype,batch:ours.batch,device:ours.device,laclip_samples_per_s:ours.samples_per_s,laclip_peak_gpu_bytes:ours.peak_gpu_bytes};
      for(const p of peers){const k=p.compiled?"compile":"eager";r[`pytorch_${k}_samples_per_s`]=p.samples_per_s;r[`pytorch_${k}_peak_gpu_bytes`]=p.peak_gpu_bytes;r[`ratio_vs_${k}`]=Number((ours.samples_per_s/p.samples_per_s).toFixed(3));}
      console.log(JSON.stringify(r));});')
  emit "$R"; VERDICTS+=("bench-train:true")
else
  VERDICTS+=("bench-train:false")
fi

lap bench-train
# ---- laclip train: 50 steps (dry run: 12), killed once and resumed; eval of the result
DATA="$WORK/data"; RUNS="$WORK/runs"
rm -rf "$DATA" "$RUNS" && mkdir -p "$DATA" "$RUNS"
if [ "$DRY" = 1 ]; then N=24; MODEL="$DATA/tiny_model.json"; BATCH=4; EPOCHS=2; EVERY=2; KILL_AT=4; DTYPE=bf16; WORKERS=1; else
  N=320; MODEL=bench-s; BATCH=32; EPOCHS=5; EVERY=10; KILL_AT=20; DTYPE=bf16; WORKERS=4; fi
STEPS=$(( N / BATCH * EPOCHS ))
"$NODE" "$APP/scripts/device/make_data.mjs" "$DATA" "$N" 64 > /dev/null 2> "$LOGS/data.err" || fail_line train "cannot make data: $(tail -3 "$LOGS/data.err")"
TRAIN=(train --device "$DEVICE" --set "model.name=$MODEL" --set data.format=csv --set "data.train=$DATA/train.csv"
  --set "data.rewrites=[$DATA/rewrites.txt]" --set "data.workers=$WORKERS" --set text.augment=laclip
  --set "train.batch_size=$BATCH" --set "train.epochs=$EPOCHS" --set "train.dtype=$DTYPE" --set train.seed=0
  --set optim.lr=1.0e-3 --set optim.warmup_steps=4 --set "checkpoint.every_steps=$EVERY" --set log.every_steps=5
  --set log.tensorboard=false --set log.progress=none)
T0=$(date +%s)
timeout "$(tl 240)" "${LACLIP[@]}" "${TRAIN[@]}" --output "$RUNS/whole" > "$LOGS/train-whole.out" 2> "$LOGS/train-whole.err"
RC=$?
DONE=$(grep '"done":true' "$LOGS/train-whole.out" | tail -1)
if [ "$RC" = 0 ] && [ -n "$DONE" ]; then
  SPS=$(grep '"samples_per_s"' "$RUNS/whole/metrics.jsonl" | tail -1 | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).samples_per_s))')
  emit "$(echo "$DONE" | wrap train | sed "s/}\$/,\"ok\":true,\"device\":\"$DEVICE\",\"dtype\":\"$DTYPE\",\"model\":\"$(basename "$MODEL")\",\"batch\":$BATCH,\"samples_per_s_last_line\":${SPS:-null},\"seconds\":$(( $(date +%s) - T0 ))}/")"
  VERDICTS+=("train:true")
else
  fail_line train "exit $RC: $(tail -5 "$LOGS/train-whole.err")"
fi

lap train
# The same run, killed with SIGKILL once its step-$KILL_AT checkpoint is on disk, then started again.
"${LACLIP[@]}" "${TRAIN[@]}" --output "$RUNS/killed" > "$LOGS/train-killed-1.out" 2> "$LOGS/train-killed-1.err" &
PID=$!
KILLED=false
DEADLINE=$(( $(date +%s) + $(tl 240) ))
while [ "$(date +%s)" -lt "$DEADLINE" ]; do
  if [ -d "$RUNS/killed/checkpoints/step-$(printf %08d $KILL_AT)" ]; then kill -9 "$PID" 2>/dev/null && KILLED=true; break; fi
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.02
done
kill -9 "$PID" 2>/dev/null  # past the deadline without that checkpoint: stop it (KILLED stays false)
wait "$PID" 2>/dev/null
timeout "$(tl 240)" "${LACLIP[@]}" "${TRAIN[@]}" --output "$RUNS/killed" > "$LOGS/train-killed-2.out" 2> "$LOGS/train-killed-2.err"
RC=$?
LAST="checkpoints/step-$(printf %08d "$STEPS")"
same() { cmp -s "$RUNS/whole/$LAST/$1" "$RUNS/killed/$LAST/$1" && echo true || echo false; }
RESUMED=$(grep -o 'resuming from [^:]*' "$LOGS/train-killed-2.err" | head -1 | sed 's/.*checkpoints\///')
if [ "$RC" = 0 ] && [ -f "$RUNS/killed/$LAST/model.safetensors" ] && [ -f "$RUNS/whole/$LAST/model.safetensors" ]; then
  M=$(same model.safetensors); O=$(same optimizer.safetensors)
  OK=$([ "$KILLED" = true ] && [ "$M" = true ] && [ "$O" = true ] && [ -n "$RESUMED" ] && echo true || echo false)
  emit "{\"check\":\"train-resume\",\"ok\":$OK,\"killed\":$KILLED,\"resumed_from\":\"$RESUMED\",\"steps\":$STEPS,\"identical_model\":$M,\"identical_optimizer\":$O}"
  VERDICTS+=("train-resume:$OK")
else
  fail_line train-resume "killed=$KILLED, exit $RC: $(tail -5 "$LOGS/train-killed-2.err")"
fi

lap train-resume
if [ -d "$RUNS/whole/$LAST" ]; then
  timeout "$(tl 120)" "${LACLIP[@]}" eval --checkpoint "$RUNS/whole/$LAST" --images "$DATA/img" --classes "$DATA/classes.txt" \
    --device "$DEVICE" --dtype "$DTYPE" --batch 64 --out "$RUNS/eval.json" > "$LOGS/eval.out" 2> "$LOGS/eval.err"
  RC=$?
  E=$(grep '^{' "$LOGS/eval.out" | tail -1)
  if [ "$RC" = 0 ] && [ -n "$E" ]; then emit "$(echo "$E" | wrap eval | sed "s/}\$/,\"ok\":true,\"device\":\"$DEVICE\"}/")"; VERDICTS+=("eval:true")
  else fail_line eval "exit $RC: $(tail -5 "$LOGS/eval.err")"; fi
else
  fail_line eval "no checkpoint $RUNS/whole/$LAST to evaluate"
fi

lap eval
# ---- bench embed (another issue adds it; run only where this build lists it)
if "${LACLIP[@]}" bench --help 2>/dev/null | grep -q 'embed'; then
  if [ "$DRY" = 1 ]; then EMBED=(--config bench-s --batch 2 --steps 1 --warmup 1 --threads 1); else EMBED=(--config vit-b16 --dtype bf16 --batch 128 --steps 10 --warmup 2); fi
  timeout "$(tl 120)" "${LACLIP[@]}" bench embed "${EMBED[@]}" --device "$DEVICE" > "$LOGS/embed.out" 2> "$LOGS/embed.err"
  RC=$?
  if [ "$RC" = 0 ] && grep -q '^{' "$LOGS/embed.out"; then wrap bench-embed < "$LOGS/embed.out" | while read -r l; do emit "{\"ok\":true,${l#\{}"; done; VERDICTS+=("bench-embed:true")
  else fail_line bench-embed "exit $RC: $(tail -5 "$LOGS/embed.err")"; fi
else
  emit '{"check":"bench-embed","ok":null,"skipped":"this build of laclip bench has no embed benchmark"}'
fi

lap bench-embed
# ---- summary
ALL=true
LIST=""
for v in "${VERDICTS[@]}"; do
  [ "${v##*:}" = true ] || ALL=false
  LIST="$LIST${LIST:+,}\"${v%%:*}\":${v##*:}"
done
emit "{\"check\":\"summary\",\"ok\":$ALL,\"device\":\"$DEVICE\",\"dry_run\":$([ "$DRY" = 1 ] && echo true || echo false),\"seconds\":$(elapsed),\"checks\":{$LIST},\"part_seconds\":{$TIMES}}"
[ "$ALL" = true ]
