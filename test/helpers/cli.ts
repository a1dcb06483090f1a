/**
 * Runs the real `laclip` CLI in a child process: the compiled one when tests run from `dist/`, the TypeScript
 * source through tsx when they run from `test/` during development.
 */
import { spawn, type SpawnOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { projectRoot } from "./shared.js";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cliCommand(): string[] {
  const root = projectRoot();
  const compiled = fileURLToPath(import.meta.url).includes(`${join("dist", "test")}`);
  const built = join(root, "dist", "src", "cli", "run.js");
  if (compiled && existsSync(built)) return [process.execPath, built];
  return [process.execPath, "--import", "tsx", join(root, "src", "cli", "run.ts")];
}

export function runCli(args: string[], options: SpawnOptions & { input?: string } = {}): Promise<CliResult> {
  const [cmd, ...pre] = cliCommand();
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd!, [...pre, ...args], { stdio: ["pipe", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolveRun({ code, signal, stdout, stderr }));
    child.stdin!.end(options.input ?? "");
  });
}
