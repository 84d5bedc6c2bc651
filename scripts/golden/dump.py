#!/usr/bin/env python3
"""Golden dump of kmsim's observable outputs, for refactors that must not change behaviour.

    python3 scripts/golden/dump.py OUT_DIR            (needs target/debug/kmsim and crates/wasm/pkg built)

Writes into OUT_DIR:
  run/<file>.json      `kmsim run --format json --seed 7` on every lesson and KMS conformance scenario (stdout, exit code)
  eval/<case>.json     `kmsim eval --format json` on every policy conformance case
  js.json              the JS API (crates/wasm/pkg) on the same inputs: Simulator runAll/world/audit, evaluate, validatePolicy
Compare two dumps with `diff -r A B` (byte-identical means no observable change).
"""
import json, os, subprocess, sys, tempfile, glob

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
out = os.path.abspath(sys.argv[1])
kmsim = os.environ.get("KMSIM", os.path.join(ROOT, "target", "debug", "kmsim"))
os.makedirs(os.path.join(out, "run"), exist_ok=True)
os.makedirs(os.path.join(out, "eval"), exist_ok=True)

scenarios = sorted(glob.glob(os.path.join(ROOT, "lessons", "*.json")) + glob.glob(os.path.join(ROOT, "tests/conformance/kms", "*.json")))
for f in scenarios:
    for verbose in ([], ["--verbose"]):
        p = subprocess.run([kmsim, "run", "--format", "json", "--seed", "7", *verbose, f], capture_output=True, text=True)
        name = os.path.relpath(f, ROOT).replace("/", "__") + ("-v" if verbose else "")
        with open(os.path.join(out, "run", name), "w") as fh:
            fh.write(f"exit {p.returncode}\n{p.stdout}\n--stderr--\n{p.stderr}")
    p = subprocess.run([kmsim, "run", "--color", "never", "--seed", "7", f], capture_output=True, text=True)
    with open(os.path.join(out, "run", os.path.relpath(f, ROOT).replace("/", "__") + ".txt"), "w") as fh:
        fh.write(f"exit {p.returncode}\n{p.stdout}\n--stderr--\n{p.stderr}")

cases = sorted(glob.glob(os.path.join(ROOT, "tests/conformance/policy", "**", "*.json"), recursive=True))
cases = [c for c in cases if not c.endswith("case.schema.json")]
tmp = tempfile.mkdtemp()
js_cases = []
for n, f in enumerate(cases):
    case = json.load(open(f))
    args = [kmsim, "eval", "--format", "json"]
    pols = []
    for i, p in enumerate(case["policies"]):
        text = p["text"] if "text" in p else json.dumps(p["document"], indent=2, ensure_ascii=False)
        path = os.path.join(tmp, f"{n}-{i}.json")
        open(path, "w").write(text)
        args += ["--policy", f"{p.get('type', 'identity')}:{path}"]
        pols.append({"type": p.get("type", "identity"), "text": text, "name": f"p{i}"})
    req = os.path.join(tmp, f"{n}-request.json")
    open(req, "w").write(json.dumps(case["request"]))
    args += ["--request", req]
    p = subprocess.run(args, capture_output=True, text=True)
    name = os.path.relpath(f, ROOT).replace("/", "__")
    with open(os.path.join(out, "eval", name), "w") as fh:
        fh.write(f"exit {p.returncode}\n{p.stdout}\n--stderr--\n{p.stderr}".replace(tmp, "TMP"))
    js_cases.append({"name": name, "policies": pols, "request": case["request"]})

js_in = os.path.join(tmp, "js-in.json")
json.dump({"scenarios": [{"name": os.path.relpath(f, ROOT), "text": open(f).read()} for f in scenarios], "cases": js_cases}, open(js_in, "w"))
pkg = os.environ.get("KMSIM_PKG", os.path.join(ROOT, "crates/wasm/pkg"))
p = subprocess.run(["node", os.path.join(ROOT, "scripts/golden/js-dump.cjs"), pkg, js_in], capture_output=True, text=True)
with open(os.path.join(out, "js.json"), "w") as fh:
    fh.write(f"exit {p.returncode}\n{p.stdout}\n--stderr--\n{p.stderr}")
print(f"golden: {len(scenarios)} scenarios, {len(cases)} policy cases -> {out}")
