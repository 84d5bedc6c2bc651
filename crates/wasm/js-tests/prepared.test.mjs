// Tests of the prepared entry points of the BUILT package: `preparePolicies` / `PreparedPolicies.evaluate` and
// `evaluateJson`, and `Simulator.simulateJson`. Each answer must equal what the unprepared call gives for the same
// input, trace included, in the same key order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { evaluate, preparePolicies, PreparedPolicies, Simulator } = require("../pkg/kmsim.js");

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
