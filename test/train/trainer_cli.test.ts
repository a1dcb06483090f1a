/** `laclip train` option handling through the real CLI: presets from configs/, --print-config, bad input. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";

test("a preset name resolves to configs/NAME.yaml; --print-config prints the resolved config with overrides", async () => {
  const r = await runCli(["train", "--config", "cpu-small", "--set", "train.batch_size=8", "--output", "/tmp/x", "--print-config"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /name: bench-s/);
  assert.match(r.stdout, /batch_size: 8/);
  assert.match(r.stdout, /output_dir: \/tmp\/x/);
  assert.match(r.stdout, /# samples per rank per forward pass/, "keys carry their meaning as comments");
});

test("unknown configs, bad options and a missing tokenizer are one-line errors", async () => {
  const missing = await runCli(["train", "--config", "no-such-preset"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /config 'no-such-preset' is neither a file nor a preset in configs\//);
  const accum = await runCli(["train", "--config", "cpu-small", "--accumulation", "sometimes"]);
  assert.equal(accum.code, 2, "a bad option value is a usage error");
  assert.match(accum.stderr, /--accumulation must be exact or local/);
  // The shipped OpenAI vocabulary is the default; LACLIP_BPE (and --merges) still choose another file.
  const badBpe = await runCli(["train", "--config", "cpu-small", "--output", "/tmp/laclip-no-run"], { env: { ...process.env, LACLIP_BPE: "/nonexistent/merges.txt" } });
  assert.equal(badBpe.code, 1);
  assert.match(badBpe.stderr, /laclip train: LACLIP_BPE: merges file '\/nonexistent\/merges\.txt' does not exist/);
});
