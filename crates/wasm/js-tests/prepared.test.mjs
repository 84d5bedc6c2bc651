// Tests of the prepared entry points of the BUILT package: `preparePolicies` / `preparePolicy`,
// `PreparedPolicies.evaluate`, `evaluateJson` and `check` (an `Evaluation` whose full answer is made when asked for),
// and `Simulator.simulateJson`. Each answer must equal what the unprepared call gives for the same input, trace
// included, in the same key order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { evaluate, preparePolicies, preparePolicy, PreparedPolicies, Simulator } = require("../pkg/kmsim.js");

const ACCOUNT = "111122223333";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const principal = (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, kind: "role", account: ACCOUNT });
const KEY_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Sid: "Root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
    {
      Sid: "UseViaS3",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    },
    {
      Sid: "NoMfaNoDelete",
      Effect: "Deny",
      Principal: "*",
      Action: "kms:ScheduleKeyDeletion",
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    },
  ],
});
const POLICIES = [{ type: "resource", text: KEY_POLICY, name: "key" }];
const REQUESTS = [
  { principal: principal("App"), action: "kms:Decrypt", resource: KEY, context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
  { principal: principal("App"), action: "kms:Decrypt", resource: KEY, context: { "kms:ViaService": "ec2.us-east-1.amazonaws.com" } },
  { principal: principal("Admin"), action: "kms:ScheduleKeyDeletion", resource: KEY, context: { "aws:MultiFactorAuthPresent": false } },
  { principal: principal("Admin"), action: "kms:Encrypt", resource: KEY },
  { principal: { arn: "arn:aws:iam::444455556666:role/Other", kind: "role", account: "444455556666" }, action: "kms:Decrypt", resource: KEY },
];

test("PreparedPolicies.evaluate equals evaluate for every request, with and without the trace", () => {
  const prepared = preparePolicies(POLICIES);
  assert.ok(prepared instanceof PreparedPolicies);
  assert.equal(prepared.length, 1);
  const decisions = new Set();
  for (const request of REQUESTS) {
    for (const trace of [false, true]) {
      const want = evaluate({ policies: POLICIES, request, trace });
      const have = prepared.evaluate(request, { trace });
      assert.deepStrictEqual(have, want);
      // The same keys in the same order: the JSON text is what JSON.stringify writes for `evaluate`'s answer.
      assert.equal(prepared.evaluateJson(request, { trace }), JSON.stringify(want));
      assert.equal(have.policies[0].trace !== undefined, trace, "a trace only when asked");
      decisions.add(have.decision);
    }
    assert.deepStrictEqual(prepared.evaluate(request), evaluate({ policies: POLICIES, request }), "trace off by default");
  }
  assert.deepStrictEqual([...decisions].sort(), ["Allow", "ExplicitDeny", "ImplicitDeny"]);
  // Evaluating leaves the prepared policies as they were.
  assert.deepStrictEqual(prepared.evaluate(REQUESTS[0], { trace: true }), evaluate({ policies: POLICIES, request: REQUESTS[0], trace: true }));
});

test("preparePolicies throws as evaluate does: an Error whose diagnostics name each bad policy", () => {
  const bad = [POLICIES[0], { type: "resource", text: "{\n  \"Version\": 1\n}" }, { type: "resource", text: "[" }];
  let want;
  try {
    evaluate({ policies: bad, request: REQUESTS[0] });
  } catch (e) {
    want = e;
  }
  assert.ok(want instanceof Error);
  assert.throws(
    () => preparePolicies(bad),
    (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, want.message);
      assert.match(e.message, /^policies have \d+ errors$/);
      assert.deepStrictEqual(e.diagnostics, want.diagnostics);
      assert.deepStrictEqual([...new Set(e.diagnostics.map((d) => d.policy))], [1, 2]);
      assert.ok(e.diagnostics.every((d) => d.span.line >= 1 && typeof d.kind === "string"));
      return true;
    },
  );
  assert.throws(() => preparePolicies({ type: "resource" }), (e) => e instanceof Error && /^invalid policies: /.test(e.message) && e.diagnostics.length === 1);
  assert.throws(() => preparePolicies([{ type: "Resource", text: KEY_POLICY }]), /^Error: invalid policies: unknown variant `Resource`/);
});

