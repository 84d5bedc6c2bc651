// Bad JS values never kill the module instance nor poison a Simulator (issue 10, items 1 and 2). Every class of bad
// argument goes to ONE module instance and ONE Simulator, in this order; afterwards both still work and the world is
// exactly what it was before. Run by scripts/test-js.sh (`node --test crates/wasm/js-tests/`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const km = require("../pkg/kmsim.js");
const { evaluate, validatePolicy, Simulator } = km;

const ACCOUNT = "111122223333";
const ALLOW_ALL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };
const SCENARIO = JSON.stringify({
  seed: 3,
  accounts: { [ACCOUNT]: { users: { admin: { policies: { all: ALLOW_ALL } } } } },
  keys: { app: { aliases: ["alias/app"] } },
  steps: [{ name: "enc", call: "Encrypt", as: "user/admin", params: { KeyId: "alias/app", Plaintext: { Text: "hi" } } }],
});
const REQUEST = {
  principal: { arn: `arn:aws:iam::${ACCOUNT}:user/admin`, kind: "user" },
  action: "kms:Encrypt",
  resource: "*",
};
const POLICIES = [{ type: "identity", text: JSON.stringify(ALLOW_ALL) }];

/** An object that contains itself. */
function cyclic() {
  const o = { a: { b: [1] } };
  o.a.b.push(o);
  return o;
}

/** `{ a: { a: ... } }`, `levels` deep. */
function deep(levels) {
  let o = {};
  for (let i = 0; i < levels; i++) o = { a: o };
  return o;
}

/** An object whose `field` getter throws. */
function throwing(field) {
  return Object.defineProperty({}, field, { enumerable: true, get: () => { throw new Error("boom from a getter"); } });
}

/** A Proxy whose every trap throws. */
function hostileProxy() {
  const trap = () => { throw new Error("boom from a proxy"); };
  return new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap, getPrototypeOf: trap });
}

function revoked() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Asserts `f` throws a plain JS Error (not a wasm trap) whose message matches `pattern`, with `diagnostics`. */
function rejects(label, f, pattern) {
  let thrown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `${label}: did not throw`);
  assert.ok(!(thrown instanceof WebAssembly.RuntimeError), `${label}: the wasm instance trapped: ${thrown}`);
  assert.ok(thrown instanceof Error, `${label}: threw a non-Error: ${thrown}`);
  assert.match(thrown.message, pattern, label);
  assert.ok(Array.isArray(thrown.diagnostics) && thrown.diagnostics.length > 0, `${label}: no diagnostics`);
}

test("every bad argument is an Error, and the module and the Simulator work afterwards with the world unchanged", () => {
  const sim = Simulator.load(SCENARIO);
  sim.runAll(false);
  const before = JSON.stringify(sim.world());
  const auditBefore = sim.audit().length;
  const at = (where, value) => {
    const params = { KeyId: "alias/app", Plaintext: { Text: "x" } };
    return where === "params" ? { ...params, EncryptionContext: value } : params;
  };

  const bad = {
    cycle: [cyclic(), /refers back to an enclosing object/],
    deep: [deep(4000), /nested deeper than 64 levels/],
    getter: [throwing("Text"), /reading `\/?[^`]*Text` threw: boom from a getter/],
    proxy: [hostileProxy(), /threw: boom from a proxy/],
    revoked: [revoked(), /threw/],
    func: [() => 1, /is a function, not JSON data/],
  };
  for (const [name, [value, pattern]] of Object.entries(bad)) {
    rejects(`evaluate ${name}`, () => evaluate({ policies: POLICIES, request: { ...REQUEST, context: value } }), pattern);
    rejects(`evaluate input ${name}`, () => evaluate(value), pattern);
    rejects(`call caller ${name}`, () => sim.call(value, "Encrypt", at("", null)), pattern);
    rejects(`call params ${name}`, () => sim.call("user/admin", "Encrypt", value), pattern);
    rejects(`call nested params ${name}`, () => sim.call("user/admin", "Encrypt", at("params", value)), pattern);
    rejects(`simulate caller ${name}`, () => sim.simulate(value, "kms:Encrypt", "*"), pattern);
    rejects(`simulate context ${name}`, () => sim.simulate("user/admin", "kms:Encrypt", "*", value), pattern);
    rejects(`advance ${name}`, () => sim.advance(value), pattern);
    rejects(`restore ${name}`, () => Simulator.restore(value), pattern);
    rejects(`load seed ${name}`, () => Simulator.load(SCENARIO, value), pattern);
  }

  // A value of the wrong type where a string is expected.
  rejects("validatePolicy text", () => validatePolicy(5, "identity"), /invalid policy text: expected a string, found a number/);
  rejects("validatePolicy type", () => validatePolicy("{}", 5), /invalid policy type: expected a string, found a number/);
  rejects("load a parsed scenario", () => Simulator.load(JSON.parse(SCENARIO)), /invalid scenario: expected .*a string.*, found an object/);
  rejects("load a number", () => Simulator.load(5), /invalid scenario: expected .*, found a number/);
  rejects("call operation", () => sim.call("user/admin", 5, {}), /invalid operation: expected a string, found a number/);
  rejects("call operation getter", () => sim.call("user/admin", throwing("x"), {}), /invalid operation: expected a string, found an object/);
  rejects("simulate action", () => sim.simulate("user/admin", 5, "*"), /invalid action: expected a string, found a number/);
  rejects("simulate resource", () => sim.simulate("user/admin", "kms:Encrypt", null), /invalid resource: expected a string, found null/);
  rejects("restore a number", () => Simulator.restore(5), /invalid world/);
  rejects("step index", () => sim.runStep(-1), /step/);

  // The Simulator still answers, from the same world.
  assert.equal(JSON.stringify(sim.world()), before, "the world changed");
  assert.equal(sim.audit().length, auditBefore, "a rejected request was audited");
  assert.equal(sim.call("user/admin", "Encrypt", at("", null)).response.Ok.KeyId.startsWith("arn:aws:kms:"), true);
  assert.equal(sim.simulate("user/admin", "kms:Encrypt", "*").decision, "Allow");
  // And the module instance: a fresh Simulator, evaluate and validatePolicy.
  assert.equal(Simulator.load(SCENARIO).runAll(false).passed, true);
  assert.equal(evaluate({ policies: POLICIES, request: REQUEST }).decision, "Allow");
  assert.deepEqual(validatePolicy(POLICIES[0].text, "identity"), { ok: true });
});

test("values at the depth limit and ordinary JS values still convert", () => {
  const sim = Simulator.load(SCENARIO);
  // 60 levels of nesting inside the parameters convert (the limit is 64); the parameters are then refused for
  // what they are (an encryption context that is not a map of strings).
  assert.throws(
    () => sim.call("user/admin", "Encrypt", { KeyId: "alias/app", Plaintext: { Text: "x" }, EncryptionContext: deep(60) }),
    (e) => e instanceof Error && !/deeper/.test(e.message) && /^invalid Encrypt parameters/.test(e.message),
  );
  // A shared (not cyclic) object appears twice: fine.
  const shared = { tenant: "a" };
  const ok = sim.call("user/admin", "Encrypt", { KeyId: "alias/app", Plaintext: { Text: "x" }, EncryptionContext: shared });
  assert.ok(ok.response.Ok, JSON.stringify(ok.response));
  assert.equal(sim.simulate({ principal: "user/admin", trace: false }, "kms:Decrypt", "*", shared).decision, "Allow");
  assert.equal(Simulator.load(SCENARIO, 2n ** 64n - 1n).seed(), 3n, "the file's seed wins over a BigInt one");
});
