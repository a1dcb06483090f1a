/**
 * One HTTP request over node:http with keep-alive agents (one per origin, `maxSockets` = the engine's concurrency).
 * node:http rather than fetch: it sustains more small requests per second on a 2-core machine (see
 * `laclip bench rewrite-client`), and its errors carry plain errno codes (ECONNRESET, ECONNREFUSED).
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class HttpClient {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(maxSockets: number) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Rejects on network errors and when `signal` aborts (with the signal's reason). */
  post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpReply> {
    return this.send("POST", url, body, { "content-type": "application/json", ...headers }, signal);
  }

  get(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpReply> {
    return this.send("GET", url, "", headers, signal);
  }

  private send(method: string, url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const u = new URL(url);
      const secure = u.protocol === "https:";
      const req = (secure ? httpsRequest : httpRequest)(
        u,
        {
          method,
          agent: secure ? this.https : this.http,
          headers: { "content-length": Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            signal.removeEventListener("abort", onAbort);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
          });
          res.on("error", fail);
        },
      );
      function fail(err: Error) {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      }
      function onAbort() {
        req.destroy();
        reject(signal.reason);
      }
      signal.addEventListener("abort", onAbort, { once: true });
      req.on("error", fail);
      req.end(body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
