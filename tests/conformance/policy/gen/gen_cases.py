#!/usr/bin/env python3
"""Generates the policy conformance corpus (tests/conformance/policy/<topic>/*.json).

Rerun from the repository root after editing:  python3 tests/conformance/policy/gen/gen_cases.py
It deletes and rewrites every generated topic folder it knows, so hand-written cases belong in other folders.
Each case names the AWS documentation page its example or rule comes from.
"""
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

A = "111122223333"
B = "444455556666"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY2_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
KEY = f"arn:aws:kms:us-east-1:{A}:key/{KEY_ID}"
KEY2 = f"arn:aws:kms:us-west-2:{A}:key/{KEY2_ID}"
KEY_B = f"arn:aws:kms:us-east-1:{B}:key/{KEY_ID}"

IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
KMS = "https://docs.aws.amazon.com/kms/latest/developerguide/"
S_OPS = IAM + "reference_policies_elements_condition_operators.html"
S_COND = IAM + "reference_policies_elements_condition.html"
S_MULTI = IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html"
S_MULTI_EX = IAM + "reference_policies_condition_examples-multi-valued-context-keys.html"
S_MULTIKEYS = IAM + "reference_policies_condition-logic-multiple-context-keys-or-values.html"
S_VARS = IAM + "reference_policies_variables.html"
S_ACTION = IAM + "reference_policies_elements_action.html"
S_NOTACTION = IAM + "reference_policies_elements_notaction.html"
S_RESOURCE = IAM + "reference_policies_elements_resource.html"
S_NOTRESOURCE = IAM + "reference_policies_elements_notresource.html"
S_PRINCIPAL = IAM + "reference_policies_elements_principal.html"
S_NOTPRINCIPAL = IAM + "reference_policies_elements_notprincipal.html"
S_EVAL = IAM + "reference_policies_evaluation-logic.html"
S_VERSION = IAM + "reference_policies_elements_version.html"
S_STATEMENT = IAM + "reference_policies_elements_statement.html"
S_KEYS = IAM + "reference_policies_condition-keys.html"
S_MFA = IAM + "reference_policies_examples_aws_mfa-dates.html"
S_IP = IAM + "reference_policies_examples_aws_deny-ip.html"
S_BP = IAM + "best-practices.html"
K_DEFAULT = KMS + "key-policy-default.html"
K_CONDKMS = KMS + "conditions-kms.html"
K_CONDAWS = KMS + "conditions-aws.html"
K_EVAL = KMS + "policy-evaluation.html"
K_ABAC = KMS + "abac.html"
K_IAM = KMS + "iam-policies.html"
K_ALIAS = KMS + "alias-authorization.html"
K_TAG = KMS + "tag-authorization.html"
K_OVERVIEW = KMS + "key-policy-overview.html"

cases = {}


def user(name="Alice", acct=A):
    return {"arn": f"arn:aws:iam::{acct}:user/{name}", "kind": "user", "account": acct}


def session(role="App", sess="s1", acct=A):
    return {"arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{sess}", "kind": "role-session", "account": acct,
            "role_arn": f"arn:aws:iam::{acct}:role/{role}"}


def role(name="App", acct=A):
    return {"arn": f"arn:aws:iam::{acct}:role/{name}", "kind": "role", "account": acct}


def root(acct=A):
    return {"arn": f"arn:aws:iam::{acct}:root", "kind": "root", "account": acct}


def service(name):
    return {"arn": name, "kind": "service"}


def request(action="kms:Decrypt", resource=KEY, principal=None, context=None):
    r = {"principal": principal or user(), "action": action, "resource": resource}
    if context:
        r["context"] = context
    return r


def st(sid, effect="Allow", action="kms:Decrypt", resource="*", cond=None, principal=None, not_principal=None,
       not_action=None, not_resource=None):
    s = {}
    if sid is not None:
        s["Sid"] = sid
    s["Effect"] = effect
    if principal is not None:
        s["Principal"] = principal
    if not_principal is not None:
        s["NotPrincipal"] = not_principal
    if not_action is not None:
        s["NotAction"] = not_action
    else:
        s["Action"] = action
    if not_resource is not None:
        s["NotResource"] = not_resource
    else:
        s["Resource"] = resource
    if cond is not None:
        s["Condition"] = cond
    return s


def doc(*stmts, version="2012-10-17", pid=None):
    d = {"Version": version}
    if pid:
        d["Id"] = pid
    d["Statement"] = list(stmts)
    return d


def identity(*stmts, **kw):
    return {"type": "identity", "document": doc(*stmts, **kw)}


def resource_policy(*stmts, **kw):
    return {"type": "resource", "document": doc(*stmts, **kw)}


# The caller's own IAM policy: a resource-policy allow that names the caller's account only delegates to the
# account's identity-based policies, and a cross-account request needs the caller's account to allow too
# (reference_policies_evaluation-logic_policy-eval-denyallow.html, reference_policies_evaluation-logic-cross-account.html).
IAM_ALLOW = {"type": "identity", "document": {"Version": "2012-10-17", "Statement": [
    {"Sid": "CallerIam", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}


def add(folder, name, description, source, policies, req, decision, statement=None, policy=None):
    assert decision in ("Allow", "ExplicitDeny", "ImplicitDeny")
    if decision == "ImplicitDeny":
        assert statement is None
    expect = {"decision": decision}
    if statement is not None:
        expect["statement"] = statement
    if policy is not None:
        expect["policy"] = policy
    key = f"{folder}/{name}.json"
    assert key not in cases, key
    cases[key] = {"description": description, "source": source, "policies": policies, "request": req,
                  "expect": expect}


def cond_allow(folder, name, description, source, cond, context, holds, action="kms:Decrypt"):
    """An identity policy allowing `action` under `cond`; Allow when the condition holds, else ImplicitDeny."""
    add(folder, name, description, source, [identity(st("Cond", "Allow", action, "*", cond))],
        request(action=action, context=context), "Allow" if holds else "ImplicitDeny", "Cond" if holds else None)


def cond_deny(folder, name, description, source, cond, context, holds, action="kms:Decrypt"):
    """Allow everything, deny under `cond`: ExplicitDeny when the condition holds, else Allow."""
    add(folder, name, description, source,
        [identity(st("AllowAll", "Allow", "kms:*", "*"), st("DenyCond", "Deny", action, "*", cond))],
        request(action=action, context=context), "ExplicitDeny" if holds else "Allow",
        "DenyCond" if holds else "AllowAll")


def ip(v):
    return {"type": "ip", "value": v}


def date(v):
    return {"type": "date", "value": v}


def binary(v):
    return {"type": "binary", "value": v}


# ---------------------------------------------------------------------------------------------------------- string
F = "string"
TAG = "aws:PrincipalTag/job-category"
cond_allow(F, "string-equals-match", "StringEquals matches the exact value", S_OPS,
           {"StringEquals": {TAG: "iamuser-admin"}}, {TAG: "iamuser-admin"}, True)
cond_allow(F, "string-equals-case-differs", "StringEquals is case-sensitive: `John` does not equal `john`", S_COND,
           {"StringEquals": {"aws:username": "john"}}, {"aws:username": "John"}, False)
cond_allow(F, "string-equals-missing-key", "StringEquals with the key missing from the request does not match", S_OPS,
           {"StringEquals": {TAG: "iamuser-admin"}}, None, False)
cond_allow(F, "string-equals-values-or-second", "several values for one key are ORed: the second value matches",
           S_MULTIKEYS, {"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr", "legal"]}},
           {"aws:PrincipalTag/department": "hr"}, True)
cond_allow(F, "string-equals-values-or-none", "several values for one key are ORed: no value matches", S_MULTIKEYS,
           {"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr", "legal"]}},
           {"aws:PrincipalTag/department": "sales"}, False)
cond_allow(F, "string-not-equals-different", "StringNotEquals matches a different value", S_OPS,
           {"StringNotEquals": {"aws:PrincipalTag/department": "finance"}}, {"aws:PrincipalTag/department": "hr"},
           True)
cond_allow(F, "string-not-equals-same", "StringNotEquals does not match an equal value", S_OPS,
           {"StringNotEquals": {"aws:PrincipalTag/department": "finance"}},
           {"aws:PrincipalTag/department": "finance"}, False)
cond_allow(F, "string-not-equals-missing-key", "StringNotEquals matches when the key is missing (negated operators "
           "match missing keys)", S_OPS, {"StringNotEquals": {"aws:PrincipalTag/department": "finance"}}, None, True)
cond_allow(F, "string-not-equals-values-nor-hit", "a negated operator with several values is a NOR: matching one of "
           "them fails", S_MULTIKEYS, {"StringNotEquals": {"aws:PrincipalTag/department": ["finance", "hr"]}},
           {"aws:PrincipalTag/department": "hr"}, False)
cond_allow(F, "string-not-equals-values-nor-miss", "a negated operator with several values is a NOR: matching none "
           "of them succeeds", S_MULTIKEYS, {"StringNotEquals": {"aws:PrincipalTag/department": ["finance", "hr"]}},
           {"aws:PrincipalTag/department": "legal"}, True)
cond_allow(F, "string-equals-ignore-case-match", "StringEqualsIgnoreCase matches `john` and `John`", S_COND,
           {"StringEqualsIgnoreCase": {"aws:username": "john"}}, {"aws:username": "John"}, True)
cond_allow(F, "string-equals-ignore-case-missing", "StringEqualsIgnoreCase with the key missing does not match",
           S_OPS, {"StringEqualsIgnoreCase": {"aws:username": "john"}}, None, False)
cond_allow(F, "string-not-equals-ignore-case-same", "StringNotEqualsIgnoreCase fails on a value equal ignoring case",
           S_OPS, {"StringNotEqualsIgnoreCase": {"aws:username": "john"}}, {"aws:username": "JOHN"}, False)
cond_allow(F, "string-not-equals-ignore-case-missing", "StringNotEqualsIgnoreCase matches a missing key", S_OPS,
           {"StringNotEqualsIgnoreCase": {"aws:username": "john"}}, None, True)
cond_allow(F, "string-not-equals-ignore-case-different", "StringNotEqualsIgnoreCase matches a different value", S_OPS,
           {"StringNotEqualsIgnoreCase": {"aws:username": "john"}}, {"aws:username": "Jane"}, True)
cond_allow(F, "string-like-star", "StringLike `*` matches any run of characters", S_OPS,
           {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}},
           {"s3:prefix": "home/Alice/photos/2024", "aws:username": "Alice"}, True, action="s3:ListBucket")
cond_allow(F, "string-like-question-one-char", "StringLike `?` matches exactly one character", S_OPS,
           {"StringLike": {"aws:PrincipalTag/team": "team-?"}}, {"aws:PrincipalTag/team": "team-ab"}, False)
cond_allow(F, "string-like-question-match", "StringLike `?` matches a single character", S_OPS,
           {"StringLike": {"aws:PrincipalTag/team": "team-?"}}, {"aws:PrincipalTag/team": "team-a"}, True)
cond_allow(F, "string-like-case-sensitive", "StringLike is case-sensitive", S_OPS,
           {"StringLike": {"aws:PrincipalTag/team": "Team-*"}}, {"aws:PrincipalTag/team": "team-a"}, False)
cond_allow(F, "string-like-missing-key", "StringLike with the key missing does not match", S_OPS,
           {"StringLike": {"aws:PrincipalTag/team": "*"}}, None, False)
cond_allow(F, "string-not-like-matching", "StringNotLike fails when the value matches the pattern", S_OPS,
           {"StringNotLike": {"aws:PrincipalTag/team": "team-*"}}, {"aws:PrincipalTag/team": "team-a"}, False)
cond_allow(F, "string-not-like-not-matching", "StringNotLike matches a value outside the pattern", S_OPS,
           {"StringNotLike": {"aws:PrincipalTag/team": "team-*"}}, {"aws:PrincipalTag/team": "ops"}, True)
