/**
 * The `laclip` command line. Each command lives in `commands/<name>.ts` and exports `run(argv)`; this file only
 * finds it, runs it and turns a failure the user can fix into a one-line message and exit status 2 (usage) or 1
 * (report.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findProjectRoot } from "../util/project_root.js";
import { reportFor } from "./report.js";

export interface CommandModule {
  /** One line for `laclip --help`. */
  summary: string;
  /** Runs the command; resolves to the process exit status. */
  run(argv: string[]): Promise<number>;
}

const COMMANDS = [
  "selfcheck",
  "bench",
  "rewrite",
  "tokenizer",
  "parity",
  "embed",
  "train",
  "eval",
  "export",
  "demo",
  "serve",
  "report",
] as const;

async function load(name: string): Promise<CommandModule | undefined> {
  if (!(COMMANDS as readonly string[]).includes(name)) return undefined;
  try {
    return (await import(`./commands/${name}.js`)) as CommandModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && String(err).includes(`commands/${name}.`)) {
      return undefined;
    }
    throw err;
  }
}

async function help(): Promise<void> {
  const lines = ["usage: laclip <command> [options]   (laclip <command> --help for its options; laclip --version)", ""];
  for (const name of COMMANDS) {
    const mod = await load(name);
    if (mod) lines.push(`  ${name.padEnd(10)} ${mod.summary}`);
  }
  console.log(lines.join("\n"));
}

/** The package version from package.json (the one npm and `npm pack` use). */
function version(): string {
  const root = findProjectRoot();
  if (root === undefined) return "unknown";
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V" || name === "version") {
    console.log(`laclip ${version()}`);
    return 0;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    await help();
    return name === undefined ? 2 : 0;
  }
  try {
    // Loading a command can fail the project's way too (a missing native build, say): same one-line report.
    const mod = await load(name);
    if (!mod) {
      console.error(`laclip: unknown command '${name}'; run 'laclip --help' for the list`);
      return 2;
    }
    return await mod.run(rest);
  } catch (err) {
    // `laclip bench matmul --help` lists matmul's options: the help pointer names the benchmark too.
    const sub = name === "bench" && rest[0] !== undefined && !rest[0].startsWith("-") ? `${name} ${rest[0]}` : name;
    const report = reportFor(sub, err);
    if (report === undefined) throw err;
    console.error(`laclip ${name}: ${report.message}`);
    if (process.env.LACLIP_DEBUG) console.error(err);
    return report.code;
  }
}
