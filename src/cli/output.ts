/**
 * Checks an output file option (`--out F`) before any work: its folder exists and is writable, and the path is
 * not a folder. An evaluation or an embedding run that would fail only when writing its result fails at once.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors/config_error.js";

export function checkOutputFile(path: string, flag: string): void {
  const dir = dirname(resolve(path));
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ConfigError(`${flag} ${path}: the folder ${dir} does not exist; create it first or write elsewhere`, flag);
  }
  if (!isDir) throw new ConfigError(`${flag} ${path}: ${dir} is not a folder`, flag);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new ConfigError(`${flag} ${path}: the folder ${dir} is not writable; write elsewhere`, flag);
  }
  let target;
  try {
    target = statSync(path);
  } catch {
    return; // a new file
  }
  if (target.isDirectory()) throw new ConfigError(`${flag} ${path} is a folder; give a file name`, flag);
}
