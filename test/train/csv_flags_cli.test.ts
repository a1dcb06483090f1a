/** open_clip's CSV flags on `laclip train` map onto the data.csv_* config keys. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";

test("--csv-separator, --csv-img-key and --csv-caption-key set data.csv_separator / csv_img_key / csv_caption_key", async () => {
  const r = await runCli(["train", "--config", "cpu-small", "--csv-separator", "\\t", "--csv-img-key", "filepath", "--csv-caption-key", "caption", "--print-config"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /csv_separator: tab/);
  assert.match(r.stdout, /csv_img_key: filepath/);
  assert.match(r.stdout, /csv_caption_key: caption/);
  const bad = await runCli(["train", "--config", "cpu-small", "--csv-separator", "semicolon", "--print-config"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /data\.csv_separator/);
});
