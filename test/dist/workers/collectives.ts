/**
 * Worker of collectives.test.ts: every collective of the process group on small known tensors; writes what
 * it got to $LACLIP_TEST_OUT/rank<R>.json. Does nothing unless started as that worker.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EngineError, tensor, type NestedArray } from "../../../src/engine/index.js";
import { initProcessGroup } from "../../../src/dist/index.js";

function main(): void {
  const g = initProcessGroup({ timeoutMs: 20_000 });
  const r = g.rank;
  const out: Record<string, NestedArray | string | number[]> = {};

  // Sum, three tensors of mixed shapes; an 8-byte bucket cap forces one bucket per tensor plus a shared one.
  const a = tensor([r + 1, 10 * (r + 1)]);
  const b = tensor([[r, 1], [2, r * r]]);
  const c = tensor([[1, 2, 3]]).mul(r + 1);
  g.allReduce([a, b, c], { bucketBytes: 8 });
  out.sum = [a.toArray(), b.toArray(), c.toArray()];
  const d = tensor([r, 2 * r, 4]);
  const e = tensor([[r + 0.5]]);
  g.allReduce([d, e], { average: true });
  out.avg = [d.toArray(), e.toArray()];
  const i64 = tensor([r + 1], { dtype: "i64" });
  g.allReduce([i64]);
  out.i64 = i64.toArray();

  out.gather = g.allGather(tensor([[r, r], [r + 10, r + 10]])).toArray();
  // Ragged: rank r holds r + 1 rows of value r.
  out.ragged = g.allGather(tensor(Array.from({ length: r + 1 }, () => [r, r === 0 ? 0 : -r, 1]))).toArray();

  const p = tensor([r, r, r]);
  const q = tensor([[r * 7]]);
  g.broadcast([p, q], g.world - 1);
  out.broadcast = [p.toArray(), q.toArray()];

  out.reduceScatter = g.reduceScatter(tensor([1, 2, 3, 4].map((v) => v * (r + 1)))).toArray();

  // Shapes that differ beyond dim 0 are refused on every rank alike, and the group stays usable.
  try {
    g.allGather(tensor([Array.from({ length: 2 + r }, () => 1)]));
    out.mismatch = "no error";
  } catch (err) {
    out.mismatch = err instanceof EngineError ? err.message : `not an EngineError: ${String(err)}`;
  }
  const after = tensor([1]);
  g.allReduce([after]);
  out.afterMismatch = after.toArray();

  g.barrier(10_000);
  writeFileSync(join(process.env.LACLIP_TEST_OUT!, `rank${r}.json`), JSON.stringify(out));
  g.destroy();
}

if (process.env.LACLIP_DIST_TEST_WORKER === "collectives") main();
