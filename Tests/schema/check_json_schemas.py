#!/usr/bin/env python3
"""Checks the published JSON Schemas against what mizan reads and writes.

- schema/schema-export.v1.json accepts Examples/bookshop/mizan-schema.json;
- schema/edge-manifest.v1.json accepts the manifest mizan generates from it (argument: its path);
- both are valid draft 2020-12 schemas.
Prints 'N passed, N failed' and exits 1 on any failure.
"""
import json
import os
import sys

import jsonschema

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(relative_or_absolute):
    path = relative_or_absolute if os.path.isabs(relative_or_absolute) else os.path.join(root, relative_or_absolute)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    manifest_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Tests/MizanCodegenTests/Golden/bookshop/manifest.json")
    checks = [
        ("schema-export schema is valid", lambda: jsonschema.Draft202012Validator.check_schema(load("schema/schema-export.v1.json"))),
        ("edge-manifest schema is valid", lambda: jsonschema.Draft202012Validator.check_schema(load("schema/edge-manifest.v1.json"))),
        ("bookshop schema-export validates", lambda: jsonschema.Draft202012Validator(load("schema/schema-export.v1.json")).validate(load("Examples/bookshop/mizan-schema.json"))),
        ("generated manifest validates", lambda: jsonschema.Draft202012Validator(load("schema/edge-manifest.v1.json")).validate(load(manifest_path))),
    ]
    passed = failed = 0
    for name, check in checks:
        try:
            check()
            passed += 1
            print(f"ok   {name}")
        except Exception as error:  # noqa: BLE001 - report any failure with its message
            failed += 1
            print(f"FAIL {name}: {str(error).splitlines()[0]}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
