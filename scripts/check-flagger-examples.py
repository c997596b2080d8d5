#!/usr/bin/env python3
"""Validates Flagger's published Canary and MetricTemplate manifests with `platformsim validate`.

Usage: scripts/check-flagger-examples.py PLATFORMSIM FLAGGER_GIT_DIR [REV]

Collects, from the Flagger repository at REV (default HEAD), every manifest holding a
`Canary` or `MetricTemplate` (flagger.app/v1beta1):
  - YAML files under artifacts/examples/ and kustomize/,
  - ```yaml blocks of the docs (docs/gitbook/**/*.md, README.md),
  - `cat <<EOF | kubectl apply -f -` here-documents of the e2e scripts (test/**/*.sh).
Helm chart templates (`{{ .Values … }}`) are left out. The manifests of one source
(a doc page, a script) are validated together, unchanged, so a Canary resolves the
MetricTemplates its page or script defines. Reports per document: loaded, or refused
with the first error naming why, grouped by reason. Exit status 1 when a document is
refused for a reason not in ALLOWED_REFUSALS (the out-of-scope features of issue 14)
unless it is listed in INVALID_AS_PUBLISHED (a manifest Flagger or Prometheus rejects too).
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

# Out-of-scope features: a document refused for one of these is correct.
ALLOWED_REFUSALS = [
    "MetricTemplate provider is not modelled",
    # A Canary naming a template refused for one of the above is refused with it.
    "was given but failed to parse",
]
KINDS = ("Canary", "MetricTemplate")
# Documents that are invalid as published (Flagger or Prometheus rejects them too):
# refused, and listed apart with why, so that a new refusal still fails the check.
INVALID_AS_PUBLISHED = {
    ("docs/gitbook/tutorials/gloo-progressive-delivery.md", "not-found-percentage"):
        "a comma is missing between two label matchers (Prometheus rejects the query too)",
    ("docs/gitbook/tutorials/kubernetes-blue-green.md", "not-found-percentage"):
        "a comma is missing between two label matchers (Prometheus rejects the query too)",
    ("docs/gitbook/usage/metrics.md", "my-metric"):
        "a field reference skeleton: empty provider type, or no query",
    ("docs/gitbook/usage/metrics.md", "cloudwatch-error-rate"):
        "apiVersion flagger.app/v1alpha1, which Flagger's CRD does not serve",
}


def git(gitdir, *args):
    return subprocess.run(["git", "-C", gitdir, *args], check=True, capture_output=True, text=True).stdout


def manifests(path, text):
    """The YAML manifests a file holds: itself, its ```yaml blocks, or its here-documents."""
    if path.endswith((".yaml", ".yml")):
        return [text]
    if path.endswith(".md"):
        return re.findall(r"(?ms)^\s*```ya?ml\s*\n(.*?)^\s*```", text)
    if path.endswith(".sh"):
        return re.findall(r"(?ms)<<\s*'?EOF'?[^\n]*\n(.*?)^EOF\s*$", text)
    return []


def strategy(chunk):
    """Flagger's strategy of a Canary document (Canary.DeploymentStrategy): A/B testing with
    `iterations` and `match`, blue/green with `iterations` alone, else progressive."""
    iterations = re.search(r"(?m)^\s+iterations:\s*(\d+)", chunk)
    if iterations and int(iterations.group(1)) > 0:
        return "A/B testing" if re.search(r"(?m)^\s+match:", chunk) else "blue/green"
    return "progressive canary"


def documents(text):
    """(index, kind, name) of each document with an apiVersion of flagger.app."""
    out = []
    for index, chunk in enumerate(re.split(r"(?m)^---\s*$", text)):
        kind = re.search(r"(?m)^kind:\s*(\S+)", chunk)
        api = re.search(r"(?m)^apiVersion:\s*(\S+)", chunk)
        name = re.search(r"(?m)^metadata:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)", chunk)
        if kind:
            flagger = bool(api) and api.group(1).startswith("flagger.app/")
            out.append((index, kind.group(1) if flagger else "other", name.group(1) if name else "?"))
    return out


def main():
    binary, gitdir = sys.argv[1], sys.argv[2]
    rev = sys.argv[3] if len(sys.argv) > 3 else "HEAD"
    paths = [
        p for p in git(gitdir, "ls-tree", "-r", "--name-only", rev).splitlines()
        if (p.startswith(("artifacts/examples/", "kustomize/")) and p.endswith((".yaml", ".yml")))
        or (p.startswith("docs/") and p.endswith(".md")) or p == "README.md"
        or (p.startswith("test/") and p.endswith(".sh"))
    ]
    tmp = tempfile.mkdtemp(prefix="flagger-examples-")
    sources = []  # (source path, [(temp file, text)])
    helm = 0
    for path in sorted(paths):
        text = git(gitdir, "show", f"{rev}:{path}")
        files = []
        for number, manifest in enumerate(manifests(path, text)):
            if not any(kind in KINDS for _, kind, _ in documents(manifest)):
                continue
            if "{{ ." in manifest or "{{- " in manifest:
                helm += 1
                continue
            name = os.path.join(tmp, path.replace("/", "_") + f".{number}.yaml")
            with open(name, "w", encoding="utf-8") as handle:
                handle.write(manifest)
            files.append((name, manifest))
        if files:
            sources.append((path, files))
    loaded = collections.Counter()
    strategies = collections.Counter()
    refused = collections.Counter()
    reasons = collections.defaultdict(list)
    unexpected = []
    invalid = []
    for source, files in sources:
        result = subprocess.run([binary, "validate", *[f for f, _ in files]], capture_output=True, text=True)
        for path, text in files:
            multi = len(re.split(r"(?m)^---\s*$", text)) > 1
            errors = [line for line in result.stderr.splitlines() if line.startswith(path + ":") and ": error: " in line]
            for index, kind, name in documents(text):
                if kind not in KINDS:
                    continue
                mine = []
                for line in errors:
                    message = line.split(": error: ", 1)[1]
                    m = re.match(r"document (\d+): (.*)", message)
                    doc = int(m.group(1)) - 1 if m else None
                    if m:
                        message = m.group(2)
                    if doc is None or doc == index or not multi:
                        mine.append(message)
                if not mine:
                    loaded[kind] += 1
                    if kind == "Canary":
                        strategies[strategy(re.split(r"(?m)^---\s*$", text)[index])] += 1
                    continue
                refused[kind] += 1
                reason = mine[0]
                where = f"{source} {kind}/{name}"
                reasons[reason].append(where)
                if (source, name) in INVALID_AS_PUBLISHED:
                    invalid.append((where, INVALID_AS_PUBLISHED[(source, name)], reason))
                elif not any(allowed in reason for allowed in ALLOWED_REFUSALS):
                    unexpected.append((where, reason))
    total = sum(loaded.values()) + sum(refused.values())
    print(f"sources: {len(sources)}; documents: {total}; Helm chart templates left out: {helm}")
    for kind in KINDS:
        print(f"  {kind}: {loaded[kind]} loaded, {refused[kind]} refused")
    print("Canaries loaded by strategy: " + ", ".join(f"{n} {s}" for s, n in sorted(strategies.items())))
    print("refusals by reason:")
    for reason, where in sorted(reasons.items(), key=lambda item: -len(item[1])):
        print(f"  {len(where):3d}  {reason}")
        for entry in where:
            print(f"         {entry}")
    if invalid:
        print(f"invalid as published: {len(invalid)}")
        for where, why, reason in invalid:
            print(f"  {where}: {why} ({reason})")
    if unexpected:
        print(f"UNEXPECTED refusals: {len(unexpected)}")
        for where, reason in unexpected:
            print(f"  {where}: {reason}")
        return 1
    print("every other refusal names an out-of-scope feature")
    return 0


if __name__ == "__main__":
    sys.exit(main())
