/**
 * The ONNX messages a model file needs (onnx.proto3 field numbers), encoded with the project's protobuf writer.
 * Messages are returned as chunk lists so weights are copied once, when the file is written.
 */
import {
  fieldBytes, fieldChunks, fieldFloat, fieldInt64, fieldPackedFloat, fieldPackedInt64, fieldVarint,
} from "../../io/protobuf.js";

/** TensorProto.DataType values used here. */
export const ELEM = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 } as const;
export type ElemType = keyof typeof ELEM;

export const ELEM_SIZE: Readonly<Record<ElemType, number>> = { float: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1 };

/** A constant tensor: little-endian C-order bytes in `data`. */
export interface OnnxTensor {
  type: ElemType;
  dims: number[];
  data: Uint8Array;
}

export type AttrValue =
  | { kind: "int"; value: number }
  | { kind: "float"; value: number }
  | { kind: "ints"; value: number[] }
  | { kind: "floats"; value: number[] }
  | { kind: "string"; value: string }
  | { kind: "tensor"; value: OnnxTensor; name?: string };

export const int = (value: number): AttrValue => ({ kind: "int", value });
export const float = (value: number): AttrValue => ({ kind: "float", value });
export const ints = (value: number[]): AttrValue => ({ kind: "ints", value });

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, AttrValue>;
}

/** A graph input or output: a name, an element type and a shape whose symbolic dims are strings ("batch"). */
export interface ValueInfo {
  name: string;
  type: ElemType;
  dims: Array<number | string>;
}

export interface OnnxModel {
  irVersion: number;
  opset: number;
  producer: { name: string; version: string };
  docString?: string;
  graph: {
    name: string;
    nodes: OnnxNode[];
    initializers: Array<{ name: string; tensor: OnnxTensor }>;
    inputs: ValueInfo[];
    outputs: ValueInfo[];
  };
  metadata?: Record<string, string>;
}

// Attribute types (AttributeProto.AttributeType).
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export function encodeTensor(t: OnnxTensor, name: string): Buffer[] {
  const elems = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.byteLength !== elems * ELEM_SIZE[t.type]) {
    throw new RangeError(`tensor '${name}': ${t.data.byteLength} bytes for dims [${t.dims.join(", ")}] of ${t.type}`);
  }
  const raw = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return [fieldPackedInt64(1, t.dims), fieldVarint(2, ELEM[t.type]), fieldBytes(8, name), ...fieldChunks(9, [raw])];
}

function encodeAttr(name: string, a: AttrValue): Buffer[] {
  const head = [fieldBytes(1, name), fieldVarint(20, ATTR_TYPE[a.kind])];
  switch (a.kind) {
    case "float": return [...head, fieldFloat(2, a.value)];
    case "int": return [...head, fieldInt64(3, a.value)];
    case "string": return [...head, fieldBytes(4, a.value)];
    case "tensor": return [...head, ...fieldChunks(5, encodeTensor(a.value, a.name ?? name))];
    case "floats": return [...head, fieldPackedFloat(7, a.value)];
    case "ints": return [...head, fieldPackedInt64(8, a.value)];
  }
}

function encodeNode(n: OnnxNode): Buffer[] {
  const out: Buffer[] = [];
  for (const i of n.inputs) out.push(fieldBytes(1, i));
  for (const o of n.outputs) out.push(fieldBytes(2, o));
  out.push(fieldBytes(3, n.name), fieldBytes(4, n.op));
  for (const [k, v] of Object.entries(n.attrs)) out.push(...fieldChunks(5, encodeAttr(k, v)));
  return out;
}

function encodeValueInfo(v: ValueInfo): Buffer[] {
  const dims = v.dims.map((d) => Buffer.concat(fieldChunks(1, [typeof d === "number" ? fieldInt64(1, d) : fieldBytes(2, d)])));
  const shape = fieldChunks(2, dims); // TypeProto.Tensor.shape: TensorShapeProto
  const tensorType = fieldChunks(1, [fieldVarint(1, ELEM[v.type]), ...shape]); // TypeProto.tensor_type
  return [fieldBytes(1, v.name), ...fieldChunks(2, tensorType)];
}

/** The whole ModelProto as chunks, ready for `Buffer.concat` or a stream. */
export function encodeModel(m: OnnxModel): Buffer[] {
  const g = m.graph;
  const graph: Buffer[] = [];
  for (const n of g.nodes) graph.push(...fieldChunks(1, encodeNode(n)));
  graph.push(fieldBytes(2, g.name));
  for (const i of g.initializers) graph.push(...fieldChunks(5, encodeTensor(i.tensor, i.name)));
  for (const v of g.inputs) graph.push(...fieldChunks(11, encodeValueInfo(v)));
  for (const v of g.outputs) graph.push(...fieldChunks(12, encodeValueInfo(v)));
  const out: Buffer[] = [
    fieldVarint(1, m.irVersion),
    fieldBytes(2, m.producer.name),
    fieldBytes(3, m.producer.version),
  ];
  if (m.docString !== undefined) out.push(fieldBytes(6, m.docString));
  out.push(...fieldChunks(7, graph));
  out.push(...fieldChunks(8, [fieldBytes(1, ""), fieldVarint(2, m.opset)])); // the default (ai.onnx) domain
  for (const [k, v] of Object.entries(m.metadata ?? {})) out.push(...fieldChunks(14, [fieldBytes(1, k), fieldBytes(2, v)]));
  return out;
}
