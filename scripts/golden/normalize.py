#!/usr/bin/env python3
"""Rewrites a golden dump made after the deciding statement became data back to the label strings it had before.

    python3 scripts/golden/normalize.py DUMP_DIR        (rewrites the files of DUMP_DIR in place)

Since the `decided_by` of an authorization trace names its statements as data ({policy, name, index, sid}) instead
of labels ("Sid" or "#3"), the trace's JSON differs from a baseline dump only there. This script rewrites every
`"decided_by": {...}` object of the dump (run/, eval/ and js.json; pretty-printed with any indent, or compact) to
the old shape, so that `diff -r BASE DUMP_DIR` shows any other change:

    explicit-deny           {statement}            -> policy, name, statement (label)
    key-policy              {statement}            -> statement (label)
    key-policy-and-identity {key_policy, identity} -> key_policy_statement, identity_policy, identity_statement
    identity                {statement}            -> policy, statement
(a missing identity statement is the root user: policy `(root user)`, statement "").
"""
import json, os, sys

KEY = '"decided_by":'


def label(s):
    return s["sid"] if s.get("sid") is not None else f"#{s['index']}"


def old_shape(d):
    by = d.get("by")
    if by == "explicit-deny" and isinstance(d.get("statement"), dict):
        s = d["statement"]
        return {"by": by, "policy": s["policy"], "name": s["name"], "statement": label(s)}
    if by == "key-policy" and isinstance(d.get("statement"), dict):
        return {"by": by, "statement": label(d["statement"])}
    if by == "key-policy-and-identity" and "key_policy" in d:
        i = d.get("identity")
        return {
            "by": by,
            "key_policy_statement": label(d["key_policy"]),
            "identity_policy": i["name"] if i else "(root user)",
            "identity_statement": label(i) if i else "",
        }
    if by == "identity" and not isinstance(d.get("policy"), str):
        s = d.get("statement")
        return {"by": by, "policy": s["name"] if s else "(root user)", "statement": label(s) if s else ""}
    return d


def object_end(text, start):
    """The index after the JSON object starting at text[start] == '{' (strings may hold braces)."""
    depth, i, in_str = 0, start, False
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated object")


def render(obj, text, start, end):
    """`obj` written as the original block was: compact, or pretty with the original indent."""
    block = text[start:end]
    if "\n" not in block:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    line_start = text.rfind("\n", 0, start) + 1
    indent = len(text[line_start:start]) - len(text[line_start:start].lstrip(" "))
    first = block.split("\n")[1]
    unit = len(first) - len(first.lstrip(" ")) - indent
    inner = " " * (indent + unit)
    members = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in obj.items()]
    return "{\n" + ",\n".join(members) + "\n" + " " * indent + "}"


def normalize(text):
    out, pos = [], 0
    while True:
        i = text.find(KEY, pos)
        if i < 0:
            out.append(text[pos:])
            return "".join(out)
        j = i + len(KEY)
        while j < len(text) and text[j] in " \t":
            j += 1
        if j >= len(text) or text[j] != "{":
            out.append(text[pos:j])
            pos = j
            continue
        end = object_end(text, j)
        new = old_shape(json.loads(text[j:end]))
        out.append(text[pos:j])
        out.append(render(new, text, j, end))
        pos = end


def main():
    root = sys.argv[1]
    changed = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            text = open(path, encoding="utf-8").read()
            new = normalize(text)
            if new != text:
                open(path, "w", encoding="utf-8").write(new)
                changed += 1
    print(f"normalize: {changed} files rewritten in {root}")


if __name__ == "__main__":
    main()
