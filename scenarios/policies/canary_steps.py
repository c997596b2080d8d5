#!/usr/bin/env python3
"""Canary step progression for the rolloutStep decision point.

Makes the decisions of the built-in `configured` (Argo Rollouts steps for Argo
canaries, Flagger's loop for Flagger canaries), so a run with it has the same digests
as the built-in (a test compares them). With --never-abort it rolls forward whatever
the analysis says — a rollout controller with its analysis switched off — and a
defective canary reaches every user.

Scenario:
  policies:
    rolloutStep: {command: [python3, policies/canary_steps.py], timeout: 2s}
"""
import sys

from platformsim_policy import serve

never_abort = "--never-abort" in sys.argv[1:]
decisions = {}


def argo(observation):
    """Argo Rollouts (rollout/canary.go): a failed, errored or inconclusive analysis
    aborts; a running one holds; a timed pause waits out its duration; an indefinite
    pause advances when someone promoted; a background run's ending changes nothing."""
    if observation["analysisPhase"] in ("failed", "error", "inconclusive"):
        return {"action": "abort"}
    if observation["analysisPhase"] == "running" or observation["analysisRun"] == "background":
        return {"action": "wait"}
    steps, index = observation["steps"], observation["stepIndex"]
    if 0 <= index < len(steps) and steps[index]["isPause"]:
        pause = steps[index].get("pauseSeconds")
        if pause is None:
            return {"action": "advance" if observation["trigger"] == "step-completed" else "wait"}
        if observation["stepElapsedSeconds"] < pause:
            return {"action": "wait", "waitSeconds": pause - observation["stepElapsedSeconds"]}
    return {"action": "advance"}


def flagger(observation):
    """Flagger (scheduler.go advanceCanary): roll back at failedChecks >= threshold,
    hold on a failed check, advance by the step weight, promote at maxWeight."""
    if observation["failedChecks"] >= observation["failureThreshold"]:
        return {"action": "abort"}
    if observation["analysisPhase"] == "failed":
        return {"action": "wait"}
    if observation["currentWeight"] >= observation["maxWeight"]:
        return {"action": "promote-full"}
    return {"action": "advance"}


def decide(observation, request):
    action = flagger(observation) if observation["controller"] == "flagger" else argo(observation)
    if never_abort and action["action"] == "abort":
        action = {"action": "advance"} if observation["analysisRun"] != "background" else {"action": "wait"}
        if observation["controller"] == "flagger":
            action = {"action": "advance"}
    decisions[action["action"]] = decisions.get(action["action"], 0) + 1
    return action


serve(decide, name="canary-steps")
print("canary-steps: " + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())), file=sys.stderr)
