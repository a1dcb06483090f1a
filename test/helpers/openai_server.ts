/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 (random port) with scripted faults, for the rewrite tests, the
 * job's end-to-end tests and `laclip bench rewrite-client`. Nothing is mocked: clients talk to it over TCP.
 *
 *   const srv = await startOpenAIServer({ faults: { "429": 0.1, reset: 0.05 }, seed: 1 });
 *   srv.baseUrl            // "http://127.0.0.1:PORT/v1"; POST {baseUrl}/completions, GET {baseUrl}/models
 *   srv.stats / srv.requests   // counters per outcome; each request's body, fault and answer (unless record: false)
 *   await srv.pause(); await srv.resume();   // stop listening (connections refused), then listen on the same port
 *   await srv.close();
 *
 * Completions are deterministic: choice j of a prompt whose query line holds caption C is `fakeRewrite(C, j)`, a
 * reversible transformation, so `originalOf(rewrite) === C` proves a rewrite landed on the right caption. The
 * caption is read from the prompt's last line (`{caption} =>`, with or without indentation, or `Caption: ...`).
 *
 * Faults, chosen per request by `script` (first) or with seeded probabilities `faults` (then), else none:
 *   "429"            429 with Retry-After (`retryAfter`: seconds, or "date" for an HTTP date; default 0)
 *   "500" "502" "503" that status with a JSON error body; {kind: "status", status} for any other status
 *   "hang"           never answers (the client must time out); sockets are destroyed on close()
 *   "reset"          destroys the socket without an answer (ECONNRESET at the client)
 *   "slow"           answers normally after `ms` (default 200)
 *   "garbage"        200 with a body that is not JSON
 *   "empty_choices"  200 with `choices: []`
 *   "echo" "empty" "newline_first" "repetitive" "identical" "non_printable"  200 with that kind of bad completion
 * `nUnsupported: true` answers 400 to any request with n > 1 (like servers that only sample one completion).
 * `apiKey` makes requests without `Authorization: Bearer <apiKey>` get 401.
 * Run as a program (`node openai_server.js --serve '{"faults":{}}'`) it prints its base URL and serves until
 * SIGTERM or the end of its stdin. Without `--serve` it does nothing, since `node --test dist/test/` also runs helper files.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { Rng } from "../../src/util/rng.js";
import { badText, captionOfPrompt, fakeRewrite } from "./openai_server_text.js";

export { captionOfPrompt, fakeRewrite, originalOf } from "./openai_server_text.js";

