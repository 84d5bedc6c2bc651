// Tests of the BUILT package (crates/wasm/pkg, wasm-bindgen --target nodejs): run by scripts/test-js.sh with
// `node --test crates/wasm/js-tests/`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { evaluate, validatePolicy, scenarioSchema, Simulator } = require("../pkg/kmsim.js");

const ACCOUNT = "111122223333";
const ALICE = { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, kind: "user", account: ACCOUNT };
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const IDENTITY = JSON.stringify(
  {
    Version: "2012-10-17",
    Statement: [
      { Sid: "Read", Effect: "Allow", Action: ["kms:Decrypt", "kms:ScheduleKeyDeletion"], Resource: "*" },
      { Sid: "NoDelete", Effect: "Deny", Action: "kms:ScheduleKeyDeletion", Resource: "*" },
    ],
  },
  null,
  2,
);

const ask = (action, trace = false) =>
  evaluate({
    policies: [{ type: "identity", text: IDENTITY, name: "app" }],
    request: { principal: ALICE, action, resource: KEY, context: { "aws:SecureTransport": true } },
    trace,
  });

/** The 1-based line and column (in characters) of the first occurrence of `needle` in `text`. */
function locate(text, needle) {
  const before = text.slice(0, text.indexOf(needle));
  const lines = before.split("\n");
  return { line: lines.length, column: lines.at(-1).length + 1 };
}

test("evaluate allows with the deciding Allow statement", () => {
  const r = ask("kms:Decrypt");
  assert.equal(r.decision, "Allow");
  assert.equal(r.policies[0].decision, "Allow");
  assert.deepEqual(
    r.policies[0].applied.map((s) => [s.sid, s.effect]),
    [["Read", "Allow"]],
  );
  assert.equal(r.policies[0].trace, undefined, "no trace unless asked");
});

test("evaluate denies explicitly with the deciding Deny statement, and implicitly when nothing applies", () => {
  const r = ask("kms:ScheduleKeyDeletion", true);
  assert.equal(r.decision, "ExplicitDeny");
  const deny = r.policies[0].applied.find((s) => s.effect === "Deny");
  assert.equal(deny.sid, "NoDelete");
  assert.equal(deny.span.line, locate(IDENTITY, '"Sid": "NoDelete"').line - 1, "the statement's opening brace");
  assert.equal(r.policies[0].trace.statements.length, 2);
  assert.equal(ask("kms:Encrypt").decision, "ImplicitDeny");
  // The trace never changes the decision.
  for (const action of ["kms:Decrypt", "kms:ScheduleKeyDeletion", "kms:Encrypt"]) {
    assert.equal(ask(action, true).decision, ask(action, false).decision, action);
  }
});

test("evaluate combines policies of every kind with AWS's evaluation logic, step by step", () => {
  const allow = (sid, action) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: sid, Effect: "Allow", Action: action, Resource: "*" }] });
  const request = { principal: ALICE, action: "kms:Decrypt", resource: KEY };
  const run = (ouAction) =>
    evaluate({
      policies: [
        { type: "scp", text: allow("Root", "*"), level: 0 },
        { type: "scp", text: allow("Ou", ouAction), level: 1 },
        { type: "identity", text: allow("Iam", "kms:*") },
      ],
      request,
    });
  const allowed = run("kms:*");
  assert.equal(allowed.decision, "Allow");
  assert.deepEqual(allowed.combination.decided, { by: "identity", statement: { policy: 2, index: 0, sid: "Iam" } });
  const denied = run("s3:*");
  assert.equal(denied.decision, "ImplicitDeny");
  assert.deepEqual(denied.combination.decided, { by: "implicit-deny", missing: { policy: "scp", level: 1 } });
  const scp = denied.combination.steps.filter((s) => s.step === "scp").map((s) => [s.level, s.outcome]);
  assert.deepEqual(scp, [[0, "pass"], [1, "fail"]]);
  // Cross account: the resource's account must allow too.
  const cross = evaluate({ policies: [{ type: "identity", text: allow("Iam", "kms:*") }],
    request: { ...request, resource_account: "444455556666" } });
  assert.equal(cross.decision, "ImplicitDeny");
  assert.equal(cross.combination.cross_account, true);
  // A misspelt request member is an error, not silently dropped.
  assert.throws(() => evaluate({ policies: [], request: { ...request, contxt: {} } }), /unknown field `contxt`/);
});

