#!/usr/bin/env python3
"""Cluster Autoscaler's scale-down rule and pool-order node ranking, in Python.

Answers `nodeScaleDown` as the built-in `cluster-autoscaler` does and `nodeOrder` as
the built-in `pool-order` (each pool its own tier, in the scenario's order), so runs
with it give the built-ins' tables. `--protocol v1` declares platformsim.policy/v1
(one question per line), `--protocol v2` v2 (a decision cycle per `decide-batch`, one
object per question); the default is v3 (a decision cycle per `decide-batch`, in
columns), answered by the column-wise rule below, or with `--per-question` by the
helper calling the one-question rule per row. `--short-batch` leaves the last action
out of every batch answer.
Writes to stderr how many lines, batches and questions it answered.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../scenarios/policies"))
from platformsim_policy import PROTOCOL_V1, PROTOCOL_V2, PROTOCOL_V3, serve  # noqa: E402

arguments = sys.argv[1:]
protocol = PROTOCOL_V3
if "--protocol" in arguments:
    protocol = {"v1": PROTOCOL_V1, "v2": PROTOCOL_V2, "v3": PROTOCOL_V3}[arguments[arguments.index("--protocol") + 1]]
if "--short-batch" in arguments:
    import json

    write = sys.stdout.write

    def write_short(text):
        message = json.loads(text)
        if message.get("type") == "actions":
            if "actions" in message:
                message["actions"] = message["actions"][:-1]
            else:
                message["columns"] = {name: values[:-1] for name, values in message["columns"].items()}
            text = json.dumps(message) + "\n"
        return write(text)

    sys.stdout.write = write_short
counts = {"lines": 0, "batches": 0, "questions": 0}
last = [None]


def count(request, questions):
    counts["questions"] += questions
    if request["id"] != last[0]:
        last[0] = request["id"]
        counts["lines"] += 1
        if request["type"] == "decide-batch":
            counts["batches"] += 1


def decide(observation, request):
    count(request, 1)
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


def decide_batch(columns, request):
    """The same rules over a v3 batch, column by column."""
    count(request, request["count"])
    if request["decisionPoint"] == "nodeOrder":
        return {"poolTiers": [list(range(len(pools))) for pools in columns["pools"]]}
    return {
        "remove": [
            not cooling and removed < parallelism and unneeded >= needed and desired > minimum and (empty or not drained)
            for cooling, removed, parallelism, unneeded, needed, desired, minimum, empty, drained in zip(
                columns["coolingDown"],
                columns["removedThisScan"],
                columns["maxScaleDownParallelism"],
                columns["unneededSeconds"],
                columns["unneededTimeSeconds"],
                columns["poolDesiredNodes"],
                columns["poolMinNodes"],
                columns["empty"],
                columns["drainedThisScan"],
            )
        ]
    }


serve(
    decide,
    name="cluster-autoscaler-py",
    protocol=protocol,
    decide_batch=None if "--per-question" in arguments else decide_batch,
)
print(
    f"cluster-autoscaler-py: {protocol}, {counts['lines']} requests, {counts['batches']} batches, "
    f"{counts['questions']} questions",
    file=sys.stderr,
)
