/**
 * The settings a resume must repeat: those that decide which captions a shard owns and what their rewrites are
 * (input, format and keys, shard, engine, model, sources, pairs, template, K, seed, attempts, sampling). Servers,
 * API key, concurrency, timeouts and --on-error may change between runs: they do not change any result.
 */
import { ConfigError } from "../../errors/config_error.js";

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Keys whose values differ, with both values, for a message. */
export function settingsDiff(recorded: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(now)])].sort();
  return keys
    .filter((k) => canonical(recorded[k]) !== canonical(now[k]))
    .map((k) => `${k}: ${canonical(recorded[k] ?? null)} before, ${canonical(now[k] ?? null)} now`);
}

export function assertSameSettings(where: string, recorded: Record<string, unknown>, now: Record<string, unknown>): void {
  const diff = settingsDiff(recorded, now);
  if (diff.length === 0) return;
  throw new ConfigError(
    `${where} was started with other settings (${diff.join("; ")}); run again with the same arguments to resume, or use another --output`,
    "--output",
  );
}
