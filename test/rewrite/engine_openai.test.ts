import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Engine } from "../../src/rewrite/engines/engine.js";
import { EngineError } from "../../src/rewrite/engines/engine_error.js";
import { parseRetryAfter } from "../../src/rewrite/engines/openai/backoff.js";
import { completionsUrl } from "../../src/rewrite/engines/openai/endpoints.js";
import { createOpenAIEngine } from "../../src/rewrite/engines/openai/engine.js";
import { openAIOptionsFrom } from "../../src/rewrite/engines/openai/options.js";
import { fakeRewrite, startOpenAIServer, type Fault, type OpenAIServer, type OpenAIServerOptions } from "../helpers/openai_server.js";

const open: (OpenAIServer | Engine)[] = [];
after(async () => {
  for (const x of open) await x.close();
});

const prompt = (caption: string) => `write image captions differently,\n\n            a => b\n\n            ${caption} =>`;
const req = (caption: string, seeds = [7]) => ({ prompt: prompt(caption), caption, seeds });

async function setup(server: OpenAIServerOptions, engine: Record<string, unknown> = {}) {
  const srv = await startOpenAIServer(server);
  const eng = await createOpenAIEngine({ baseUrls: [srv.baseUrl], model: "m", backoffBaseMs: 5, backoffMaxMs: 20, timeoutMs: 2000, ...engine });
  open.push(srv, eng);
  return { srv, eng };
}

/** A script that gives the first request `fault` and answers the rest normally. */
const firstOnly = (fault: Fault) => ({ script: ({ seq }: { seq: number }) => (seq === 0 ? fault : undefined) });

test("sends the paper's sampling settings, the API key from the named env var, and counts usage tokens", async () => {
  const srv = await startOpenAIServer({ apiKey: "sk-test", model: "m" });
  const opts = openAIOptionsFrom({ engine: "openai", perSource: 1, seed: 1, baseUrls: [srv.baseUrl], model: "m", apiKeyEnv: "LACLIP_TEST_KEY" }, { LACLIP_TEST_KEY: "sk-test" });
  const eng = await createOpenAIEngine(opts);
  open.push(srv, eng);
  const res = await eng.complete(req("a small boat on a lake"));
  assert.deepEqual(res.texts, [fakeRewrite("a small boat on a lake")]);
  assert.ok(res.tokens > 0);
  const body = srv.requests[0]!.body!;
  assert.deepEqual(
    { model: body.model, temperature: body.temperature, top_p: body.top_p, max_tokens: body.max_tokens, stop: body.stop, n: body.n, seed: body.seed },
    { model: "m", temperature: 0.9, top_p: 0.95, max_tokens: 77, stop: ["\n"], n: 1, seed: 7 },
  );
  assert.equal(srv.requests[0]!.authorization, "Bearer sk-test");
  assert.throws(() => openAIOptionsFrom({ engine: "openai", perSource: 1, seed: 1, baseUrls: [srv.baseUrl], apiKeyEnv: "NOPE" }, {}), /NOPE/);
});

test("the model is discovered from /v1/models when not given; base URLs without a path get /v1", async () => {
  const srv = await startOpenAIServer({ model: "served-model" });
  const eng = await createOpenAIEngine({ baseUrls: [`http://127.0.0.1:${srv.port}`] });
  open.push(srv, eng);
  await eng.complete(req("two cats"));
  assert.equal(srv.requests.at(-1)!.body!.model, "served-model");
  assert.equal(srv.requests.at(-1)!.path, "/v1/completions");
  assert.equal(completionsUrl("http://h:1/api/v1/"), "http://h:1/api/v1/completions");
});

for (const fault of ["500", "502", "503", "reset", "garbage", "empty_choices"] as const) {
  test(`a ${fault} is retried and the request then succeeds`, async () => {
    const { srv, eng } = await setup(firstOnly(fault));
    const res = await eng.complete(req("a green tree"));
    assert.deepEqual(res.texts, [fakeRewrite("a green tree")]);
    assert.equal(srv.stats.requests, 2);
    assert.equal(eng.stats().retries, 1);
  });
}

test("429 waits for Retry-After (seconds), and an HTTP date is understood", async () => {
  const { srv, eng } = await setup(firstOnly({ kind: "429", retryAfter: 0.3 }), { backoffBaseMs: 1 });
  const t0 = Date.now();
  await eng.complete(req("a man"));
  assert.ok(Date.now() - t0 >= 290, `waited only ${Date.now() - t0} ms`);
  assert.equal(srv.stats.requests, 2);
  assert.equal(eng.stats().http429, 1);
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:03 GMT", now), 3000);
  assert.equal(parseRetryAfter("2", now), 2000);
  assert.equal(parseRetryAfter("soon", now), undefined);
  const dated = await setup(firstOnly({ kind: "429", retryAfter: "date" }));
  await dated.eng.complete(req("a woman"));
  assert.equal(dated.srv.stats.requests, 2);
});

