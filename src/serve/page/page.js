// The zero-shot page: laclip's tokenizer, the export's preprocessing and its ONNX graph, all in the browser.
// Everything is fetched from the local server that `laclip serve` runs; the state of the page is in
// document.body.dataset.state (loading, ready, running, done, error) for people and for the tests alike.
import * as ort from "/ort/ort.wasm.min.mjs";
import { ClipTokenizer } from "/lib/laclip/tokenizer/clip_tokenizer.js";
import { parseMerges } from "/lib/laclip/tokenizer/merges_file.js";

ort.env.wasm.wasmPaths = "/ort/";
// Threads need a cross-origin-isolated page; one thread keeps the server plain.
ort.env.wasm.numThreads = 1;

const $ = (id) => document.getElementById(id);
const sessions = new Map();
let model; // { config, preprocess, tokenizer }
let pixels; // Float32Array (1, 3, S, S) of the chosen image

function setState(state, message = "") {
  document.body.dataset.state = state;
  $("status").textContent = message;
}

async function fetchOk(path, as) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return as === "json" ? res.json() : res.text();
}

async function loadModel() {
  const [config, preprocess, merges] = await Promise.all([
    fetchOk("/model/config.json", "json"),
    fetchOk("/model/preprocessor_config.json", "json"),
    fetchOk("/model/merges.txt", "text"),
  ]);
  const contextLength = config.text_config.max_position_embeddings;
  const tokenizer = new ClipTokenizer(parseMerges(merges, "merges.txt"), { contextLength });
  const laclip = config.laclip_config ?? {};
  $("model").textContent = `${laclip.layout ?? "clip"} · image ${preprocess.crop_size.height}px, patch ${config.vision_config.patch_size}` +
    ` · vision ${config.vision_config.hidden_size}×${config.vision_config.num_hidden_layers}` +
    ` · text ${config.text_config.hidden_size}×${config.text_config.num_hidden_layers} · embed ${config.projection_dim}`;
  return { config, preprocess, tokenizer };
}

async function session(suffix) {
  if (!sessions.has(suffix)) {
    sessions.set(suffix, ort.InferenceSession.create(`/model/onnx/model${suffix}.onnx`, { executionProviders: ["wasm"] }));
  }
  return sessions.get(suffix);
}

// The eval transform of preprocessor_config.json: shortest side to `shortest_edge` (the browser's high-quality
// resampling), centre crop, transparent pixels on white as laclip composites them, then (v * rescale - mean) / std
// rounded to float32 at each step as laclip's tables do. Colour profiles are ignored, as laclip ignores them.
function preprocess(bitmap, p) {
  const side = p.crop_size.height;
  const scale = p.size.shortest_edge / Math.min(bitmap.width, bitmap.height);
  const w = Math.round(bitmap.width * scale);
  const h = Math.round(bitmap.height * scale);
  const canvas = document.createElement("canvas");
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, side, side);
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bitmap, -Math.round((w - side) / 2), -Math.round((h - side) / 2), w, h);
  const rgba = ctx.getImageData(0, 0, side, side).data;
  const f = Math.fround;
  const out = new Float32Array(3 * side * side);
  for (let c = 0; c < 3; c++) {
    const mean = f(p.image_mean[c]);
    const std = f(p.image_std[c]);
    for (let i = 0; i < side * side; i++) out[c * side * side + i] = f(f(f(rgba[4 * i + c] * p.rescale_factor) - mean) / std);
  }
  const preview = $("preview").getContext("2d");
  preview.imageSmoothingEnabled = false;
  preview.clearRect(0, 0, 224, 224);
  preview.drawImage(canvas, 0, 0, 224, 224);
  return out;
}

function tokens(texts) {
  const { data, shape } = model.tokenizer.encodeBatch(texts);
  const [rows, len] = shape;
  const ids = new BigInt64Array(data.length);
  const mask = new BigInt64Array(data.length);
  const eot = model.tokenizer.eotId;
  for (let r = 0; r < rows; r++) {
    let inside = true;
    for (let j = 0; j < len; j++) {
      ids[r * len + j] = BigInt(data[r * len + j]);
      mask[r * len + j] = inside ? 1n : 0n;
      if (data[r * len + j] === eot) inside = false;
    }
  }
  return { ids: new ort.Tensor("int64", ids, shape), mask: new ort.Tensor("int64", mask, shape) };
}

function softmax(xs) {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function show(labels, probs) {
  const list = $("results");
  list.replaceChildren();
  const order = labels.map((l, i) => [l, probs[i]]).sort((a, b) => b[1] - a[1]);
  for (const [label, p] of order) {
    const li = document.createElement("li");
    li.dataset.label = label;
    li.dataset.score = String(p);
    const name = document.createElement("span");
    name.textContent = label;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    bar.append(fill);
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = `${(100 * p).toFixed(1)}%`;
    li.append(name, bar, score);
    list.append(li);
  }
}

async function classify() {
  const labels = $("labels").value.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (pixels === undefined || labels.length === 0) {
    setState("ready", pixels === undefined ? "Pick or drop an image." : "Type at least one label.");
    return;
  }
  setState("running", "Running…");
  try {
    const template = $("template").value.includes("{}") ? $("template").value : "{}";
    const { ids, mask } = tokens(labels.map((l) => template.replace("{}", l)));
    const side = model.preprocess.crop_size.height;
    const s = await session($("precision").value);
    const t0 = performance.now();
    const out = await s.run({ input_ids: ids, attention_mask: mask, pixel_values: new ort.Tensor("float32", pixels, [1, 3, side, side]) });
    show(labels, softmax(Array.from(out.logits_per_image.data)));
    setState("done", `${labels.length} labels in ${(performance.now() - t0).toFixed(0)} ms`);
  } catch (err) {
    setState("error", String(err?.message ?? err));
  }
}

async function useFile(file) {
  if (!file) return;
  try {
    const bitmap = await createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
    pixels = preprocess(bitmap, model.preprocess);
    await classify();
  } catch (err) {
    setState("error", `cannot read ${file.name}: ${err?.message ?? err}`);
  }
}

function wire() {
  $("file").addEventListener("change", () => useFile($("file").files[0]));
  $("run").addEventListener("click", classify);
  $("precision").addEventListener("change", classify);
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    useFile(e.dataTransfer.files[0]);
  });
}

try {
  wire();
  model = await loadModel();
  await session("");
  const quantized = await fetch("/model/onnx/model_quantized.onnx", { method: "HEAD" });
  $("precision").options[1].disabled = !quantized.ok;
  $("run").disabled = false;
  setState("ready", "Pick or drop an image.");
} catch (err) {
  setState("error", `cannot load the model: ${err?.message ?? err}`);
}