test("evaluate throws an Error with located diagnostics for a policy that does not parse", () => {
  const bad = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]\n}';
  assert.throws(
    () =>
      evaluate({
        policies: [
          { type: "identity", text: IDENTITY },
          { type: "identity", text: bad },
        ],
        request: { principal: ALICE, action: "kms:Decrypt", resource: KEY },
      }),
    (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.diagnostics.length, 1);
      const [d] = e.diagnostics;
      assert.equal(d.policy, 1);
      assert.equal(d.kind, "InvalidValue");
      assert.equal(d.span.line, 3);
      assert.match(d.message, /Permit/);
      return true;
    },
  );
});

test("validatePolicy returns diagnostics with line and column for a bad policy", () => {
  const text = '{\n  "Version": "2012-10-17",\n  "Statment": []\n}';
  const r = validatePolicy(text, "identity");
  assert.equal(r.ok, false);
  const unknown = r.errors.find((e) => e.kind === "UnknownElement");
  assert.ok(unknown, JSON.stringify(r.errors));
  assert.deepEqual({ line: unknown.span.line, column: unknown.span.column }, locate(text, '"Statment"'));
  assert.match(unknown.message, /`Statment`/);
  assert.deepEqual(validatePolicy(IDENTITY, "identity"), { ok: true });
  // Principal is not allowed in an identity policy but required in a resource policy.
  const resource = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
  assert.equal(validatePolicy(resource, "resource").ok, false);
  assert.throws(() => validatePolicy(IDENTITY, "iam"), /unknown policy type `iam`/);
});

const SCENARIO = JSON.stringify(
  {
    title: "encrypt and decrypt",
    seed: 42,
    accounts: {
      [ACCOUNT]: {
        users: { admin: { policies: { all: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] } } } },
        roles: {
          App: { policies: { use: { Version: "2012-10-17", Statement: [{ Sid: "Use", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: "*" }] } } },
          Intruder: {},
        },
      },
    },
    keys: { app: { aliases: ["alias/app"] } },
    steps: [
      { name: "enc", call: "Encrypt", as: "role/App", params: { KeyId: "alias/app", Plaintext: { Text: "hello" } }, expect: { outcome: "success" } },
      { call: "Decrypt", as: "role/App", params: { CiphertextBlob: { $ref: "enc.CiphertextBlob" } }, expect: { outcome: "success", response: { Plaintext: "aGVsbG8=" } } },
      { call: "Decrypt", as: "role/Intruder", params: { CiphertextBlob: { $ref: "enc.CiphertextBlob" } }, expect: { outcome: "AccessDeniedException" } },
      { authorize: { as: "role/App", action: "kms:ScheduleKeyDeletion", resource: { $key: "app" } }, expect: { outcome: "implicit-deny" } },
    ],
  },
  null,
  2,
);

test("a scenario loads and runs, every expectation holding; steps one at a time give the same results", () => {
  const sim = Simulator.load(SCENARIO);
  assert.equal(sim.seed(), 42n, "the file's seed wins");
  assert.equal(sim.stepCount, 4);
  const run = sim.runAll(true);
  assert.equal(run.passed, true, JSON.stringify(run.steps.map((s) => s.expectations)));
  assert.equal(run.seed, 42);
  assert.equal(run.steps.length, 4);
  assert.equal(run.steps[2].call.response.Err.code, "AccessDeniedException");
  assert.equal(run.steps[3].authorization.decision, "ImplicitDeny");
  assert.equal(sim.step(), undefined, "every step has run");

  const one = Simulator.load(SCENARIO);
  const results = [];
  for (let r = one.step(true); r !== undefined; r = one.step(true)) results.push(r);
  assert.deepEqual(results, run.steps);
  one.reset();
  assert.equal(one.nextStep, 0);
  assert.deepEqual(one.runStep(0, true), run.steps[0]);
});

