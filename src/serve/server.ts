/**
 * `laclip serve DIR`: a local HTTP server (node:http, 127.0.0.1 by default) for the zero-shot page of an `onnx`
 * export. Only GET and HEAD of the files that `serveRoutes` names; no listing, no path outside a route's folder.
 *
 *   const s = await startServe("exports/tiny", { port: 0 });
 *   console.log(s.url); // http://127.0.0.1:43121/
 *   await s.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { access, readFile, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { ServeError } from "./errors/serve_error.js";
import { serveRoutes, type Route } from "./routes.js";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm", ".onnx": "application/octet-stream", ".png": "image/png", ".svg": "image/svg+xml",
};

/** The files the page reads from the export folder; all must be there before the server starts. */
export const REQUIRED_EXPORT_FILES = ["config.json", "merges.txt", "preprocessor_config.json", "tokenizer_config.json", "onnx/model.onnx"];

export interface ServeOptions {
  /** Default 127.0.0.1: the page is for this machine. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
}

export interface RunningServe {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The file a URL path names, or undefined (not served). */
export function resolveRoute(routes: readonly Route[], urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path === "/" || path === "/index.html") path = "/app/index.html";
  const route = routes.find((r) => path.startsWith(r.prefix));
  if (route === undefined || path.includes("\0")) return undefined;
  const rel = normalize(path.slice(route.prefix.length));
  const root = resolve(route.dir);
  const file = resolve(root, rel);
  if (!file.startsWith(root + sep) || !route.extensions.includes(extname(file))) return undefined;
  return file;
}

async function handle(routes: readonly Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (status: number, body: string) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(body);
  };
  if (req.method !== "GET" && req.method !== "HEAD") return send(405, "only GET and HEAD\n");
  const url = new URL(req.url ?? "/", "http://localhost");
  const file = resolveRoute(routes, url.pathname);
  if (file === undefined) return send(404, "not found\n");
  let body: Buffer;
  try {
    if (!(await stat(file)).isFile()) return send(404, "not found\n");
    body = await readFile(file);
  } catch {
    return send(404, "not found\n");
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": body.length,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

export async function startServe(exportDir: string, o: ServeOptions = {}): Promise<RunningServe> {
  for (const f of REQUIRED_EXPORT_FILES) {
    await access(join(exportDir, f)).catch((err: unknown) => {
      throw new ServeError(
        `'${exportDir}' is not an onnx export: ${f} is missing; make one with laclip export --format onnx --out ${exportDir}`,
        { cause: err },
      );
    });
  }
  const routes = serveRoutes(exportDir);
  const server = createServer((req, res) => {
    handle(routes, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const host = o.host ?? "127.0.0.1";
  await new Promise<void>((ok, fail) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      fail(new ServeError(`cannot listen on ${host}:${o.port ?? 8080}: ${err.code ?? err.message}; pick another --port`, { cause: err })));
    server.listen(o.port ?? 8080, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    server,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
