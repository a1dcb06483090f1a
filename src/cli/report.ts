/**
 * How the CLI reports a failure: one line naming the thing and what to do, and the exit status (2 for a command
 * line that cannot be used, 1 for everything else). Only bugs keep their stack trace; LACLIP_DEBUG=1 prints
 * the full error for every failure.
 */
import { LaclipError } from "../errors/laclip_error.js";
import { UsageError } from "../errors/usage_error.js";

export interface Report {
  message: string;
  code: 1 | 2;
}

/** node:util parseArgs failures, reworded as one line each. */
function parseArgsMessage(err: NodeJS.ErrnoException): string | undefined {
  const code = err.code ?? "";
  if (!code.startsWith("ERR_PARSE_ARGS_")) return undefined;
  const m = err.message;
  const option = /'(-[^' <]+)/.exec(m)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option '${option ?? m}'`;
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument '${/'([^']*)'/.exec(m)?.[1] ?? m}'`;
  if (/ambiguous/.test(m)) return `option '${option}' needs a value; write a value that starts with '-' as ${option}=VALUE`;
  if (/argument missing/.test(m)) return `option '${option}' needs a value`;
  return m.split("\n")[0]!;
}

/** A Node system error (ENOENT, EACCES, EISDIR, ...) on a path: the user's file, not a bug. */
function systemMessage(err: NodeJS.ErrnoException): string | undefined {
  if (typeof err.code !== "string" || !/^E[A-Z]+$/.test(err.code) || typeof err.syscall !== "string") return undefined;
  const what: Record<string, string> = {
    ENOENT: "no such file or directory", EACCES: "permission denied", EISDIR: "is a directory", ENOTDIR: "not a directory",
    EEXIST: "already exists", ENOSPC: "no space left on the device", EROFS: "read-only file system", EMFILE: "too many open files",
  };
  const path = err.path === undefined ? "" : ` '${err.path}'`;
  return `cannot ${err.syscall}${path}: ${what[err.code] ?? err.code} (${err.code})`;
}

/** The report for `err` thrown by `laclip <command>`, or undefined for a bug (an error nobody explained). */
export function reportFor(command: string, err: unknown): Report | undefined {
  const help = `; 'laclip ${command} --help' lists the options`;
  const e = err as NodeJS.ErrnoException;
  const parse = parseArgsMessage(e) ?? (e?.cause ? parseArgsMessage(e.cause as NodeJS.ErrnoException) : undefined);
  if (parse !== undefined) return { message: parse + help, code: 2 };
  if (err instanceof LaclipError) {
    // A command may append its usage text to the message; the line before it says what is wrong.
    const cut = err.message.search(/\n\s*usage: laclip/);
    if (err instanceof UsageError || cut >= 0) return { message: (cut >= 0 ? err.message.slice(0, cut) : err.message) + help, code: 2 };
    return { message: err.message, code: 1 };
  }
  const sys = err instanceof Error ? systemMessage(e) : undefined;
  if (sys !== undefined) return { message: sys, code: 1 };
  return undefined;
}