test("Encrypt then Decrypt through a Simulator with the blob from the first", () => {
  const sim = Simulator.load(SCENARIO, 7);
  const plaintext = Buffer.from("attack at dawn").toString("base64");
  const enc = sim.call("role/App", "Encrypt", { KeyId: "alias/app", Plaintext: plaintext, EncryptionContext: { tenant: "a" } });
  assert.ok("Ok" in enc.response, JSON.stringify(enc.response));
  const blob = enc.response.Ok.CiphertextBlob;
  assert.equal(typeof blob, "string");
  assert.equal(enc.trace.authorizations[0].decision, "Allow");

  const dec = sim.call({ principal: "role/App" }, "Decrypt", { CiphertextBlob: blob, EncryptionContext: { tenant: "a" } });
  assert.equal(dec.response.Ok.Plaintext, plaintext);
  assert.equal(dec.trace.authorizations.length, 1, "object callers are traced by default");

  const wrongContext = sim.call("role/App", "Decrypt", { CiphertextBlob: blob, EncryptionContext: { tenant: "b" } });
  assert.equal(wrongContext.response.Err.code, "InvalidCiphertextException");
  const intruder = sim.call("role/Intruder", "Decrypt", { CiphertextBlob: blob, EncryptionContext: { tenant: "a" } });
  assert.equal(intruder.response.Err.code, "AccessDeniedException");
  assert.equal(intruder.trace.authorizations[0].decided_by.by, "implicit-deny");

  assert.throws(() => sim.call("role/App", "Encrypts", {}), (e) => e.diagnostics[0].code === "ValidationException");
  assert.throws(() => sim.call({ principal: "role/App", nope: 1 }, "ListKeys", {}), /invalid caller/);
});

test("a bad scenario throws an Error whose diagnostics locate each problem", () => {
  const text = '{\n  "titel": "x",\n  "accounts": { "1234": {} },\n  "steps": [{ "call": "Encrypt", "as": "root" }]\n}';
  assert.throws(
    () => Simulator.load(text, 1),
    (e) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /^scenario has \d+ errors?$/);
      assert.ok(Array.isArray(e.diagnostics) && e.diagnostics.length >= 2, JSON.stringify(e.diagnostics));
      const titel = e.diagnostics.find((d) => d.message.includes("`titel`"));
      assert.deepEqual({ line: titel.span.line, column: titel.span.column }, locate(text, '"titel"'));
      assert.equal(titel.help, "did you mean `title`?");
      const account = e.diagnostics.find((d) => d.message.includes("`1234`"));
      assert.equal(account.span.line, 3);
      return true;
    },
  );
  assert.throws(() => Simulator.load("{", 1), (e) => e.diagnostics[0].span.line === 1);
});

