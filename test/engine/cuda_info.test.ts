/** The CUDA settings and allocator statistics on a build without CUDA: accepted, statistics null. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cudaMemoryStats, engineInfo, resetCudaPeakMemory, setAllowTf32 } from "../../src/engine/index.js";

test("without CUDA, TF32 switches are accepted and the memory statistics are null", (t) => {
  if (engineInfo().builtWithCuda) return t.skip("this addon was built with CUDA");
  setAllowTf32(false);
  setAllowTf32(true);
  resetCudaPeakMemory("cuda");
  assert.equal(cudaMemoryStats("cuda"), null);
  assert.equal(cudaMemoryStats("cuda:1"), null);
});
