#!/usr/bin/env python3
"""Loads public Prometheus rule collections with `platformsim rules check`, in bulk.

Usage:
  scripts/check-rule-collections.py PLATFORMSIM kube-prometheus GIT_DIR [REV]
  scripts/check-rule-collections.py PLATFORMSIM awesome GIT_DIR [REV]
  scripts/check-rule-collections.py PLATFORMSIM promtool-testdata GIT_DIR [REV]

GIT_DIR is a clone (or bare mirror) of prometheus-operator/kube-prometheus,
samber/awesome-prometheus-alerts or prometheus/prometheus; REV defaults to HEAD.
The files are extracted with `git archive` into a temporary directory and never
copied into this repository.

- kube-prometheus: every `manifests/*prometheusRule*.yaml` (PrometheusRule resources).
- awesome: every `dist/rules/**/*.yml` (plain rule files).
  Both print files and rules loaded out of those present, and, when `promtool` is on
  PATH, promtool's `check rules` verdict on the same files (the PrometheusRule's
  `spec` unwrapped for promtool, which reads plain rule files only).
- promtool-testdata: every rule-test file (`tests:`) of `cmd/promtool/testdata`, run
  through `promtool test rules` and `platformsim rules test`; prints both exit codes
  and the agreement count.

Exit status 1 when a rule does not load, or a verdict differs from promtool's.
"""
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

COLLECTIONS = {
    "kube-prometheus": (["manifests"], lambda p: re.search(r"manifests/[^/]*prometheusRule[^/]*\.yaml$", p)),
    "awesome": (["dist/rules"], lambda p: p.endswith(".yml")),
    "promtool-testdata": (["cmd/promtool/testdata"], lambda p: p.endswith(".yml")),
}


def extract(gitdir, rev, folders):
    tmp = tempfile.mkdtemp(prefix="rule-collections-")
    archive = subprocess.run(["git", "-C", gitdir, "archive", rev, *folders], check=True, capture_output=True).stdout
    tarfile.open(fileobj=io.BytesIO(archive)).extractall(tmp, filter="data")
    return tmp


def rule_count(text):
    """Rules present in a file, counted from its text: each rule has one `expr:` key."""
    return len(re.findall(r"(?m)^\s*(?:-\s+)?expr:", text))


def unwrap_spec(text):
    """The `spec` of a PrometheusRule as a plain rule file (what promtool can read)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "spec:")
    body = [line for line in lines[start + 1 :] if line.strip()]
    indent = min(len(line) - len(line.lstrip()) for line in body)
    return "\n".join(line[indent:] for line in body) + "\n"


def check_collection(binary, root, files):
    present = loaded = 0
    refused = []
    for path in files:
        text = open(path, encoding="utf-8").read()
        count = rule_count(text)
        present += count
        result = subprocess.run([binary, "rules", "check", path], capture_output=True, text=True)
        match = re.search(r"SUCCESS: (\d+) rules found", result.stdout)
        if result.returncode == 0 and match:
            loaded += int(match.group(1))
            if int(match.group(1)) != count:
                refused.append((path, f"loaded {match.group(1)} rules of {count} counted in the text"))
        else:
            refused.append((path, (result.stderr.strip().splitlines() or ["?"])[0]))
    print(f"platformsim rules check: {len(files) - len(refused)} of {len(files)} files, {loaded} of {present} rules load")
    for path, reason in refused:
        print(f"  REFUSED {os.path.relpath(path, root)}: {reason}")
    failed = bool(refused)
    promtool = shutil.which("promtool")
    if promtool:
        plain_dir = tempfile.mkdtemp(prefix="rule-collections-plain-")
        plain = []
        for path in files:
            text = open(path, encoding="utf-8").read()
            if re.search(r"(?m)^kind:\s*PrometheusRule", text):
                target = os.path.join(plain_dir, os.path.basename(path))
                open(target, "w", encoding="utf-8").write(unwrap_spec(text))
                plain.append(target)
            else:
                plain.append(path)
        accepted = sum(subprocess.run([promtool, "check", "rules", p], capture_output=True).returncode == 0 for p in plain)
        print(f"promtool check rules:    {accepted} of {len(files)} files accepted")
        failed = failed or accepted != len(files)
        shutil.rmtree(plain_dir)
    return failed


def check_testdata(binary, root, files):
    promtool = shutil.which("promtool")
    if not promtool:
        sys.exit("promtool not found: install the Debian package `prometheus` (promtool 2.42)")
    version = subprocess.run([promtool, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    print(version)
    agree = 0
    tests = [p for p in files if re.search(r"(?m)^tests:", open(p, encoding="utf-8").read())]
    for path in tests:
        folder, name = os.path.split(path)
        theirs = subprocess.run([promtool, "test", "rules", name], cwd=folder, capture_output=True).returncode
        ours = subprocess.run([binary, "rules", "test", name], cwd=folder, capture_output=True).returncode
        agree += theirs == ours
        mark = "agree" if theirs == ours else "DISAGREE"
        print(f"  {name}: promtool {theirs}, platformsim {ours}: {mark}")
    print(f"verdicts agree on {agree} of {len(tests)} rule-test files")
    return agree != len(tests)


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in COLLECTIONS:
        sys.exit(__doc__)
    binary, collection, gitdir = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    rev = sys.argv[4] if len(sys.argv) > 4 else "HEAD"
    folders, wanted = COLLECTIONS[collection]
    root = extract(gitdir, rev, folders)
    try:
        files = sorted(
            os.path.join(folder, name)
            for folder, _, names in os.walk(root)
            for name in names
            if wanted(os.path.relpath(os.path.join(folder, name), root))
        )
        commit = subprocess.run(["git", "-C", gitdir, "rev-parse", rev], capture_output=True, text=True).stdout.strip()
        print(f"{collection} at {commit}: {len(files)} files")
        if collection == "promtool-testdata":
            failed = check_testdata(binary, root, files)
        else:
            failed = check_collection(binary, root, files)
    finally:
        shutil.rmtree(root)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
