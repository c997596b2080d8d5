#!/usr/bin/env python3
"""Check a running `platformsim serve` against docs/openapi.yaml.

The spec itself is validated (openapi-spec-validator); then every documented path is
requested with its parameters' `x-example` values and must answer 200, with a JSON body
that validates against the documented schema (jsonschema, OpenAPI 3.1 = JSON Schema
2020-12) or an HTML page. Usage: check-openapi.py BASE_URL SPEC.
Prints "N passed, M failed"; exits 1 on a failure.
"""
import json
import sys
import urllib.request

import jsonschema
import yaml
from openapi_spec_validator import validate

base, spec_path = sys.argv[1].rstrip("/"), sys.argv[2]
spec = yaml.safe_load(open(spec_path))
validate(spec)
passed, failures = 1, []


def resolve(node):
    if isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return target
    return node


for path, item in spec["paths"].items():
    operation = item["get"]
    url, query = path, []
    for parameter in map(resolve, operation.get("parameters", [])):
        example = parameter.get("x-example")
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", str(example))
        elif example is not None:
            query.append(f"{parameter['name']}={example}")
    full = base + url + ("?" + "&".join(query) if query else "")
    try:
        with urllib.request.urlopen(full) as response:
            status, kind, body = response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        failures.append(f"{full}: HTTP {error.code}")
        continue
    content = resolve(operation["responses"]["200"])["content"]
    if "application/json" in content:
        if not kind.startswith("application/json"):
            failures.append(f"{full}: content type {kind}, expected application/json")
            continue
        schema = dict(content["application/json"]["schema"])
        schema["components"] = spec["components"]
        try:
            jsonschema.validate(json.loads(body), schema, cls=jsonschema.Draft202012Validator)
            passed += 1
        except jsonschema.ValidationError as error:
            failures.append(f"{full}: {error.message} at {list(error.absolute_path)}")
    else:
        if kind.startswith("text/html") and body.startswith(b"<!DOCTYPE html>"):
            passed += 1
        else:
            failures.append(f"{full}: expected an HTML page, got {kind}")
for failure in failures:
    print("FAIL " + failure)
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
