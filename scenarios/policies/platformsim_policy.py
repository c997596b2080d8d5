"""Minimal helper for PlatformSim external policies (standard library only).

Speaks protocol platformsim.policy/v2 (docs/POLICY-PROTOCOL.md), or v1 when asked:
answers the hello with the version it chose, then reads one request per line and
writes one answer per line until `bye` or end of input. A `decide-batch` request
(v2: the questions of one decision cycle) is answered with one action per
observation, each from the same function. A policy is a function from
(observation, request) to an action dict.

    from platformsim_policy import serve
    serve(lambda observation, request: {"decision": "rollback"})

`serve(..., protocol=PROTOCOL_V1)` (or PLATFORMSIM_POLICY_PROTOCOL=platformsim.policy/v1
in the environment) declares v1: PlatformSim then asks one question per line.

Log to stderr (kept in the run's `policy_logs` row), never to stdout.
"""
import json
import os
import sys

PROTOCOL_V1 = "platformsim.policy/v1"
PROTOCOL_V2 = "platformsim.policy/v2"
PROTOCOL = PROTOCOL_V2


def serve(decide, name="python-policy", protocol=None):
    """Runs the request loop; `decide(observation, request)` returns the action."""
    wanted = protocol or os.environ.get("PLATFORMSIM_POLICY_PROTOCOL") or PROTOCOL
    stdin = sys.stdin
    stdout = sys.stdout
    hello = json.loads(stdin.readline() or "{}")
    offered = hello.get("protocols") or [hello.get("protocol")]
    if wanted not in offered:
        print(f"{name}: PlatformSim offers {offered!r}, not {wanted!r}", file=sys.stderr)
        sys.exit(2)
    stdout.write(json.dumps({"type": "hello", "protocol": wanted, "name": name}) + "\n")
    stdout.flush()
    for line in stdin:
        request = json.loads(line)
        kind = request.get("type")
        if kind == "bye":
            break
        if kind == "decide-batch":
            actions = [decide(observation, request) for observation in request["observations"]]
            stdout.write(json.dumps({"type": "actions", "id": request["id"], "actions": actions}) + "\n")
        else:
            action = decide(request["observation"], request)
            stdout.write(json.dumps({"type": "action", "id": request["id"], "action": action}) + "\n")
        stdout.flush()
