#!/usr/bin/env python3
"""A spot fallback rule for the capacityType decision point.

For `spot-with-fallback` jobs: use spot while a spot pool can grow. When every spot
pool is backed off after failed launches (a spot capacity shortage), keep waiting for
spot until the job has waited `--max-wait-minutes`, then fall back to on-demand.
With `--max-wait-minutes 0` this is the built-in `spot-first` rule exactly.

Scenario:
  policies:
    capacityType:
      command: [python3, policies/spot_fallback.py, --max-wait-minutes, "30"]
      onError: fallback
"""
import argparse
import sys

from platformsim_policy import serve

parser = argparse.ArgumentParser()
parser.add_argument("--max-wait-minutes", type=float, default=30)
arguments = parser.parse_args()
max_wait_seconds = arguments.max_wait_minutes * 60
fallbacks = 0


def decide(observation, request):
    global fallbacks
    if observation["spotPools"]:
        return {"capacityType": "spot"}
    if observation["spotPoolsBackedOff"] and observation["waitingSeconds"] < max_wait_seconds:
        return {"capacityType": "spot"}  # wait for spot capacity to come back
    fallbacks += 1
    return {"capacityType": "any"}


serve(decide, name="spot-fallback")
print(f"spot-fallback: fell back {fallbacks} times", file=sys.stderr)
