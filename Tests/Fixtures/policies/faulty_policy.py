#!/usr/bin/env python3
"""A misbehaving admission policy for PlatformSim's fault tests.

Answers the hello and the first `--after` requests like the built-in (admit), then
misbehaves as `mode` says: crash (SIGABRT), exit (status 3), hang, garbage (not
JSON), invalid-action (a verdict that does not exist), wrong-id. Mode `no-hello`
exits before the handshake. Modes that go on answering after doing something once:
fork-helper (a child that sleeps holding stdout and stderr), daemon (a double-forked
`setsid` daemon holding them), stderr-flood (20 MiB of stderr). Mode exit-with-helper
forks such a helper and then exits with status 3.
"""
import json
import os
import sys
import time

mode = sys.argv[1]
after = int(sys.argv[2]) if len(sys.argv) > 2 else 2

if mode == "no-hello":
    print("faulty-policy: refusing to start", file=sys.stderr)
    sys.exit(4)
sys.stdin.readline()
print(json.dumps({"type": "hello", "protocol": "platformsim.policy/v1", "name": "faulty"}), flush=True)
answered = 0


def fork_helper(daemon=False):
    """A descendant that keeps our stdout and stderr open for an hour."""
    pid = os.fork()
    if pid == 0:
        if daemon:
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
        print(f"faulty-policy: helper pid {os.getpid()}", file=sys.stderr, flush=True)
        time.sleep(3600)
        os._exit(0)
    if daemon:
        os.waitpid(pid, 0)
    time.sleep(0.2)


for line in sys.stdin:
    request = json.loads(line)
    if request.get("type") == "bye":
        break
    if answered >= after:
        print(f"faulty-policy: misbehaving ({mode}) at request {request['id']}", file=sys.stderr, flush=True)
        if mode in ("fork-helper", "daemon", "stderr-flood") and answered == after:
            if mode == "stderr-flood":
                for _ in range(20 * 1024):
                    sys.stderr.write("x" * 1023 + "\n")
                sys.stderr.flush()
            else:
                fork_helper(daemon=(mode == "daemon"))
        elif mode == "exit-with-helper":
            fork_helper()
            sys.exit(3)
        elif mode == "crash":
            os.abort()
        elif mode == "exit":
            sys.exit(3)
        elif mode == "hang":
            time.sleep(3600)
        elif mode == "garbage":
            print("this is not json {", flush=True)
            continue
        elif mode == "invalid-action":
            print(json.dumps({"type": "action", "id": request["id"], "action": {"verdict": "maybe"}}), flush=True)
            continue
        elif mode == "wrong-id":
            print(json.dumps({"type": "action", "id": request["id"] + 7, "action": {"verdict": "admit"}}), flush=True)
            continue
    print(json.dumps({"type": "action", "id": request["id"], "action": {"verdict": "admit"}}), flush=True)
    answered += 1
