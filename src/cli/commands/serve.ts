/**
 * `laclip serve DIR`: the zero-shot page for an `onnx` export (docs/export.md). Runs until interrupted.
 */
import { ConfigError } from "../../errors/config_error.js";
import { startServe } from "../../serve/server.js";
import { parseCommandArgs } from "../parse_command_args.js";

export const summary = "serve a zero-shot page (image + labels → probabilities) for an onnx export, inference in the browser";

const USAGE = "usage: laclip serve DIR [--port 8080] [--host 127.0.0.1]   (DIR: made by laclip export --format onnx)";

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({ args: argv, options: { port: { type: "string" }, host: { type: "string" }, help: { type: "boolean" } }, allowPositionals: true, strict: true }, USAGE);
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new ConfigError(`give exactly one export folder\n${USAGE}`, "dir");
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be an integer in [0, 65535], got '${values.port}'`, "port");
  const s = await startServe(positionals[0]!, { port, host: values.host });
  console.log(`laclip serve: ${s.url}  (Ctrl-C stops)`);
  await new Promise<void>((done) => {
    const stop = () => void s.close().then(done);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
