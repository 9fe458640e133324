#!/usr/bin/env python3
"""Validates a STIX 2.1 bundle against the official STIX 2.1 JSON schemas, offline.

usage: validate_stix.py SCHEMA_DIR BUNDLE.json

Every schema under SCHEMA_DIR is registered by its $id, so "$ref"s resolve locally and
nothing is fetched. The bundle is checked against common/bundle.json, each object against the
schema of its type, and each indicator's pattern against the part of the STIX patterning
grammar Beffroi writes (one comparison per observation: [type:path OP 'literal']).
Exit 0 when valid; 1 with one line per problem otherwise.
"""
import json
import pathlib
import re
import sys

import jsonschema

BASE = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"
KINDS = {"sdos": ["attack-pattern", "campaign", "course-of-action", "grouping", "identity",
                  "incident", "indicator", "infrastructure", "intrusion-set", "location",
                  "malware", "malware-analysis", "note", "observed-data", "opinion", "report",
                  "threat-actor", "tool", "vulnerability"],
         "sros": ["relationship", "sighting"]}
# Object types and property paths the patterns may use, from the STIX 2.1 cyber-observable
# definitions.
PATHS = {
    "file": re.compile(r"^(hashes\.'(SHA-256|SHA-1|MD5)'|name)$"),
    "domain-name": re.compile(r"^value$"),
    "url": re.compile(r"^value$"),
    "ipv4-addr": re.compile(r"^value$"),
    "ipv6-addr": re.compile(r"^value$"),
    "network-traffic": re.compile(
        r"^extensions\.'http-request-ext'\.request_header\.'User-Agent'$"),
}
COMPARISON = re.compile(
    r"^\[(?P<type>[a-z0-9-]+):(?P<path>[A-Za-z0-9_.'-]+) (?P<op>=|ISSUBSET) "
    r"'(?P<literal>(?:[^'\\]|\\['\\])*)'\]$")


def load_schemas(schema_dir):
    store = {}
    for path in sorted(pathlib.Path(schema_dir).rglob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        store[schema["$id"]] = schema
    return store


def validator(store, name):
    schema = store[BASE + name]
    resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def check_pattern(pattern):
    m = COMPARISON.match(pattern)
    if not m:
        return "pattern is not [type:path OP 'literal']"
    rule = PATHS.get(m.group("type"))
    if rule is None or not rule.match(m.group("path")):
        return "unknown object path %s:%s" % (m.group("type"), m.group("path"))
    if m.group("op") == "ISSUBSET" and not m.group("type").endswith("-addr"):
        return "ISSUBSET applies to addresses only"
    return None


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    store = load_schemas(argv[1])
    bundle = json.loads(pathlib.Path(argv[2]).read_text(encoding="utf-8"))
    problems = ["bundle: " + e.message for e in validator(store, "common/bundle.json")
                .iter_errors(bundle)]
    by_type = {t: validator(store, "%s/%s.json" % (kind, t))
               for kind, types in KINDS.items() for t in types}
    ids = {o.get("id") for o in bundle.get("objects", [])}
    for obj in bundle.get("objects", []):
        where = obj.get("id", "?")
        v = by_type.get(obj.get("type"))
        if v is None:
            problems.append("%s: unexpected object type %r" % (where, obj.get("type")))
            continue
        problems += ["%s: %s" % (where, e.message) for e in v.iter_errors(obj)]
        if obj.get("type") == "indicator":
            why = check_pattern(obj.get("pattern", ""))
            if why:
                problems.append("%s: %s: %s" % (where, why, obj.get("pattern")))
        for key in ("created_by_ref", "sighting_of_ref"):
            if key in obj and obj[key] not in ids:
                problems.append("%s: %s %s is not in the bundle" % (where, key, obj[key]))
        for key in ("object_refs", "where_sighted_refs"):
            for ref in obj.get(key, []):
                if ref not in ids:
                    problems.append("%s: %s %s is not in the bundle" % (where, key, ref))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