test("PreparedPolicies.evaluate throws an Error with diagnostics for a bad request or options, and stays usable", () => {
  const prepared = preparePolicies(POLICIES);
  const cases = [
    [() => prepared.evaluate({ action: "kms:Decrypt", resource: KEY }), /^invalid request: missing field `principal`/],
    [() => prepared.evaluateJson("kms:Decrypt"), /^invalid request: /],
    [() => prepared.evaluate(REQUESTS[0], { trace: "yes" }), /^invalid options: /],
    [() => prepared.evaluate(REQUESTS[0], { trace: true, verbose: true }), /^invalid options: unknown field `verbose`/],
  ];
  const cyclic = { ...REQUESTS[0] };
  cyclic.context = { self: cyclic };
  cases.push([() => prepared.evaluate(cyclic), /^invalid request: .*a cycle/]);
  const getter = { ...REQUESTS[0] };
  Object.defineProperty(getter, "action", { enumerable: true, get: () => { throw new Error("boom"); } });
  cases.push([() => prepared.evaluate(getter), /boom/]);
  for (const [call, message] of cases) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof Error, String(e));
      assert.match(e.message, message);
      assert.ok(Array.isArray(e.diagnostics) && e.diagnostics.length >= 1 && e.diagnostics[0].message === e.message);
      return true;
    });
  }
  assert.deepStrictEqual(prepared.evaluate(REQUESTS[0], { trace: true }), evaluate({ policies: POLICIES, request: REQUESTS[0], trace: true }));
});

test("Simulator.simulateJson is simulate's answer as JSON text, trace included", () => {
  const scenario = {
    seed: 1,
    accounts: { [ACCOUNT]: { roles: { App: {}, Admin: {} } } },
    keys: { k: { key_id: KEY.split("/")[1], policy: JSON.parse(KEY_POLICY) } },
    steps: [],
  };
  const sim = Simulator.load(JSON.stringify(scenario));
  const ec = { "aws:s3:arn": "arn:aws:s3:::bucket" };
  const outcomes = new Set();
  for (const [caller, action] of [["role/App", "kms:Decrypt"], ["role/Admin", "kms:ScheduleKeyDeletion"], ["role/App", "Encrypt"]]) {
    const want = sim.simulate(caller, action, KEY, ec);
    const text = sim.simulateJson(caller, action, KEY, ec);
    assert.equal(typeof text, "string");
    assert.equal(text, JSON.stringify(want));
    assert.deepStrictEqual(JSON.parse(text), want);
    assert.equal(sim.simulateJson(caller, action, KEY), JSON.stringify(sim.simulate(caller, action, KEY)));
    outcomes.add(JSON.stringify(want).length > 1000);
  }
  assert.deepStrictEqual([...outcomes], [true], "every answer carries the full trace");
  assert.throws(() => sim.simulateJson(42, "kms:Decrypt", KEY), (e) => e instanceof Error && /^invalid caller/.test(e.message) && e.diagnostics.length === 1);
  assert.throws(() => sim.simulateJson("role/App", "kms:Decrypt", KEY, { a: 1 }), (e) => e instanceof Error && /^invalid encryption context/.test(e.message));
});

// Requests of every form: plain ones (read fast, from their JSON text) and ones only the careful conversion reads (a
// float, a Map, `undefined` members, a typed value, a class instance), each with what `evaluate` answers.
class Ctx {
  constructor() {
    this["kms:ViaService"] = "s3.us-east-1.amazonaws.com";
  }
}
const MORE = [
  ...REQUESTS,
  { principal: principal("App"), action: "kms:Decrypt", resource: KEY, context: { "kms:ViaService": "s3.us-east-1.amazonaws.com", n: 2.5 } },
  { principal: principal("App"), action: "kms:Decrypt", resource: KEY, context: new Map([["kms:ViaService", "s3.us-east-1.amazonaws.com"]]) },
  { principal: { ...principal("App"), role_arn: undefined }, action: "kms:Decrypt", resource: KEY, context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
  { principal: principal("App"), action: "kms:Decrypt", resource: KEY, context: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "aws:SourceIp": { type: "ip", value: "10.0.0.1" } } },
  { principal: principal("App"), action: "kms:Decrypt", resource: KEY, context: new Ctx() },
  { principal: principal("Admin"), action: "kms:ScheduleKeyDeletion", resource: KEY, context: { "aws:MultiFactorAuthPresent": [false], "AWS:multifactorauthpresent": true } },
  JSON.parse(JSON.stringify({ principal: principal("App"), action: "kms:GenerateDataKey", resource: KEY, context: { "kms:ViaService": "s3.us-east-1.amazonaws.com", k: ["a", 1, true] } })),
];