test("save the world, restore it: same decisions, same plaintext, same next ciphertext", () => {
  const sim = Simulator.load(SCENARIO, 1);
  sim.runAll();
  const enc = sim.call("role/App", "Encrypt", { KeyId: "alias/app", Plaintext: { Text: "kept" } });
  const blob = enc.response.Ok.CiphertextBlob;
  const saved = JSON.stringify(sim.world());
  // worldJson() is the same world as text, without building the objects.
  assert.equal(sim.worldJson(), saved);
  assert.equal(typeof JSON.parse(saved).audit.callers[0].userIdentity.type, "string", "the saved log is compact");

  const restored = Simulator.restore(JSON.parse(saved));
  const fromText = Simulator.restore(saved);
  assert.equal(restored.seed(), sim.seed());
  assert.equal(restored.now(), sim.now());
  assert.equal(restored.stepCount, 0);
  assert.throws(() => restored.runAll(), /no steps/);
  assert.deepEqual(restored.audit(), sim.audit());

  for (const who of ["role/App", "role/Intruder"]) {
    const a = sim.call(who, "Decrypt", { CiphertextBlob: blob });
    const b = restored.call(who, "Decrypt", { CiphertextBlob: blob });
    assert.deepEqual(b.response, a.response, who);
    assert.deepEqual(b.trace, a.trace, who);
    const c = fromText.simulate(who, "kms:Decrypt", sim.call("user/admin", "DescribeKey", { KeyId: "alias/app" }).response.Ok.KeyMetadata.Arn);
    assert.equal(c.decision, who === "role/App" ? "Allow" : "ImplicitDeny");
  }
  // The DRBG state is saved too: the next ciphertext is the same in both.
  const next = (s) => s.call("role/App", "Encrypt", { KeyId: "alias/app", Plaintext: { Text: "x" } }).response.Ok.CiphertextBlob;
  const again = Simulator.restore(saved);
  const original = Simulator.restore(saved);
  assert.equal(next(again), next(original));
  assert.throws(() => Simulator.restore({ config: 1 }), (e) => e instanceof Error && /invalid world/.test(e.message));
});

test("no plaintext appears in world() or audit() JSON", () => {
  const sim = Simulator.load(SCENARIO, 3);
  sim.runAll();
  const secret = "the eagle lands at dawn";
  const b64 = Buffer.from(secret).toString("base64");
  const enc = sim.call("role/App", "Encrypt", { KeyId: "alias/app", Plaintext: { Text: secret } });
  sim.call("role/App", "Decrypt", { CiphertextBlob: enc.response.Ok.CiphertextBlob });
  const dk = sim.call("role/App", "GenerateDataKey", { KeyId: "alias/app", KeySpec: "AES_256" });
  const dataKey = dk.response.Ok.Plaintext;
  assert.equal(typeof dataKey, "string");
  const dumps = [JSON.stringify(sim.world()), JSON.stringify(sim.audit())];
  for (const dump of dumps) {
    for (const needle of [secret, b64, dataKey, "aGVsbG8=", "hello"]) {
      assert.ok(!dump.includes(needle), `found ${needle}`);
    }
  }
  // The audit log did record the calls.
  const names = sim.audit().map((r) => r.eventName);
  assert.ok(names.includes("Encrypt") && names.includes("Decrypt") && names.includes("GenerateDataKey"), names.join());
});

test("seeds: a number, a BigInt or a string; random when absent; exact beyond 2^53", () => {
  const noSeed = SCENARIO.replace('"seed": 42,', "");
  assert.notEqual(noSeed, SCENARIO);
  assert.equal(Simulator.load(noSeed, 5).seed(), 5n);
  assert.equal(Simulator.load(noSeed, "6").seed(), 6n);
  const big = 2n ** 63n + 1n;
  const sim = Simulator.load(noSeed, big);
  assert.equal(sim.seed(), big);
  assert.equal(sim.runAll().seed, big.toString(), "beyond 2^53 as a decimal string");
  assert.equal(Simulator.restore(JSON.stringify(sim.world())).seed(), big);
  const a = Simulator.load(noSeed).seed();
  const b = Simulator.load(noSeed).seed();
  assert.ok(a <= 2n ** 53n - 1n && b <= 2n ** 53n - 1n);
  assert.notEqual(a, b, "drawn from the system's randomness");
  assert.throws(() => Simulator.load(noSeed, 1.5), /invalid seed/);
  assert.throws(() => Simulator.load(noSeed, -1), /invalid seed/);
});

test("advance moves the clock and returns service events; the schema describes scenarios", () => {
  const sim = Simulator.load(SCENARIO, 1);
  const before = sim.now();
  assert.deepEqual(sim.advance({ days: 1, hours: 2 }), []);
  assert.equal(Date.parse(sim.now()) - Date.parse(before), 26 * 3600 * 1000);
  assert.throws(() => sim.advance({ weeks: 1 }), /invalid duration/);
  const schema = scenarioSchema();
  assert.ok(schema.properties.steps, Object.keys(schema.properties).join());
});
