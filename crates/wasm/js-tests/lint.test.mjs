// Tests of the BUILT package's policy-editor functions (lintPolicy, completePolicy, hoverPolicy): run by
// scripts/test-js.sh with `node --test crates/wasm/js-tests/`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { lintPolicy, completePolicy, hoverPolicy } = require("../pkg/kmsim.js");

const KEY_POLICY = JSON.stringify(
  {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111122223333:root" },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "App",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111122223333:role/App" },
        Action: ["kms:Encrpyt", "kms:Decrypt"],
        Resource: "*",
      },
    ],
  },
  null,
  2,
);

test("lintPolicy finds a misspelt action with a fix that works", () => {
  const findings = lintPolicy(KEY_POLICY, "resource");
  assert.deepEqual(
    findings.map((f) => f.code),
    ["KMS101-unknown-action"],
  );
  const [f] = findings;
  assert.equal(f.severity, "error");
  assert.equal(f.message, "`kms:Encrpyt` is not a KMS action");
  assert.equal(f.help, "did you mean `kms:Encrypt`?");
  assert.equal(f.location.path, "/Statement/1/Action/0");
  const line = KEY_POLICY.split("\n").findIndex((l) => l.includes("kms:Encrpyt")) + 1;
  assert.equal(f.location.line, line);
  // ASCII text: byte offsets are string indices.
  const { offset, len } = f.fix.span;
  assert.equal(KEY_POLICY.slice(offset, offset + len), '"kms:Encrpyt"');
  const fixed = KEY_POLICY.slice(0, offset) + f.fix.replacement + KEY_POLICY.slice(offset + len);
  assert.deepEqual(lintPolicy(fixed, "resource"), []);
});

test("lintPolicy reports a policy AWS rejects and throws only for an unknown type", () => {
  const findings = lintPolicy('{"Version": "2012-10-17", "Statement": [', "identity");
  assert.ok(findings.length > 0);
  assert.ok(findings.every((f) => f.code === "KMS001-invalid-policy"));
  assert.throws(() => lintPolicy(KEY_POLICY, "key"), /unknown policy type `key`/);
  assert.throws(() => lintPolicy(42, "resource"), /policy text/);
});

test("completePolicy offers kms:Encrypt for kms:Enc and keys in a condition block", () => {
  const text = '{"Statement": [{"Action": ["kms:Enc';
  const c = completePolicy(text, text.length);
  assert.equal(c.from, text.length - "kms:Enc".length);
  assert.equal(c.to, text.length);
  assert.deepEqual(
    c.items.map((i) => i.label),
    ["kms:Encrypt"],
  );
  const cond = '{"Statement": {"Condition": {"StringEquals": {"kms:CallerAcc';
  assert.equal(completePolicy(cond, cond.length).items[0].label, "kms:CallerAccount");
  assert.equal(completePolicy("{}", 1), null);
});

test("hoverPolicy documents kms:ViaService", () => {
  const text = '{"Condition": {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}';
  const h = hoverPolicy(text, text.indexOf("kms:Via") + 3);
  assert.equal(h.title, "kms:ViaService");
  assert.match(h.text, /Type: String \(single-valued\)/);
  assert.match(h.doc_url, /conditions-kms\.html#conditions-kms-via-service$/);
  assert.equal(hoverPolicy(text, 0), null);
});