// The same request as objects whose prototype is not `Object.prototype`: the binding then reads it member by member
// (the careful conversion), never from JSON text, so it is an independent reading of the same data.
const ODD = Object.create(Object.prototype);
function slowTwin(v) {
  if (Array.isArray(v)) return v.map(slowTwin);
  if (v === null || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return v;
  const copy = Object.create(ODD);
  for (const [k, x] of Object.entries(v)) copy[k] = slowTwin(x);
  return copy;
}
const DECISIONS = ["Allow", "ImplicitDeny", "ExplicitDeny", "ImplicitDeny", "ImplicitDeny", "Allow", "Allow", "Allow", "Allow", "Allow", "ExplicitDeny", "Allow"];

test("PreparedPolicies.check: its decision, result() and resultJson() equal evaluate's answer for every request", () => {
  const prepared = preparePolicies(POLICIES);
  const decisions = new Set();
  assert.equal(MORE.length, DECISIONS.length);
  MORE.forEach((request, i) => {
    // `evaluate` of the request read the careful way: `check` reads most of these from JSON text.
    const one = (trace) => evaluate({ policies: POLICIES, request: slowTwin(request), trace });
    assert.equal(one(false).decision, DECISIONS[i], `request ${i}`);
    const evaluation = prepared.check(request);
    assert.equal(evaluation.decision, one(false).decision);
    assert.equal(evaluation.allowed, evaluation.decision === "Allow");
    for (const trace of [false, true]) {
      const want = one(trace);
      assert.deepStrictEqual(evaluation.result({ trace }), want);
      assert.equal(evaluation.resultJson({ trace }), JSON.stringify(want));
      assert.equal(evaluation.result({ trace }).policies[0].trace !== undefined, trace, "a trace only when asked");
    }
    assert.deepStrictEqual(evaluation.result(), one(false), "trace off by default");
    assert.deepStrictEqual(prepared.evaluate(request, { trace: true }), one(true), "evaluate reads it as check does");
    decisions.add(evaluation.decision);
  });
  assert.deepStrictEqual([...decisions].sort(), ["Allow", "ExplicitDeny", "ImplicitDeny"]);
});

test("an Evaluation answers for the request as it was when checked, and is immutable", () => {
  const prepared = preparePolicies(POLICIES);
  for (const request of [MORE[0], MORE[5], MORE[6]]) {
    const copy = { ...request, principal: { ...request.principal } };
    const want = evaluate({ policies: POLICIES, request: copy, trace: true });
    const evaluation = prepared.check(copy);
    copy.action = "kms:Encrypt";
    copy.principal.arn = "arn:aws:iam::444455556666:role/Other";
    assert.deepStrictEqual(evaluation.result({ trace: true }), want);
    assert.throws(() => { "use strict"; evaluation.decision = "Allow"; }, TypeError);
    assert.equal(evaluation.decision, want.decision);
  }
});

test("check throws as evaluate does for a bad request, and result() for bad options", () => {
  const prepared = preparePolicies(POLICIES);
  const cyclic = { ...REQUESTS[0] };
  cyclic.context = { self: cyclic };
  const deep = { ...REQUESTS[0], context: { k: [] } };
  let inner = deep.context.k;
  for (let i = 0; i < 100; i++) inner = inner[0] = [];
  const throwing = { ...REQUESTS[0] };
  Object.defineProperty(throwing, "action", { enumerable: true, get: () => { throw new Error("boom"); } });
  const bad = [
    [{ action: "kms:Decrypt", resource: KEY }, /^invalid request: missing field `principal`$/],
    ["kms:Decrypt", /^invalid request: /],
    [{ ...REQUESTS[0], contxt: {} }, /^invalid request: unknown field `contxt` at `\/contxt`/],
    [{ ...REQUESTS[0], context: null }, /^invalid request: .* at `\/context`/],
    [{ ...REQUESTS[0], context: { k: () => 1 } }, /^invalid request: `\/context\/k` is a function, not JSON data$/],
    [{ ...REQUESTS[0], context: { k: 10n ** 30n } }, /^invalid request: `\/context\/k` is a BigInt outside the 64-bit range$/],
    [{ ...REQUESTS[0], principal: { ...REQUESTS[0].principal, kind: "Role" } }, /^invalid request: unknown variant `Role`/],
    [{ ...REQUESTS[0], context: { "kms:ViaService": undefined } }, /^invalid request: the value has none of the accepted forms/],
    [{ ...REQUESTS[0], context: undefined }, /^invalid request: .* at `\/context`/],
    [cyclic, /^invalid request: `\/context\/self` refers back to an enclosing object \(a cycle\)$/],
    [deep, /^invalid request: nested deeper than 64 levels$/],
    [throwing, /^invalid request: reading `\/action` threw: boom$/],
  ];
  for (const [request, message] of bad) {
    assert.throws(() => evaluate({ policies: POLICIES, request }), Error, "evaluate rejects it too");
    let want;
    try {
      prepared.evaluate(request);
    } catch (e) {
      want = e;
    }
    assert.throws(() => prepared.check(request), (e) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, message);
      assert.equal(e.message, want.message, "as evaluate says");
      assert.deepStrictEqual(e.diagnostics, want.diagnostics);
      assert.ok(Array.isArray(e.diagnostics) && e.diagnostics[0].message === e.message);
      return true;
    });
  }
  const evaluation = prepared.check(REQUESTS[0]);
  assert.throws(() => evaluation.result({ trace: "yes" }), /^Error: invalid options: /);
  assert.throws(() => evaluation.resultJson({ trace: true, verbose: true }), /^Error: invalid options: unknown field `verbose`/);
  assert.deepStrictEqual(evaluation.result({ trace: true }), evaluate({ policies: POLICIES, request: REQUESTS[0], trace: true }));
});

