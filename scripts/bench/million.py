#!/usr/bin/env python3
"""Memory at scale (issue 10, item 6): a scenario of N GenerateRandom call steps through `kmsim check` (native,
release build), and N `Simulator.call`s in node through the wasm package followed by saving and restoring the world.

    python3 scripts/bench/million.py [N]        # N defaults to 1,000,000

Prints wall time and peak resident memory of the native run (getrusage of the child), and what the node run
reports (wasm memory, world JSON length, restore). A benchmark, not a test: figures go to docs/RELIABILITY.md.
Needs `cargo build --release -p kmsim-cli` and `bash scripts/build-js.sh` (crates/wasm/pkg) first.
"""
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000

policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:GenerateRandom", "Resource": "*"}]}
step = '{"call":"GenerateRandom","as":"role/App","params":{"NumberOfBytes":32}}'
head = {"title": "memory at scale", "seed": 7,
        "accounts": {"111122223333": {"roles": {"App": {"policies": {"Random": policy}}}}}}
tmp = os.path.join(ROOT, "target", "tmp")
os.makedirs(tmp, exist_ok=True)
path = os.path.join(tmp, f"million-{N}.json")
with open(path, "w") as fh:
    fh.write(json.dumps(head)[:-1] + ',"steps":[\n' + ",\n".join([step] * N) + "\n]}\n")
print(f"scenario: {N:,} call steps, {os.path.getsize(path):,} bytes")

kmsim = os.path.join(ROOT, "target", "release", "kmsim")
t = time.monotonic()
p = subprocess.run([kmsim, "check", path], capture_output=True, text=True)
wall = time.monotonic() - t
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"native `kmsim check`: exit {p.returncode}, {wall:.1f} s, peak RSS {peak_kb / 1024:,.0f} MiB "
      f"({peak_kb * 1024 / N:,.0f} bytes a step, the scenario's text and parse included)")
if p.returncode != 0:
    print(p.stdout[-2000:], p.stderr[-2000:])

node = r"""
const { Simulator } = await import(process.argv[1] + "/kmsim.js");
const n = Number(process.argv[2]);
const scenario = JSON.stringify({ title: "calls", seed: 7, accounts: { "111122223333": { roles: { App: { policies: {
  Random: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:GenerateRandom", Resource: "*" }] } } } } } },
  steps: [] });
const sim = Simulator.load(scenario);
let t = performance.now();
for (let i = 0; i < n; i++) {
  const out = sim.call({ principal: "role/App", trace: false }, "GenerateRandom", { NumberOfBytes: 32 });
  if (!out.response.Ok) throw new Error("call " + i + " failed");
}
const calls = (performance.now() - t) / 1000;
t = performance.now();
const text = sim.worldJson();
const save = (performance.now() - t) / 1000;
t = performance.now();
const back = Simulator.restore(text);
const restore = (performance.now() - t) / 1000;
const same = back.worldJson() === text;
const mem = process.memoryUsage();
console.log(`node/wasm: ${n.toLocaleString()} calls in ${calls.toFixed(1)} s; worldJson ${text.length.toLocaleString()} chars in ${save.toFixed(1)} s; restore ${restore.toFixed(1)} s, same world: ${same}; rss ${(mem.rss / 2**20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2**20).toFixed(0)} MiB`);
"""
pkg = os.path.join(ROOT, "crates", "wasm", "pkg")
p = subprocess.run(["node", "--input-type=module", "-e", node, pkg, str(N)], capture_output=True, text=True)
print(p.stdout.strip() or p.stderr[-3000:])
