#!/usr/bin/env python3
"""The Python half of a batched `nodeScaleDown` question, without pipes or PlatformSim.

Times, per question, what the Cluster Autoscaler fixture policy
(Tests/Fixtures/policies/cluster_autoscaler_policy.py) does with one `decide-batch`
line of `--batch` candidates shaped like policy-bench's: `json.loads` of the line, the
rule, `json.dumps` of the answer, for protocol v2 (one object per question, the
helper calling the rule per observation) and v3 (columns, the rule column-wise; and
the helper's per-question path for a v3 policy written one question at a time).
Reports the median of `--repetitions` of process CPU time per question, which a loaded
machine inflates far less than wall time (docs/PERFORMANCE.md).

    python3 benchmarks/policy_python_half.py [--batch 100] [--lines 2000] [--repetitions 7]
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../scenarios/policies"))
from platformsim_policy import rows, to_columns  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--batch", type=int, default=100)
parser.add_argument("--lines", type=int, default=2000)
parser.add_argument("--repetitions", type=int, default=7)
options = parser.parse_args()


def candidate(index):
    # policy-bench's candidates (Sources/PolicyBenchmark/main.swift), as PlatformSim writes them.
    return {
        "node": f"node-{index}", "pool": "gpu", "instanceType": "g5.12xlarge", "capacityType": "spot",
        "utilisation": (index % 50) / 100, "empty": index % 3 != 0, "unneededSeconds": index * 10,
        "unneededTimeSeconds": 600, "coolingDown": False, "removedThisScan": 0, "maxScaleDownParallelism": 10,
        "drainedThisScan": False, "poolDesiredNodes": 40, "poolMinNodes": 0,
    }


observations = [candidate(index) for index in range(options.batch)]
when = {"seconds": 864000, "iso": "2026-01-15T00:00:00Z"}
compact = (",", ":")
v2_line = json.dumps(
    {"type": "decide-batch", "id": 7, "decisionPoint": "nodeScaleDown", "time": when, "observations": observations},
    separators=compact)
v3_line = json.dumps(
    {"type": "decide-batch", "id": 7, "decisionPoint": "nodeScaleDown", "time": when, "count": len(observations),
     "columns": {name: [observation[name] for observation in observations] for name in observations[0]}},
    separators=compact)


def rule(o):
    return {"remove": (
        not o["coolingDown"] and o["removedThisScan"] < o["maxScaleDownParallelism"]
        and o["unneededSeconds"] >= o["unneededTimeSeconds"] and o["poolDesiredNodes"] > o["poolMinNodes"]
        and (o["empty"] or not o["drainedThisScan"]))}


def v2(line):
    request = json.loads(line)
    actions = [rule(observation) for observation in request["observations"]]
    return json.dumps({"type": "actions", "id": request["id"], "actions": actions})


def v3_columns(line):
    request = json.loads(line)
    c = request["columns"]
    remove = [
        not cooling and removed < parallelism and unneeded >= needed and desired > minimum and (empty or not drained)
        for cooling, removed, parallelism, unneeded, needed, desired, minimum, empty, drained in zip(
            c["coolingDown"], c["removedThisScan"], c["maxScaleDownParallelism"], c["unneededSeconds"],
            c["unneededTimeSeconds"], c["poolDesiredNodes"], c["poolMinNodes"], c["empty"], c["drainedThisScan"])
    ]
    return json.dumps({"type": "actions", "id": request["id"], "columns": {"remove": remove}})


def v3_per_question(line):
    request = json.loads(line)
    columns = to_columns([rule(observation) for observation in rows(request["columns"], request["count"])])
    return json.dumps({"type": "actions", "id": request["id"], "columns": columns})


def measure(function, line):
    results = []
    for _ in range(options.repetitions):
        start = time.process_time()
        for _ in range(options.lines):
            function(line)
        results.append((time.process_time() - start) / (options.lines * options.batch) * 1e6)
    return statistics.median(results), results


print(f"python half of a batched nodeScaleDown question, {options.batch} per line, CPU time per question")
print(f"  line sizes: v2 {len(v2_line)} B, v3 {len(v3_line)} B")
for label, function, line in [
    ("v2 loads+rule+dumps", v2, v2_line),
    ("v3 loads+rule+dumps (column-wise)", v3_columns, v3_line),
    ("v3 loads+rule+dumps (helper, per question)", v3_per_question, v3_line),
    ("v2 json.loads alone", json.loads, v2_line),
    ("v3 json.loads alone", json.loads, v3_line),
]:
    middle, results = measure(function, line)
    print(f"  {label:44s} median {middle:.3f} µs  (runs: {', '.join(f'{r:.3f}' for r in results)})")
print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