test("freed handles throw an Error, never trap; an Evaluation outlives its PreparedPolicies", () => {
  const prepared = preparePolicies(POLICIES);
  const evaluations = MORE.map((r) => prepared.check(r));
  prepared.free();
  for (const call of [() => prepared.evaluate(REQUESTS[0]), () => prepared.evaluateJson(REQUESTS[0]), () => prepared.check(REQUESTS[0]), () => prepared.length, () => prepared.free()]) {
    assert.throws(call, (e) => e instanceof Error && /null pointer passed to rust/.test(e.message));
  }
  MORE.forEach((request, i) => {
    assert.deepStrictEqual(evaluations[i].result({ trace: true }), evaluate({ policies: POLICIES, request, trace: true }));
  });
  const sim = Simulator.load(JSON.stringify({ seed: 1, steps: [] }));
  sim.free();
  assert.throws(() => sim.now(), (e) => e instanceof Error && /null pointer passed to rust/.test(e.message));
  // The instance is unharmed: new handles work.
  assert.equal(preparePolicies(POLICIES).check(REQUESTS[0]).decision, "Allow");
});

test("preparePolicy(text, type) is preparePolicies([{ type, text }])", () => {
  const one = preparePolicy(KEY_POLICY, "resource");
  assert.ok(one instanceof PreparedPolicies);
  assert.equal(one.length, 1);
  for (const request of MORE) {
    assert.deepStrictEqual(one.evaluate(request, { trace: true }), evaluate({ policies: POLICIES, request, trace: true }));
  }
  assert.throws(() => preparePolicy("{", "resource"), (e) => e instanceof Error && e.message === "policies have 1 error" && e.diagnostics[0].policy === 0);
  assert.throws(() => preparePolicy(KEY_POLICY, "Resource"), /^Error: unknown policy type `Resource`/);
  assert.throws(() => preparePolicy(5, "resource"), /^Error: invalid policy text: expected a string, found a number/);
});

test("numbers are read exactly: a float that serde_json's default reader rounds wrongly decides as written", () => {
  // 0.00043080333908418635 read from text by serde_json (without float_roundtrip) is one unit in the last place off.
  const n = 0.00043080333908418635;
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*",
    Condition: { NumericEquals: { "aws:n": "0.00043080333908418635" } } }] });
  const prepared = preparePolicy(policy, "identity");
  const request = { principal: principal("App"), action: "kms:Decrypt", resource: KEY, context: { "aws:n": n } };
  assert.equal(prepared.check(request).decision, "Allow");
  assert.equal(prepared.evaluate(request).decision, "Allow");
  assert.equal(evaluate({ policies: [{ type: "identity", text: policy }], request }).decision, "Allow");
  assert.equal(prepared.check({ ...request, context: { "aws:n": 0.0004308033390841863 } }).decision, "ImplicitDeny");
});
