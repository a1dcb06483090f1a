/**
 * Headless Chromium (Debian's `chromium`) driven over the DevTools protocol through a pipe
 * (`--remote-debugging-pipe`: JSON messages ending in NUL on fds 3 and 4), so no WebSocket client and no
 * browser download are needed. One page per browser; every request the page makes is recorded.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { TestContext } from "node:test";

/** The chromium binary, or undefined after skipping the test with one line. */
export function chromiumPath(t: TestContext): string | undefined {
  const bin = process.env.LACLIP_CHROMIUM ?? "chromium";
  if (spawnSync(bin, ["--version"], { stdio: "ignore" }).status !== 0) {
    t.skip(`no '${bin}' (install Debian's chromium: scripts/system-deps.sh)`);
    return undefined;
  }
  return bin;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class HeadlessPage {
  readonly requests: string[] = [];
  readonly consoleLines: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = "";
  private sessionId = "";

  private constructor(private readonly proc: ChildProcess, private readonly profile: string) {
    // A browser that dies (or never starts) fails every pending command instead of leaving the test waiting.
    const fail = (why: string) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium ${why}`));
      this.pending.clear();
    };
    proc.once("exit", (code, signal) => fail(`exited (${signal ?? code})`));
    proc.once("error", (err) => fail(`could not start: ${err.message}`));
    const input = proc.stdio[4] as Readable;
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf("\0")) >= 0) {
        this.receive(JSON.parse(this.buffer.slice(0, end)) as Record<string, unknown>);
        this.buffer = this.buffer.slice(end + 1);
      }
    });
  }

  static async open(bin: string, width = 1000, height = 760): Promise<HeadlessPage> {
    const profile = await mkdtemp(join(tmpdir(), "laclip-chromium-"));
    const proc = spawn(bin, [
      "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", `--user-data-dir=${profile}`,
      "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
      `--window-size=${width},${height}`, "about:blank",
    ], { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] });
    const page = new HeadlessPage(proc, profile);
    try {
      await page.attach(width, height);
    } catch (err) {
      await page.close();
      throw err;
    }
    return page;
  }

  /** A new tab, attached (its session id is added to every later command but Target/Browser ones). */
  private async attach(width: number, height: number): Promise<void> {
    const { targetId } = (await this.send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await this.send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
    this.sessionId = sessionId;
    await this.send("Network.enable");
    await this.send("Runtime.enable");
    await this.send("Page.enable");
    await this.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
  }

  private receive(msg: Record<string, unknown>): void {
    if (typeof msg.id === "number") {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      const error = msg.error as { message: string } | undefined;
      if (error) p?.reject(new Error(`CDP: ${error.message}`));
      else p?.resolve(msg.result);
      return;
    }
    const params = msg.params as Record<string, unknown> | undefined;
    if (msg.method === "Network.requestWillBeSent") this.requests.push((params!.request as { url: string }).url);
    if (msg.method === "Runtime.consoleAPICalled") {
      const args = params!.args as Array<{ value?: unknown; description?: string }>;
      this.consoleLines.push(args.map((a) => String(a.value ?? a.description)).join(" "));
    }
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    const msg: Record<string, unknown> = { id, method, params };
    if (this.sessionId !== "" && !method.startsWith("Target.") && !method.startsWith("Browser.")) msg.sessionId = this.sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`chromium did not answer ${method} within 60 s`));
      }, 60_000);
      const done = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      this.pending.set(id, { resolve: (v) => done(() => resolve(v)), reject: (e) => done(() => reject(e)) });
      (this.proc.stdio[3] as Writable).write(`${JSON.stringify(msg)}\0`);
    });
  }

  /** The value of a page expression (awaited when it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value: T }; exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  }

  /**
   * Polls `expression` until it is truthy or `timeoutMs` passes. Errors count as not yet (the document may
   * still be loading); the last one is reported on timeout.
   */
  async waitFor(expression: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      try {
        if (await this.evaluate<boolean>(expression)) return;
      } catch (err) {
        last = ` (last error: ${(err as Error).message})`;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${expression}${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async navigate(url: string): Promise<void> {
    await this.send("Page.navigate", { url });
  }

  /** Sets the files of the <input type=file> matching `selector`, as a user picking them does (fires change). */
  async setFiles(selector: string, files: string[]): Promise<void> {
    const { root } = (await this.send("DOM.getDocument")) as { root: { nodeId: number } };
    const { nodeId } = (await this.send("DOM.querySelector", { nodeId: root.nodeId, selector })) as { nodeId: number };
    if (!nodeId) throw new Error(`no element ${selector}`);
    await this.send("DOM.setFileInputFiles", { nodeId, files });
  }

  async screenshot(): Promise<Buffer> {
    const { data } = (await this.send("Page.captureScreenshot", { format: "png" })) as { data: string };
    return Buffer.from(data, "base64");
  }

  async close(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
      this.send("Browser.close").catch(() => undefined);
      const timer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.profile, { recursive: true, force: true });
  }
}
