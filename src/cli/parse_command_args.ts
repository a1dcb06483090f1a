/**
 * node:util's parseArgs for a command: a failure is rethrown as a ConfigError carrying the command's usage
 * text, which report.ts cuts off again to print one line (what is wrong, and which --help lists the options).
 *
 *   const { values, positionals } = parseCommandArgs({ args: argv, options, allowPositionals: true, strict: true }, USAGE);
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError } from "../errors/config_error.js";

export function parseCommandArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${usage}`, "argv", { cause: err });
  }
}
