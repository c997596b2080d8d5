#!/usr/bin/env python3
"""A gpuNodeOrder policy for the trace-replay tests.

`highest` puts each replayed pod on the feasible node with the highest name;
`outsider` answers a node that is not a candidate (an invalid action).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../scenarios/policies"))
from platformsim_policy import serve  # noqa: E402

mode = sys.argv[1]


def decide(observation, request):
    if mode == "outsider":
        return {"node": "no-such-node"}
    return {"node": max(candidate["node"] for candidate in observation["candidates"])}


serve(decide, name=f"gpu-node-picker-{mode}")
