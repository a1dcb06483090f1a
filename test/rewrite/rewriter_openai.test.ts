import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, test } from "node:test";
import { createRewriter } from "../../src/rewrite/rewriter.js";
import { originalOf, startOpenAIServer, type FaultKind, type OpenAIServer } from "../helpers/openai_server.js";
import { sharedPath } from "../helpers/shared.js";

const servers: OpenAIServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(o: Parameters<typeof startOpenAIServer>[0]) {
  const s = await startOpenAIServer(o);
  servers.push(s);
  return s;
}

const fast = { backoffBaseMs: 2 } as const;

test("bad completions are rejected by reason, retried with fresh examples, and counted", async () => {
  // per caption: the first attempt of every slot gets a bad completion of the kind chosen for that caption
  const kinds: FaultKind[] = ["echo", "empty", "newline_first", "repetitive", "identical", "non_printable"];
  const reasons = ["prompt_echo", "empty", "empty", "repetition", "identical", "non_printable"];
  const firstPrompt = new Map<string, number>();
  const srv = await server({
    script: ({ caption }) => {
      const i = Number(/number (\d+)/.exec(caption ?? "")![1]);
      const seen = firstPrompt.get(caption!) ?? 0;
      firstPrompt.set(caption!, seen + 1);
      return seen === 0 ? kinds[i % kinds.length] : undefined;
    },
  });
  const r = await createRewriter({ engine: "openai", baseUrls: [srv.baseUrl], model: "m", sources: ["concise"], perSource: 1, seed: 5, ...fast });
  const outs = await Promise.all(kinds.map((_, index) => r.rewrite({ index, id: `id${index}`, caption: `a photo number ${index} of a cat` })));
  outs.forEach((o, i) => {
    assert.deepEqual(o.rejects, { [reasons[i]!]: 1 }, `caption ${i}`);
    assert.equal(originalOf(o.rewrites.concise![0]!), o.original, "the rewrite belongs to this caption");
    assert.equal(o.fallbacks, 0);
  });
  const prompts = srv.requests.filter((q) => q.caption === "a photo number 0 of a cat").map((q) => q.body!.prompt);
  assert.equal(prompts.length, 2);
  assert.notEqual(prompts[0], prompts[1], "the retry drew fresh examples");
  assert.deepEqual(r.stats().rejects, { prompt_echo: 1, empty: 2, repetition: 1, identical: 1, non_printable: 1 });
  await r.close();
});

test("a caption that only ever gets bad completions falls back to the original after maxAttempts", async () => {
  const srv = await server({ script: () => "repetitive" });
  const r = await createRewriter({ engine: "openai", baseUrls: [srv.baseUrl], model: "m", sources: ["concise", "scene"], perSource: 2, seed: 5, maxAttempts: 2, ...fast });
  const o = await r.rewrite({ index: 0, id: "a", caption: "a dog" });
  assert.deepEqual(o.rewrites, { concise: ["a dog", "a dog"], scene: ["a dog", "a dog"] });
  assert.equal(o.fallbacks, 4);
  assert.deepEqual(o.rejects, { repetition: 8 });
  await r.close();
});

test("the sample captions through a server failing in every way: every rewrite lands on its own caption", async (t) => {
  const file = sharedPath(t, "reference", "laclip_source_sample.txt");
  if (!file) return;
  const captions = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
  const faults = { "429": 0.05, "500": 0.03, "502": 0.03, "503": 0.03, reset: 0.03, hang: 0.01, slow: 0.02, garbage: 0.03, empty_choices: 0.03, echo: 0.03, empty: 0.03, newline_first: 0.02, repetitive: 0.02 } as const;
  const a = await server({ faults, seed: 3 });
  const b = await server({ faults, seed: 4, nUnsupported: true });
  const r = await createRewriter({
    engine: "openai",
    baseUrls: [a.baseUrl, b.baseUrl],
    model: "m",
    sources: ["concise", "alt-text"],
    perSource: 2,
    shareExamples: true,
    seed: 1,
    timeoutMs: 300,
    maxRetries: 8,
    maxAttempts: 4,
    concurrency: 16,
    ...fast,
  });
  const outs = await Promise.all(captions.map((caption, index) => r.rewrite({ index, id: String(index), caption })));
  let accepted = 0;
  outs.forEach((o, i) => {
    assert.equal(o.index, i);
    for (const list of Object.values(o.rewrites)) {
      assert.equal(list.length, 2);
      for (const text of list) {
        if (text === captions[i]) continue; // a counted fallback
        assert.equal(originalOf(text.replace(/ \[\d+\]$/, "")), captions[i]!.trim().split(/\s+/).join(" "));
        accepted++;
      }
    }
  });
  const st = r.stats();
  assert.equal(accepted, st.accepted);
  assert.equal(st.accepted + st.fallbacks, captions.length * 4);
  assert.ok(st.fallbacks < captions.length * 0.05, `fallbacks ${st.fallbacks}`);
  assert.ok(st.engine.retries > 10 && (st.rejects.prompt_echo ?? 0) > 0);
  await r.close();
});
