/** Built-in class lists follow CLIP_benchmark's label order where laclip takes the names from SLIP's file. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { builtinDataset } from "../../src/eval/builtin.js";

test("voc2007 and voc2007_multilabel list VOC's classes in the devkit's alphabetical order (CLIP_benchmark's labels)", () => {
  const devkit = ["aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"];
  for (const name of ["voc2007", "voc2007_multilabel"]) {
    const names = builtinDataset(name).classes.map((c) => c.name);
    assert.deepEqual(names, devkit, name);
  }
});
