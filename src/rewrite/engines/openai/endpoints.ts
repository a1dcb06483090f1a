/**
 * The set of base URLs one engine spreads its requests over. Each request goes to the live endpoint with the
 * fewest requests in flight. An endpoint that refuses connections, or fails `maxFailures` times in a row, is taken
 * out for a cool-down that doubles on each relapse (1 s up to 60 s); after it, exactly one request probes it, and
 * a success brings it back. When every endpoint is out, the one that comes back first is probed.
 */

export interface Endpoint {
  readonly baseUrl: string;
  /** The POST target: `{base}/completions`, with `/v1` added when the base URL has no path. */
  readonly completionsUrl: string;
  inFlight: number;
  failures: number;
  deadUntil: number;
  cooldownMs: number;
  probing: boolean;
}

export function completionsUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = `${path === "" ? "/v1" : path}/completions`;
  return url.toString();
}

export class Endpoints {
  readonly all: Endpoint[];
  private turn = 0;
  deaths = 0;

  constructor(
    baseUrls: readonly string[],
    private readonly maxFailures = 3,
    private readonly minCooldownMs = 1000,
    private readonly maxCooldownMs = 60_000,
  ) {
    this.all = baseUrls.map((b) => ({ baseUrl: b, completionsUrl: completionsUrl(b), inFlight: 0, failures: 0, deadUntil: 0, cooldownMs: minCooldownMs, probing: false }));
  }

  pick(now = Date.now()): Endpoint {
    let best: Endpoint | undefined;
    const n = this.all.length;
    this.turn = (this.turn + 1) % n;
    for (let k = 0; k < n; k++) {
      const e = this.all[(this.turn + k) % n]!;
      if (e.deadUntil > now || e.probing) continue;
      if (!best || e.inFlight < best.inFlight) best = e;
    }
    if (!best) best = this.all.filter((e) => !e.probing).sort((a, b) => a.deadUntil - b.deadUntil)[0] ?? this.all[this.turn]!;
    // a dead endpoint whose cool-down is over gets one probe request at a time
    if (best.deadUntil > 0) best.probing = true;
    best.inFlight++;
    return best;
  }

  succeeded(e: Endpoint): void {
    e.inFlight--;
    e.failures = 0;
    e.deadUntil = 0;
    e.probing = false;
    e.cooldownMs = this.minCooldownMs;
  }

  /** `refused`: nothing listens there, so there is no point in waiting for more failures. */
  failed(e: Endpoint, refused: boolean, now = Date.now()): void {
    e.inFlight--;
    e.failures++;
    const wasProbe = e.probing;
    e.probing = false;
    // requests sent before it was taken out fail too; they must not extend its cool-down again
    if (e.deadUntil > now && !wasProbe) return;
    if (refused || wasProbe || e.failures >= this.maxFailures) {
      this.deaths++;
      e.deadUntil = now + e.cooldownMs;
      e.cooldownMs = Math.min(this.maxCooldownMs, e.cooldownMs * 2);
    }
  }

  /** A request that ended without telling anything about the endpoint's health (the caller aborted). */
  released(e: Endpoint): void {
    e.inFlight--;
    e.probing = false;
  }

  liveCount(now = Date.now()): number {
    return this.all.filter((e) => e.deadUntil <= now).length;
  }
}
