"""Minimal helper for PlatformSim external policies (standard library only).

Speaks protocol platformsim.policy/v3 (docs/POLICY-PROTOCOL.md), or v2 or v1 when
asked or when PlatformSim offers no newer one: answers the hello with the version it
chose, then reads one request per line and writes one answer per line until `bye` or
end of input. A policy is a function from (observation, request) to an action dict.

    from platformsim_policy import serve
    serve(lambda observation, request: {"decision": "rollback"})

A `decide-batch` request carries the questions of one decision cycle. Under v3 they
come as columns (one list per observation field, `request["count"]` long); the helper
gives each question to `decide` as an ordinary observation dict, or, when `serve` is
given `decide_batch`, the whole batch at once:

    def decide_batch(columns, request):
        # columns: {"node": [...], "empty": [...], ...}; return one list per action field
        return {"remove": [e for e in columns["empty"]]}

    serve(decide, decide_batch=decide_batch)

`None` in a column (either way) is a field with no value. Under v2 a batch is a list of
observation objects, each given to `decide`.

`serve(..., protocol=PROTOCOL_V2)` (or PLATFORMSIM_POLICY_PROTOCOL=platformsim.policy/v2
in the environment) declares that version, and likewise v1: PlatformSim then asks one
question per line.

Log to stderr (kept in the run's `policy_logs` row), never to stdout.
"""
import json
import os
import sys

PROTOCOL_V1 = "platformsim.policy/v1"
PROTOCOL_V2 = "platformsim.policy/v2"
PROTOCOL_V3 = "platformsim.policy/v3"
PROTOCOL = PROTOCOL_V3
SPOKEN = [PROTOCOL_V3, PROTOCOL_V2, PROTOCOL_V1]


def rows(columns, count):
    """The observations of a v3 batch, one dict per question (`None`s left out)."""
    names = list(columns)
    return [
        {name: value for name, value in zip(names, values) if value is not None}
        for values in (zip(*columns.values()) if names else [()] * count)
    ]


def to_columns(actions):
    """v3 answer columns from one action dict per question (a missing field is `None`)."""
    names = {}
    for action in actions:
        for name in action:
            names.setdefault(name)
    return {name: [action.get(name) for action in actions] for name in names}


def serve(decide, name="python-policy", protocol=None, decide_batch=None):
    """Runs the request loop; `decide(observation, request)` returns the action.

    `decide_batch(columns, request)`, if given, answers v3 batches in columns.
    """
    wanted = protocol or os.environ.get("PLATFORMSIM_POLICY_PROTOCOL")
    stdin = sys.stdin
    stdout = sys.stdout
    hello = json.loads(stdin.readline() or "{}")
    offered = hello.get("protocols") or [hello.get("protocol")]
    if wanted is None:
        # The newest version both sides speak.
        wanted = next((version for version in offered if version in SPOKEN), PROTOCOL)
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
        if kind == "decide-batch" and "columns" in request:
            if decide_batch is not None:
                columns = decide_batch(request["columns"], request)
            else:
                observations = rows(request["columns"], request["count"])
                columns = to_columns([decide(observation, request) for observation in observations])
            stdout.write(json.dumps({"type": "actions", "id": request["id"], "columns": columns}) + "\n")
        elif kind == "decide-batch":
            actions = [decide(observation, request) for observation in request["observations"]]
            stdout.write(json.dumps({"type": "actions", "id": request["id"], "actions": actions}) + "\n")
        else:
            action = decide(request["observation"], request)
            stdout.write(json.dumps({"type": "action", "id": request["id"], "action": action}) + "\n")
        stdout.flush()
