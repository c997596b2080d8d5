#!/usr/bin/env python3
"""Cluster Autoscaler's scale-down rule and pool-order node ranking, in Python.

Answers `nodeScaleDown` as the built-in `cluster-autoscaler` does and `nodeOrder` as
the built-in `pool-order` (each pool its own tier, in the scenario's order), so runs
with it give the built-ins' tables. `--protocol v1` declares platformsim.policy/v1
(one question per line); the default is v2 (a decision cycle per `decide-batch`).
`--short-batch` speaks v2 but leaves the last action out of every batch answer.
Writes to stderr how many lines, batches and questions it answered.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../scenarios/policies"))
from platformsim_policy import PROTOCOL_V1, PROTOCOL_V2, serve  # noqa: E402

protocol = PROTOCOL_V1 if sys.argv[1:] == ["--protocol", "v1"] else PROTOCOL_V2
if "--short-batch" in sys.argv:
    import json

    write = sys.stdout.write

    def write_short(text):
        message = json.loads(text)
        if message.get("type") == "actions":
            message["actions"] = message["actions"][:-1]
            text = json.dumps(message) + "\n"
        return write(text)

    sys.stdout.write = write_short
counts = {"lines": 0, "batches": 0, "questions": 0}
last = [None]


def decide(observation, request):
    counts["questions"] += 1
    if request["id"] != last[0]:
        last[0] = request["id"]
        counts["lines"] += 1
        if request["type"] == "decide-batch":
            counts["batches"] += 1
    if request["decisionPoint"] == "nodeOrder":
        return {"poolTiers": list(range(len(observation["pools"])))}
    remove = (
        not observation["coolingDown"]
        and observation["removedThisScan"] < observation["maxScaleDownParallelism"]
        and observation["unneededSeconds"] >= observation["unneededTimeSeconds"]
        and observation["poolDesiredNodes"] > observation["poolMinNodes"]
        and (observation["empty"] or not observation["drainedThisScan"])
    )
    return {"remove": remove}


serve(decide, name="cluster-autoscaler-py", protocol=protocol)
print(
    f"cluster-autoscaler-py: {protocol}, {counts['lines']} requests, {counts['batches']} batches, "
    f"{counts['questions']} questions",
    file=sys.stderr,
)
