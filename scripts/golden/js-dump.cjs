// Part of scripts/golden/dump.py: the JS API's outputs on the lessons, the KMS scenarios and the policy cases.
const [pkg, input] = process.argv.slice(2);
const km = require(`${pkg}/kmsim.js`);
const { scenarios, cases } = JSON.parse(require("fs").readFileSync(input, "utf8"));
const safe = (f) => { try { return { ok: f() }; } catch (e) { return { error: String(e && e.message), diagnostics: e && e.diagnostics }; } };
const out = [];
for (const s of scenarios) {
  const r = { name: s.name };
  r.load = safe(() => { const sim = km.Simulator.load(s.text, 7n); r.run = safe(() => sim.runAll(true)); r.world = safe(() => sim.world());
    r.audit = safe(() => sim.audit()); r.now = safe(() => sim.now()); sim.reset(); r.stepped = safe(() => { const a = []; while (sim.nextStep < sim.stepCount) a.push(sim.step(false)); return a; });
    r.restored = safe(() => km.Simulator.restore(sim.world()).world()); return true; });
  out.push(r);
}
for (const c of cases) {
  out.push({ name: c.name, traced: safe(() => km.evaluate({ policies: c.policies, request: c.request, trace: true })),
    plain: safe(() => km.evaluate({ policies: c.policies, request: c.request })),
    validate: c.policies.map((p) => safe(() => km.validatePolicy(p.text, p.type))) });
}
out.push({ schema: km.scenarioSchema() });
process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === "bigint" ? `${v}n` : v), 1));
