/**
 * Builds one ONNX graph: inputs, constant initializers and nodes appended in execution order, each node's
 * output named after its op and a counter unless a name is given. `toModel` wraps it for opset 17, the first
 * with LayerNormalization.
 */
import { float as floatAttr, int, type AttrValue, type ElemType, type OnnxModel, type OnnxNode, type OnnxTensor, type ValueInfo } from "./proto.js";

export const OPSET = 17;
/** The IR version that opset 17 belongs to. */
export const IR_VERSION = 8;

function bytes(a: Float32Array | BigInt64Array | Int8Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function floatTensor(values: Float32Array | readonly number[], dims: number[]): OnnxTensor {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return { type: "float", dims, data: bytes(data) };
}

export function int64Tensor(values: readonly number[], dims: number[] = [values.length]): OnnxTensor {
  return { type: "int64", dims, data: bytes(BigInt64Array.from(values.map((v) => BigInt(v)))) };
}

export function int8Tensor(values: Int8Array, dims: number[]): OnnxTensor {
  return { type: "int8", dims, data: bytes(values) };
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Array<{ name: string; tensor: OnnxTensor }> = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  private fresh(base: string): string {
    let n = base;
    while (this.names.has(n)) n = `${base}_${++this.counter}`;
    this.names.add(n);
    return n;
  }

  input(name: string, type: ElemType, dims: Array<number | string>): string {
    this.claim(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Makes `value` a graph output called `name` (through an Identity when it already has another name). */
  output(name: string, value: string, type: ElemType, dims: Array<number | string>): void {
    if (value !== name) {
      this.claim(name);
      this.nodes.push({ op: "Identity", inputs: [value], outputs: [name], name: `Identity_${this.nodes.length}`, attrs: {} });
    }
    this.outputs.push({ name, type, dims });
  }

  /** Graph inputs and outputs keep their exact names (clients look them up): a clash is a bug here. */
  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: the name '${name}' is taken`);
    this.names.add(name);
  }

  /** A named constant; the name is made unique if taken. */
  constant(name: string, tensor: OnnxTensor): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, tensor });
    return n;
  }

  f32(values: readonly number[] | Float32Array, dims: number[], name = "const_f32"): string {
    return this.constant(name, floatTensor(values, dims));
  }

  i64(values: readonly number[], dims: number[] = [values.length], name = "const_i64"): string {
    return this.constant(name, int64Tensor(values, dims));
  }

  /** Appends a node with one output and returns that output's name. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outName?: string): string {
    return this.opN(op, inputs, 1, attrs, outName === undefined ? undefined : [outName])[0]!;
  }

  /** Appends a node with `n` outputs. */
  opN(op: string, inputs: string[], n: number, attrs: Record<string, AttrValue> = {}, outNames?: string[]): string[] {
    const outputs = Array.from({ length: n }, (_, i) => this.fresh(outNames?.[i] ?? `${op}_${this.nodes.length}${n > 1 ? `_${i}` : ""}`));
    this.nodes.push({ op, inputs, outputs, name: `${op}_${this.nodes.length}`, attrs });
    return outputs;
  }

  // Shorthands for the ops every tower uses.
  add(a: string, b: string): string { return this.op("Add", [a, b]); }
  mul(a: string, b: string): string { return this.op("Mul", [a, b]); }
  matmul(a: string, b: string): string { return this.op("MatMul", [a, b]); }
  layerNorm(x: string, scale: string, bias: string, eps: number): string {
    return this.op("LayerNormalization", [x, scale, bias], { axis: int(-1), epsilon: floatAttr(eps) });
  }

  toModel(o: { producerVersion: string; docString?: string; metadata?: Record<string, string> }): OnnxModel {
    return {
      irVersion: IR_VERSION,
      opset: OPSET,
      producer: { name: "laclip", version: o.producerVersion },
      docString: o.docString,
      metadata: o.metadata,
      graph: { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs },
    };
  }
}
