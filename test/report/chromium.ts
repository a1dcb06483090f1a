/**
 * Headless Chromium (Debian's `chromium`, installed by scripts/system-deps.sh) as the report's real client:
 * load a file, hand back the DOM after load and every console message Chromium logged.
 */
import { spawn, spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

export function chromiumPath(): string | undefined {
  for (const name of ["chromium", "chromium-browser"]) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() !== "") return r.stdout.trim();
  }
  return undefined;
}

export interface PageLoad {
  dom: string;
  /** Chromium's `INFO:CONSOLE:<line>]` log lines: console.* calls, script errors, failed loads reported to the console. */
  console: string[];
  code: number | null;
  stderr: string;
}

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0"];

function runChromium(bin: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

/** Loads `file` in a fresh headless profile (`profileDir`) and dumps its DOM. */
export async function loadPage(bin: string, file: string, profileDir: string): Promise<PageLoad> {
  const r = await runChromium(bin, [...FLAGS, `--user-data-dir=${profileDir}`, "--dump-dom", pathToFileURL(file).href]);
  return { dom: r.stdout, console: r.stderr.split("\n").filter((l) => /:CONSOLE[:(]\d+/.test(l)), code: r.code, stderr: r.stderr };
}

/** Saves a PNG screenshot of `file` at the given window size. */
export async function screenshot(bin: string, file: string, png: string, profileDir: string, size = "1200,2400"): Promise<void> {
  const r = await runChromium(bin, [...FLAGS, `--user-data-dir=${profileDir}`, `--window-size=${size}`, "--hide-scrollbars", `--screenshot=${png}`, pathToFileURL(file).href]);
  if (r.code !== 0) throw new Error(`chromium --screenshot exited ${r.code}: ${r.stderr.slice(-2000)}`);
}
