/**
 * Writes a tiny GGUF v3 model for tests: llama architecture, f32 tensors, random weights, a SentencePiece-style
 * `llama` tokenizer of <unk>, <s>, </s>, the 256 <0xNN> byte tokens and a few "▁word" pieces. It proves that the
 * real llama.cpp path (load, tokenize, batched decode, sample, detokenize) works; it writes nonsense.
 * Defaults (2 layers, width 64, ffn 128, 4 heads) make a file of about 470 KB.
 *
 * Layout (all little-endian): "GGUF", u32 version 3, u64 tensor count, u64 key-value count, the key-values, the
 * tensor infos (name, dims innermost first, type, offset into the data section), padding to `general.alignment`
 * (32), then each tensor's data at its aligned offset.
 */
import { writeFileSync } from "node:fs";
import { Rng } from "../../src/util/rng.js";

const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;
const GGML_F32 = 0;
const ALIGN = 32;

type Value = { t: "u32" | "i32" | "f32"; v: number } | { t: "bool"; v: boolean } | { t: "string"; v: string } | { t: "array"; of: "string"; v: string[] } | { t: "array"; of: "f32" | "i32"; v: number[] };

class ByteWriter {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(x: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(x);
    this.push(b);
  }
  i32(x: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(x);
    this.push(b);
  }
  u64(x: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(x));
    this.push(b);
  }
  f32(x: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(x);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
  pad(): void {
    const rem = this.length % ALIGN;
    if (rem) this.push(Buffer.alloc(ALIGN - rem));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeValue(w: ByteWriter, value: Value): void {
  w.u32(T[value.t]);
  switch (value.t) {
    case "u32": return w.u32(value.v);
    case "i32": return w.i32(value.v);
    case "f32": return w.f32(value.v);
    case "bool": return w.push(Buffer.from([value.v ? 1 : 0]));
    case "string": return w.str(value.v);
    case "array":
      w.u32(T[value.of]);
      w.u64(value.v.length);
      for (const x of value.v) {
        if (value.of === "string") w.str(x as string);
        else if (value.of === "f32") w.f32(x as number);
        else w.i32(x as number);
      }
  }
}

export interface TinyLlamaOptions {
  layers?: number;
  width?: number;
  ffn?: number;
  heads?: number;
  contextLength?: number;
  seed?: number;
  /** Extra "▁word" pieces besides the defaults. */
  words?: string[];
}

// "" gives the bare "▁" piece, so that spaces survive a tokenize/detokenize round trip
const DEFAULT_WORDS = ["", "a", "the", "dog", "cat", "photo", "of", "on", "in", "with", "man", "woman", "street", "red", "small", "=>", "write", "image", "captions", "differently,"];

/** The tokenizer vocabulary: control tokens, byte tokens, then "▁word" pieces. */
export function tinyVocab(words: readonly string[] = DEFAULT_WORDS): { tokens: string[]; types: number[]; scores: number[] } {
  const tokens = ["<unk>", "<s>", "</s>"];
  const types = [2, 3, 3]; // unknown, control, control
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(6); // byte
  }
  for (const w of words) {
    tokens.push(`\u2581${w}`);
    types.push(1); // normal
  }
  return { tokens, types, scores: tokens.map((_, i) => (i < 259 ? 0 : -(i - 259))) };
}

/** Builds the GGUF bytes of a tiny random llama model. */
export function tinyLlamaGguf(o: TinyLlamaOptions = {}): Buffer {
  const L = o.layers ?? 2;
  const d = o.width ?? 64;
  const ff = o.ffn ?? 128;
  const heads = o.heads ?? 4;
  const vocab = tinyVocab(o.words ?? DEFAULT_WORDS);
  const V = vocab.tokens.length;
  const rng = new Rng(o.seed ?? 1);
  const kv: [string, Value][] = [
    ["general.architecture", { t: "string", v: "llama" }],
    ["general.name", { t: "string", v: "laclip-test-tiny" }],
    ["general.alignment", { t: "u32", v: ALIGN }],
    ["llama.context_length", { t: "u32", v: o.contextLength ?? 2048 }],
    ["llama.embedding_length", { t: "u32", v: d }],
    ["llama.block_count", { t: "u32", v: L }],
    ["llama.feed_forward_length", { t: "u32", v: ff }],
    ["llama.attention.head_count", { t: "u32", v: heads }],
    ["llama.attention.head_count_kv", { t: "u32", v: heads }],
    ["llama.rope.dimension_count", { t: "u32", v: d / heads }],
    ["llama.attention.layer_norm_rms_epsilon", { t: "f32", v: 1e-5 }],
    ["tokenizer.ggml.model", { t: "string", v: "llama" }],
    ["tokenizer.ggml.tokens", { t: "array", of: "string", v: vocab.tokens }],
    ["tokenizer.ggml.scores", { t: "array", of: "f32", v: vocab.scores }],
    ["tokenizer.ggml.token_type", { t: "array", of: "i32", v: vocab.types }],
    ["tokenizer.ggml.unknown_token_id", { t: "u32", v: 0 }],
    ["tokenizer.ggml.bos_token_id", { t: "u32", v: 1 }],
    ["tokenizer.ggml.eos_token_id", { t: "u32", v: 2 }],
    ["tokenizer.ggml.add_bos_token", { t: "bool", v: true }],
    ["tokenizer.ggml.add_eos_token", { t: "bool", v: false }],
  ];
  // [name, dims innermost first, init]: "norm" tensors are ones, the rest small random values
  const tensors: [string, number[], "ones" | "rand"][] = [["token_embd.weight", [d, V], "rand"]];
  for (let i = 0; i < L; i++) {
    tensors.push(
      [`blk.${i}.attn_norm.weight`, [d], "ones"],
      [`blk.${i}.attn_q.weight`, [d, d], "rand"],
      [`blk.${i}.attn_k.weight`, [d, d], "rand"],
      [`blk.${i}.attn_v.weight`, [d, d], "rand"],
      [`blk.${i}.attn_output.weight`, [d, d], "rand"],
      [`blk.${i}.ffn_norm.weight`, [d], "ones"],
      [`blk.${i}.ffn_gate.weight`, [d, ff], "rand"],
      [`blk.${i}.ffn_up.weight`, [d, ff], "rand"],
      [`blk.${i}.ffn_down.weight`, [ff, d], "rand"],
    );
  }
  tensors.push(["output_norm.weight", [d], "ones"], ["output.weight", [d, V], "rand"]);

  const w = new ByteWriter();
  w.push(Buffer.from("GGUF", "latin1"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kv.length);
  for (const [key, value] of kv) {
    w.str(key);
    writeValue(w, value);
  }
  let offset = 0;
  const datas: Buffer[] = [];
  for (const [name, dims, init] of tensors) {
    const count = dims.reduce((a, b) => a * b, 1);
    const data = Buffer.alloc(Math.ceil((count * 4) / ALIGN) * ALIGN);
    for (let i = 0; i < count; i++) data.writeFloatLE(init === "ones" ? 1 : (rng.float() * 2 - 1) * 0.2, i * 4);
    w.str(name);
    w.u32(dims.length);
    for (const x of dims) w.u64(x);
    w.u32(GGML_F32);
    w.u64(offset);
    offset += data.length;
    datas.push(data);
  }
  w.pad();
  for (const data of datas) w.push(data);
  return w.bytes();
}

export function writeTinyLlamaGguf(file: string, o: TinyLlamaOptions = {}): string {
  writeFileSync(file, tinyLlamaGguf(o));
  return file;
}
