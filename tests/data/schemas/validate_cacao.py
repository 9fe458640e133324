#!/usr/bin/env python3
"""Validates CACAO 2.0 playbooks against the official OASIS JSON schemas in cacao-2.0/.

Usage: validate_cacao.py SCHEMA_DIR PLAYBOOK.json...

The schemas refer to each other by their $id URLs; every schema file is loaded into a local
store keyed by its $id, so nothing is fetched from the network. Prints "FILE: PATH: message"
for each fault and exits 1 if any playbook is invalid, 0 if all are valid.
"""
import json
import warnings
import os
import sys

import jsonschema


def load_store(schema_dir):
    store = {}
    for root, _dirs, files in os.walk(schema_dir):
        for name in files:
            if not name.endswith(".json"):
                continue
            with open(os.path.join(root, name), encoding="utf-8") as f:
                schema = json.load(f)
            if "$id" in schema:
                store[schema["$id"]] = schema
    return store


def make_validators(entry, store):
    """Draft-07 (what the schemas declare) and, where available, Draft 2020-12 (which also
    knows unevaluatedProperties); both resolve $ref from the local store only."""
    kinds = [jsonschema.validators.validator_for(entry)]
    if hasattr(jsonschema, "Draft202012Validator"):
        kinds.append(jsonschema.Draft202012Validator)
    try:  # jsonschema >= 4.18: the referencing library
        import referencing
        import referencing.jsonschema

        resources = [(uri, referencing.Resource.from_contents(
            schema, default_specification=referencing.jsonschema.DRAFT7))
            for uri, schema in store.items()]
        registry = referencing.Registry().with_resources(resources)
        return [kind(entry, registry=registry) for kind in kinds]
    except ImportError:  # Debian 12's jsonschema 4.10: a RefResolver with a local store
        def no_network(uri):
            raise jsonschema.RefResolutionError("not in the local schema store: " + uri)

        resolver = jsonschema.RefResolver(entry["$id"], entry, store=store,
                                          handlers={"http": no_network, "https": no_network})
        return [kind(entry, resolver=resolver) for kind in kinds]


def main(argv):
    warnings.simplefilter("ignore", DeprecationWarning)
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema_dir = argv[1]
    store = load_store(schema_dir)
    entry = next(s for s in store.values() if s["$id"].endswith("/schemas/playbook.json"))

    validators = make_validators(entry, store)
    bad = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        seen, errors = set(), []
        for validator in validators:
            for e in validator.iter_errors(doc):
                key = (tuple(str(p) for p in e.absolute_path), e.message)
                if key not in seen:
                    seen.add(key)
                    errors.append(e)
        errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"{path}: {where}: {e.message[:300]}")
        bad += bool(errors)
        if not errors:
            print(f"{path}: valid CACAO 2.0")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
