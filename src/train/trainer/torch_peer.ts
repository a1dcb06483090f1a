/**
 * Runs the PyTorch eager peer of the training-step benchmark (../shared/bench/torch_clip_step.py, or
 * $LACLIP_SHARED/bench/...) with /usr/bin/python3 and returns the JSON line it prints. The peer is found
 * relative to the project root, not the working directory.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { LaclipError } from "../../errors/laclip_error.js";
import { projectRoot } from "../../util/project_root.js";

export const PEER_PYTHON = "/usr/bin/python3";

/** The peer script, or undefined when the shared folder or python is absent. */
export function torchPeerScript(): string | undefined {
  const shared = resolve(process.env.LACLIP_SHARED ?? join(projectRoot(), "..", "shared"));
  const script = join(shared, "bench", "torch_clip_step.py");
  return existsSync(script) && existsSync(PEER_PYTHON) ? script : undefined;
}

export async function runTorchPeer(args: string[]): Promise<Record<string, unknown>> {
  const script = torchPeerScript();
  if (script === undefined) throw new LaclipError(`the PyTorch peer needs ${PEER_PYTHON} and ../shared/bench/torch_clip_step.py; neither LACLIP_SHARED nor ../shared has it`);
  return runPeerScript(script, args);
}

/** Runs a Python peer `script` with /usr/bin/python3 and returns the JSON object on its last stdout line. */
export async function runPeerScript(script: string, args: string[]): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((res, rej) => {
    const child = spawn(PEER_PYTHON, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", rej);
    child.on("close", (c) => res({ code: c, stdout: out, stderr: err }));
  });
  const line = stdout.trim().split("\n").at(-1) ?? "";
  try {
    if (code !== 0) throw new Error(`exit status ${code}`);
    return JSON.parse(line) as Record<string, unknown>;
  } catch (err) {
    throw new LaclipError(`the PyTorch peer failed (${(err as Error).message}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`, { cause: err });
  }
}
