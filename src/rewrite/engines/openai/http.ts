/**
 * One HTTP request over node:http with keep-alive agents (one per scheme, `maxSockets` = the engine's
 * concurrency). node:http rather than fetch: fewer allocations per small request, which matters at thousands of
 * requests per second on 2 cores, and its errors carry plain errno codes (ECONNRESET, ECONNREFUSED). The
 * timeout is a plain timer (AbortSignal.timeout/any cost more per request than the request itself here).
 */
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The request took longer than its timeout; the socket was destroyed. */
export class RequestTimeout extends Error {
  readonly code = "ETIMEDOUT";
}

export class HttpClient {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;
  private readonly targets = new Map<string, { secure: boolean; options: RequestOptions }>();

  constructor(maxSockets: number) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Rejects on network errors, with RequestTimeout after `timeoutMs`, and with the signal's reason on abort. */
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<HttpReply> {
    return this.send("POST", url, body, { "content-type": "application/json", ...headers }, timeoutMs, signal);
  }

  get(url: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<HttpReply> {
    return this.send("GET", url, "", headers, timeoutMs, signal);
  }

  private target(url: string): { secure: boolean; options: RequestOptions } {
    let t = this.targets.get(url);
    if (!t) {
      const u = new URL(url);
      const secure = u.protocol === "https:";
      t = { secure, options: { protocol: u.protocol, hostname: u.hostname.replace(/^\[|\]$/g, ""), port: u.port, path: u.pathname + u.search, agent: secure ? this.https : this.http } };
      this.targets.set(url, t);
    }
    return t;
  }

  private send(method: string, url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const { secure, options } = this.target(url);
      let settled = false;
      const done = (err: unknown, reply?: HttpReply) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve(reply!);
      };
      const req = (secure ? httpsRequest : httpRequest)({ ...options, method, headers: { "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8") }));
        res.on("error", done);
      });
      const timer = setTimeout(() => {
        done(new RequestTimeout(`no answer within ${timeoutMs} ms`));
        req.destroy();
      }, timeoutMs);
      function onAbort() {
        done(signal!.reason);
        req.destroy();
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", done);
      req.end(body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
