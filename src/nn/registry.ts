/** Bookkeeping shared by Module's register* methods. */
import type { Tensor } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";

/** Names become key segments, so they cannot contain '.', and one name holds one thing per module. */
export function checkName(owner: string, name: string, kind: string, takenAs: string | undefined): void {
  if (name === "" || name.includes(".")) throw new ConfigError(`${owner}: ${kind} name '${name}' must be non-empty and contain no '.'`, name);
  if (takenAs !== undefined) throw new ConfigError(`${owner}: '${name}' is already registered as a ${takenAs}; pick another name`, name);
}

/** Sets map[name] = t, disposing the tensor it replaces (the module owned it). */
export function store(map: Map<string, Tensor | undefined>, name: string, t: Tensor | undefined): Tensor | undefined {
  const old = map.get(name);
  if (old !== undefined && old !== t) old.dispose();
  map.set(name, t);
  return t;
}
