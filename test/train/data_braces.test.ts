import { test } from "node:test";
import assert from "node:assert/strict";
import { expandBraces, expandShards } from "../../src/train/data/braces.js";
import { ConfigError } from "../../src/errors/config_error.js";

test("brace expansion: zero-padded ranges, lists, several braces, nesting, steps, :: joins", () => {
  assert.deepEqual(expandBraces("data/{00000..00003}.tar"), ["data/00000.tar", "data/00001.tar", "data/00002.tar", "data/00003.tar"]);
  assert.deepEqual(expandBraces("s{8..11}.tar"), ["s8.tar", "s9.tar", "s10.tar", "s11.tar"]);
  assert.deepEqual(expandBraces("s{0..12}.tar").length, 13);
  assert.deepEqual(expandBraces("{a,b}/{0..1}"), ["a/0", "a/1", "b/0", "b/1"]);
  assert.deepEqual(expandBraces("x{a,{b,c}d}"), ["xa", "xbd", "xcd"]);
  assert.deepEqual(expandBraces("{0..10..5}"), ["0", "5", "10"]);
  assert.deepEqual(expandBraces("{3..1}"), ["3", "2", "1"]);
  assert.deepEqual(expandBraces("plain.tar"), ["plain.tar"]);
  assert.deepEqual(expandShards("a{0..1}.tar::b.tar"), ["a0.tar", "a1.tar", "b.tar"]);
  assert.deepEqual(expandShards(["a.tar", "c{1,2}.tar"]), ["a.tar", "c1.tar", "c2.tar"]);
});

test("malformed patterns are ConfigErrors naming the pattern", () => {
  for (const bad of ["a{0..2.tar", "a}.tar", "a{x..y}.tar"]) {
    assert.throws(() => expandBraces(bad), (e: unknown) => e instanceof ConfigError && e.message.includes(bad) && e.key === "data.train");
  }
});
