/** Tensor with all its methods: import it from here (or index.ts), not from tensor_class.ts. */
import "./methods/shape.js";
import "./methods/math.js";
import "./methods/reduce.js";
import "./methods/nn.js";
import "./random.js";

export { Tensor, type NestedArray, type BackwardOptions } from "./tensor_class.js";
export type { ValuesIndices } from "./methods/reduce.js";
