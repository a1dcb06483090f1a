import assert from "node:assert/strict";
import { test } from "node:test";
import type { CompletionRequest, Engine } from "../../src/rewrite/engines/engine.js";
import { EngineError } from "../../src/rewrite/engines/engine_error.js";
import { createRewriter } from "../../src/rewrite/rewriter.js";

/** An engine that answers from a script keyed by the call count per caption, to drive the retry logic. */
function scriptedEngine(answer: (req: CompletionRequest, call: number) => string[] | Error): Engine & { calls: CompletionRequest[] } {
  const calls: CompletionRequest[] = [];
  return {
    name: "scripted",
    calls,
    async complete(req) {
      calls.push(req);
      const a = answer(req, calls.length - 1);
      if (a instanceof Error) throw a;
      return { texts: a, tokens: a.length * 5 };
    },
    stats: () => ({ requests: calls.length, retries: 0, errors: 0 }),
    async close() {},
  };
}

const ITEM = { index: 5, id: "k5", caption: "a red bus on a city street" };

test("eda rewriter: default sources, one rewrite per slot, deterministic", async () => {
  const make = () => createRewriter({ engine: "eda", perSource: 2, seed: 11 });
  const [a, b] = await Promise.all([make(), make()]);
  assert.deepEqual(a.sources, ["concise", "descriptive", "scene", "alt-text", "peer"]);
  const oa = await a.rewrite(ITEM);
  const ob = await b.rewrite(ITEM);
  assert.deepEqual(oa, ob);
  for (const s of a.sources) assert.equal(oa.rewrites[s]!.length, 2);
  assert.equal(oa.original, ITEM.caption);
  assert.equal(a.stats().captions, 1);
  await Promise.all([a.close(), b.close()]);
});

test("a rejected slot is retried with fresh examples, then falls back and is counted", async () => {
  const eng = scriptedEngine((_req, call) => [["", "dog", "a red bus on a city street"][call % 3]!]);
  const r = await createRewriter({ engine: "eda", sources: ["concise"], perSource: 1, seed: 1, maxAttempts: 3 }, eng);
  const out = await r.rewrite(ITEM);
  assert.deepEqual(out.rewrites, { concise: [ITEM.caption] });
  assert.equal(out.fallbacks, 1);
  assert.deepEqual(out.rejects, { empty: 1, too_short: 1, identical: 1 });
  assert.equal(eng.calls.length, 3);
  assert.equal(new Set(eng.calls.map((c) => c.prompt)).size, 3, "every attempt has fresh examples");
  assert.equal(new Set(eng.calls.map((c) => c.seeds[0])).size, 3, "and a fresh sampling seed");
  assert.equal(eng.calls[1]!.prompt, r.promptFor(ITEM, "concise", 0, 1));
  assert.equal(out.tokens, 15);
  assert.deepEqual(r.stats().rejects, { empty: 1, too_short: 1, identical: 1 });
  assert.equal(r.stats().fallbacks, 1);
});

test("the second attempt's good answer lands in the right slot", async () => {
  // the engine recognises which (slot, attempt) a prompt belongs to and answers accordingly
  let probe: Awaited<ReturnType<typeof createRewriter>> | undefined;
  const eng = scriptedEngine((req) => {
    for (let slot = 0; slot < 2; slot++)
      for (let attempt = 0; attempt < 3; attempt++)
        if (probe!.promptFor(ITEM, "scene", slot, attempt) === req.prompt) return [slot === 1 && attempt === 0 ? "bus bus bus bus" : `Slot ${slot} attempt ${attempt} text.`];
    return new Error("unknown prompt");
  });
  probe = await createRewriter({ engine: "eda", sources: ["scene"], perSource: 2, seed: 2 }, eng);
  const out = await probe.rewrite(ITEM);
  assert.deepEqual(out.rewrites.scene, ["Slot 0 attempt 0 text.", "Slot 1 attempt 1 text."]);
  assert.deepEqual(out.rejects, { repetition: 1 });
  assert.equal(out.fallbacks, 0);
});

test("shareExamples asks once per source and attempt with n = pending slots", async () => {
  const eng = scriptedEngine((req, call) => (call === 0 ? req.seeds.map((_, j) => (j === 1 ? "" : `Rewrite number ${j}.`)) : ["Second try text."]));
  const r = await createRewriter({ engine: "eda", sources: ["alt-text"], perSource: 3, seed: 2, shareExamples: true }, eng);
  const out = await r.rewrite(ITEM);
  assert.equal(eng.calls[0]!.seeds.length, 3);
  assert.equal(eng.calls[1]!.seeds.length, 1);
  assert.deepEqual(out.rewrites["alt-text"], ["Rewrite number 0.", "Second try text.", "Rewrite number 2."]);
});

test("retryable engine failures on every attempt stop the run unless told to fall back", async () => {
  const failing = () => scriptedEngine(() => new EngineError("server http://x: 503 after 4 tries", true));
  const r = await createRewriter({ engine: "eda", sources: ["concise"], perSource: 1, seed: 1, maxAttempts: 2 }, failing());
  await assert.rejects(r.rewrite(ITEM), (e: unknown) => e instanceof EngineError && /caption 5 \(id k5\).*503/.test(e.message));
  const lenient = await createRewriter({ engine: "eda", sources: ["concise"], perSource: 1, seed: 1, maxAttempts: 2, onEngineFailure: "fallback" }, failing());
  const out = await lenient.rewrite(ITEM);
  assert.deepEqual(out.rejects, { engine_error: 2 });
  assert.equal(out.fallbacks, 1);
  const fatal = await createRewriter({ engine: "eda", sources: ["concise"], perSource: 1, seed: 1 }, scriptedEngine(() => new EngineError("401", false)));
  await assert.rejects(fatal.rewrite(ITEM), /401/);
});

test("bad options are refused with the option named", async () => {
  await assert.rejects(createRewriter({ engine: "eda", perSource: 0, seed: 1 }), /perSource/);
  await assert.rejects(createRewriter({ engine: "eda", perSource: 1, seed: 1, template: "nope" }), /template 'nope'; choose one of laclip, clean, qa/);
  await assert.rejects(createRewriter({ engine: "eda", perSource: 1, seed: 1, sources: ["chatgpt"] }), /source 'chatgpt' is not in/);
});
