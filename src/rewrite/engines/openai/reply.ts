/** Reading a /v1/completions answer and turning HTTP failures into engine errors that name the URL and status. */
import { EngineError } from "../engine_error.js";
import type { HttpReply } from "./http.js";

export interface ParsedCompletion {
  texts: string[];
  tokens: number;
}

/** The choices' texts in `index` order, or undefined when the body is not a usable completion answer. */
export function parseCompletionReply(body: string): ParsedCompletion | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const choices = (json as { choices?: unknown })?.choices;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const items: { index: number; text: string }[] = [];
  for (const [i, c] of choices.entries()) {
    const text = (c as { text?: unknown })?.text;
    if (typeof text !== "string") return undefined;
    const index = (c as { index?: unknown }).index;
    items.push({ index: typeof index === "number" ? index : i, text });
  }
  items.sort((a, b) => a.index - b.index);
  const used = (json as { usage?: { completion_tokens?: unknown } }).usage?.completion_tokens;
  return { texts: items.map((x) => x.text), tokens: typeof used === "number" && used >= 0 ? used : 0 };
}

/** 408, 429 and 5xx may pass; any other status is a request the server will keep refusing. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A short, single-line excerpt of the server's error message, for error reports. */
export function serverMessage(reply: HttpReply): string {
  let msg = reply.body;
  try {
    const e = (JSON.parse(reply.body) as { error?: { message?: unknown } | string; message?: unknown });
    const m = typeof e.error === "string" ? e.error : e.error?.message ?? e.message;
    if (typeof m === "string") msg = m;
  } catch {
    // not JSON: keep the raw text
  }
  msg = msg.replace(/\s+/g, " ").trim();
  return msg.length > 200 ? `${msg.slice(0, 200)}...` : msg;
}

export function fatalStatus(url: string, reply: HttpReply): EngineError {
  const hint = reply.status === 401 || reply.status === 403 ? " (check the API key: --api-key-env names the variable holding it)" : reply.status === 404 ? " (check --base-url and --model)" : "";
  return new EngineError(`${url} answered HTTP ${reply.status}: ${serverMessage(reply)}${hint}`, false);
}