cond_allow(F, "string-not-like-missing-key", "StringNotLike matches when the key is missing", S_OPS,
           {"StringNotLike": {"aws:PrincipalTag/team": "team-*"}}, None, True)
cond_allow(F, "keys-and-both-true", "several keys under one operator are ANDed: both match", S_MULTIKEYS,
           {"StringEquals": {"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "blue"}},
           {"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "blue"}, True)
cond_allow(F, "keys-and-one-false", "several keys under one operator are ANDed: one fails", S_MULTIKEYS,
           {"StringEquals": {"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "blue"}},
           {"aws:PrincipalTag/team": "blue", "aws:ResourceTag/team": "red"}, False)
cond_allow(F, "operators-and-both-true", "several operators are ANDed: both hold", S_MULTIKEYS,
           {"StringEquals": {"aws:PrincipalTag/team": "blue"}, "StringLike": {"aws:ResourceTag/project": "alpha-*"}},
           {"aws:PrincipalTag/team": "blue", "aws:ResourceTag/project": "alpha-1"}, True)
cond_allow(F, "operators-and-one-false", "several operators are ANDed: one fails", S_MULTIKEYS,
           {"StringEquals": {"aws:PrincipalTag/team": "blue"}, "StringLike": {"aws:ResourceTag/project": "alpha-*"}},
           {"aws:PrincipalTag/team": "blue", "aws:ResourceTag/project": "beta-1"}, False)

# --------------------------------------------------------------------------------------------------------- numeric
F = "numeric"
MK = "s3:max-keys"
cond_allow(F, "numeric-less-than-equals-doc", "NumericLessThanEquals 10 allows max-keys 10 (doc example)", S_OPS,
           {"NumericLessThanEquals": {MK: "10"}}, {MK: 10}, True, action="s3:ListBucket")
cond_allow(F, "numeric-less-than-equals-over", "NumericLessThanEquals 10 rejects max-keys 11", S_OPS,
           {"NumericLessThanEquals": {MK: "10"}}, {MK: 11}, False, action="s3:ListBucket")
cond_allow(F, "numeric-equals-int", "NumericEquals compares numbers", S_OPS,
           {"NumericEquals": {MK: "10"}}, {MK: 10}, True, action="s3:ListBucket")
cond_allow(F, "numeric-equals-decimal", "NumericEquals compares numerically: 10 equals 10.0", S_OPS,
           {"NumericEquals": {MK: "10.0"}}, {MK: 10}, True, action="s3:ListBucket")
cond_allow(F, "numeric-equals-missing", "NumericEquals with the key missing does not match", S_OPS,
           {"NumericEquals": {MK: "10"}}, None, False, action="s3:ListBucket")
cond_allow(F, "numeric-not-equals-different", "NumericNotEquals matches a different number", S_OPS,
           {"NumericNotEquals": {MK: "10"}}, {MK: 11}, True, action="s3:ListBucket")
cond_allow(F, "numeric-not-equals-missing", "NumericNotEquals matches a missing key", S_OPS,
           {"NumericNotEquals": {MK: "10"}}, None, True, action="s3:ListBucket")
cond_allow(F, "numeric-not-equals-same", "NumericNotEquals fails on an equal number", S_OPS,
           {"NumericNotEquals": {MK: "10"}}, {MK: 10}, False, action="s3:ListBucket")
cond_allow(F, "numeric-less-than-decimal", "NumericLessThan with decimals: 9.5 < 10", S_OPS,
           {"NumericLessThan": {MK: "10"}}, {MK: 9.5}, True, action="s3:ListBucket")
cond_allow(F, "numeric-less-than-equal-fails", "NumericLessThan is strict: 10 is not < 10", S_OPS,
           {"NumericLessThan": {MK: "10"}}, {MK: 10}, False, action="s3:ListBucket")
cond_allow(F, "numeric-greater-than-mfa-age", "NumericGreaterThan on aws:MultiFactorAuthAge", S_OPS,
           {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": 7200}, True)
cond_allow(F, "numeric-greater-than-missing", "NumericGreaterThan with the key missing does not match", S_OPS,
           {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}, None, False)
cond_allow(F, "numeric-greater-than-equals-boundary", "NumericGreaterThanEquals holds at the boundary", S_OPS,
           {"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": 3600}, True)
cond_allow(F, "numeric-values-or", "several numeric values are ORed", S_MULTIKEYS,
           {"NumericEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": ["7", "30"]}},
           {"kms:ScheduleKeyDeletionPendingWindowInDays": 30}, True, action="kms:ScheduleKeyDeletion")
cond_allow(F, "numeric-typed-decimal-string", "a typed number value given as text compares numerically", S_OPS,
           {"NumericGreaterThan": {MK: "2"}}, {MK: {"type": "number", "value": "2.5"}}, True, action="s3:ListBucket")
cond_allow(F, "numeric-negated-values-nor", "NumericNotEquals with several values: matching one fails", S_MULTIKEYS,
           {"NumericNotEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": ["7", "30"]}},
           {"kms:ScheduleKeyDeletionPendingWindowInDays": 7}, False, action="kms:ScheduleKeyDeletion")

# ------------------------------------------------------------------------------------------------------------ date
F = "date"
CT = "aws:CurrentTime"
cond_allow(F, "date-less-than-token-issue", "DateLessThan on aws:TokenIssueTime (doc example)", S_OPS,
           {"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}},
           {"aws:TokenIssueTime": date("2019-12-31T23:00:00Z")}, True)
cond_allow(F, "date-less-than-later", "DateLessThan fails for a later time", S_OPS,
           {"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}},
           {"aws:TokenIssueTime": date("2020-02-01T00:00:00Z")}, False)
cond_allow(F, "date-less-than-missing", "DateLessThan with the key missing does not match (long-term credentials "
           "have no aws:TokenIssueTime)", S_OPS, {"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}},
           None, False)
cond_allow(F, "date-greater-than-window", "a time window: DateGreaterThan and DateLessThan both hold", S_MFA,
           {"DateGreaterThan": {CT: "2026-04-01T00:00:00Z"}, "DateLessThan": {CT: "2026-12-31T23:59:59Z"}},
           {CT: date("2026-11-28T12:00:00Z")}, True)
cond_allow(F, "date-window-outside", "a time window: after the end fails", S_MFA,
           {"DateGreaterThan": {CT: "2026-04-01T00:00:00Z"}, "DateLessThan": {CT: "2026-06-30T23:59:59Z"}},
           {CT: date("2026-11-28T12:00:00Z")}, False)
cond_allow(F, "date-epoch-policy-value", "a policy date may be given in epoch seconds", S_OPS,
           {"DateGreaterThan": {CT: "1356998400"}}, {CT: date("2026-11-28T12:00:00Z")}, True)
cond_allow(F, "date-epoch-request-value", "a request date given in epoch seconds compares with an ISO policy date",
           S_OPS, {"DateLessThan": {"aws:EpochTime": "2013-01-01T00:00:00Z"}}, {"aws:EpochTime": date(1356998399)},
           True)
cond_allow(F, "date-equals", "DateEquals matches the same instant", S_OPS,
           {"DateEquals": {CT: "2026-11-28T12:00:00Z"}}, {CT: date("2026-11-28T12:00:00Z")}, True)
cond_allow(F, "date-equals-offset", "DateEquals compares instants: +02:00 offset equals the UTC time", S_OPS,
           {"DateEquals": {CT: "2026-11-28T14:00:00+02:00"}}, {CT: date("2026-11-28T12:00:00Z")}, True)
cond_allow(F, "date-equals-epoch-vs-iso", "DateEquals: an epoch policy value equals the same ISO instant", S_OPS,
           {"DateEquals": {CT: "1356998400"}}, {CT: date("2013-01-01T00:00:00Z")}, True)
cond_allow(F, "date-not-equals-missing", "DateNotEquals matches a missing key", S_OPS,
           {"DateNotEquals": {"aws:TokenIssueTime": "2026-11-28T12:00:00Z"}}, None, True)
cond_allow(F, "date-not-equals-same", "DateNotEquals fails on the same instant", S_OPS,
           {"DateNotEquals": {CT: "2026-11-28T12:00:00Z"}}, {CT: date("2026-11-28T12:00:00Z")}, False)
cond_allow(F, "date-less-than-equals-boundary", "DateLessThanEquals holds at the boundary", S_OPS,
           {"DateLessThanEquals": {CT: "2026-11-28T12:00:00Z"}}, {CT: date("2026-11-28T12:00:00Z")}, True)
cond_allow(F, "date-greater-than-equals-boundary", "DateGreaterThanEquals holds at the boundary", S_OPS,
           {"DateGreaterThanEquals": {CT: "2026-11-28T12:00:00Z"}}, {CT: date("2026-11-28T12:00:00Z")}, True)
cond_allow(F, "date-greater-than-earlier", "DateGreaterThan fails for an earlier time", S_OPS,
           {"DateGreaterThan": {CT: "2026-11-28T12:00:00Z"}}, {CT: date("2026-11-28T11:59:59Z")}, False)

# ------------------------------------------------------------------------------------------------------------ bool
F = "bool"
cond_allow(F, "bool-secure-transport-true", "Bool aws:SecureTransport true matches a TLS request", S_OPS,
           {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True}, True)
cond_allow(F, "bool-secure-transport-false", "Bool true does not match false", S_OPS,
           {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": False}, False)
cond_allow(F, "bool-false-matches-false", "Bool false matches a false value", S_OPS,
           {"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": False}, True)
cond_allow(F, "bool-missing", "Bool with the key missing does not match", S_OPS,
           {"Bool": {"aws:SecureTransport": "true"}}, None, False)
cond_allow(F, "bool-json-boolean-value", "a Bool policy value may be a JSON boolean", S_OPS,
           {"Bool": {"kms:GrantIsForAWSResource": True}}, {"kms:GrantIsForAWSResource": True}, True,
           action="kms:CreateGrant")
cond_deny(F, "mfa-bool-false-long-term-keys", "Deny with Bool aws:MultiFactorAuthPresent false does not deny "
          "long-term access keys (the key is missing)", S_KEYS,
          {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, None, False)
cond_deny(F, "mfa-bool-false-temp-no-mfa", "Deny with Bool aws:MultiFactorAuthPresent false denies temporary "
          "credentials without MFA", S_KEYS, {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
          {"aws:MultiFactorAuthPresent": False}, True)
cond_deny(F, "mfa-boolifexists-false-long-term-keys", "Deny with BoolIfExists aws:MultiFactorAuthPresent false denies "
          "long-term access keys too", S_KEYS, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, None, True)
cond_deny(F, "mfa-boolifexists-false-with-mfa", "BoolIfExists false does not deny a session authenticated with MFA",
          S_KEYS, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {"aws:MultiFactorAuthPresent": True},
          False)
cond_allow(F, "mfa-bool-true-allow", "Allow with Bool aws:MultiFactorAuthPresent true needs MFA", S_KEYS,
           {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"aws:MultiFactorAuthPresent": True}, True)

# ---------------------------------------------------------------------------------------------------------- binary
F = "binary"
BK = "example:BinaryKey"
BV = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="
cond_allow(F, "binary-equals-match", "BinaryEquals compares the base64 value byte for byte (doc example value)",
           S_OPS, {"BinaryEquals": {BK: BV}}, {BK: binary(BV)}, True)
cond_allow(F, "binary-equals-different", "BinaryEquals fails on different bytes", S_OPS,
           {"BinaryEquals": {BK: BV}}, {BK: binary("b3RoZXJWYWx1ZQ==")}, False)
cond_allow(F, "binary-equals-missing", "BinaryEquals with the key missing does not match", S_OPS,
           {"BinaryEquals": {BK: BV}}, None, False)
cond_allow(F, "binary-equals-if-exists-missing", "BinaryEqualsIfExists with the key missing is true", S_OPS,
           {"BinaryEqualsIfExists": {BK: BV}}, None, True)

# -------------------------------------------------------------------------------------------------------------- ip
F = "ip"
SIP = "aws:SourceIp"
cond_allow(F, "ip-v4-in-cidr", "IpAddress matches an address inside the CIDR", S_OPS,
           {"IpAddress": {SIP: "203.0.113.0/24"}}, {SIP: ip("203.0.113.7")}, True)
cond_allow(F, "ip-v4-outside-cidr", "IpAddress fails for an address outside the CIDR", S_OPS,
           {"IpAddress": {SIP: "203.0.113.0/24"}}, {SIP: ip("198.51.100.7")}, False)
cond_allow(F, "ip-v4-bare-address", "a bare IP address in the policy means /32", S_OPS,
           {"IpAddress": {SIP: "203.0.113.7"}}, {SIP: ip("203.0.113.7")}, True)
cond_allow(F, "ip-v4-bare-address-other", "a bare IP address (/32) does not match its neighbour", S_OPS,
           {"IpAddress": {SIP: "203.0.113.7"}}, {SIP: ip("203.0.113.8")}, False)
cond_allow(F, "ip-several-cidrs-or", "several CIDRs are ORed", S_OPS,
           {"IpAddress": {SIP: ["192.0.2.0/24", "203.0.113.0/24"]}}, {SIP: ip("203.0.113.200")}, True)
cond_allow(F, "ip-v6-in-cidr", "IpAddress with an IPv6 CIDR (doc example 2001:DB8:1234:5678::/64)", S_OPS,
           {"IpAddress": {SIP: "2001:DB8:1234:5678::/64"}}, {SIP: ip("2001:db8:1234:5678::1")}, True)
cond_allow(F, "ip-v6-outside-cidr", "IpAddress with an IPv6 CIDR fails outside the prefix", S_OPS,
           {"IpAddress": {SIP: "2001:DB8:1234:5678::/64"}}, {SIP: ip("2001:db8:1234:5679::1")}, False)
cond_allow(F, "ip-v4-against-v6-cidr", "an IPv4 address does not match an IPv6 CIDR", S_OPS,
           {"IpAddress": {SIP: "2001:DB8:1234:5678::/64"}}, {SIP: ip("203.0.113.7")}, False)
cond_allow(F, "ip-missing", "IpAddress with aws:SourceIp missing (VPC endpoint) does not match", S_OPS,
           {"IpAddress": {SIP: "203.0.113.0/24"}}, None, False)
cond_allow(F, "not-ip-outside", "NotIpAddress matches an address outside the CIDR", S_OPS,
           {"NotIpAddress": {SIP: "203.0.113.0/24"}}, {SIP: ip("198.51.100.7")}, True)
cond_allow(F, "not-ip-inside", "NotIpAddress fails for an address inside the CIDR", S_OPS,
           {"NotIpAddress": {SIP: "203.0.113.0/24"}}, {SIP: ip("203.0.113.7")}, False)
cond_allow(F, "not-ip-missing", "NotIpAddress matches when aws:SourceIp is missing", S_OPS,
           {"NotIpAddress": {SIP: "203.0.113.0/24"}}, None, True)
cond_allow(F, "not-ip-several-cidrs-nor", "NotIpAddress with several CIDRs: inside any one of them fails", S_OPS,
           {"NotIpAddress": {SIP: ["192.0.2.0/24", "203.0.113.0/24"]}}, {SIP: ip("192.0.2.10")}, False)
DENY_IP = {"NotIpAddress": {SIP: ["192.0.2.0/24", "203.0.113.0/24"]}, "Bool": {"aws:ViaAWSService": "false"}}
cond_deny(F, "deny-ip-outside-direct", "deny calls from outside the corporate ranges (doc example): a direct call "
          "from elsewhere is denied", S_IP, DENY_IP, {SIP: ip("198.51.100.7"), "aws:ViaAWSService": False}, True)
cond_deny(F, "deny-ip-inside", "deny calls from outside the corporate ranges: a call from inside is not denied",
          S_IP, DENY_IP, {SIP: ip("203.0.113.7"), "aws:ViaAWSService": False}, False)
cond_deny(F, "deny-ip-via-service", "deny calls from outside the corporate ranges: a call made by an AWS service on "
          "the caller's behalf is exempt", S_IP, DENY_IP, {SIP: ip("198.51.100.7"), "aws:ViaAWSService": True}, False)

# ------------------------------------------------------------------------------------------------------------- arn
F = "arn"
SA = "aws:SourceArn"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{A}:trail/management-events"
cond_allow(F, "arn-equals-exact", "ArnEquals matches the same ARN", S_OPS, {"ArnEquals": {SA: TRAIL}},
           {SA: {"type": "arn", "value": TRAIL}}, True)
cond_allow(F, "arn-like-wildcard-region", "ArnLike with a wildcard region and trail name", S_OPS,
           {"ArnLike": {SA: f"arn:aws:cloudtrail:*:{A}:trail/*"}}, {SA: TRAIL}, True)
cond_allow(F, "arn-like-other-account", "ArnLike fails when the account segment differs", S_OPS,
           {"ArnLike": {SA: f"arn:aws:cloudtrail:*:{A}:trail/*"}},
           {SA: f"arn:aws:cloudtrail:us-east-1:{B}:trail/management-events"}, False)
cond_allow(F, "arn-like-star-spans-slash", "ArnLike `*` in the resource segment matches across `/`", S_OPS,
           {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/*"}},
           {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/team/dev/App"}, True)
cond_allow(F, "arn-like-case-sensitive", "ArnLike is case-sensitive", S_OPS,
           {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/Admin*"}},
           {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/admin-ops"}, False)
cond_allow(F, "arn-equals-wildcard", "ArnEquals accepts wildcards like ArnLike", S_OPS,
           {"ArnEquals": {SA: f"arn:aws:cloudtrail:us-east-1:{A}:trail/*"}}, {SA: TRAIL}, True)
cond_allow(F, "arn-like-missing", "ArnLike with the key missing does not match", S_OPS,
           {"ArnLike": {SA: f"arn:aws:cloudtrail:*:{A}:trail/*"}}, None, False)
cond_allow(F, "arn-not-equals-different", "ArnNotEquals matches a different ARN", S_OPS,
           {"ArnNotEquals": {SA: TRAIL}}, {SA: f"arn:aws:cloudtrail:us-east-1:{A}:trail/other"}, True)
cond_allow(F, "arn-not-equals-missing", "ArnNotEquals matches a missing key", S_OPS,
           {"ArnNotEquals": {SA: TRAIL}}, None, True)
cond_allow(F, "arn-not-like-matching", "ArnNotLike fails when the ARN matches", S_OPS,
           {"ArnNotLike": {SA: f"arn:aws:cloudtrail:*:{A}:trail/*"}}, {SA: TRAIL}, False)
cond_allow(F, "arn-not-like-missing", "ArnNotLike matches a missing key", S_OPS,
           {"ArnNotLike": {SA: f"arn:aws:cloudtrail:*:{A}:trail/*"}}, None, True)
cond_allow(F, "arn-like-question", "ArnLike `?` matches one character", S_OPS,
           {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:user/dev-?"}},
           {"aws:PrincipalArn": f"arn:aws:iam::{A}:user/dev-7"}, True)

# ------------------------------------------------------------------------------------------------------------ null
F = "null"
TIT = "aws:TokenIssueTime"
cond_allow(F, "null-true-missing", "Null true holds when the key is missing", S_OPS,
           {"Null": {TIT: "true"}}, None, True)
cond_allow(F, "null-true-present", "Null true fails when the key is present", S_OPS,
           {"Null": {TIT: "true"}}, {TIT: date("2026-11-28T11:00:00Z")}, False)
cond_allow(F, "null-false-present", "Null false holds when the key is present", S_OPS,
           {"Null": {TIT: "false"}}, {TIT: date("2026-11-28T11:00:00Z")}, True)
cond_allow(F, "null-false-missing", "Null false fails when the key is missing", S_OPS,
           {"Null": {TIT: "false"}}, None, False)
cond_deny(F, "null-deny-long-term-credentials", "Deny with Null aws:TokenIssueTime true denies long-term "
          "credentials (doc example)", S_OPS, {"Null": {TIT: "true"}}, None, True)
cond_deny(F, "null-deny-temporary-credentials-pass", "Deny with Null aws:TokenIssueTime true does not deny temporary "
          "credentials", S_OPS, {"Null": {TIT: "true"}}, {TIT: date("2026-11-28T11:00:00Z")}, False)
cond_allow(F, "null-false-tag-required", "Null false on a request tag requires the tag (tag key present)", S_OPS,
           {"Null": {"aws:RequestTag/CostCenter": "false"}}, {"aws:RequestTag/CostCenter": "12345"}, True,
           action="kms:TagResource")
cond_allow(F, "null-json-boolean-value", "a Null policy value may be a JSON boolean", S_OPS,
           {"Null": {"aws:RequestTag/CostCenter": True}}, None, True, action="kms:TagResource")

# ------------------------------------------------------------------------------------------------------- if-exists
F = "if-exists"
IT = "ec2:InstanceType"
IFX = {"StringLikeIfExists": {IT: ["t1.*", "t2.*", "m3.*"]}}
cond_allow(F, "string-like-if-exists-match", "StringLikeIfExists (doc example): the instance type matches", S_OPS,
           IFX, {IT: "t2.micro"}, True, action="ec2:RunInstances")
cond_allow(F, "string-like-if-exists-no-match", "StringLikeIfExists: a present value that does not match fails",
           S_OPS, IFX, {IT: "m4.large"}, False, action="ec2:RunInstances")
cond_allow(F, "string-like-if-exists-missing", "StringLikeIfExists: the key missing makes the condition true",
           S_OPS, IFX, None, True, action="ec2:RunInstances")
cond_allow(F, "string-equals-if-exists-missing", "StringEqualsIfExists with the key missing is true", S_OPS,
           {"StringEqualsIfExists": {"aws:ResourceTag/env": "prod"}}, None, True)
cond_allow(F, "string-equals-if-exists-mismatch", "StringEqualsIfExists with a different value is false", S_OPS,
           {"StringEqualsIfExists": {"aws:ResourceTag/env": "prod"}}, {"aws:ResourceTag/env": "dev"}, False)
cond_allow(F, "string-not-equals-if-exists-equal", "StringNotEqualsIfExists with an equal value is false", S_OPS,
           {"StringNotEqualsIfExists": {"aws:ResourceTag/env": "prod"}}, {"aws:ResourceTag/env": "prod"}, False)
cond_allow(F, "string-not-equals-if-exists-missing", "StringNotEqualsIfExists with the key missing is true", S_OPS,
           {"StringNotEqualsIfExists": {"aws:ResourceTag/env": "prod"}}, None, True)
cond_allow(F, "numeric-less-than-if-exists-missing", "NumericLessThanIfExists with the key missing is true", S_OPS,
           {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "300"}}, None, True)
cond_allow(F, "numeric-less-than-if-exists-over", "NumericLessThanIfExists with a larger value is false", S_OPS,
           {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "300"}}, {"aws:MultiFactorAuthAge": 900}, False)
cond_allow(F, "date-greater-than-if-exists-missing", "DateGreaterThanIfExists with the key missing is true", S_OPS,
           {"DateGreaterThanIfExists": {TIT: "2026-01-01T00:00:00Z"}}, None, True)
cond_allow(F, "date-greater-than-if-exists-earlier", "DateGreaterThanIfExists with an earlier date is false", S_OPS,
           {"DateGreaterThanIfExists": {TIT: "2026-01-01T00:00:00Z"}}, {TIT: date("2025-06-01T00:00:00Z")}, False)
cond_allow(F, "arn-like-if-exists-missing", "ArnLikeIfExists with the key missing is true", S_OPS,
           {"ArnLikeIfExists": {SA: f"arn:aws:cloudtrail:*:{A}:trail/*"}}, None, True)
cond_allow(F, "arn-like-if-exists-other", "ArnLikeIfExists with a non-matching ARN is false", S_OPS,
           {"ArnLikeIfExists": {SA: f"arn:aws:cloudtrail:*:{A}:trail/*"}},
           {SA: f"arn:aws:cloudtrail:us-east-1:{B}:trail/x"}, False)
cond_allow(F, "ip-address-if-exists-missing", "IpAddressIfExists with aws:SourceIp missing is true", S_OPS,
           {"IpAddressIfExists": {SIP: "203.0.113.0/24"}}, None, True)
cond_allow(F, "ip-address-if-exists-outside", "IpAddressIfExists with an address outside is false", S_OPS,
           {"IpAddressIfExists": {SIP: "203.0.113.0/24"}}, {SIP: ip("198.51.100.1")}, False)
cond_allow(F, "not-ip-address-if-exists-inside", "NotIpAddressIfExists with an address inside is false", S_OPS,
           {"NotIpAddressIfExists": {SIP: "203.0.113.0/24"}}, {SIP: ip("203.0.113.1")}, False)
cond_allow(F, "bool-if-exists-present-false", "BoolIfExists true with a present false value is false", S_OPS,
           {"BoolIfExists": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": False}, False)
cond_allow(F, "string-equals-ignore-case-if-exists-missing", "StringEqualsIgnoreCaseIfExists with the key missing "
           "is true", S_OPS, {"StringEqualsIgnoreCaseIfExists": {"aws:ResourceTag/env": "PROD"}}, None, True)

# ------------------------------------------------------------------------------------------------- set-operators
F = "set-operators"
TK = "aws:TagKeys"


def tag_deny(name, description, source, cond, tagkeys, denied):
    ctx = {TK: tagkeys} if tagkeys is not None else None
    add(F, name, description, source,
        [identity(st("AllowTagging", "Allow", ["iam:Tag*", "iam:UnTag*"], "*"),
                  st("DenyRestrictedTags", "Deny", ["iam:Tag*", "iam:UnTag*"], ["*"], cond))],
        request("iam:TagUser", f"arn:aws:iam::{A}:user/Bob", context=ctx),
        "ExplicitDeny" if denied else "Allow", "DenyRestrictedTags" if denied else "AllowTagging")


C1 = {"ForAllValues:StringNotLike": {TK: "key1*"}}
tag_deny("forall-notlike-one-key1", "ForAllValues:StringNotLike key1*: request key1:legal is not denied (doc table)",
         S_MULTI_EX, C1, ["key1:legal"], False)
tag_deny("forall-notlike-two-key1", "ForAllValues:StringNotLike key1*: key1:hr and key1:personnel are not denied",
         S_MULTI_EX, C1, ["key1:hr", "key1:personnel"], False)
tag_deny("forall-notlike-key2", "ForAllValues:StringNotLike key1*: key2:audit is denied", S_MULTI_EX, C1,
         ["key2:audit"], True)
tag_deny("forall-notlike-missing", "ForAllValues:StringNotLike key1*: no aws:TagKeys in the request is denied "
         "(ForAllValues is true for a missing key)", S_MULTI_EX, C1, None, True)
C2 = {"ForAllValues:StringNotLike": {TK: ["key1*", "key2*"]}}
tag_deny("forall-notlike-multi-mixed", "ForAllValues:StringNotLike [key1*, key2*]: key1:hr, key2:audit, key3:legal "
         "is not denied (key1 and key2 values match a pattern)", S_MULTI_EX, C2,
         ["key1:hr", "key2:audit", "key3:legal"], False)
tag_deny("forall-notlike-multi-key3", "ForAllValues:StringNotLike [key1*, key2*]: key3:legal alone is denied",
         S_MULTI_EX, C2, ["key3:legal"], True)
tag_deny("forall-notlike-multi-key1-key2", "ForAllValues:StringNotLike [key1*, key2*]: key1:legal and key2:hr are "
         "not denied", S_MULTI_EX, C2, ["key1:legal", "key2:hr"], False)
C3 = {"Null": {TK: "false"}, "ForAllValues:StringLike": {TK: ["key1*", "key2*", "key3*"]}}
tag_deny("null-forall-like-key1", "Null false + ForAllValues:StringLike [key1*, key2*, key3*]: key1:legal is denied",
         S_MULTI_EX, C3, ["key1:legal"], True)
tag_deny("null-forall-like-missing", "Null false + ForAllValues:StringLike: no aws:TagKeys is not denied (Null "
         "false fails)", S_MULTI_EX, C3, None, False)
tag_deny("null-forall-like-key4", "Null false + ForAllValues:StringLike: key1:hr and key4:x is not denied (key4 "
         "matches no pattern)", S_MULTI_EX, C3, ["key1:hr", "key4:x"], False)
C4 = {"ForAnyValue:StringEquals": {TK: ["environment", "webserver"]}}
tag_deny("foranyvalue-deny-match", "ForAnyValue:StringEquals [environment, webserver]: a request with webserver is "
         "denied", S_MULTI_EX, C4, ["webserver"], True)
tag_deny("foranyvalue-deny-several", "ForAnyValue:StringEquals: environment, webserver, test is denied", S_MULTI_EX,
         C4, ["environment", "webserver", "test"], True)
tag_deny("foranyvalue-deny-none", "ForAnyValue:StringEquals: test alone is not denied", S_MULTI_EX, C4, ["test"],
         False)
tag_deny("foranyvalue-deny-missing", "ForAnyValue:StringEquals: no aws:TagKeys is not denied (ForAnyValue is false "
         "for a missing key)", S_MULTI_EX, C4, None, False)

cond_allow(F, "foranyvalue-allow-empty", "ForAnyValue with an empty set is false", S_MULTI,
           {"ForAnyValue:StringEquals": {TK: ["environment", "webserver"]}}, {TK: []}, False, action="iam:TagUser")
cond_allow(F, "forallvalues-allow-empty", "ForAllValues with an empty set is true", S_MULTI,
           {"ForAllValues:StringEquals": {TK: ["environment", "webserver"]}}, {TK: []}, True, action="iam:TagUser")
cond_allow(F, "forallvalues-allow-missing", "ForAllValues with the key missing is true (why it is risky with Allow)",
           S_MULTI, {"ForAllValues:StringEquals": {TK: ["environment", "webserver"]}}, None, True,
           action="iam:TagUser")
cond_allow(F, "forallvalues-allow-extra", "ForAllValues fails when one request value is not listed", S_MULTI,
           {"ForAllValues:StringEquals": {TK: ["environment", "webserver"]}}, {TK: ["environment", "owner"]}, False,
           action="iam:TagUser")
cond_allow(F, "forallvalues-null-false-missing", "ForAllValues guarded by Null false: the key missing is denied",
           S_MULTI, {"Null": {TK: "false"}, "ForAllValues:StringEquals": {TK: ["environment", "webserver"]}}, None,
           False, action="iam:TagUser")
cond_allow(F, "forallvalues-not-equals-disjoint", "ForAllValues:StringNotEquals: no request value is listed", S_MULTI,
           {"ForAllValues:StringNotEquals": {TK: ["DataClass", "Owner"]}}, {TK: ["Dept", "SIC"]}, True,
           action="iam:TagUser")
cond_allow(F, "forallvalues-not-equals-one-listed", "ForAllValues:StringNotEquals: one request value is listed",
           S_MULTI, {"ForAllValues:StringNotEquals": {TK: ["DataClass", "Owner"]}}, {TK: ["Dept", "DataClass"]},
           False, action="iam:TagUser")
cond_allow(F, "forallvalues-not-equals-missing", "ForAllValues:StringNotEquals with the key missing is true",
           S_MULTI, {"ForAllValues:StringNotEquals": {TK: ["DataClass", "Owner"]}}, None, True, action="iam:TagUser")
cond_allow(F, "foranyvalue-not-equals-one-unlisted", "ForAnyValue:StringNotEquals: one request value is not listed",
           S_MULTI, {"ForAnyValue:StringNotEquals": {TK: ["DataClass", "Owner"]}}, {TK: ["DataClass", "Dept"]}, True,
           action="iam:TagUser")
cond_allow(F, "foranyvalue-not-equals-all-listed", "ForAnyValue:StringNotEquals: every request value is listed",
           S_MULTI, {"ForAnyValue:StringNotEquals": {TK: ["DataClass", "Owner"]}}, {TK: ["DataClass", "Owner"]},
           False, action="iam:TagUser")
cond_allow(F, "foranyvalue-not-equals-missing", "ForAnyValue:StringNotEquals with the key missing is false",
           S_MULTI, {"ForAnyValue:StringNotEquals": {TK: ["DataClass", "Owner"]}}, None, False, action="iam:TagUser")
cond_allow(F, "foranyvalue-like-wildcard", "ForAnyValue:StringLike with a wildcard pattern", S_MULTI,
           {"ForAnyValue:StringLike": {TK: "cost*"}}, {TK: ["owner", "costcenter"]}, True, action="iam:TagUser")
RA = "dynamodb:requestedAttributes"
cond_allow(F, "forallvalues-dynamodb-allowed", "ForAllValues:StringLike (DynamoDB example): PostDateTime and Message "
           "are all allowed attributes", S_MULTI, {"ForAllValues:StringLike": {RA: ["PostDateTime", "Message", "Tags"]}},
           {RA: ["PostDateTime", "Message"]}, True, action="dynamodb:GetItem")
cond_allow(F, "forallvalues-dynamodb-username", "ForAllValues:StringLike (DynamoDB example): UserName is not an "
           "allowed attribute", S_MULTI, {"ForAllValues:StringLike": {RA: ["PostDateTime", "Message", "Tags"]}},
           {RA: ["PostDateTime", "UserName"]}, False, action="dynamodb:GetItem")
cond_allow(F, "foranyvalue-single-valued-key", "a set operator on a single value treats it as a one-element set",
           S_MULTI, {"ForAnyValue:StringEquals": {"aws:PrincipalTag/team": ["blue", "red"]}},
           {"aws:PrincipalTag/team": "red"}, True)

# ------------------------------------------------------------------------------------------------------- variables
F = "variables"
S3U = "arn:aws:s3:::amzn-s3-demo-bucket"
add(F, "username-in-resource-match", "${aws:username} in Resource is replaced by the caller's user name", S_VARS,
    [identity(st("Home", "Allow", ["s3:GetObject", "s3:PutObject"], [S3U + "/home/${aws:username}/*"]))],
    request("s3:GetObject", S3U + "/home/Alice/notes.txt", context={"aws:username": "Alice"}), "Allow", "Home")
add(F, "username-in-resource-other-user", "${aws:username} in Resource does not match another user's folder", S_VARS,
    [identity(st("Home", "Allow", ["s3:GetObject", "s3:PutObject"], [S3U + "/home/${aws:username}/*"]))],
    request("s3:GetObject", S3U + "/home/Bob/notes.txt", context={"aws:username": "Alice"}), "ImplicitDeny")
add(F, "username-missing-in-resource", "a variable with no value in Resource matches nothing (role sessions have "
    "no aws:username)", S_VARS,
    [identity(st("Home", "Allow", ["s3:GetObject"], [S3U + "/home/${aws:username}/*"]))],
    request("s3:GetObject", S3U + "/home//notes.txt", principal=session()), "ImplicitDeny")
add(F, "username-in-resource-text", "variables in exact policy text: ${aws:username} in a KMS alias resource", S_VARS,
    [{"type": "identity", "text": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Sid\": \"OwnAlias\",\n"
      "    \"Effect\": \"Allow\",\n    \"Action\": \"kms:CreateAlias\",\n    \"Resource\": \"arn:aws:kms:us-east-1:"
      + A + ":alias/${aws:username}-*\"\n  }]\n}\n"}],
    request("kms:CreateAlias", f"arn:aws:kms:us-east-1:{A}:alias/Alice-key", context={"aws:username": "Alice"}),
    "Allow", "OwnAlias")
PT = "aws:PrincipalTag/team"
RT = "aws:ResourceTag/team"
ABAC = {"StringEquals": {RT: "${aws:PrincipalTag/team}"}}
cond_allow(F, "principal-tag-matches-resource-tag", "ABAC: ${aws:PrincipalTag/team} equals the key's team tag",
           S_VARS, ABAC, {PT: "yellow", RT: "yellow"}, True)
cond_allow(F, "principal-tag-differs", "ABAC: a different team tag does not match", S_VARS, ABAC,
           {PT: "yellow", RT: "blue"}, False)
cond_allow(F, "principal-tag-missing-positive", "a variable with no value makes StringEquals not match", S_VARS,
           ABAC, {RT: "yellow"}, False)
NV = {"StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}}
add(F, "principal-tag-missing-negated-deny", "a variable with no value makes StringNotEquals match (doc example: "
    "the Deny applies)", S_VARS,
    [identity(st("AllowGet", "Allow", "s3:GetObject", S3U + "/*"), st("DenyOtherTeams", "Deny", "s3:GetObject",
                                                                       S3U + "/*", NV))],
    request("s3:GetObject", S3U + "/report.csv", context={"s3:ExistingObjectTag/Team": "blue"}), "ExplicitDeny",
    "DenyOtherTeams")
add(F, "principal-tag-present-negated-same", "StringNotEquals with the variable resolved to an equal value does not "
    "deny", S_VARS,
    [identity(st("AllowGet", "Allow", "s3:GetObject", S3U + "/*"), st("DenyOtherTeams", "Deny", "s3:GetObject",
                                                                       S3U + "/*", NV))],
    request("s3:GetObject", S3U + "/report.csv",
            context={"s3:ExistingObjectTag/Team": "blue", "aws:PrincipalTag/Team": "blue"}), "Allow", "AllowGet")
DEF = "arn:aws:s3:::amzn-s3-demo-bucket-${aws:PrincipalTag/team, 'company-wide'}"
add(F, "default-value-tag-present", "a default value is not used when the tag exists: team yellow reaches its bucket",
    S_VARS, [identity(st("TeamBucket", "Allow", "s3:ListBucket", DEF))],
    request("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket-yellow", context={PT: "yellow"}), "Allow",
    "TeamBucket")
add(F, "default-value-tag-missing", "the default value `company-wide` is used when the caller has no team tag",
    S_VARS, [identity(st("TeamBucket", "Allow", "s3:ListBucket", DEF))],
    request("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket-company-wide"), "Allow", "TeamBucket")
add(F, "default-value-tag-missing-other-bucket", "with the default in use, a team bucket is not reachable", S_VARS,
    [identity(st("TeamBucket", "Allow", "s3:ListBucket", DEF))],
    request("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket-yellow"), "ImplicitDeny")
cond_allow(F, "default-value-in-condition", "a default value in a condition value", S_VARS,
           {"StringEquals": {RT: "${aws:PrincipalTag/team, 'shared'}"}}, {RT: "shared"}, True)
cond_allow(F, "escape-star-literal", "${*} is a literal asterisk, not a wildcard: `a*b` matches", S_VARS,
           {"StringLike": {"aws:PrincipalTag/code": "a${*}b"}}, {"aws:PrincipalTag/code": "a*b"}, True)
cond_allow(F, "escape-star-not-wildcard", "${*} is a literal asterisk: `axxb` does not match", S_VARS,
           {"StringLike": {"aws:PrincipalTag/code": "a${*}b"}}, {"aws:PrincipalTag/code": "axxb"}, False)
cond_allow(F, "escape-question-literal", "${?} is a literal question mark: `what?` matches",
           S_VARS, {"StringLike": {"aws:PrincipalTag/code": "what${?}"}}, {"aws:PrincipalTag/code": "what?"}, True)
cond_allow(F, "escape-question-not-wildcard", "${?} is a literal question mark: `whatx` does not match", S_VARS,
           {"StringLike": {"aws:PrincipalTag/code": "what${?}"}}, {"aws:PrincipalTag/code": "whatx"}, False)
cond_allow(F, "escape-dollar", "${$} is a literal dollar sign", S_VARS,
           {"StringEquals": {"aws:PrincipalTag/code": "cost${$}"}}, {"aws:PrincipalTag/code": "cost$"}, True)
add(F, "version-2008-no-substitution", "with Version 2008-10-17 variables are not substituted: the text is literal",
    S_VERSION, [identity(st("Home", "Allow", "s3:GetObject", S3U + "/home/${aws:username}/*"), version="2008-10-17")],
    request("s3:GetObject", S3U + "/home/Alice/notes.txt", context={"aws:username": "Alice"}), "ImplicitDeny")
add(F, "version-2008-literal-condition", "with Version 2008-10-17 a variable in a condition is literal text",
    S_VERSION,
    [identity(st("Cond", "Allow", "kms:Decrypt", "*", {"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}),
              version="2008-10-17")],
    request(context={"aws:username": "Alice", "aws:PrincipalTag/owner": "Alice"}), "ImplicitDeny")
add(F, "version-2008-literal-matches-literal", "with Version 2008-10-17 `${aws:username}` matches only that literal "
    "text", S_VERSION,
    [identity(st("Cond", "Allow", "kms:Decrypt", "*", {"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}),
              version="2008-10-17")],
    request(context={"aws:username": "Alice", "aws:PrincipalTag/owner": "${aws:username}"}), "Allow", "Cond")
cond_allow(F, "kms-context-from-principal-tag", "a variable in an encryption-context condition value", K_CONDKMS,
           {"StringEquals": {"kms:EncryptionContext:department": "${aws:PrincipalTag/department}"}},
           {"kms:EncryptionContext:department": "finance", "aws:PrincipalTag/department": "finance"}, True)
cond_allow(F, "two-variables-one-value", "two variables in one value", S_VARS,
           {"StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/team}-${aws:username}"}},
           {"aws:ResourceTag/owner": "blue-Alice", PT: "blue", "aws:username": "Alice"}, True)

# --------------------------------------------------------------------------------------------------------- actions
F = "actions"


def act(name, description, pattern, action, allowed, source=S_ACTION, resource=KEY):
    add(F, name, description, source, [identity(st("Act", "Allow", pattern, "*"))], request(action, resource),
        "Allow" if allowed else "ImplicitDeny", "Act" if allowed else None)


act("exact", "an exact action matches", "kms:Decrypt", "kms:Decrypt", True)
act("other-action", "a different action does not match", "kms:Encrypt", "kms:Decrypt", False)
act("case-insensitive", "action names are case-insensitive", "KMS:decrypt", "kms:Decrypt", True)
act("case-insensitive-wildcard", "case-insensitive with a wildcard", "KMS:GENERATE*", "kms:GenerateDataKey", True)
act("service-wildcard", "kms:* matches every KMS action", "kms:*", "kms:ScheduleKeyDeletion", True)
act("star", "`*` matches every action of every service", "*", "kms:Decrypt", True)
act("prefix-wildcard", "kms:Generate* matches GenerateDataKeyWithoutPlaintext", "kms:Generate*",
    "kms:GenerateDataKeyWithoutPlaintext", True)
act("suffix-wildcard", "kms:*Key matches DescribeKey", "kms:*Key", "kms:DescribeKey", True)
act("suffix-wildcard-no-match", "kms:*Key does not match Decrypt", "kms:*Key", "kms:Decrypt", False)
act("question-wildcard", "`?` matches one character in an action", "kms:Describe?ey", "kms:DescribeKey", True)
act("other-service", "s3:* does not match a KMS action", "s3:*", "kms:Decrypt", False)
act("list-of-actions", "a list of actions is ORed", ["kms:Encrypt", "kms:Decrypt"], "kms:Decrypt", True)
act("reencrypt-wildcard", "kms:ReEncrypt* matches ReEncryptFrom", "kms:ReEncrypt*", "kms:ReEncryptFrom", True,
    source=K_DEFAULT)
act("delete-star-not-schedule", "kms:Delete* does not match ScheduleKeyDeletion", "kms:Delete*",
    "kms:ScheduleKeyDeletion", False, source=K_DEFAULT)
act("prefix-needs-wildcard", "kms:Describe does not match DescribeKey without a wildcard", "kms:Describe",
    "kms:DescribeKey", False)

# ------------------------------------------------------------------------------------------------------- resources
F = "resources"


def res(name, description, pattern, resource, allowed, source=S_RESOURCE, action="kms:Decrypt"):
    add(F, name, description, source, [identity(st("Res", "Allow", action, pattern))], request(action, resource),
        "Allow" if allowed else "ImplicitDeny", "Res" if allowed else None)


res("exact-key-arn", "the exact key ARN matches", KEY, KEY, True)
res("star", "`*` matches every resource", "*", KEY, True)
res("other-key", "another key's ARN does not match", KEY2, KEY, False)
res("key-wildcard", "key/* matches every key of the account and Region", f"arn:aws:kms:us-east-1:{A}:key/*", KEY, True)
res("region-wildcard", "a wildcard Region segment", f"arn:aws:kms:*:{A}:key/*", KEY2, True)
res("other-account", "another account's key does not match", f"arn:aws:kms:us-east-1:{A}:key/*", KEY_B, False)
res("account-wildcard", "a wildcard account segment matches another account's key", "arn:aws:kms:us-east-1:*:key/*",
    KEY_B, True)
res("case-sensitive", "resource ARNs are case-sensitive", KEY.upper().replace("ARN:AWS:KMS", "arn:aws:kms"), KEY,
    False)
res("question-wildcard", "`?` matches one character in a resource", KEY[:-1] + "?", KEY, True)
res("star-spans-slash", "`*` in the resource part matches across `/`", "arn:aws:s3:::amzn-s3-demo-bucket/*",
    "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt", True, action="s3:GetObject")
res("star-after-account-spans-slash", "`*` after the account matches `key/<id>`", f"arn:aws:kms:us-east-1:{A}:*", KEY,
    True)
res("alias-arn-not-key", "an alias ARN does not match the key ARN", f"arn:aws:kms:us-east-1:{A}:alias/finance", KEY,
    False)
res("list-of-resources", "a list of resources is ORed", [KEY2, KEY], KEY, True)
res("bucket-not-objects", "the bucket ARN does not match its objects", "arn:aws:s3:::amzn-s3-demo-bucket",
    "arn:aws:s3:::amzn-s3-demo-bucket/a.txt", False, action="s3:GetObject")
res("prefix-without-wildcard", "a resource prefix does not match without a wildcard", f"arn:aws:kms:us-east-1:{A}:key",
    KEY, False)

# ------------------------------------------------------------------------------------------------------ principals
F = "principals"


def prin(name, description, principal, caller, allowed, source=S_PRINCIPAL):
    """A key policy naming `principal`; when the caller is allowed only through delegation (an account principal)
    or from another account, the caller's IAM policy allows too (see IAM_ALLOW)."""
    names = principal.get("AWS", "") if isinstance(principal, dict) else ""
    delegates = isinstance(names, str) and (names.endswith(":root") or names.isdigit())
    policies = [resource_policy(st("Who", "Allow", "kms:Decrypt", "*", principal=principal))]
    if allowed and (delegates or caller.get("account", A) != A):
        policies.append(IAM_ALLOW)
    add(F, name, description, source, policies, request(principal=caller), "Allow" if allowed else "ImplicitDeny",
        "Who" if allowed else None)


prin("account-root-user", "the account principal (root ARN) matches a user of the account",
     {"AWS": f"arn:aws:iam::{A}:root"}, user(), True)
prin("account-root-session", "the account principal matches a role session of the account",
     {"AWS": f"arn:aws:iam::{A}:root"}, session(), True)
prin("account-root-other-account", "the account principal does not match another account's user",
     {"AWS": f"arn:aws:iam::{A}:root"}, user("Alice", B), False)
prin("bare-account-id", "a bare account id is the account principal", {"AWS": A}, user(), True)
prin("bare-account-id-other", "a bare account id does not match another account", {"AWS": A}, user("Bob", B), False)
prin("user-exact", "a user ARN matches that user", {"AWS": f"arn:aws:iam::{A}:user/Alice"}, user(), True)
prin("user-other", "a user ARN does not match another user", {"AWS": f"arn:aws:iam::{A}:user/Alice"}, user("Bob"),
     False)
prin("role-matches-session", "a role ARN matches sessions of that role", {"AWS": f"arn:aws:iam::{A}:role/App"},
     session("App", "s1"), True)
prin("role-not-other-role-session", "a role ARN does not match sessions of another role",
     {"AWS": f"arn:aws:iam::{A}:role/App"}, session("Other", "s1"), False)
prin("session-exact", "an assumed-role session ARN matches that session",
     {"AWS": f"arn:aws:sts::{A}:assumed-role/App/s1"}, session("App", "s1"), True)
prin("session-other-session", "a session ARN does not match another session of the same role",
     {"AWS": f"arn:aws:sts::{A}:assumed-role/App/s1"}, session("App", "s2"), False)
prin("service", "a service principal matches that service", {"Service": "cloudtrail.amazonaws.com"},
     service("cloudtrail.amazonaws.com"), True)
prin("service-not-user", "a service principal does not match an IAM user", {"Service": "cloudtrail.amazonaws.com"},
     user(), False)
prin("service-other", "a service principal does not match another service", {"Service": "cloudtrail.amazonaws.com"},
     service("logs.amazonaws.com"), False)
prin("star-user", "`\"Principal\": \"*\"` matches every caller", "*", user("Carol", B), True)
prin("star-anonymous", "`\"Principal\": \"*\"` matches anonymous callers", "*",
     {"arn": "*", "kind": "anonymous"}, True)
prin("aws-star", "`{\"AWS\": \"*\"}` matches any AWS principal", {"AWS": "*"}, session("Other", "x", B), True)
prin("list-or", "a list of principals is ORed",
     {"AWS": [f"arn:aws:iam::{A}:user/Bob", f"arn:aws:iam::{A}:user/Alice"]}, user(), True)
prin("root-user-by-account-arn", "the root user is matched by the account ARN", {"AWS": f"arn:aws:iam::{A}:root"},
     root(), True)

# -------------------------------------------------------------------------------------------------- not-elements
F = "not-elements"
NP = {"AWS": [f"arn:aws:iam::{A}:user/Bob", f"arn:aws:iam::{A}:root"]}
for who, denied in (("Bob", False), ("Alice", True)):
    add(F, f"not-principal-deny-{who.lower()}", f"NotPrincipal with Deny: {who} is " + ("" if denied else "not ")
        + "denied (Bob and the account are excepted)", S_NOTPRINCIPAL,
        [resource_policy(st("AllowAccount", "Allow", "kms:*", "*", principal={"AWS": f"arn:aws:iam::{A}:root"}),
                         st("DenyAllButBob", "Deny", "kms:*", "*", not_principal=NP))],
        request(principal=user(who)), "ExplicitDeny" if denied else "Allow",
        "DenyAllButBob" if denied else "AllowAccount")
NPS = {"AWS": [f"arn:aws:sts::{A}:assumed-role/Admin/ops", f"arn:aws:iam::{A}:role/Admin", f"arn:aws:iam::{A}:root"]}
add(F, "not-principal-deny-listed-session", "NotPrincipal with Deny listing the session, its role and the account: "
    "the session is not denied", S_NOTPRINCIPAL,
    [resource_policy(st("AllowAccount", "Allow", "kms:*", "*", principal={"AWS": f"arn:aws:iam::{A}:root"}),
                     st("DenyOthers", "Deny", "kms:*", "*", not_principal=NPS))],
    request(principal=session("Admin", "ops")), "Allow", "AllowAccount")
add(F, "not-principal-deny-other-account", "NotPrincipal with Deny: a caller from another account is denied",
    S_NOTPRINCIPAL,
    [resource_policy(st("AllowAll", "Allow", "kms:*", "*", principal="*"),
                     st("DenyOthers", "Deny", "kms:*", "*", not_principal=NPS))],
    request(principal=user("Eve", B)), "ExplicitDeny", "DenyOthers")
add(F, "not-action-allow-other", "NotAction with Allow allows every action except the listed ones", S_NOTACTION,
    [identity(st("AllExceptIam", "Allow", not_action="iam:*", resource="*"))], request("kms:Decrypt"), "Allow",
    "AllExceptIam")
add(F, "not-action-allow-listed", "NotAction with Allow does not allow the listed actions", S_NOTACTION,
    [identity(st("AllExceptIam", "Allow", not_action="iam:*", resource="*"))],
    request("iam:CreateUser", f"arn:aws:iam::{A}:user/Bob"), "ImplicitDeny")
NA_MFA = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
NA_LIST = ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"]
add(F, "not-action-deny-without-mfa", "NotAction with Deny: without MFA everything but the MFA set-up actions is "
    "denied", S_NOTACTION,
    [identity(st("AllowAll", "Allow", "*", "*"),
              st("DenyAllExceptListedIfNoMFA", "Deny", not_action=NA_LIST, resource="*", cond=NA_MFA))],
    request("kms:Decrypt", context={"aws:MultiFactorAuthPresent": False}), "ExplicitDeny", "DenyAllExceptListedIfNoMFA")
add(F, "not-action-deny-listed-action", "NotAction with Deny: a listed action is not denied", S_NOTACTION,
    [identity(st("AllowAll", "Allow", "*", "*"),
              st("DenyAllExceptListedIfNoMFA", "Deny", not_action=NA_LIST, resource="*", cond=NA_MFA))],
    request("iam:ListMFADevices", f"arn:aws:iam::{A}:user/Alice", context={"aws:MultiFactorAuthPresent": False}),
    "Allow", "AllowAll")
add(F, "not-action-deny-with-mfa", "NotAction with Deny and an MFA condition: with MFA nothing is denied",
    S_NOTACTION,
    [identity(st("AllowAll", "Allow", "*", "*"),
              st("DenyAllExceptListedIfNoMFA", "Deny", not_action=NA_LIST, resource="*", cond=NA_MFA))],
    request("kms:Decrypt", context={"aws:MultiFactorAuthPresent": True}), "Allow", "AllowAll")
add(F, "not-resource-allow-other", "NotResource with Allow allows every resource except the listed one",
    S_NOTRESOURCE, [identity(st("AllButKey2", "Allow", "kms:Decrypt", not_resource=KEY2))], request(), "Allow",
    "AllButKey2")
add(F, "not-resource-allow-listed", "NotResource with Allow does not allow the listed resource", S_NOTRESOURCE,
    [identity(st("AllButKey2", "Allow", "kms:Decrypt", not_resource=KEY2))], request(resource=KEY2), "ImplicitDeny")
add(F, "not-resource-deny-other", "NotResource with Deny denies every resource except the listed one",
    S_NOTRESOURCE,
    [identity(st("AllowAll", "Allow", "kms:*", "*"), st("OnlyThisKey", "Deny", "kms:*", not_resource=[KEY]))],
    request(resource=KEY2), "ExplicitDeny", "OnlyThisKey")
add(F, "not-resource-deny-listed", "NotResource with Deny does not deny the listed resource", S_NOTRESOURCE,
    [identity(st("AllowAll", "Allow", "kms:*", "*"), st("OnlyThisKey", "Deny", "kms:*", not_resource=[KEY]))],
    request(), "Allow", "AllowAll")
add(F, "not-action-not-resource", "NotAction and NotResource together: both must hold", S_NOTRESOURCE,
    [identity(st("Both", "Allow", not_action="iam:*", not_resource=KEY2))], request(resource=KEY2), "ImplicitDeny")
add(F, "not-resource-wildcard", "NotResource with a wildcard excludes every matching resource", S_NOTRESOURCE,
    [identity(st("NotUsWest", "Allow", "kms:Decrypt", not_resource=f"arn:aws:kms:us-west-2:{A}:key/*"))],
    request(resource=KEY2), "ImplicitDeny")

# ----------------------------------------------------------------------------------------------------------- case
F = "case"
cond_allow(F, "condition-key-name-case", "condition key names are case-insensitive: AWS:SourceIP = aws:SourceIp",
           S_COND, {"IpAddress": {"AWS:SourceIP": "203.0.113.0/24"}}, {"aws:SourceIp": ip("203.0.113.7")}, True)
cond_allow(F, "tag-key-name-case", "the tag part of a tag condition key is case-insensitive", S_COND,
           {"StringEquals": {"aws:PrincipalTag/Department": "finance"}}, {"aws:principaltag/department": "finance"},
           True)
cond_allow(F, "string-equals-value-case", "StringEquals values are case-sensitive", S_COND,
           {"StringEquals": {"aws:PrincipalTag/department": "Finance"}}, {"aws:PrincipalTag/department": "finance"},
           False)
cond_allow(F, "string-equals-ignore-case-value", "StringEqualsIgnoreCase values ignore case", S_COND,
           {"StringEqualsIgnoreCase": {"aws:PrincipalTag/department": "Finance"}},
           {"aws:PrincipalTag/department": "FINANCE"}, True)
cond_allow(F, "string-like-value-case", "StringLike values are case-sensitive", S_OPS,
           {"StringLike": {"aws:PrincipalTag/department": "Fin*"}}, {"aws:PrincipalTag/department": "finance"},
           False)
cond_allow(F, "encryption-context-key-case", "the context-key part of kms:EncryptionContext: is case-insensitive",
           K_CONDKMS, {"StringEquals": {"kms:EncryptionContext:AppName": "ExampleApp"}},
           {"kms:EncryptionContext:appname": "ExampleApp"}, True)
cond_allow(F, "encryption-context-value-case", "kms:EncryptionContext values are case-sensitive with StringEquals",
           K_CONDKMS, {"StringEquals": {"kms:EncryptionContext:AppName": "ExampleApp"}},
           {"kms:EncryptionContext:AppName": "exampleapp"}, False)
add(F, "action-case", "action names are case-insensitive in the request too", S_ACTION,
    [identity(st("Act", "Allow", "kms:Decrypt", "*"))], request("KMS:DECRYPT"), "Allow", "Act")
add(F, "resource-case", "resource ARNs are case-sensitive: a different key-id case does not match", S_RESOURCE,
    [identity(st("Res", "Allow", "kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/1234ABCD-*"))], request(),
    "ImplicitDeny")

# ------------------------------------------------------------------------------------------------------ combining
F = "combining"
ALLOW_R = resource_policy(st("KeyPolicyAllow", "Allow", "kms:*", "*", principal={"AWS": f"arn:aws:iam::{A}:root"}))
add(F, "identity-deny-beats-resource-allow", "an explicit deny in an identity policy overrides a key-policy allow",
    S_EVAL, [ALLOW_R, identity(st("DenyDecrypt", "Deny", "kms:Decrypt", "*"))], request(), "ExplicitDeny",
    "DenyDecrypt", 1)
add(F, "resource-deny-beats-identity-allow", "an explicit deny in a resource policy overrides an identity allow",
    S_EVAL, [identity(st("AllowAll", "Allow", "kms:*", "*")),
             resource_policy(st("DenyAll", "Deny", "kms:*", "*", principal="*"))], request(), "ExplicitDeny",
    "DenyAll", 1)
add(F, "deny-beats-allow-same-policy", "in one policy a Deny beats an Allow", S_EVAL,
    [identity(st("AllowAll", "Allow", "kms:*", "*"), st("DenyDecrypt", "Deny", "kms:Decrypt", KEY))], request(),
    "ExplicitDeny", "DenyDecrypt")
add(F, "deny-not-applying", "a Deny whose action does not match leaves the Allow", S_EVAL,
    [identity(st("AllowAll", "Allow", "kms:*", "*"), st("DenyEncrypt", "Deny", "kms:Encrypt", "*"))], request(),
    "Allow", "AllowAll")
add(F, "deny-condition-false", "a Deny whose condition is false leaves the Allow", S_EVAL,
    [identity(st("AllowAll", "Allow", "kms:*", "*"),
              st("DenyInsecure", "Deny", "kms:*", "*", {"Bool": {"aws:SecureTransport": "false"}}))],
    request(context={"aws:SecureTransport": True}), "Allow", "AllowAll")
add(F, "no-statement-matches", "no matching statement: implicit deny", S_EVAL,
    [identity(st("AllowEncrypt", "Allow", "kms:Encrypt", "*"))], request(), "ImplicitDeny")
add(F, "several-allows-both-decide", "two applying Allows: both are deciding; the second is checked", S_EVAL,
    [identity(st("First", "Allow", "kms:Decrypt", "*"), st("Second", "Allow", "kms:*", KEY))], request(), "Allow",
    "Second")
add(F, "allow-in-second-policy", "an Allow in the second policy is enough", S_EVAL,
    [identity(st("Other", "Allow", "kms:Encrypt", "*")), identity(st("Here", "Allow", "kms:Decrypt", "*"))],
    request(), "Allow", "Here", 1)
add(F, "statement-without-sid", "a statement without a Sid is named by its index", S_STATEMENT,
    [identity(st(None, "Allow", "kms:Encrypt", "*"), st(None, "Allow", "kms:Decrypt", "*"))], request(), "Allow", "#1")
add(F, "statement-single-object", "Statement may be a single object instead of an array", S_STATEMENT,
    [{"type": "identity", "document": {"Version": "2012-10-17",
                                        "Statement": st("Single", "Allow", "kms:Decrypt", "*")}}],
    request(), "Allow", "Single")
add(F, "scp-deny-wins", "a Deny in a service control policy wins over an identity allow", S_EVAL,
    [{"type": "scp", "document": doc(st("FullAccess", "Allow", "*", "*"),
                                     st("DenyKeyDeletion", "Deny", "kms:ScheduleKeyDeletion", "*"))},
     identity(st("AllowKms", "Allow", "kms:*", "*"))], request("kms:ScheduleKeyDeletion"), "ExplicitDeny",
    "DenyKeyDeletion", 0)
add(F, "boundary-deny-wins", "a Deny in a permissions boundary wins", S_EVAL,
    [identity(st("AllowKms", "Allow", "kms:*", "*")),
     {"type": "permissions-boundary", "document": doc(st("Boundary", "Allow", "kms:*", "*"),
                                                      st("NoDelete", "Deny", "kms:ScheduleKeyDeletion", "*"))}],
    request("kms:ScheduleKeyDeletion"), "ExplicitDeny", "NoDelete", 1)
add(F, "session-policy-allow", "a session policy's allow combines with the identity allow", S_EVAL,
    [identity(st("AllowKms", "Allow", "kms:*", "*")),
     {"type": "session", "document": doc(st("SessionDecrypt", "Allow", "kms:Decrypt", KEY))}],
    request(principal=session()), "Allow", "SessionDecrypt", 1)
add(F, "key-policy-sid-with-spaces", "a key-policy Sid may contain spaces", K_DEFAULT,
    [resource_policy(st("Enable IAM User Permissions", "Allow", "kms:*", "*",
                        principal={"AWS": f"arn:aws:iam::{A}:root"}))], request(), "Allow",
    "Enable IAM User Permissions")
add(F, "deny-all-statements-listed", "with several applying Denies, each is deciding", S_EVAL,
    [identity(st("DenyA", "Deny", "kms:*", "*"), st("DenyB", "Deny", "kms:Decrypt", "*"))], request(), "ExplicitDeny",
    "DenyB")

# ------------------------------------------------------------------------------------------------------------ kms
F = "kms"
DEFAULT = resource_policy(st("Enable IAM User Permissions", "Allow", "kms:*", "*",
                             principal={"AWS": f"arn:aws:iam::{A}:root"}), pid="key-default-1")
add(F, "default-policy-same-account", "the default key policy applies to principals of the account", K_DEFAULT,
    [DEFAULT], request(principal=session()), "Allow", "Enable IAM User Permissions")
add(F, "default-policy-other-account", "the default key policy does not apply to another account", K_DEFAULT,
    [DEFAULT], request(principal=user("Alice", B)), "ImplicitDeny")
ADMIN_ACTIONS = ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                 "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
                 "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]
USER_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
ADMIN = f"arn:aws:iam::{A}:role/KMSAdmin"
KUSER = f"arn:aws:iam::{A}:role/ExampleRole"
CONSOLE = resource_policy(
    st("Enable IAM User Permissions", "Allow", "kms:*", "*", principal={"AWS": f"arn:aws:iam::{A}:root"}),
    st("Allow access for Key Administrators", "Allow", ADMIN_ACTIONS, "*", principal={"AWS": ADMIN}),
    st("Allow use of the key", "Allow", USER_ACTIONS, "*", principal={"AWS": KUSER}),
    st("Allow attachment of persistent resources", "Allow", ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
       "*", principal={"AWS": KUSER}, cond={"Bool": {"kms:GrantIsForAWSResource": "true"}}),
    pid="key-consolepolicy-3")
add(F, "console-admin-schedule-deletion", "console policy: a key administrator may schedule key deletion", K_DEFAULT,
    [CONSOLE], request("kms:ScheduleKeyDeletion", principal=session("KMSAdmin", "admin")), "Allow",
    "Allow access for Key Administrators")
add(F, "console-admin-put-policy", "console policy: a key administrator may change the key policy (kms:Put*)",
    K_DEFAULT, [CONSOLE], request("kms:PutKeyPolicy", principal=session("KMSAdmin", "admin")), "Allow",
    "Allow access for Key Administrators")
add(F, "console-user-decrypt", "console policy: a key user may decrypt", K_DEFAULT, [CONSOLE],
    request("kms:Decrypt", principal=session("ExampleRole", "app")), "Allow", "Allow use of the key")
add(F, "console-user-generate-data-key-pair", "console policy: kms:GenerateDataKey* covers GenerateDataKeyPair",
    K_DEFAULT, [CONSOLE], request("kms:GenerateDataKeyPair", principal=session("ExampleRole", "app")), "Allow",
    "Allow use of the key")
add(F, "console-user-grant-for-aws-resource", "console policy: a key user may create a grant for an AWS resource",
    K_DEFAULT, [CONSOLE], request("kms:CreateGrant", principal=session("ExampleRole", "app"),
                                  context={"kms:GrantIsForAWSResource": True}), "Allow",
    "Allow attachment of persistent resources")
add(F, "console-user-grant-direct", "console policy without the account statement: a key user may not create a "
    "grant directly", K_DEFAULT, [resource_policy(*CONSOLE["document"]["Statement"][1:])], request("kms:CreateGrant", principal=session("ExampleRole", "app"),
                       context={"kms:GrantIsForAWSResource": False}), "ImplicitDeny")
add(F, "console-user-grant-key-missing", "console policy without the account statement: without "
    "kms:GrantIsForAWSResource the grant statement does not apply", K_DEFAULT,
    [resource_policy(*CONSOLE["document"]["Statement"][1:])], request("kms:CreateGrant", principal=session("ExampleRole", "app")),
    "ImplicitDeny")
add(F, "console-user-schedule-deletion", "console policy without the account statement: a key user may not schedule key "
    "deletion", K_DEFAULT,
    [resource_policy(*CONSOLE["document"]["Statement"][1:])],
    request("kms:ScheduleKeyDeletion", principal=session("ExampleRole", "app")), "ImplicitDeny")
add(F, "console-admin-no-decrypt", "console policy without the account statement: an administrator may not decrypt",
    K_DEFAULT, [resource_policy(*CONSOLE["document"]["Statement"][1:])],
    request("kms:Decrypt", principal=session("KMSAdmin", "admin")), "ImplicitDeny")
MANAGED = resource_policy(
    st("Allow access through EBS for all principals in the account that are authorized to use EBS", "Allow",
       ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
       "*", principal={"AWS": "*"},
       cond={"StringEquals": {"kms:CallerAccount": A, "kms:ViaService": "ec2.us-west-2.amazonaws.com"}}),
    st("Allow direct access to key metadata to the account", "Allow",
       ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"], "*",
       principal={"AWS": f"arn:aws:iam::{A}:root"}),
    pid="auto-ebs-2")
EBS_SID = "Allow access through EBS for all principals in the account that are authorized to use EBS"
add(F, "aws-managed-via-ebs", "AWS managed key policy: a call through EBS from the account is allowed", K_CONDKMS,
    [MANAGED], request("kms:Decrypt", KEY2, session(), {"kms:CallerAccount": A,
                                                         "kms:ViaService": "ec2.us-west-2.amazonaws.com"}), "Allow",
    EBS_SID)
add(F, "aws-managed-direct-call", "AWS managed key policy: a direct Decrypt (no kms:ViaService) is not allowed",
    K_CONDKMS, [MANAGED], request("kms:Decrypt", KEY2, session(), {"kms:CallerAccount": A}), "ImplicitDeny")
add(F, "aws-managed-other-account", "AWS managed key policy: another account's call through EBS is not allowed",
    K_CONDKMS, [MANAGED], request("kms:Decrypt", KEY2, session("App", "s1", B),
                                  {"kms:CallerAccount": B, "kms:ViaService": "ec2.us-west-2.amazonaws.com"}),
    "ImplicitDeny")
add(F, "aws-managed-other-region-service", "AWS managed key policy: EBS in another Region does not match", K_CONDKMS,
    [MANAGED], request("kms:Decrypt", KEY2, session(), {"kms:CallerAccount": A,
                                                         "kms:ViaService": "ec2.us-east-1.amazonaws.com"}),
    "ImplicitDeny")
add(F, "aws-managed-describe-direct", "AWS managed key policy: the account may describe the key directly", K_CONDKMS,
    [MANAGED], request("kms:DescribeKey", KEY2, session(), {"kms:CallerAccount": A}), "Allow",
    "Allow direct access to key metadata to the account")
cond_allow(F, "via-service-list", "kms:ViaService with several services (ORed)", K_CONDKMS,
           {"StringEquals": {"kms:ViaService": ["ec2.us-west-2.amazonaws.com", "rds.us-west-2.amazonaws.com"]}},
           {"kms:ViaService": "rds.us-west-2.amazonaws.com"}, True)
cond_deny(F, "deny-not-via-service", "Deny with StringNotEquals kms:ViaService denies direct calls (key missing)",
          K_CONDKMS, {"StringNotEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, None, True)
cond_deny(F, "deny-not-via-service-through-s3", "Deny with StringNotEquals kms:ViaService lets calls through S3 pass",
          K_CONDKMS, {"StringNotEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
          {"kms:ViaService": "s3.us-east-1.amazonaws.com"}, False)
EC = "kms:EncryptionContext:AppName"
cond_allow(F, "encryption-context-match", "kms:EncryptionContext:AppName = ExampleApp matches", K_CONDKMS,
           {"StringEquals": {EC: "ExampleApp"}}, {EC: "ExampleApp", "kms:EncryptionContextKeys": ["AppName"]}, True)
cond_allow(F, "encryption-context-other-value", "kms:EncryptionContext with another value does not match", K_CONDKMS,
           {"StringEquals": {EC: "ExampleApp"}}, {EC: "OtherApp", "kms:EncryptionContextKeys": ["AppName"]}, False)
cond_allow(F, "encryption-context-missing", "kms:EncryptionContext: a request without that pair does not match",
           K_CONDKMS, {"StringEquals": {EC: "ExampleApp"}}, None, False)
cond_allow(F, "encryption-context-ignore-case-value", "StringEqualsIgnoreCase on an encryption-context value",
           K_CONDKMS, {"StringEqualsIgnoreCase": {EC: "ExampleApp"}}, {EC: "EXAMPLEAPP"}, True)
ECK = "kms:EncryptionContextKeys"
cond_allow(F, "context-keys-any-match", "ForAnyValue:StringEquals on kms:EncryptionContextKeys: one key matches",
           K_CONDKMS, {"ForAnyValue:StringEquals": {ECK: ["AppName"]}}, {ECK: ["AppName", "FilePath"]}, True)
cond_allow(F, "context-keys-any-no-context", "ForAnyValue on kms:EncryptionContextKeys fails without a context",
           K_CONDKMS, {"ForAnyValue:StringEquals": {ECK: ["AppName"]}}, None, False)
cond_allow(F, "context-keys-all-extra", "ForAllValues on kms:EncryptionContextKeys fails with an unlisted key",
           K_CONDKMS, {"ForAllValues:StringEquals": {ECK: ["AppName", "FilePath"]}}, {ECK: ["AppName", "Other"]},
           False)
cond_allow(F, "context-keys-all-no-context", "ForAllValues on kms:EncryptionContextKeys passes without a context",
           K_CONDKMS, {"ForAllValues:StringEquals": {ECK: ["AppName", "FilePath"]}}, None, True)
cond_allow(F, "context-keys-null-false-none", "Null false on kms:EncryptionContextKeys requires a context",
           K_CONDKMS, {"Null": {ECK: "false"}}, None, False)
cond_allow(F, "context-keys-null-false-some", "Null false on kms:EncryptionContextKeys: any context passes",
           K_CONDKMS, {"Null": {ECK: "false"}}, {ECK: ["Department"], "kms:EncryptionContext:Department": "IT"}, True)
ONLY = {"StringEquals": {EC: "ExampleApp"}, "ForAllValues:StringEquals": {ECK: ["AppName"]}}
cond_allow(F, "context-exact-pair-only", "require exactly the AppName pair: AppName alone passes", K_CONDKMS, ONLY,
           {EC: "ExampleApp", ECK: ["AppName"]}, True)
cond_allow(F, "context-exact-pair-extra", "require exactly the AppName pair: an extra pair fails", K_CONDKMS, ONLY,
           {EC: "ExampleApp", "kms:EncryptionContext:Extra": "x", ECK: ["AppName", "Extra"]}, False)
cond_allow(F, "context-keys-case-sensitive", "kms:EncryptionContextKeys with StringEquals is case-sensitive",
           K_CONDKMS, {"ForAnyValue:StringEquals": {ECK: ["AppName"]}}, {ECK: ["appname"]}, False)
MFA_POLICY = resource_policy(
    st("Enable IAM User Permissions", "Allow", "kms:*", "*", principal={"AWS": f"arn:aws:iam::{A}:root"}),
    st("DenyDeletionWithoutMFA", "Deny", ["kms:ScheduleKeyDeletion", "kms:DeleteImportedKeyMaterial"], "*",
       principal={"AWS": "*"}, cond={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
add(F, "mfa-schedule-deletion-without-mfa", "deny ScheduleKeyDeletion without MFA: temporary credentials without MFA "
    "are denied", K_CONDAWS, [MFA_POLICY],
    request("kms:ScheduleKeyDeletion", principal=session(), context={"aws:MultiFactorAuthPresent": False}),
    "ExplicitDeny", "DenyDeletionWithoutMFA")
add(F, "mfa-schedule-deletion-long-term-keys", "deny ScheduleKeyDeletion without MFA: long-term keys (no MFA key) "
    "are denied by BoolIfExists", K_CONDAWS, [MFA_POLICY], request("kms:ScheduleKeyDeletion"), "ExplicitDeny",
    "DenyDeletionWithoutMFA")
add(F, "mfa-schedule-deletion-with-mfa", "deny ScheduleKeyDeletion without MFA: an MFA session is allowed", K_CONDAWS,
    [MFA_POLICY], request("kms:ScheduleKeyDeletion", principal=session(), context={"aws:MultiFactorAuthPresent": True}),
    "Allow", "Enable IAM User Permissions")
add(F, "mfa-decrypt-unaffected", "deny ScheduleKeyDeletion without MFA: Decrypt is unaffected", K_CONDAWS,
    [MFA_POLICY], request("kms:Decrypt"), "Allow", "Enable IAM User Permissions")
MFA_AGE = resource_policy(st("MFACriticalKMSEvents", "Allow", ["kms:DeleteImportedKeyMaterial",
                                                               "kms:ScheduleKeyDeletion"], "*",
                             principal={"AWS": f"arn:aws:iam::{A}:user/ExampleUser"},
                             cond={"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}}))
add(F, "mfa-age-recent", "MFA within 300 seconds allows ScheduleKeyDeletion", K_CONDAWS, [MFA_AGE],
    request("kms:ScheduleKeyDeletion", principal=user("ExampleUser"), context={"aws:MultiFactorAuthAge": 120}),
    "Allow", "MFACriticalKMSEvents")
add(F, "mfa-age-old", "MFA older than 300 seconds does not allow ScheduleKeyDeletion", K_CONDAWS, [MFA_AGE],
    request("kms:ScheduleKeyDeletion", principal=user("ExampleUser"), context={"aws:MultiFactorAuthAge": 900}),
    "ImplicitDeny")
add(F, "mfa-age-missing", "no MFA (aws:MultiFactorAuthAge missing) does not allow ScheduleKeyDeletion", K_CONDAWS,
    [MFA_AGE], request("kms:ScheduleKeyDeletion", principal=user("ExampleUser")), "ImplicitDeny")
GO = "kms:GrantOperations"
GOP = {"ForAllValues:StringEquals": {GO: ["Decrypt", "Encrypt"]}}
cond_allow(F, "grant-operations-subset", "ForAllValues on kms:GrantOperations: Decrypt only is allowed", K_CONDKMS,
           GOP, {GO: ["Decrypt"]}, True, action="kms:CreateGrant")
cond_allow(F, "grant-operations-extra", "ForAllValues on kms:GrantOperations: adding RetireGrant is not allowed",
           K_CONDKMS, GOP, {GO: ["Decrypt", "RetireGrant"]}, False, action="kms:CreateGrant")
cond_allow(F, "grant-operations-any", "ForAnyValue on kms:GrantOperations requires one of the operations", K_CONDKMS,
           {"ForAnyValue:StringEquals": {GO: ["Sign", "Verify"]}}, {GO: ["Decrypt", "Verify"]}, True,
           action="kms:CreateGrant")
cond_allow(F, "grant-is-for-aws-resource-true", "kms:GrantIsForAWSResource true", K_CONDKMS,
           {"Bool": {"kms:GrantIsForAWSResource": "true"}}, {"kms:GrantIsForAWSResource": True}, True,
           action="kms:CreateGrant")
cond_allow(F, "grant-is-for-aws-resource-false", "kms:GrantIsForAWSResource false does not match true", K_CONDKMS,
           {"Bool": {"kms:GrantIsForAWSResource": "true"}}, {"kms:GrantIsForAWSResource": False}, False,
           action="kms:CreateGrant")
RAL = "kms:RequestAlias"
cond_allow(F, "request-alias-match", "kms:RequestAlias matches the alias named in the request", K_ALIAS,
           {"StringEquals": {RAL: "alias/finance-key"}}, {RAL: "alias/finance-key"}, True)
cond_allow(F, "request-alias-key-id", "kms:RequestAlias is missing when the request names the key by id", K_ALIAS,
           {"StringEquals": {RAL: "alias/finance-key"}}, None, False)
cond_allow(F, "request-alias-like", "kms:RequestAlias with StringLike", K_ALIAS,
           {"StringLike": {RAL: "alias/project-*"}}, {RAL: "alias/project-alpha"}, True)
cond_allow(F, "resource-aliases-any", "ForAnyValue:StringEquals on kms:ResourceAliases", K_ALIAS,
           {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/finance-key"}},
           {"kms:ResourceAliases": ["alias/finance-key", "alias/legacy"]}, True)
CA = "kms:CallerAccount"
cond_deny(F, "caller-account-deny-other", "Deny unless kms:CallerAccount is the owner account: another account is "
          "denied", K_CONDKMS, {"StringNotEquals": {CA: A}}, {CA: B}, True)
cond_deny(F, "caller-account-deny-same", "Deny unless kms:CallerAccount is the owner account: the owner passes",
          K_CONDKMS, {"StringNotEquals": {CA: A}}, {CA: A}, False)
cond_allow(F, "resource-tag-match", "ABAC: aws:ResourceTag/Project = Alpha allows", K_TAG,
           {"StringEquals": {"aws:ResourceTag/Project": "Alpha"}}, {"aws:ResourceTag/Project": "Alpha"}, True)
cond_allow(F, "resource-tag-untagged", "ABAC: an untagged key does not match aws:ResourceTag", K_TAG,
           {"StringEquals": {"aws:ResourceTag/Project": "Alpha"}}, None, False)
add(F, "cross-account-key-policy", "a key policy naming another account's root applies to that account's roles",
    K_OVERVIEW, [resource_policy(st("Allow use of the key by 444455556666", "Allow", USER_ACTIONS, "*",
                                    principal={"AWS": f"arn:aws:iam::{B}:root"}))],
    request("kms:Decrypt", principal=session("App", "s1", B)), "Allow", "Allow use of the key by 444455556666")
add(F, "identity-policy-key-arn", "an IAM policy allowing Decrypt on one key ARN", K_IAM,
    [identity(st("AllowDecryptOneKey", "Allow", ["kms:Decrypt", "kms:DescribeKey"], KEY))], request(), "Allow",
    "AllowDecryptOneKey")
add(F, "identity-policy-region-scope", "an IAM policy scoped to us-west-2 keys does not cover us-east-1", K_IAM,
    [identity(st("WestOnly", "Allow", "kms:*", f"arn:aws:kms:us-west-2:{A}:key/*"))], request(), "ImplicitDeny")
add(F, "deny-key-deletion-best-practice", "best practice: deny ScheduleKeyDeletion to everyone but an admin role",
    S_BP, [identity(st("AllowKms", "Allow", "kms:*", "*"),
                    st("DenyDeletion", "Deny", "kms:ScheduleKeyDeletion", "*",
                       {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/KMSAdmin"}}))],
    request("kms:ScheduleKeyDeletion", principal=session(),
            context={"aws:PrincipalArn": f"arn:aws:iam::{A}:role/App"}), "ExplicitDeny", "DenyDeletion")


# Cases whose allow comes through delegation to the account (or from another account): the caller's IAM policy
# allows too, as AWS's evaluation logic needs.
for _key in ["not-elements/not-principal-deny-listed-session", "not-elements/not-principal-deny-bob",
             "combining/key-policy-sid-with-spaces", "kms/default-policy-same-account", "kms/aws-managed-describe-direct",
             "kms/mfa-schedule-deletion-with-mfa", "kms/mfa-decrypt-unaffected", "kms/cross-account-key-policy"]:
    cases[_key + ".json"]["policies"].append(IAM_ALLOW)
# Another account's key: its key policy must allow the caller's account too (cross-account evaluation).
cases["resources/account-wildcard.json"]["policies"].append(
    resource_policy(st("KeyPolicyOfB", "Allow", "kms:Decrypt", "*", principal={"AWS": f"arn:aws:iam::{A}:root"})))


def main():
    folders = sorted({k.split("/")[0] for k in cases})
    for folder in folders:
        shutil.rmtree(os.path.join(ROOT, folder), ignore_errors=True)
    for key, case in sorted(cases.items()):
        path = os.path.join(ROOT, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(case, f, indent=2)
            f.write("\n")
    counts = {}
    for k in cases:
        counts[k.split("/")[0]] = counts.get(k.split("/")[0], 0) + 1
    for folder in folders:
        print(f"{folder:15} {counts[folder]}")
    print(f"{'total':15} {len(cases)}")


if __name__ == "__main__":
    main()
