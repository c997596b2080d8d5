"""Minimal helper for PlatformSim external policies (standard library only).

Speaks protocol platformsim.policy/v1 (docs/POLICY-PROTOCOL.md): answers the hello,
then reads one request per line and writes one answer per line until `bye` or
end of input. A policy is a function from (observation, request) to an action dict.

    from platformsim_policy import serve
    serve(lambda observation, request: {"decision": "rollback"})

Log to stderr (kept in the run's `policy_logs` row), never to stdout.
"""
import json
import sys

PROTOCOL = "platformsim.policy/v1"


def serve(decide, name="python-policy"):
    """Runs the request loop; `decide(observation, request)` returns the action."""
    stdin = sys.stdin
    stdout = sys.stdout
    hello = json.loads(stdin.readline() or "{}")
    if hello.get("protocol") != PROTOCOL:
        print(f"{name}: unsupported protocol {hello.get('protocol')!r}", file=sys.stderr)
        sys.exit(2)
    stdout.write(json.dumps({"type": "hello", "protocol": PROTOCOL, "name": name}) + "\n")
    stdout.flush()
    for line in stdin:
        request = json.loads(line)
        if request.get("type") == "bye":
            break
        action = decide(request["observation"], request)
        stdout.write(json.dumps({"type": "action", "id": request["id"], "action": action}) + "\n")
        stdout.flush()