export const FAULT_KINDS = ["429", "500", "502", "503", "status", "hang", "reset", "slow", "garbage", "empty_choices", "echo", "empty", "newline_first", "repetitive", "identical", "non_printable"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type Fault = FaultKind | { kind: FaultKind; retryAfter?: number | "date"; status?: number; ms?: number };

export interface CompletionBody {
  model?: string;
  prompt?: unknown;
  n?: number;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: unknown;
  seed?: number;
  [key: string]: unknown;
}

export interface RecordedRequest {
  seq: number;
  path: string;
  body: CompletionBody | undefined;
  caption: string | undefined;
  fault: FaultKind | undefined;
  status: number;
  authorization: string | undefined;
}

export interface OpenAIServerOptions {
  script?: (r: { seq: number; body: CompletionBody; caption: string | undefined }) => Fault | undefined | null;
  faults?: Partial<Record<FaultKind, number>>;
  seed?: number;
  /** Default Retry-After for "429" faults from `faults`. */
  retryAfter?: number | "date";
  nUnsupported?: boolean;
  apiKey?: string;
  model?: string;
  /** Delay before every normal answer, in ms. Default 0 (answers at once). */
  latencyMs?: number;
  /** Keep every request in `requests` (default true; benchmarks turn it off). */
  record?: boolean;
  port?: number;
}

export interface OpenAIServer {
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  /** `inFlight`/`maxInFlight`: requests received and not yet answered (hanging ones included), now and at most. */
  /** `requests`: completion requests; `modelLists`: GET {baseUrl}/models (not in `requests` or the fault script). */
  stats: { requests: number; completions: number; inFlight: number; maxInFlight: number; byFault: Partial<Record<FaultKind, number>>; modelLists: number };
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startOpenAIServer(o: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const rng = new Rng(o.seed ?? 1);
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let seq = 0;
  const self: OpenAIServer = {
    baseUrl: "",
    port: 0,
    requests: [],
    stats: { requests: 0, completions: 0, inFlight: 0, maxInFlight: 0, byFault: {}, modelLists: 0 },
    pause: () => stopListening(),
    resume: () => listen(self.port),
    close: async () => {
      for (const r of hanging) r.destroy();
      await stopListening();
    },
  };
  let server: Server | undefined;

  function pickFault(body: CompletionBody, caption: string | undefined, n: number): { kind: FaultKind; f: Exclude<Fault, string> } | undefined {
    let fault = o.script?.({ seq: n, body, caption }) ?? undefined;
    if (fault === undefined && o.faults) {
      let u = rng.float();
      for (const [kind, p] of Object.entries(o.faults) as [FaultKind, number][]) {
        if (u < p) {
          fault = kind;
          break;
        }
        u -= p;
      }
    }
    if (fault === undefined) return undefined;
    const f = typeof fault === "string" ? { kind: fault } : fault;
    return { kind: f.kind, f };
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = (req.url ?? "").split("?")[0]!;
    // the model list (the client's probe before a run) is answered outside the counters, the record and the
    // fault script, so tests count completion requests only
    if (req.method === "GET" && /\/models$/.test(path)) {
      self.stats.modelLists++;
      const unauthorised = o.apiKey !== undefined && req.headers.authorization !== `Bearer ${o.apiKey}`;
      const text = JSON.stringify(unauthorised ? { error: { message: "missing or wrong API key", code: 401 } } : { object: "list", data: [{ id: o.model ?? "fake-model", object: "model", owned_by: "laclip-tests" }] });
      res.writeHead(unauthorised ? 401 : 200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const n = seq++;
    self.stats.requests++;
    const rec: RecordedRequest = { seq: n, path, body: undefined, caption: undefined, fault: undefined, status: 200, authorization: req.headers.authorization };
    if (o.record !== false) self.requests.push(rec);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      const text = typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    const error = (status: number, message: string, headers?: Record<string, string>) => send(status, { error: { message, type: "fake_server_error", code: status } }, headers);
    if (o.apiKey !== undefined && req.headers.authorization !== `Bearer ${o.apiKey}`) return error(401, "missing or wrong API key");
    if (req.method !== "POST" || !/\/completions$/.test(path)) return error(404, `no route ${req.method} ${path}`);
    let body: CompletionBody;
    try {
      body = JSON.parse(raw) as CompletionBody;
    } catch {
      return error(400, "request body is not JSON");
    }
    rec.body = body;
    if (typeof body.prompt !== "string") return error(400, "prompt must be a string");
    if (o.model !== undefined && body.model !== o.model) return error(404, `model '${String(body.model)}' does not exist`);
    const caption = captionOfPrompt(body.prompt);
    rec.caption = caption;
    const choices = body.n ?? 1;
    if (!Number.isInteger(choices) || choices < 1) return error(400, "n must be a positive integer");
    if (choices > 1 && o.nUnsupported) return error(400, "n > 1 is not supported by this server");
    const picked = pickFault(body, caption, n);
    const kind = picked?.kind;
    rec.fault = kind;
    if (kind) self.stats.byFault[kind] = (self.stats.byFault[kind] ?? 0) + 1;
    const answer = () => {
      const texts = Array.from({ length: choices }, (_, j) => (kind && badText(kind, caption ?? "", body.prompt as string)) ?? (caption === undefined ? " a caption I could not find" : fakeRewrite(caption, j)));
      self.stats.completions += choices;
      const tokens = texts.reduce((s, t) => s + t.split(/\s+/).filter(Boolean).length, 0);
      send(200, {
        id: `cmpl-${n}`,
        object: "text_completion",
        created: 0,
        model: body.model ?? "fake-model",
        choices: texts.map((text, index) => ({ index, text, logprobs: null, finish_reason: "stop" })),
        usage: { prompt_tokens: 0, completion_tokens: tokens, total_tokens: tokens },
      });
    };
    switch (kind) {
      case "429": {
        const ra = picked!.f.retryAfter ?? o.retryAfter ?? 0;
        const value = ra === "date" ? new Date(Date.now() + 1000).toUTCString() : String(ra);
        return error(429, "rate limited", { "retry-after": value });
      }
      case "500": case "502": case "503": return error(Number(kind), `fault ${kind}`);
      case "status": return error(picked!.f.status ?? 500, `fault status ${picked!.f.status ?? 500}`);
      case "hang":
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      case "reset": return void req.socket.destroy();
      case "garbage":
        rec.status = 200;
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end('{"choices": [ {"text": "trunc');
      case "empty_choices": return send(200, { id: `cmpl-${n}`, object: "text_completion", choices: [] });
      case "slow": return void setTimeout(answer, picked!.f.ms ?? 200);
      default:
        if (o.latencyMs) return void setTimeout(answer, o.latencyMs);
        return answer();
    }
  }

  function listen(port: number): Promise<void> {
    server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      const st = self.stats;
      st.maxInFlight = Math.max(st.maxInFlight, ++st.inFlight);
      res.on("close", () => st.inFlight--);
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
    });
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    const srv = server;
    return new Promise((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(port, "127.0.0.1", () => {
        self.port = (srv.address() as AddressInfo).port;
        self.baseUrl = `http://127.0.0.1:${self.port}/v1`;
        resolve();
      });
    });
  }

  function stopListening(): Promise<void> {
    const srv = server;
    server = undefined;
    if (!srv) return Promise.resolve();
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => srv.close(() => resolve()));
  }

  await listen(o.port ?? 0);
  return self;
}

// As a program: serve with the options given as a JSON argument (functions cannot be passed this way).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === "--serve") {
  const opts = JSON.parse(process.argv[3] ?? "{}") as OpenAIServerOptions;
  const srv = await startOpenAIServer({ record: false, ...opts });
  process.stdout.write(`${srv.baseUrl}\n`);
  const stop = () => void srv.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  // a parent that dies without killing us closes our stdin: stop then too, so no server outlives its bench
  process.stdin.on("end", stop).resume();
}
