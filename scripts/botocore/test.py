#!/usr/bin/env python3
"""The botocore test: kmsim's KMS API against botocore's model of it (run by scripts/botocore/test.sh, inside a
virtual environment with the botocore release crates/kms/src/model/data.rs was generated from).

Checks, each printed:
 1. crates/kms/src/model/data.rs is what scripts/botocore/kms_model.py makes of the installed botocore's model.
 2. Every request member of the model is accepted by each implemented operation: a generated scenario calls each
    one with every member of its input shape; `kmsim run` must load it (an unknown member is a load error).
 3. Every response of a scenario that calls every implemented operation (with every member kmsim honours) parses
    with botocore's parser against the operation's output shape, and conforms to it strictly: no member the shape
    lacks, every value of the member's type (and of its enum). Error responses parse as errors, with a code the
    operation declares or one of the common ones.
 4. The coverage table (model operations, implemented or not yet) is printed and must equal docs/API-COVERAGE.md
    (`--write` regenerates it).

    python3 scripts/botocore/test.py [--kmsim target/debug/kmsim] [--write]
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kms_model  # noqa: E402

import botocore  # noqa: E402
import botocore.parsers  # noqa: E402
import botocore.session  # noqa: E402

ROOT = kms_model.ROOT
COVERAGE = os.path.join(ROOT, "docs", "API-COVERAGE.md")
COMMON_ERRORS = {"AccessDeniedException", "ValidationException", "ThrottlingException", "UnrecognizedClientException"}
ADMIN = "user/admin"
failures = []


def fail(msg):
    failures.append(msg)
    print("  FAIL " + msg)


def sample(model, shape_name, depth=0):
    """A value of a shape that satisfies its constraints."""
    s = model["shapes"][shape_name]
    t = s["type"]
    if t == "string":
        if "enum" in s:
            return s["enum"][0]
        p = s.get("pattern", "")
        if p.startswith("^arn:"):
            return "arn:aws:logs:us-east-1:111122223333:log-group:x"
        if "A-Za-z0-9\\-]+)\\." in p:
            return "logs.us-east-1.amazonaws.com"
        return "x" * max(1, s.get("min", 1))
    if t == "blob":
        return base64.b64encode(b"x").decode()
    if t in ("integer", "long"):
        return s.get("min", 1)
    if t == "boolean":
        return False
    if t == "timestamp":
        return 0
    if t == "list":
        return [sample(model, s["member"]["shape"], depth + 1)]
    if t == "map":
        return {"k": "v"}
    return {n: sample(model, m["shape"], depth + 1) for n, m in s.get("members", {}).items()}


def run_scenario(kmsim, scenario):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(scenario, f, indent=1)
        path = f.name
    p = subprocess.run([kmsim, "run", "--format", "json", "--seed", "7", path], capture_output=True, text=True)
    os.unlink(path)
    try:
        return p.returncode, json.loads(p.stdout)
    except json.JSONDecodeError:
        return p.returncode, {"message": p.stdout + p.stderr}


ACCOUNTS = {
    "111122223333": {
        "users": {
            "admin": {"policies": {"all": {"Version": "2012-10-17",
                                           "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}},
            "alice": {},
        }
    }
}


def check_members(model, kmsim, implemented):
    print("==> 2. every request member of the model is accepted by each implemented operation")
    steps = []
    count = 0
    for op in implemented:
        inp = model["operations"][op]["input"]["shape"]
        params = sample(model, inp)
        count += len(params)
        steps.append({"call": op, "as": ADMIN, "params": params})
    code, out = run_scenario(kmsim, {"title": "every member", "accounts": ACCOUNTS, "steps": steps})
    if "steps" not in out:
        fail(f"the scenario calling every member does not load (exit {code}): {json.dumps(out)[:2000]}")
        return
    ran = [s for s in out["steps"] if "call" in s]
    if len(ran) != len(steps):
        fail(f"{len(ran)} of {len(steps)} calls ran")
    for s, step in zip(ran, steps):
        err = s["call"]["response"].get("Err")
        if err and ("unknown field" in err["message"] or "invalid" in err["message"] and "parameters" in err["message"]):
            fail(f"{step['call']}: {err['message']}")
    print(f"  {count} members of {len(implemented)} operations accepted")


def responses_scenario():
    """Every implemented operation, with every member kmsim honours (names: the step's operation)."""
    key = {"$ref": "k.KeyMetadata.Arn"}
    key2 = {"$ref": "k2.KeyMetadata.Arn"}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "kms:*", "Resource": "*"}]})
    ec = {"app": "test"}
    token = [{"$ref": "g.GrantToken"}]
    s = [
        ("k", "CreateKey", {"Policy": policy, "Description": "d", "KeyUsage": "ENCRYPT_DECRYPT",
                            "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS", "BypassPolicyLockoutSafetyCheck": True,
                            "Tags": [{"TagKey": "t", "TagValue": "v"}], "MultiRegion": False}),
        ("k2", "CreateKey", {"CustomerMasterKeySpec": "SYMMETRIC_DEFAULT"}),
        (None, "CreateKey", {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
        (None, "CreateKey", {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
        (None, "CreateKey", {"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"}),
        (None, "CreateKey", {"KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"}),
        (None, "CreateKey", {"KeySpec": "ML_DSA_44", "KeyUsage": "SIGN_VERIFY"}),
        (None, "CreateKey", {"MultiRegion": True}),
        (None, "CreateKey", {"Origin": "EXTERNAL"}),
        ("g", "CreateGrant", {"KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:user/alice",
                              "RetiringPrincipal": "arn:aws:iam::111122223333:user/admin",
                              "Operations": ["Encrypt", "Decrypt", "GenerateDataKey"],
                              "Constraints": {"EncryptionContextSubset": ec}, "Name": "named", "DryRun": False}),
        ("g2", "CreateGrant", {"KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:user/alice",
                               "Operations": ["Decrypt"], "GrantTokens": token}),
        (None, "DescribeKey", {"KeyId": key, "GrantTokens": token}),
        (None, "ListKeys", {"Limit": 2, "ResourceOwners": ["SELF"]}),
        (None, "ListKeys", {"Limit": 2, "Marker": "2"}),
        (None, "UpdateKeyDescription", {"KeyId": key, "Description": "updated"}),
        (None, "DisableKey", {"KeyId": key2}),
        (None, "EnableKey", {"KeyId": key2}),
        (None, "GetKeyPolicy", {"KeyId": key, "PolicyName": "default"}),
        (None, "PutKeyPolicy", {"KeyId": key, "Policy": policy, "PolicyName": "default",
                                "BypassPolicyLockoutSafetyCheck": False}),
        (None, "ListKeyPolicies", {"KeyId": key, "Limit": 10}),
        (None, "CreateAlias", {"AliasName": "alias/test", "TargetKeyId": key}),
        (None, "UpdateAlias", {"AliasName": "alias/test", "TargetKeyId": key2}),
        (None, "ListAliases", {"KeyId": key2, "Limit": 10}),
        (None, "ListAliases", {}),
        (None, "DeleteAlias", {"AliasName": "alias/test"}),
        (None, "TagResource", {"KeyId": key, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        (None, "UntagResource", {"KeyId": key, "TagKeys": ["a"]}),
        (None, "ListResourceTags", {"KeyId": key, "Limit": 10}),
        (None, "EnableKeyRotation", {"KeyId": key, "RotationPeriodInDays": 90}),
        (None, "GetKeyRotationStatus", {"KeyId": key}),
        (None, "RotateKeyOnDemand", {"KeyId": key}),
        (None, "ListKeyRotations", {"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL", "Limit": 10}),
        (None, "DisableKeyRotation", {"KeyId": key}),
        ("ct", "Encrypt", {"KeyId": key, "Plaintext": {"Text": "hello"}, "EncryptionContext": ec, "GrantTokens": token,
                           "EncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DryRun": False}),
        (None, "Decrypt", {"CiphertextBlob": {"$ref": "ct.CiphertextBlob"}, "KeyId": key, "EncryptionContext": ec,
                           "GrantTokens": token, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DryRun": False}),
        (None, "Decrypt", {"KeyId": key, "DryRun": True, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]}),
        (None, "ReEncrypt", {"CiphertextBlob": {"$ref": "ct.CiphertextBlob"}, "SourceEncryptionContext": ec,
                             "SourceKeyId": key, "DestinationKeyId": key2, "DestinationEncryptionContext": ec,
                             "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                             "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "GrantTokens": token,
                             "DryRun": False}),
        (None, "GenerateDataKey", {"KeyId": key, "EncryptionContext": ec, "KeySpec": "AES_256", "GrantTokens": token,
                                   "DryRun": False}),
        (None, "GenerateDataKey", {"KeyId": key, "NumberOfBytes": 64}),
        (None, "GenerateDataKeyWithoutPlaintext", {"KeyId": key, "EncryptionContext": ec, "KeySpec": "AES_128",
                                                   "GrantTokens": token, "DryRun": False}),
        (None, "GenerateRandom", {"NumberOfBytes": 16}),
        (None, "ListGrants", {"KeyId": key, "Limit": 1}),
        (None, "ListGrants", {"KeyId": key, "GrantId": {"$ref": "g.GrantId"},
                              "GranteePrincipal": "arn:aws:iam::111122223333:user/alice", "Limit": 10}),
        (None, "ListRetirableGrants", {"RetiringPrincipal": "arn:aws:iam::111122223333:user/admin", "Limit": 10}),
        (None, "RetireGrant", {"GrantToken": {"$ref": "g.GrantToken"}, "DryRun": False}),
        (None, "RevokeGrant", {"KeyId": key, "GrantId": {"$ref": "g2.GrantId"}, "DryRun": False}),
        (None, "ScheduleKeyDeletion", {"KeyId": key2, "PendingWindowInDays": 7}),
        (None, "CancelKeyDeletion", {"KeyId": key2}),
        (None, "ListKeys", {"Limit": 0}),
    ]
    steps = []
    for name, op, params in s:
        step = {"call": op, "as": ADMIN, "params": params}
        if name:
            step["name"] = name
        steps.append(step)
    return steps


def conform(model, value, shape_name, path, problems):
    """Strict conformance of a response value to a shape (botocore's parser is lenient about extra members)."""
    s = model["shapes"][shape_name]
    t = s["type"]
    if t == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: {type(value).__name__}, not an object")
            return
        for k, v in value.items():
            if k not in s.get("members", {}):
                problems.append(f"{path}.{k}: not a member of {shape_name}")
            else:
                conform(model, v, s["members"][k]["shape"], f"{path}.{k}", problems)
    elif t == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: not a list")
            return
        for i, v in enumerate(value):
            conform(model, v, s["member"]["shape"], f"{path}[{i}]", problems)
    elif t == "map":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            problems.append(f"{path}: not a map of strings")
    elif t == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: {value!r} is not a string")
        elif "enum" in s and value not in s["enum"]:
            problems.append(f"{path}: {value!r} is not in {shape_name}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: {value!r} is not an integer")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: {value!r} is not a boolean")
    elif t == "timestamp":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: {value!r} is not epoch seconds")
    elif t == "blob":
        try:
            base64.b64decode(value, validate=True)
        except Exception:  # noqa: BLE001
            problems.append(f"{path}: not base64")


def check_responses(model, kmsim, implemented):
    print("==> 3. every response parses with botocore against its output shape")
    service = botocore.session.get_session().get_service_model("kms")
    parser = botocore.parsers.create_parser("json")
    steps = responses_scenario()
    code, out = run_scenario(kmsim, {"title": "every operation", "accounts": ACCOUNTS, "steps": steps})
    if "steps" not in out:
        fail(f"the scenario calling every operation does not load (exit {code}): {json.dumps(out)[:2000]}")
        return
    succeeded = set()
    ran = [s for s in out["steps"] if "call" in s]
    for s, step in zip(ran, steps):
        op = step["call"]
        om = service.operation_model(op)
        resp = s["call"]["response"]
        if "Ok" in resp:
            body = resp["Ok"]
            parsed = parser.parse({"body": json.dumps(body).encode(), "headers": {}, "status_code": 200},
                                  om.output_shape)
            if "Error" in parsed:
                fail(f"{op}: botocore reads an error from a success: {parsed['Error']}")
            problems = []
            if om.output_shape is not None:
                conform(model, body, om.output_shape.name, op, problems)
                missing = [k for k in body if k not in parsed]
                if missing:
                    problems.append(f"botocore dropped {missing}")
            elif body:
                problems.append(f"{op} has no output shape but kmsim answered {body}")
            for p in problems:
                fail(p)
            succeeded.add(op)
        else:
            err = resp["Err"]
            body = json.dumps({"__type": err["code"], "message": err["message"]}).encode()
            parsed = parser.parse({"body": body, "headers": {}, "status_code": 400}, om.output_shape)
            got = parsed.get("Error", {}).get("Code")
            declared = {e.name for e in om.error_shapes}
            if got != err["code"]:
                fail(f"{op}: botocore reads error code {got!r}, kmsim sent {err['code']}")
            elif got not in declared | COMMON_ERRORS:
                fail(f"{op}: {got} is neither declared by the operation nor a common error ({err['message']})")
    missing = [op for op in implemented if op not in succeeded]
    if missing:
        fail(f"no successful response of {missing}")
    print(f"  {len(ran)} responses of {len(succeeded)} operations parsed")


def coverage(model, implemented):
    version = botocore.__version__
    lines = [
        "# KMS API coverage",
        "",
        f"The operations of botocore {version}'s KMS model (`{kms_model.MODEL_PATH}`, the model the AWS SDKs are",
        "generated from) and whether kmsim implements them. An implemented operation accepts every request member of",
        "the model and validates its constraints (crates/kms/src/validate.rs); what kmsim does not model is refused",
        "with UnsupportedOperationException (crates/kms/README.md). Generated by `scripts/botocore/test.py --write`;",
        "the botocore test fails when this file is stale.",
        "",
        "| Operation | kmsim | Request members | Response members |",
        "|---|---|---|---|",
    ]
    ops = sorted(model["operations"])
    for op in ops:
        o = model["operations"][op]
        inp = list(model["shapes"][o["input"]["shape"]].get("members", {})) if "input" in o else []
        outp = list(model["shapes"][o["output"]["shape"]].get("members", {})) if "output" in o else []
        lines.append(f"| {op} | {'implemented' if op in implemented else 'not yet'} | {len(inp)} | {len(outp)} |")
    n = sum(1 for op in ops if op in implemented)
    lines += ["", f"{n} of {len(ops)} operations implemented.", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kmsim", default=os.path.join(ROOT, "target", "debug", "kmsim"))
    ap.add_argument("--write", action="store_true", help="regenerate docs/API-COVERAGE.md")
    a = ap.parse_args()
    model, version = kms_model.load()
    print(f"==> 1. crates/kms/src/model/data.rs against botocore {version}")
    current = open(kms_model.DATA_RS).read()
    if current != kms_model.render(model, version):
        fail("crates/kms/src/model/data.rs is stale: run python3 scripts/botocore/kms_model.py")
    implemented = kms_model.implemented_operations()
    unknown = [op for op in implemented if op not in model["operations"]]
    if unknown:
        fail(f"implemented operations the model lacks: {unknown}")
    implemented = [op for op in implemented if op in model["operations"]]
    check_members(model, a.kmsim, implemented)
    check_responses(model, a.kmsim, implemented)
    print("==> 4. coverage (docs/API-COVERAGE.md)")
    table = coverage(model, implemented)
    print(table)
    if a.write:
        with open(COVERAGE, "w") as f:
            f.write(table)
    elif not os.path.exists(COVERAGE) or open(COVERAGE).read() != table:
        fail("docs/API-COVERAGE.md is stale: run scripts/botocore/test.sh --write")
    if failures:
        print(f"botocore test: {len(failures)} failures")
        sys.exit(1)
    print("botocore test: ok")


if __name__ == "__main__":
    main()
