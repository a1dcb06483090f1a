/**
 * The host allocator policy (native/src/host_allocator.cc): freed tensor memory is kept for reuse, so a loop
 * that allocates and frees tensors of tens of MiB stops paging memory in after its first pass; the user's own
 * glibc settings, or LACLIP_MALLOC=default, turn it off. Each case runs in a fresh process (the policy is set
 * once, at load).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

interface Run { policy: { applied: boolean; reason: string; mmapThreshold: number; trimThreshold: number }; faultsPerPass: number; pagesPerPass: number }

function run(env: Record<string, string>): Run {
  const here = fileURLToPath(import.meta.url);
  const compiled = here.endsWith(".js");
  const engine = join(here, "..", "..", "..", "src", "engine", compiled ? "index.js" : "index.ts");
  // Three 20 MiB tensors written and freed per pass: with glibc's defaults the freed heap top (60 MiB) exceeds
  // the dynamic trim threshold (twice the largest freed chunk) and is returned to the kernel every pass.
  const script = `
    const E = await import(${JSON.stringify(engine)});
    const pass = () => { const ts = [0, 1, 2].map(() => E.ones([5 * 2 ** 20])); for (const t of ts) t.dispose(); };
    for (let i = 0; i < 8; i++) pass(); // glibc settles on reusing the freed blocks after a few passes
    const before = process.resourceUsage().minorPageFault;
    for (let i = 0; i < 10; i++) pass();
    const faults = process.resourceUsage().minorPageFault - before;
    console.log(JSON.stringify({ policy: E.hostAllocatorPolicy(), faultsPerPass: faults / 10, pagesPerPass: 3 * 5 * 2 ** 20 * 4 / 4096 }));`;
  const args = [...(compiled ? [] : ["--import", "tsx"]), "--input-type=module", "-e", script];
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^MALLOC_|^GLIBC_TUNABLES$|^LACLIP_MALLOC$/.test(k)));
  const r = spawnSync(process.execPath, args, { env: { ...clean, ...env }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Run;
}

test("by default freed tensor memory is reused: a steady loop of 20 MiB tensors pages nothing in", () => {
  const r = run({});
  assert.deepEqual(r.policy, { applied: true, reason: "set", mmapThreshold: 32 * 2 ** 20, trimThreshold: 2 ** 30 });
  // 15,360 pages are written per pass; a few faults may come from the JS side.
  assert.ok(r.faultsPerPass < r.pagesPerPass / 20, `${r.faultsPerPass} page faults per pass of ${r.pagesPerPass} pages`);
});

test("LACLIP_MALLOC=default and the user's own glibc settings keep glibc's behaviour", () => {
  const off = run({ LACLIP_MALLOC: "default" });
  assert.deepEqual(off.policy, { applied: false, reason: "LACLIP_MALLOC=default", mmapThreshold: 0, trimThreshold: 0 });
  // What the policy is for: glibc's defaults page the freed memory in again on every pass.
  assert.ok(off.faultsPerPass > off.pagesPerPass / 2, `${off.faultsPerPass} page faults per pass of ${off.pagesPerPass} pages`);
  const user = run({ MALLOC_TRIM_THRESHOLD_: "268435456", MALLOC_MMAP_THRESHOLD_: "33554432" });
  assert.equal(user.policy.applied, false);
  assert.equal(user.policy.reason, "MALLOC_MMAP_THRESHOLD_ is set");
});
