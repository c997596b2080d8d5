#!/usr/bin/env python3
"""A `nodeScaleDown` policy speaking platformsim.policy/v3 whose batch answers have
the shape `mode` names, for the protocol's fault tests.

The values are the Cluster Autoscaler rule's, so an answer that is unusual but valid
(`extra-column`, `escaped-key`, `spaced`, `null-extra`) gives the built-in's
decisions. Every other mode breaks the answer in one way: `short` and `long` (a column
one value too short or long), `no-columns` (the v2 shape), `columns-array`,
`not-array`, `wrong-type` (a string at element 3, or the last), `null-value` (null at
element 5, or the last), `missing-column`, `duplicate`, `garbage` (not JSON),
`wrong-id`, `no-id`.
"""
import json
import sys

mode = sys.argv[1]
sys.stdin.readline()
print(json.dumps({"type": "hello", "protocol": "platformsim.policy/v3", "name": "columnar-faults"}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    if request["type"] == "bye":
        break
    c = request["columns"]
    remove = [
        not cooling and removed < parallelism and unneeded >= needed and desired > minimum and (empty or not drained)
        for cooling, removed, parallelism, unneeded, needed, desired, minimum, empty, drained in zip(
            c["coolingDown"], c["removedThisScan"], c["maxScaleDownParallelism"], c["unneededSeconds"],
            c["unneededTimeSeconds"], c["poolDesiredNodes"], c["poolMinNodes"], c["empty"], c["drainedThisScan"])
    ]
    answer = {"type": "actions", "id": request["id"], "columns": {"remove": remove}}
    text = None
    if mode == "extra-column":
        answer["columns"]["reason"] = ["idle"] * len(remove)
    elif mode == "null-extra":
        answer["columns"]["reason"] = [None] * len(remove)
    elif mode == "escaped-key":
        text = json.dumps(answer).replace('"remove"', '"remov\\u0065"')
    elif mode == "spaced":
        text = json.dumps(answer, indent=None, separators=(" , ", " : ")).replace("[", "[ ")
    elif mode == "short":
        answer["columns"]["remove"] = remove[:-1]
    elif mode == "long":
        answer["columns"]["remove"] = remove + [False]
    elif mode == "no-columns":
        answer = {"type": "actions", "id": request["id"], "actions": [{"remove": value} for value in remove]}
    elif mode == "columns-array":
        answer["columns"] = [remove]
    elif mode == "not-array":
        answer["columns"]["remove"] = True
    elif mode == "wrong-type":
        remove[min(3, len(remove) - 1)] = "yes"
    elif mode == "null-value":
        remove[min(5, len(remove) - 1)] = None
    elif mode == "missing-column":
        answer["columns"] = {"keep": [not value for value in remove]}
    elif mode == "duplicate":
        text = json.dumps(answer)[:-2] + ', "remove": ' + json.dumps(remove) + "}}"
    elif mode == "garbage":
        text = json.dumps(answer)[:-5]
    elif mode == "wrong-id":
        answer["id"] += 1
    elif mode == "no-id":
        del answer["id"]
    print(text if text is not None else json.dumps(answer), flush=True)
