// A small consumer of the built package, type-checked by `tsc --strict --noEmit` (scripts/test-js.sh) so the
// generated declarations stay usable. It is not run.
import {
  evaluate,
  lintPolicy,
  completePolicy,
  hoverPolicy,
  preparePolicies,
  preparePolicy,
  validatePolicy,
  Simulator,
  PreparedPolicies,
  type AuthzTrace,
  type Caller,
  type Completions,
  type Finding,
  type Hover,
  type DecidedBy,
  type Decision,
  type EvaluateOptions,
  type Evaluation,
  type StatementId,
  type KmsimError,
  type Request,
  type SetResult,
  type StepResult,
} from "../pkg/kmsim.js";

const log: unknown[] = [];
const show = (...items: unknown[]): void => void log.push(items);

const policy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "Read", Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }],
});

const result: SetResult = evaluate({
  policies: [{ type: "identity", text: policy, name: "read" }],
  request: {
    principal: { arn: "arn:aws:iam::111122223333:user/alice", kind: "user", account: "111122223333" },
    action: "kms:Decrypt",
    resource: "*",
    context: { "aws:SourceIp": { type: "ip", value: "203.0.113.7" }, "aws:SecureTransport": true },
  },
  trace: true,
});
const deciding: string[] = result.policies.flatMap((p) => p.applied.map((s) => s.sid ?? `#${s.index}`));
const firstLine: number | undefined = result.policies[0]?.trace?.statements[0]?.span.line;

// Parse once, evaluate many: the same answers as `evaluate`, the trace as objects or as JSON text.
const prepared: PreparedPolicies = preparePolicies([{ type: "identity", text: policy, name: "read" }]);
const request: Request = {
  principal: { arn: "arn:aws:iam::111122223333:user/bob", kind: "user" },
  action: "kms:Decrypt",
  resource: "*",
};
const options: EvaluateOptions = { trace: true };
const traced: SetResult = prepared.evaluate(request, options);
const quick: SetResult = prepared.evaluate(request);
const text: string = prepared.evaluateJson(request, { trace: true });
show(traced.decision, quick.policies.length, (JSON.parse(text) as SetResult).decision, prepared.length);
// Many decisions, the full answer made only for the one looked at.
const evaluation: Evaluation = prepared.check(request);
const decision: Decision = evaluation.decision;
const full: SetResult = evaluation.result({ trace: true });
show(decision, evaluation.allowed, full.policies[0]?.trace, evaluation.resultJson().length, evaluation.result().decision);
prepared.free();
const one: PreparedPolicies = preparePolicy(policy, "identity");
show(one.check(request).decision);

const check = validatePolicy(policy, "resource");
if (!check.ok) {
  for (const e of check.errors) show(`${e.span.line}:${e.span.column} ${e.kind} ${e.message}`);
}

// A statement is data ({policy, name, index, sid}); kmsim labels it by its Sid, or `#index` without one.
const label = (s: StatementId): string => s.sid ?? `#${s.index}`;

function explain(d: DecidedBy): string {
  switch (d.by) {
    case "explicit-deny":
      return `denied by ${d.statement.policy} ${d.statement.name} ${label(d.statement)}`;
    case "key-policy":
      return `key policy ${label(d.statement)}`;
    case "key-policy-and-identity":
      return `${label(d.key_policy)} + ${d.identity ? `${d.identity.name}/${label(d.identity)}` : "(root user)"}`;
    case "identity":
      return d.statement ? `${d.statement.name}/${label(d.statement)}` : "(root user)";
    case "grant":
      return `grant ${d.grant_id}`;
    case "implicit-deny":
      return `nothing allows (${d.missing})`;
  }
}

function load(text: string): Simulator | KmsimError {
  try {
    return Simulator.load(text, 42n);
  } catch (e) {
    return e as KmsimError;
  }
}

const sim = load("{}");
if (sim instanceof Simulator) {
  const caller: Caller = { principal: "role/App", source_ip: "198.51.100.1", session_tags: { team: "blue" } };
  const enc = sim.call(caller, "Encrypt", { KeyId: "alias/app", Plaintext: "aGk=" });
  if ("Ok" in enc.response) {
    const blob = enc.response.Ok["CiphertextBlob"];
    show(typeof blob === "string" ? blob.length : 0);
  } else {
    show(enc.response.Err.code, enc.response.Err.message);
  }
  const traces: AuthzTrace[] = enc.trace.authorizations;
  const asked: string = sim.simulateJson("role/App", "kms:Decrypt", "alias/app", { purpose: "test" });
  show((JSON.parse(asked) as AuthzTrace).decided_by.by);
  show(traces.map((t) => explain(t.decided_by)).join("\n"));
  const step: StepResult | undefined = sim.step(true);
  show(step?.summary, sim.stepCount, sim.nextStep, sim.now());
  const events = sim.advance({ days: 30 });
  show(events.map((e) => e.eventName), sim.audit().length);
  const saved: string = JSON.stringify(sim.world());
  const again = Simulator.restore(saved);
  const seed: bigint = again.seed();
  show(seed, Simulator.load("{}").seed());
} else {
  for (const d of sim.diagnostics) show(d.message, d.span?.line, d.span?.column, d.help);
}
show(deciding, firstLine);

const findings: Finding[] = lintPolicy(policy, "identity");
for (const f of findings) {
  show(f.code, f.severity, f.location.line, f.fix?.replacement ?? "");
}
const completions: Completions | null = completePolicy('{"Action": "kms:Enc', 18);
show(completions?.items.map((i) => i.label) ?? []);
const hover: Hover | null = hoverPolicy(policy, 10);
show(hover?.title ?? "");