test("a hanging request times out and is retried; a slow one within the timeout is not", async () => {
  const { srv, eng } = await setup({ script: ({ seq }) => (seq === 0 ? "hang" : seq === 1 ? { kind: "slow", ms: 100 } : undefined) }, { timeoutMs: 250 });
  const t0 = Date.now();
  const res = await eng.complete(req("a red kite"));
  assert.deepEqual(res.texts, [fakeRewrite("a red kite")]);
  assert.ok(Date.now() - t0 >= 340);
  assert.equal(srv.stats.requests, 2);
  assert.equal(eng.stats().timeouts, 1);
});

test("4xx other than 408/429 is not retried and names the URL and status", async () => {
  const { srv, eng } = await setup({ script: () => ({ kind: "status", status: 404 }) });
  await assert.rejects(eng.complete(req("x y")), (e: unknown) => e instanceof EngineError && !e.retryable && e.message.includes(`${srv.baseUrl}/completions answered HTTP 404`));
  assert.equal(srv.stats.requests, 1);
  const k = await setup({ apiKey: "right" }, { apiKey: "wrong" });
  await assert.rejects(k.eng.complete(req("x y")), /HTTP 401.*API key/);
});

test("408 is retried", async () => {
  const { srv, eng } = await setup(firstOnly({ kind: "status", status: 408 }));
  await eng.complete(req("x y"));
  assert.equal(srv.stats.requests, 2);
});

test("retries are bounded: a server that always fails gives a retryable EngineError", async () => {
  const { srv, eng } = await setup({ script: () => "503" }, { maxRetries: 3 });
  await assert.rejects(eng.complete(req("x y")), (e: unknown) => e instanceof EngineError && e.retryable && /gave up after 4 tries.*HTTP 503/.test(e.message));
  assert.equal(srv.stats.requests, 4);
});

test("n completions in one request; a server refusing n > 1 gets one request per completion from then on", async () => {
  const ok = await setup({});
  const r = await ok.eng.complete(req("a bird on a wire", [1, 2, 3]));
  assert.deepEqual(r.texts, [0, 1, 2].map((j) => fakeRewrite("a bird on a wire", j)));
  assert.equal(ok.srv.stats.requests, 1);
  const no = await setup({ nUnsupported: true });
  const r2 = await no.eng.complete(req("a bird on a wire", [1, 2, 3]));
  assert.equal(r2.texts.length, 3);
  assert.deepEqual(no.srv.requests.slice(1).map((x) => [x.body!.n, x.body!.seed]), [[1, 1], [1, 2], [1, 3]]);
  await no.eng.complete(req("a fish", [4, 5]));
  assert.equal(no.srv.stats.requests, 6, "no second n > 1 attempt");
  assert.equal(no.eng.stats().nFallbacks, 1);
});

test("concurrency is bounded with backpressure", async () => {
  const { srv, eng } = await setup({ latencyMs: 20 }, { concurrency: 3 });
  await Promise.all(Array.from({ length: 24 }, (_, i) => eng.complete(req(`caption number ${i}`))));
  assert.equal(srv.stats.maxInFlight, 3);
  assert.equal(srv.stats.completions, 24);
});

test("an aborted signal stops a request at once", async () => {
  const { eng } = await setup({ script: () => "hang" }, { timeoutMs: 10_000 });
  const ac = new AbortController();
  const p = eng.complete(req("x y"), ac.signal);
  setTimeout(() => ac.abort(new Error("stop now")), 50);
  await assert.rejects(p, /stop now/);
});

test("several base URLs: load is spread, a dead one is taken out and probed back in", async () => {
  const a = await startOpenAIServer({});
  const b = await startOpenAIServer({});
  const dead = await startOpenAIServer({});
  await dead.pause(); // nothing listens on its port now: connections are refused
  open.push(a, b, dead);
  const eng = await createOpenAIEngine({ baseUrls: [a.baseUrl, dead.baseUrl, b.baseUrl], model: "m", backoffBaseMs: 1, backoffMaxMs: 5, concurrency: 8 });
  open.push(eng);
  const captions = Array.from({ length: 60 }, (_, i) => `photo number ${i} of a street`);
  const res = await Promise.all(captions.map((c) => eng.complete(req(c))));
  res.forEach((r, i) => assert.deepEqual(r.texts, [fakeRewrite(captions[i]!)]));
  assert.ok(a.stats.completions >= 15 && b.stats.completions >= 15, `spread: ${a.stats.completions} / ${b.stats.completions}`);
  assert.ok(eng.stats().endpointDeaths >= 1);
  assert.ok(eng.stats().retries <= 3, `the dead one costs few retries, got ${eng.stats().retries}`);
  await dead.resume();
  await new Promise((r) => setTimeout(r, 1100)); // the first cool-down is 1 s
  await Promise.all(captions.map((c) => eng.complete(req(c))));
  assert.ok(dead.stats.completions > 5, `revived endpoint served ${dead.stats.completions}`);
});
