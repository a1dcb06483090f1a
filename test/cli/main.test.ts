import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";

test("--help lists every command with its summary and exits 0", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const name of ["rewrite", "tokenizer", "parity", "embed", "train", "eval", "demo", "bench", "selfcheck"]) {
    assert.match(r.stdout, new RegExp(`^  ${name} +\\S`, "m"), `missing ${name} in:\n${r.stdout}`);
  }
});

test("an unknown command exits 2 with a one-line message naming it", async () => {
  const r = await runCli(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test("a LaclipError from a command is one line and exit 1, not a stack trace", async () => {
  const r = await runCli(["bench", "no-such-bench"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^laclip bench: unknown benchmark 'no-such-bench'/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
