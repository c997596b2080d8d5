#!/usr/bin/env python3
"""A rollback bot for the incidentResponse decision point.

Rolls back whatever users feel — error-rate and latency regressions and pods that
never get ready — and fixes forward silent model-quality regressions, where a
rollback would not show a result quickly. The built-in `rollback-bot` makes the same
decisions, so the two give identical runs (a test compares their digests).

Scenario:
  policies:
    incidentResponse: {command: [python3, policies/rollback_bot.py], timeout: 2s}
"""
import sys

from platformsim_policy import serve

decisions = {"rollback": 0, "fix-forward": 0}


def decide(observation, request):
    decision = "fix-forward" if observation["defectKind"] == "quality" else "rollback"
    decisions[decision] += 1
    return {"decision": decision}


serve(decide, name="rollback-bot")
print(f"rollback-bot: {decisions['rollback']} rollbacks, {decisions['fix-forward']} fixes forward", file=sys.stderr)
