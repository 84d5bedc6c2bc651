#!/usr/bin/env python3
"""Extract the KMS service model (botocore data/kms/2014-11-01/service-2.json) into a compact JSON file.

Usage:
    pip download --no-deps -d /tmp/botocore botocore
    python3 extract_model.py /tmp/botocore/botocore-*.whl [--api /work/main/crates/kms/src/api.rs] \
        [--json kms-model-extract.json] [--markdown tables.md]

Output JSON: {Op: {"implemented": bool, "input": {Member: {...}}, "output": [{member, shape, type}],
"errors": [...], and for implemented operations "kmsim_fields", "kmsim_required", "kmsim_missing", "kmsim_extra",
"required_mismatch"}}. Metadata (botocore version, protocol) is printed on stdout.
Each input member: shape, type, required, and, where the model has them, min, max, pattern, enum, default
(box/default from the model), doc_min/doc_max/doc_default where the member's documentation states a narrower
range than the shape (the Limit members), list member constraints (member_shape, member_min, member_max, member_pattern,
member_enum), map key/value constraints, and for structures the nested members (one level, same fields).
"""
import argparse
import gzip
import json
import re
import sys
import zipfile

MODEL_PATH = "botocore/data/kms/2014-11-01/service-2.json"


def load_model(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        version = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
        meta_version = None
        if version:
            for line in z.read(version).decode().splitlines():
                if line.startswith("Version:"):
                    meta_version = line.split(":", 1)[1].strip()
        if MODEL_PATH in names:
            raw = z.read(MODEL_PATH)
        elif MODEL_PATH + ".gz" in names:
            raw = gzip.decompress(z.read(MODEL_PATH + ".gz"))
        else:
            sys.exit("no KMS model in the wheel")
    return json.loads(raw), meta_version


def constraints(model, shape_name):
    s = model["shapes"][shape_name]
    out = {"shape": shape_name, "type": s["type"]}
    for k in ("min", "max", "pattern", "enum", "default", "sensitive", "box"):
        if k in s:
            out[k] = s[k]
    if s["type"] == "list":
        m = s["member"]["shape"]
        ms = model["shapes"][m]
        out["member_shape"] = m
        out["member_type"] = ms["type"]
        for k in ("min", "max", "pattern", "enum"):
            if k in ms:
                out["member_" + k] = ms[k]
    if s["type"] == "map":
        for part in ("key", "value"):
            ps = model["shapes"][s[part]["shape"]]
            out[part + "_shape"] = s[part]["shape"]
            for k in ("min", "max", "pattern", "enum"):
                if k in ps:
                    out[part + "_" + k] = ps[k]
    return out


def members(model, shape_name, depth=0):
    s = model["shapes"][shape_name]
    req = set(s.get("required", []))
    result = {}
    for name, m in s.get("members", {}).items():
        c = constraints(model, m["shape"])
        c["required"] = name in req
        if m.get("deprecated"):
            c["deprecated"] = True
        doc = re.sub(r"<[^>]+>", " ", m.get("documentation", ""))
        lim = re.search(r"must be between (\d+) and (\d+), inclusive\. If you do not include a value, it defaults to (\d+)", doc)
        if lim:
            c["doc_min"], c["doc_max"], c["doc_default"] = (int(x) for x in lim.groups())
        if c["type"] == "structure" and depth < 2:
            c["members"] = members(model, m["shape"], depth + 1)
        if c["type"] == "list" and model["shapes"][c["member_shape"]]["type"] == "structure" and depth < 2:
            c["item_members"] = members(model, c["member_shape"], depth + 1)
        result[name] = c
    return result


def kmsim_operations(api_rs):
    """Operation -> PascalCase fields, from the `requests!` invocation in api.rs."""
    text = open(api_rs).read()
    start = text.index("\nrequests! {")
    body = text[start:]
    # The invocation ends at the first line that is exactly "}" after the start.
    end = re.search(r"\n}\n", body).start()
    body = body[: end + 1]
    ops = {}
    # A line "    Op {" opens a block, "    }" closes it; "    Op { a: T, b: T }" is a whole block on one line.
    current = None
    for line in body.splitlines()[1:]:
        one = re.match(r"^    (\w+) \{(.*)\}\s*$", line)
        if one:
            ops[one.group(1)] = [(f, not t.strip().startswith("Option<")) for f, t in
                                 re.findall(r"(\w+):\s*([^,}]+)", one.group(2))]
            continue
        opening = re.match(r"^    (\w+) \{\s*$", line)
        if opening:
            current = opening.group(1)
            ops[current] = []
            continue
        if re.match(r"^    \}\s*$", line):
            current = None
            continue
        if current:
            f = re.match(r"^\s*(\w+):\s*(.*?),?\s*$", re.sub(r"#\[.*?\]\s*", "", line))
            if f:
                ops[current].append((f.group(1), not f.group(2).startswith("Option<")))

    def pascal(snake):
        return "".join(w[:1].upper() + w[1:] for w in snake.split("_"))

    return {op: [(pascal(f), req) for f, req in fields] for op, fields in ops.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wheel")
    ap.add_argument("--api", default="/work/main/crates/kms/src/api.rs")
    ap.add_argument("--json", default="/work/notes/kms-model-extract.json")
    ap.add_argument("--markdown", default=None)
    a = ap.parse_args()

    model, version = load_model(a.wheel)
    implemented = kmsim_operations(a.api)
    ops = {}
    for name, op in sorted(model["operations"].items()):
        entry = {"implemented": name in implemented}
        entry["input"] = members(model, op["input"]["shape"]) if "input" in op else {}
        if "output" in op:
            out_shape = model["shapes"][op["output"]["shape"]]
            entry["output"] = [
                {"member": k, "shape": v["shape"], "type": model["shapes"][v["shape"]]["type"]}
                for k, v in out_shape.get("members", {}).items()
            ]
        else:
            entry["output"] = []
        entry["errors"] = [e["shape"] for e in op.get("errors", [])]
        if name in implemented:
            fields = [f for f, _ in implemented[name]]
            entry["kmsim_fields"] = fields
            entry["kmsim_required"] = [f for f, req in implemented[name] if req]
            entry["required_mismatch"] = sorted(
                set(entry["kmsim_required"]) ^ {m for m, c in entry["input"].items() if c["required"]})
            entry["kmsim_missing"] = [m for m in entry["input"] if m not in fields]
            entry["kmsim_extra"] = [f for f in fields if f not in entry["input"]]
        ops[name] = entry
    extra_ops = sorted(set(implemented) - set(model["operations"]))
    errors = {
        name: {
            "code": s.get("error", {}).get("code", name),
            "httpStatusCode": s.get("error", {}).get("httpStatusCode"),
            "senderFault": s.get("error", {}).get("senderFault"),
        }
        for name, s in model["shapes"].items()
        if s.get("exception")
    }
    meta = {
            "source": "botocore " + str(version) + " " + MODEL_PATH,
            "apiVersion": model["metadata"].get("apiVersion"),
            "protocol": model["metadata"].get("protocol"),
            "targetPrefix": model["metadata"].get("targetPrefix"),
            "operations": len(model["operations"]),
            "implemented_by_kmsim": sorted(implemented),
            "kmsim_operations_not_in_model": extra_ops,
    }
    doc = {"operations": ops, "exceptions": errors, "_meta": meta}
    # The JSON file is the operation map itself (operation -> {input, output, errors, ...}).
    with open(a.json, "w") as f:
        json.dump(ops, f, indent=1, sort_keys=False)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(render_markdown(doc))
    print(json.dumps(meta))
    print(f"{len(ops)} operations, {len(implemented)} implemented by kmsim; wrote {a.json}")


def fmt_constraints(c):
    parts = []
    if c["type"] == "list":
        rng = []
        if "min" in c or "max" in c:
            rng.append(f"{c.get('min', 0)}..{c.get('max', '∞')} items")
        inner = []
        if "member_min" in c or "member_max" in c:
            inner.append(f"len {c.get('member_min', 0)}..{c.get('member_max', '∞')}")
        if "member_pattern" in c:
            inner.append(f"pattern `{c['member_pattern']}`")
        if "member_enum" in c:
            inner.append("enum " + ", ".join(c["member_enum"]))
        s = f"list of {c['member_shape']}"
        if rng:
            s += " (" + ", ".join(rng) + ")"
        if inner:
            s += "; each " + ", ".join(inner)
        if "item_members" in c:
            s += "; items {" + "; ".join(
                n + (" [" + fmt_constraints(m) + "]" if fmt_constraints(m) else "") + (" req" if m["required"] else "")
                for n, m in c["item_members"].items()) + "}"
        return s
    if c["type"] == "map":
        k = []
        if "key_min" in c or "key_max" in c:
            k.append(f"key len {c.get('key_min', 0)}..{c.get('key_max', '∞')}")
        if "value_min" in c or "value_max" in c:
            k.append(f"value len {c.get('value_min', 0)}..{c.get('value_max', '∞')}")
        return "map" + (" (" + ", ".join(k) + ")" if k else "")
    if c["type"] == "structure":
        inner = []
        for n, m in c.get("members", {}).items():
            inner.append(n + (" [" + fmt_constraints(m) + "]" if fmt_constraints(m) else ""))
        return "structure {" + "; ".join(inner) + "}"
    if "min" in c or "max" in c:
        unit = "len" if c["type"] in ("string", "blob") else "range"
        parts.append(f"{unit} {c.get('min', '-')}..{c.get('max', '-')}")
    if "pattern" in c:
        parts.append(f"pattern `{c['pattern']}`")
    if "enum" in c:
        parts.append("enum " + ", ".join(c["enum"]))
    if "doc_min" in c:
        parts.append(f"docs: {c['doc_min']}..{c['doc_max']}, default {c['doc_default']}")
    return ", ".join(parts)


def render_markdown(doc):
    lines = []
    for name, op in doc["operations"].items():
        if not op["implemented"]:
            continue
        lines.append(f"#### {name}\n")
        lines.append("| member | shape (type) | req | constraints | kmsim |")
        lines.append("|---|---|---|---|---|")
        for m, c in op["input"].items():
            have = "yes" if m in op["kmsim_fields"] else "**missing**"
            cons = fmt_constraints(c).replace("|", "\\|")
            dep = " (deprecated)" if c.get("deprecated") else ""
            lines.append(f"| {m}{dep} | {c['shape']} ({c['type']}) | {'Y' if c['required'] else ''} | {cons} | {have} |")
        lines.append("")
        lines.append("Output: " + ", ".join(o["member"] for o in op["output"]) if op["output"] else "Output: (none)")
        lines.append("")
        lines.append("Errors: " + ", ".join(op["errors"]))
        lines.append("")
        if op.get("required_mismatch"):
            lines.append("Required-ness differs (kmsim vs model): " + ", ".join(op["required_mismatch"]))
            lines.append("")
    lines.append("#### Not implemented\n")
    for name, op in doc["operations"].items():
        if op["implemented"]:
            continue
        req = [m for m, c in op["input"].items() if c["required"]]
        lines.append(f"- **{name}**: input {', '.join(op['input']) or '(none)'} (required: {', '.join(req) or 'none'}); "
                     f"output {', '.join(o['member'] for o in op['output']) or '(none)'}; errors {', '.join(op['errors'])}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
