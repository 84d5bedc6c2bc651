// Side by side in ONE node process, alternating rounds: @cloud-copilot/iam-simulate (the best open-source IAM
// evaluator, TypeScript) against kmsim's JS API, on the same KMS decision with the full explanation.
//
//   ROUNDS=3 ROUND_MS=1000 node crates/wasm/bench/side-by-side.mjs crates/wasm/pkg   (after bash scripts/build-js.sh)
//   env: MODES=REGEX (only the kmsim modes whose name matches), NATIVE=target/release/examples/kms_case (native rows)
//
// The evaluator is installed on first use into $KMSIM_BENCH_DIR (default: kmsim-bench-anchor in the system's temp folder) from npm. It is
// AGPL-licensed: it is only run here, for measurement; never depend on it, copy from it or ship it.
// kms-case.mjs is the shared case: a 6-statement key policy (root, key administrators, key users via S3 with an
// encryption-context condition, grants for AWS resources, an external account, an MFA deny) and identity policies.
// The main request is AppRole Decrypt via S3 with the encryption context (Allowed). Note: iam-simulate's validated
// entry point drops kms:EncryptionContext:* keys, so its decision differs (ImplicitlyDenied); the timing compares
// the same work (validate, parse, evaluate, explain).
// Copied from ../shared/bench; `kmsimModes` below adds the prepared entry points (preparePolicies, the JSON-text answers,
// check). MODES=REGEX keeps only the kmsim modes whose name matches.
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { execSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const pkg = path.resolve(process.argv[2] ?? 'crates/wasm/pkg');
const dir = process.env.KMSIM_BENCH_DIR ?? path.join(os.tmpdir(), 'kmsim-bench-anchor');
const mod = `${dir}/node_modules/@cloud-copilot/iam-simulate/dist/esm/index.js`;
if (!existsSync(mod)) {
  execSync(`mkdir -p ${dir} && cd ${dir} && npm init -y >/dev/null && npm install --no-audit --no-fund @cloud-copilot/iam-simulate@0.1.173`, { stdio: 'inherit' });
}
const here = path.dirname(fileURLToPath(import.meta.url));
const sim = await import(pathToFileURL(mod));
const { keyPolicy, scenarios, KEY_ARN, ACCOUNT } = await import(pathToFileURL(`${here}/kms-case.mjs`));
const km = createRequire(import.meta.url)(`${pkg}/kmsim.js`);
const main = scenarios[0];
const toSim = (s) => ({ request: { principal: s.principal, action: s.action, resource: { resource: KEY_ARN, accountId: ACCOUNT }, contextVariables: s.context },
  identityPolicies: s.identity, serviceControlPolicies: [], resourceControlPolicies: [], resourcePolicy: keyPolicy });

const kpText = JSON.stringify(keyPolicy);
const kReq = { principal: { arn: main.principal, kind: 'role', account: ACCOUNT }, action: main.action, resource: KEY_ARN, context: main.context };
const scenario = { seed: 1, accounts: { [ACCOUNT]: { roles: { AppRole: {}, KeyAdmin: {} } } },
  keys: { k: { key_id: KEY_ARN.split('/')[1], policy: keyPolicy } }, steps: [] };
const world = km.Simulator.load(JSON.stringify(scenario));
const prepared = km.preparePolicies([{ type: 'resource', text: kpText, name: 'key' }]);
const ec = { 'aws:s3:arn': 'arn:aws:s3:::app-bucket' };
const kmsimModes = {
  'kmsim evaluate (parse + evaluate + full trace)': () => km.evaluate({ policies: [{ type: 'resource', text: kpText, name: 'key' }], request: kReq, trace: true }),
  'kmsim Simulator.simulate (loaded world, KMS rules, full trace)': () => world.simulate('role/AppRole', 'kms:Decrypt', KEY_ARN, ec),
  'kmsim PreparedPolicies.evaluate (prepared, full trace)': () => prepared.evaluate(kReq, { trace: true }),
  'kmsim PreparedPolicies.evaluateJson (prepared, full trace as JSON text)': () => prepared.evaluateJson(kReq, { trace: true }),
  'kmsim PreparedPolicies.evaluate (prepared, no trace)': () => prepared.evaluate(kReq),
  'kmsim Simulator.simulateJson (loaded world, full trace as JSON text)': () => world.simulateJson('role/AppRole', 'kms:Decrypt', KEY_ARN, ec),
  'kmsim PreparedPolicies.check (decision; full trace made when asked for)': () => prepared.check(kReq).decision,
  'kmsim PreparedPolicies.check + resultJson({ trace: true }) (the trace read every time)': () => prepared.check(kReq).resultJson({ trace: true }),
};
if (process.env.MODES) for (const name of Object.keys(kmsimModes)) if (!name.match(new RegExp(process.env.MODES))) delete kmsimModes[name];
// NATIVE=target/release/examples/kms_case (cargo build --release -p kmsim-policy --example kms_case): the same decision
// natively, timed by that binary for ROUND_MS in each round (its start-up is not counted), between the JS modes.
const nativeModes = process.env.NATIVE ? {
  'native authorize, full trace (kms_case authorize-trace)': 'authorize-trace',
  'native parse + compile the key policy (kms_case parse)': 'parse',
} : {};
const native = (mode, ms) => Number(execFileSync(process.env.NATIVE, [mode, String(ms)], { encoding: 'utf8' }).trim());
const anchor = () => sim.runSimulation(toSim(main), {});

async function rate(fn, ms) {
  let n = 0; const t0 = performance.now(); let t = t0;
  while (t - t0 < ms) { for (let i = 0; i < 20; i++) await fn(); n += 20; t = performance.now(); }
  return n / ((t - t0) / 1000);
}
const fmt = (x) => Math.round(x).toLocaleString('en');
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}; kmsim package ${pkg}`);
for (const f of [anchor, ...Object.values(kmsimModes)]) await rate(f, 400);
const rounds = Number(process.env.ROUNDS ?? 5), ms = Number(process.env.ROUND_MS ?? 1500);
const rows = [];
for (let r = 0; r < rounds; r++) {
  const row = { anchor: await rate(anchor, ms) };
  for (const [name, f] of Object.entries(kmsimModes)) row[name] = await rate(f, ms);
  for (const [name, mode] of Object.entries(nativeModes)) row[name] = native(mode, ms);
  rows.push(row);
}
console.log(`iam-simulate runSimulation: median ${fmt(med(rows.map((r) => r.anchor)))}/s`);
for (const name of [...Object.keys(kmsimModes), ...Object.keys(nativeModes)]) {
  console.log(`${name}: median ${fmt(med(rows.map((r) => r[name])))}/s, ratio to iam-simulate (median of per-round ratios) ${med(rows.map((r) => r[name] / r.anchor)).toFixed(1)}x`);
}
