/** View and shape methods: reshape, permute, slicing, indexing, masking. */
import { wrap } from "../tensor_class.js";
import { N } from "../native.js";
import { install, sizes, type Operand, operand } from "./install.js";

declare module "../tensor_class.js" {
  interface Tensor {
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    /** Like reshape, but never copies (fails when the strides do not allow a view). */
    view(...shape: number[] | [readonly number[]]): Tensor;
    permute(...dims: number[] | [readonly number[]]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    /** Transpose of a 2-D tensor. */
    t(): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Removes `dim` if it has size 1, or every size-1 dimension when no dim is given. */
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    /** Python's x[..., start:end:step, ...] along `dim`; negative bounds count from the end. */
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    /** x[..., index, ...] along `dim` (drops the dimension). */
    select(dim: number, index: number): Tensor;
    expand(...shape: number[] | [readonly number[]]): Tensor;
    expandAs(other: Tensor): Tensor;
    repeat(...repeats: number[] | [readonly number[]]): Tensor;
    flip(...dims: number[] | [readonly number[]]): Tensor;
    roll(shifts: number | number[], dims: number | number[]): Tensor;
    triu(diagonal?: number): Tensor;
    tril(diagonal?: number): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Operand): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** Advanced indexing x[i0, i1, ...] with index tensors (long or bool); null keeps a dimension whole. */
    index(...indices: (Tensor | null)[]): Tensor;
    /** x[indices] = values (or += with accumulate), in place. */
    indexPut_(indices: (Tensor | null)[], values: Tensor, accumulate?: boolean): Tensor;
    maskedFill(mask: Tensor, value: Operand | boolean): Tensor;
    maskedFill_(mask: Tensor, value: Operand | boolean): Tensor;
    chunk(chunks: number, dim?: number): Tensor[];
    /** Pieces of `size` along dim (the last may be smaller), or pieces of the given sizes. */
    split(size: number | number[], dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
  }
}

const list = (v: number | number[]): number[] => (typeof v === "number" ? [v] : v);

install({
  reshape(...shape) { return wrap(N.reshape(this.h, sizes(shape))); },
  view(...shape) { return wrap(N.view(this.h, sizes(shape))); },
  permute(...dims) { return wrap(N.permute(this.h, sizes(dims))); },
  transpose(d0, d1) { return wrap(N.transpose(this.h, d0, d1)); },
  t() { return wrap(N.transpose(this.h, 0, 1)); },
  flatten(start = 0, end = -1) { return wrap(N.flatten(this.h, start, end)); },
  squeeze(dim?) { return wrap(N.squeeze(this.h, dim ?? null)); },
  unsqueeze(dim) { return wrap(N.unsqueeze(this.h, dim)); },
  narrow(dim, start, length) { return wrap(N.narrow(this.h, dim, start, length)); },
  slice(dim, start?, end?, step = 1) { return wrap(N.slice(this.h, dim, start ?? null, end ?? null, step)); },
  select(dim, index) { return wrap(N.select(this.h, dim, index)); },
  expand(...shape) { return wrap(N.expand(this.h, sizes(shape))); },
  expandAs(other) { return wrap(N.expand(this.h, [...other.shape])); },
  repeat(...reps) { return wrap(N.repeat(this.h, sizes(reps))); },
  flip(...dims) { return wrap(N.flip(this.h, sizes(dims))); },
  roll(shifts, dims) { return wrap(N.roll(this.h, list(shifts), list(dims))); },
  triu(diagonal = 0) { return wrap(N.triu(this.h, diagonal)); },
  tril(diagonal = 0) { return wrap(N.tril(this.h, diagonal)); },
  indexSelect(dim, index) { return wrap(N.indexSelect(this.h, dim, index.h)); },
  gather(dim, index) { return wrap(N.gather(this.h, dim, index.h)); },
  scatter(dim, index, src) { return wrap(N.scatter(this.h, dim, index.h, operand(src))); },
  scatterAdd(dim, index, src) { return wrap(N.scatterAdd(this.h, dim, index.h, src.h)); },
  index(...indices) { return wrap(N.index(this.h, indices.map((i) => i?.h ?? null))); },
  indexPut_(indices, values, accumulate = false) {
    N.indexPut_(this.h, indices.map((i) => i?.h ?? null), values.h, accumulate);
    return this;
  },
  maskedFill(mask, value) { return wrap(N.maskedFill(this.h, mask.h, typeof value === "object" ? value.h : value)); },
  maskedFill_(mask, value) {
    N.maskedFill_(this.h, mask.h, typeof value === "object" ? value.h : value);
    return this;
  },
  chunk(chunks, dim = 0) { return N.chunk(this.h, chunks, dim).map(wrap); },
  split(size, dim = 0) { return N.split(this.h, size, dim).map(wrap); },
  unbind(dim = 0) { return N.unbind(this.h, dim).map(wrap); },
});
