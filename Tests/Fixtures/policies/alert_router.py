#!/usr/bin/env python3
"""An alertRouting policy for the end-to-end tests.

`mirror` does what the receiver says (the built-in `alertmanager-receiver`);
`ignore` turns every routed alert into `none` (the rollback automation switched off).
"""
import sys

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "../../../scenarios/policies"))
from platformsim_policy import serve  # noqa: E402

mode = sys.argv[1]


def decide(observation, request):
    if mode == "ignore":
        return {"action": "none"}
    return {"action": observation["receiverAction"]}


serve(decide, name=f"alert-router-{mode}")
