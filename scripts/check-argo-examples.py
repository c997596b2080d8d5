#!/usr/bin/env python3
"""Validates every Argo Rollouts example and e2e manifest with `platformsim validate`.

Usage: scripts/check-argo-examples.py PLATFORMSIM ARGO_GIT_DIR [REV]

Extracts examples/ and test/e2e/ of the Argo Rollouts repository at REV (default
HEAD) into a temporary directory, runs `platformsim validate FILE` on each YAML file
holding a Rollout, AnalysisTemplate or ClusterAnalysisTemplate, unchanged, and reports
per document: loaded, or refused with the first error naming why. Refusals are
grouped by reason (the feature named). Exit status 1 when a document is refused for a
reason not in ALLOWED_REFUSALS (the out-of-scope features of issue 14).
"""
import collections
import re
import subprocess
import sys
import tarfile
import tempfile
import io
import os

# Out-of-scope features: a document refused for one of these is correct.
ALLOWED_REFUSALS = [
    "`experiment` steps are not modelled",
    "`plugin` steps are not modelled",
    "metric provider is not modelled",
    # A Rollout naming a template refused for one of the above is refused with it.
    "was given but failed to parse",
]
KINDS = ("Rollout", "AnalysisTemplate", "ClusterAnalysisTemplate")


def documents(text):
    """(index, kind, name) of each document, split on `---` lines as YAML does."""
    out = []
    for index, chunk in enumerate(re.split(r"(?m)^---\s*$", text)):
        kind = re.search(r"(?m)^kind:\s*(\S+)", chunk)
        name = re.search(r"(?m)^metadata:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)", chunk)
        if kind:
            out.append((index, kind.group(1), name.group(1) if name else "?"))
    return out


def main():
    binary, gitdir = sys.argv[1], sys.argv[2]
    rev = sys.argv[3] if len(sys.argv) > 3 else "HEAD"
    tmp = tempfile.mkdtemp(prefix="argo-examples-")
    archive = subprocess.run(
        ["git", "-C", gitdir, "archive", rev, "examples", "test/e2e"], check=True, capture_output=True).stdout
    tarfile.open(fileobj=io.BytesIO(archive)).extractall(tmp, filter="data")
    files = []
    helm = []
    for root, _, names in os.walk(tmp):
        for name in names:
            if name.endswith((".yaml", ".yml")):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
                if "{{ ." in text or "{{- " in text:
                    helm.append(os.path.relpath(path, tmp))  # a Helm chart template, not a manifest
                elif any(kind in KINDS for _, kind, _ in documents(text)):
                    files.append((path, text))
    files.sort()
    loaded = collections.Counter()
    refused = collections.Counter()
    reasons = collections.defaultdict(list)
    unexpected = []
    for path, text in files:
        rel = os.path.relpath(path, tmp)
        docs = [d for d in documents(text) if d[1] in KINDS]
        multi = len(re.split(r"(?m)^---\s*$", text)) > 1
        result = subprocess.run([binary, "validate", path], capture_output=True, text=True)
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        for index, kind, name in docs:
            mine = []
            for line in errors:
                message = line.split(": error: ", 1)[1]
                # Diagnostics number documents from 1: `document 3: spec.…`.
                m = re.match(r"document (\d+): (.*)", message)
                doc = int(m.group(1)) - 1 if m else None
                if m:
                    message = m.group(2)
                if doc is None or doc == index or not multi:
                    mine.append(message)
            if result.returncode == 0 or not mine:
                if result.returncode != 0 and not mine:
                    mine = ["(file refused: " + (errors[0] if errors else result.stderr.strip()[:200]) + ")"]
                else:
                    loaded[kind] += 1
                    continue
            refused[kind] += 1
            reason = mine[0]
            reasons[reason].append(f"{rel} {kind}/{name}")
            if not any(allowed in reason for allowed in ALLOWED_REFUSALS):
                unexpected.append((rel, kind, name, reason))
    total = sum(loaded.values()) + sum(refused.values())
    print(f"files: {len(files)}; documents: {total}; Helm chart templates left out: {', '.join(helm) or 'none'}")
    for kind in KINDS:
        print(f"  {kind}: {loaded[kind]} loaded, {refused[kind]} refused")
    print("refusals by reason:")
    for reason, where in sorted(reasons.items(), key=lambda item: -len(item[1])):
        print(f"  {len(where):3d}  {reason}")
        for entry in where:
            print(f"         {entry}")
    if unexpected:
        print(f"UNEXPECTED refusals: {len(unexpected)}")
        for rel, kind, name, reason in unexpected:
            print(f"  {rel} {kind}/{name}: {reason}")
        return 1
    print("every refusal names an out-of-scope feature")
    return 0


if __name__ == "__main__":
    sys.exit(main())
