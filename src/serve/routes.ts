/**
 * What the page's server serves, and nothing else: URL prefixes mapped to folders. Every file the page loads
 * comes from here: the page itself, the export folder, onnxruntime-web's wasm build from node_modules, and
 * laclip's own compiled tokenizer (so the page tokenizes exactly as laclip does) with the few packages and
 * Node built-ins it imports answered by small browser modules.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { projectRoot } from "../util/project_root.js";
import { ServeError } from "./errors/serve_error.js";

export interface Route {
  /** URL path prefix, ending in `/`. */
  prefix: string;
  /** Folder the rest of the path is read from. */
  dir: string;
  /** Only these file extensions are served from it. */
  extensions: readonly string[];
}

/** The page's own files (index.html, page.js, ...): beside this module in src/, copied nowhere. */
export function pageDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled, this module runs from dist/src/serve; the page's plain files stay in src/serve/page.
  const candidates = [join(here, "page"), join(projectRoot(), "src", "serve", "page")];
  const found = candidates.find((d) => existsSync(join(d, "index.html")));
  if (found === undefined) throw new ServeError(`the page's files are missing (looked in ${candidates.join(", ")}); reinstall laclip`);
  return found;
}

function packageDir(name: string, sub: string): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch (err) {
    throw new ServeError(`the npm package '${name}' is not installed; run npm ci in the laclip folder`, { cause: err });
  }
  // Walk up from the resolved entry to the package folder (the one named like the package), then into `sub`.
  let dir = dirname(entry);
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, sub);
}

/** The compiled tokenizer modules: dist/src next to this module when compiled. */
function compiledSrcDir(): string {
  const here = dirname(fileURLToPath(import.meta.url)); // .../dist/src/serve or .../src/serve (tsx)
  const dir = dirname(here);
  if (!existsSync(join(dir, "tokenizer", "clip_tokenizer.js"))) {
    throw new ServeError("the page needs laclip's compiled tokenizer (dist/src/tokenizer); run `make setup` (or tsc) first");
  }
  return dir;
}

export function serveRoutes(exportDir: string): Route[] {
  const page = pageDir();
  const src = compiledSrcDir();
  return [
    { prefix: "/app/", dir: page, extensions: [".html", ".js", ".css", ".png", ".svg"] },
    { prefix: "/model/", dir: exportDir, extensions: [".json", ".txt", ".onnx"] },
    { prefix: "/ort/", dir: packageDir("onnxruntime-web", "dist"), extensions: [".mjs", ".wasm"] },
    { prefix: "/lib/laclip/tokenizer/", dir: join(src, "tokenizer"), extensions: [".js"] },
    { prefix: "/lib/laclip/errors/", dir: join(src, "errors"), extensions: [".js"] },
    { prefix: "/lib/entities/", dir: packageDir("entities", "dist"), extensions: [".js"] },
    { prefix: "/lib/shims/", dir: join(page, "shims"), extensions: [".js"] },
  ];
}
