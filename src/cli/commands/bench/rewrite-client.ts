/**
 * `laclip bench rewrite-client`: how many completions per second the openai engine and the rewriter sustain
 * against a local OpenAI-compatible server that answers at once (the test server of test/helpers/, so this
 * bench needs the test tree next to the sources, as in a checkout or the CI build).
 *
 * What is measured: the whole client path per caption (examples draw, prompt, HTTP request over keep-alive
 * sockets, JSON parse, quality control, outcome) with `--inflight` captions in flight and at most
 * `--concurrency` HTTP requests in flight; completions/s = accepted rewrites / wall time. The server runs either
 * in this process (`inproc`: client and server share one event loop, so the number is a lower bound for the
 * client) or in a child process (`child`: on a 2-core machine the server then takes most of the other core).
 * Not measured: server start-up and rewriter creation.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError } from "../../../errors/config_error.js";
import { createRewriter } from "../../../rewrite/rewriter.js";
import { Rng } from "../../../util/rng.js";

export const summary = "openai engine + rewriter throughput against an instant local server (completions/s)";

const WORDS = "dog cat child woman man street beach house car tree river boat bird flower table city field mountain sky window".split(" ");
const COLOURS = "red green blue yellow old small large bright dark wooden".split(" ");

function captions(n: number): string[] {
  const rng = new Rng(1);
  const pick = (a: string[]) => a[rng.int(a.length)]!;
  return Array.from({ length: n }, (_, i) => `a ${pick(COLOURS)} ${pick(WORDS)} near the ${pick(WORDS)} in photo ${i}`);
}

async function startChildServer(): Promise<{ baseUrl: string; child: ChildProcess }> {
  const ts = fileURLToPath(import.meta.url).endsWith(".ts");
  const file = fileURLToPath(new URL(`../../../../test/helpers/openai_server.${ts ? "ts" : "js"}`, import.meta.url));
  const child = spawn(process.execPath, [...(ts ? ["--import", "tsx"] : []), file, "--serve", "{}"], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    if (out.includes("\n")) break;
  }
  if (!out.startsWith("http")) throw new ConfigError(`the child server did not start (${file})`, "mode");
  return { baseUrl: out.trim(), child };
}

async function measure(mode: "inproc" | "child", n: number, concurrency: number, inflight: number, perSource: number, sources: string[]): Promise<Record<string, unknown>> {
  let close: () => Promise<void>;
  let baseUrl: string;
  if (mode === "inproc") {
    const { startOpenAIServer } = await import("../../../../test/helpers/openai_server.js");
    const srv = await startOpenAIServer({ record: false });
    baseUrl = srv.baseUrl;
    close = () => srv.close();
  } else {
    const c = await startChildServer();
    baseUrl = c.baseUrl;
    close = async () => {
      c.child.kill("SIGTERM");
      await once(c.child, "exit");
    };
  }
  try {
    return await drive(baseUrl, mode, n, concurrency, inflight, perSource, sources);
  } finally {
    await close();
  }
}

async function drive(baseUrl: string, mode: string, n: number, concurrency: number, inflight: number, perSource: number, sources: string[]): Promise<Record<string, unknown>> {
  const r = await createRewriter({ engine: "openai", baseUrls: [baseUrl], model: "bench", sources, perSource, seed: 1, concurrency, shareExamples: perSource > 1 });
  const items = captions(n);
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // a fixed number of captions in flight, as the rewrite job feeds the rewriter
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < items.length) {
        const index = next++;
        await r.rewrite({ index, id: String(index), caption: items[index]! });
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const st = r.stats();
  await r.close();
  return {
    bench: "rewrite-client",
    mode,
    captions: n,
    sources: sources.length,
    per_source: perSource,
    concurrency,
    inflight,
    http_requests: st.engine.requests,
    completions: st.accepted,
    fallbacks: st.fallbacks,
    seconds: Number(seconds.toFixed(3)),
    completions_per_s: Math.round(st.accepted / seconds),
    client_cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      captions: { type: "string", default: "4000" },
      concurrency: { type: "string", default: "64" },
      inflight: { type: "string", default: "256" },
      "per-source": { type: "string", default: "1" },
      sources: { type: "string", default: "concise,descriptive,scene,alt-text,peer" },
      mode: { type: "string", default: "both" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log("usage: laclip bench rewrite-client [--captions N] [--concurrency C] [--inflight I] [--per-source K] [--sources a,b] [--mode inproc|child|both] [--json]");
    return 0;
  }
  const int = (key: "captions" | "concurrency" | "inflight" | "per-source") => {
    const v = Number(values[key]);
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`--${key} must be a positive integer, got '${values[key]}'`, key);
    return v;
  };
  const mode = values.mode;
  const modes: ("inproc" | "child")[] | undefined = mode === "both" ? ["inproc", "child"] : mode === "inproc" || mode === "child" ? [mode] : undefined;
  if (!modes) throw new ConfigError(`--mode must be inproc, child or both, got '${values.mode}'`, "mode");
  for (const mode of modes) {
    const res = await measure(mode, int("captions"), int("concurrency"), int("inflight"), int("per-source"), values.sources!.split(","));
    console.log(values.json ? JSON.stringify(res) : `${mode}: ${res.completions_per_s} completions/s (${res.completions} in ${res.seconds} s, ${res.http_requests} requests)`);
  }
  return 0;
}
