#!/usr/bin/env python3
"""Run the cluster manifests' own commands locally, in the release check's chroot.

    sudo python3 scripts/test-cluster-steps.py [--rootfs .build-rootfs/bookworm] [--shards 2]

There is no Kubernetes or Argo here, so this plays their part as far as PlatformSim is
concerned: it takes the containers' commands exactly as the manifests write them and
runs them as the image's user (uid 10001) in the minimal Debian that
scripts/test-static-binary.sh prepared (run that first: it installs the binary there).

- Kubernetes Jobs (deploy/kubernetes/, with the ConfigMap scripts/run-sharded-gate-on-k8s.sh
  renders): every index of the Indexed Job with its JOB_COMPLETION_INDEX, then the judge Job.
- Argo (deploy/argo/platformsim-sharded-gate.yaml): the DAG in dependency order, with
  `{{…}}` parameters substituted, and a folder standing in for the S3 artefact
  repository: input artefacts are copied (tarballs unpacked, key prefixes as folders),
  outputs are stored under their keys, also when the step failed, as Argo does.

Both use a baseline that passes and a candidate that regresses
(scenarios/experiments/candidate-worse.yaml), so the verdict must be exit 1; the
Markdown verdict must equal a single-machine `platformsim gate` of the same files, all
of it but the scenario paths it names (the pods see their inputs under other paths).

The shard and judge steps need `gate --shard i/n --db PATH` and `gate --db MERGED`; a
binary without them fails the check (exit 1), as does any other failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
UID = 10001
BASELINE = "baseline/scenarios/experiments/baseline.yaml"
CANDIDATE = "candidate/scenarios/experiments/candidate-worse.yaml"
RULES = "baseline/scenarios/experiments/gate.yaml"

results: list[tuple[bool, str]] = []


def record(ok: bool, name: str, detail: str = "") -> None:
    results.append((ok, name))
    print(f"{'ok   ' if ok else 'FAIL '} {name}")
    if detail and not ok:
        print("\n".join("      | " + line for line in detail.strip().splitlines()[-25:]))


class Chroot:
    """Runs commands in the root filesystem as the image's user, with a clean environment."""

    def __init__(self, rootfs: Path):
        self.rootfs = rootfs

    def run(self, argv: list[str], env: dict[str, str] | None = None, cwd: str = "/work") -> tuple[int, str]:
        environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/work", **(env or {})}
        command = ["chroot", f"--userspec={UID}:{UID}", str(self.rootfs), "/usr/bin/env", "-i"]
        command += [f"{key}={value}" for key, value in environment.items()]
        command += ["/bin/sh", "-c", 'cd "$0" && exec "$@"', cwd] + argv
        proc = subprocess.run(command, capture_output=True, text=True)
        return proc.returncode, proc.stdout + proc.stderr

    def path(self, inside: str) -> Path:
        return self.rootfs / inside.lstrip("/")

    def reset(self, inside: str) -> Path:
        host = self.path(inside)
        shutil.rmtree(host, ignore_errors=True)
        host.mkdir(parents=True)
        chown(host)
        return host


def chown(path: Path) -> None:
    for node in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.lchown(node, UID, UID)


def inputs_tree(target: Path) -> None:
    """baseline/ and candidate/: two checkouts' scenario trees, as a pull request has them."""
    for side in ("baseline", "candidate"):
        shutil.copytree(ROOT / "scenarios", target / side / "scenarios")
    chown(target)


def verdict_rows(markdown: str) -> list[str]:
    """The whole Markdown verdict, line by line, with the scenario paths it names left out.

    Everything else must be equal: the verdict, every rule row (means, difference, CI,
    checked bound, limit), the regressions named, the replication count and the
    experiment number (1: the single-machine gate runs into a fresh database, and merge
    numbers the merged experiment 1).
    """
    paths = re.compile(r"Baseline `[^`]*` against candidate `[^`]*`")
    return [paths.sub("Baseline `…` against candidate `…`", line) for line in markdown.splitlines()]


def single_machine(box: Chroot, shards: int, replications: int) -> list[str]:
    work = box.reset("/work/single")
    inputs_tree(work / "inputs")
    code, out = box.run(
        [
            "platformsim",
            "gate",
            "--baseline",
            f"inputs/{BASELINE}",
            "--candidate",
            f"inputs/{CANDIDATE}",
            "--rules",
            f"inputs/{RULES}",
            "--replications",
            str(replications),
            "--db",
            "single.sqlite",
            "--summary",
            "single.md",
            "--quiet",
        ],
        cwd="/work/single",
    )
    record(code == 1, "single-machine gate of the same files: exit 1 (regression)", out)
    return verdict_rows((work / "single.md").read_text()) if (work / "single.md").exists() else []


# MARK: Kubernetes Jobs


def kubernetes(box: Chroot, shards: int, replications: int, reference: list[str]) -> None:
    run_name = "local"
    rendered = subprocess.run(
        [
            "bash",
            str(ROOT / "scripts/run-sharded-gate-on-k8s.sh"),
            "--print-manifests",
            "--baseline",
            BASELINE,
            "--candidate",
            CANDIDATE,
            "--rules",
            RULES,
            "--shards",
            str(shards),
            "--replications",
            str(replications),
            "--jobs",
            "1",
            "--run",
            run_name,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(rendered) if d}
    env = docs[("ConfigMap", "platformsim-gate")]["data"]
    shards_job = docs[("Job", "platformsim-gate-shards")]
    judge_job = docs[("Job", "platformsim-gate-judge")]
    work = box.reset(f"/work/{run_name}")
    (work / "shards").mkdir()
    inputs_tree(work / "inputs")
    chown(work)

    container = shards_job["spec"]["template"]["spec"]["containers"][0]
    for index in range(shards_job["spec"]["completions"]):
        code, out = box.run(container["command"] + container["args"], {**env, "JOB_COMPLETION_INDEX": str(index)})
        record(code == 0, f"Kubernetes: shards Job index {index} exits 0", out)
    judge = judge_job["spec"]["template"]["spec"]["containers"][0]
    code, out = box.run(judge["command"] + judge["args"], env)
    record(code == 1, "Kubernetes: judge Job (merge, gate --db, report) exits 1 on the regression", out)
    record(bool(re.search(r"\bregressed\b", out)), "Kubernetes: the judge's log carries the Markdown verdict", out)
    record(
        (work / "gate.xml").exists() and 'failures="' in (work / "gate.xml").read_text(),
        "Kubernetes: gate.xml written on the volume",
    )
    record(any((work / "report").glob("*.html")), "Kubernetes: HTML report written on the volume")
    rows = verdict_rows((work / "gate.md").read_text()) if (work / "gate.md").exists() else []
    record(
        bool(rows) and rows == reference,
        "Kubernetes: sharded verdict equals the single-machine gate's (all but the scenario paths)",
        "\n".join(["sharded:"] + rows + ["single machine:"] + reference),
    )


# MARK: Argo Workflows


class Argo:
    """Plays the Argo controller and executor for one Workflow made from the template."""

    def __init__(self, box: Chroot, template: dict, parameters: dict[str, str], s3: Path):
        self.box, self.spec, self.s3 = box, template["spec"], s3
        self.parameters = {p["name"]: p.get("value", "") for p in self.spec["arguments"]["parameters"]}
        self.parameters.update(parameters)
        self.templates = {t["name"]: t for t in self.spec["templates"]}
        self.workflow_name = "local-workflow"
        self.nodes: dict[str, dict] = {}

    def substitute(self, text: str, local: dict[str, str]) -> str:
        def value(match: re.Match) -> str:
            name = match.group(1).strip()
            if name.startswith("workflow.parameters."):
                return self.parameters[name.removeprefix("workflow.parameters.")]
            if name == "workflow.name":
                return self.workflow_name
            if name in local:
                return local[name]
            raise KeyError(f"unresolved {{{{{name}}}}}")

        return re.sub(r"\{\{([^}]+)\}\}", value, text)

    def run_pod(self, template: dict, local: dict[str, str]) -> int:
        box = self.box
        for folder in ("/work/inputs", "/work/shards", "/work/merged", "/work/out"):
            box.reset(folder)  # a new pod: nothing of the previous one's files
        for artifact in template.get("inputs", {}).get("artifacts", []):
            source = self.s3 / self.substitute(artifact["s3"]["key"], local)
            target = box.path(artifact["path"])
            if not source.exists():
                record(False, f"Argo: {template['name']}'s input {artifact['name']} is not in the repository")
                return 1
            if source.is_dir():
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target)
            elif tarfile.is_tarfile(source):
                target.mkdir(parents=True, exist_ok=True)
                with tarfile.open(source) as archive:
                    archive.extractall(target, filter="data")
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)
            chown(box.path(str(Path(artifact["path"]).parent)))
        container = template["container"]
        argv = [self.substitute(part, local) for part in container.get("command", []) + container.get("args", [])]
        code, out = box.run(argv)
        print("\n".join(f"      {template['name']}: {line}" for line in out.strip().splitlines()[-3:]))
        for artifact in template.get("outputs", {}).get("artifacts", []):
            source = box.path(artifact["path"])
            target = self.s3 / self.substitute(artifact["s3"]["key"], local)
            if not source.exists():
                if not artifact.get("optional"):
                    record(False, f"Argo: {template['name']} left no output {artifact['path']}")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                shutil.copy(source, target)
        return code

    def depends_met(self, expression: str) -> bool:
        def phase(match: re.Match) -> str:
            task, state = match.group(1), match.group(2) or "Succeeded"
            return str(self.nodes[task]["phase"] == state)

        python = re.sub(r"([A-Za-z][\w-]*)(?:\.(Succeeded|Failed|Errored|Skipped))?", phase, expression)
        python = python.replace("&&", " and ").replace("||", " or ")
        return bool(eval(python, {"__builtins__": {}}))  # noqa: S307 - only True/False/and/or/() remain

    def run(self) -> None:
        dag = self.templates[self.spec["entrypoint"]]["dag"]["tasks"]
        pending = list(dag)
        while pending:
            task = next(
                t
                for t in pending
                if all(
                    name in self.nodes
                    for name in re.findall(r"([A-Za-z][\w-]*)(?=\.|\s|$|\))", t.get("depends", ""))
                    if name not in ("Succeeded", "Failed", "Errored", "Skipped")
                )
            )
            pending.remove(task)
            if task.get("depends") and not self.depends_met(task["depends"]):
                self.nodes[task["name"]] = {"phase": "Omitted", "exitCode": None}
                continue
            template = self.templates[task["template"]]
            items = (
                [str(i) for i in range(int(self.substitute(task["withSequence"]["count"], {})))]
                if "withSequence" in task
                else [None]
            )
            codes = []
            for item in items:
                local = {}
                for parameter in task.get("arguments", {}).get("parameters", []):
                    local[f"inputs.parameters.{parameter['name']}"] = self.substitute(
                        parameter["value"], {"item": item} if item is not None else {}
                    )
                codes.append(self.run_pod(template, local))
            failed = any(code != 0 for code in codes)
            self.nodes[task["name"]] = {
                "phase": "Failed" if failed else "Succeeded",
                "exitCode": codes[-1] if len(codes) == 1 else codes,
            }

    @property
    def phase(self) -> str:
        return "Failed" if any(n["phase"] == "Failed" for n in self.nodes.values()) else "Succeeded"


def argo(box: Chroot, shards: int, replications: int, reference: list[str]) -> None:
    template = yaml.safe_load((ROOT / "deploy/argo/platformsim-sharded-gate.yaml").read_text())
    s3 = box.reset("/work/local-s3")
    staging = box.reset("/work/staging")
    inputs_tree(staging)
    key = "platformsim/inputs/local.tgz"
    (s3 / key).parent.mkdir(parents=True)
    with tarfile.open(s3 / key, "w:gz") as archive:
        for side in ("baseline", "candidate"):
            archive.add(staging / side, arcname=side)
    workflow = Argo(
        box,
        template,
        {
            "inputs-key": key,
            "baseline": BASELINE,
            "candidate": CANDIDATE,
            "rules": RULES,
            "replications": str(replications),
            "shards": str(shards),
            "jobs-per-shard": "1",
        },
        s3,
    )
    workflow.run()
    nodes = workflow.nodes
    record(nodes["shard"]["phase"] == "Succeeded", f"Argo: {shards} shard pods succeed", json.dumps(nodes))
    record(nodes["merge"]["phase"] == "Succeeded", "Argo: merge succeeds", json.dumps(nodes))
    record(
        nodes["gate"]["exitCode"] == 1 and workflow.phase == "Failed",
        "Argo: gate exits 1 on the regression and the workflow fails",
        json.dumps(nodes),
    )
    record(nodes["report"]["phase"] == "Succeeded", "Argo: report runs after a failed gate", json.dumps(nodes))
    results_dir = s3 / template["spec"]["arguments"]["parameters"][2]["value"] / workflow.workflow_name
    stored = sorted(str(p.relative_to(results_dir)) for p in results_dir.rglob("*") if p.is_file())
    expected = [f"shards/shard-{i}.sqlite" for i in range(shards)] + ["merged.sqlite", "gate/gate.xml", "gate/gate.md"]
    record(
        all(name in stored for name in expected) and any(name.startswith("report/") for name in stored),
        "Argo: shards, merged database, verdict and report stored under the results prefix",
        "\n".join(stored),
    )
    markdown = results_dir / "gate/gate.md"
    rows = verdict_rows(markdown.read_text()) if markdown.exists() else []
    record(
        bool(rows) and rows == reference,
        "Argo: sharded verdict equals the single-machine gate's (all but the scenario paths)",
        "\n".join(["sharded:"] + rows + ["single machine:"] + reference),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rootfs", default=str(ROOT / ".build-rootfs/bookworm"))
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--replications", type=int, default=4)
    options = parser.parse_args()
    box = Chroot(Path(options.rootfs))
    if os.geteuid() != 0:
        print("test-cluster-steps: needs root (chroot)", file=sys.stderr)
        return 2
    if not box.path("/usr/local/bin/platformsim").exists():
        print(
            "test-cluster-steps: no platformsim in the root filesystem; run scripts/test-static-binary.sh first",
            file=sys.stderr,
        )
        return 2
    # The binary reads its arguments from /proc/self/cmdline: without /proc it sees none.
    proc = box.path("/proc")
    mounted = subprocess.run(["mount", "-t", "proc", "proc", str(proc)]).returncode == 0
    try:
        return checks(box, options)
    finally:
        if mounted:
            subprocess.run(["umount", str(proc)])


def checks(box: Chroot, options: argparse.Namespace) -> int:
    _, help_text = box.run(["platformsim", "gate", "--help"])
    missing = [flag for flag in ("--shard", "--experiment") if flag not in help_text]
    if missing:
        print(
            f"test-cluster-steps: this platformsim's gate has no {', '.join(missing)}: "
            "it cannot run a sharded gate or judge a merged one (needs 0.1.0 after issue 18)",
            file=sys.stderr,
        )
        return 1
    reference = single_machine(box, options.shards, options.replications)
    kubernetes(box, options.shards, options.replications, reference)
    argo(box, options.shards, options.replications, reference)
    failed = sum(1 for ok, _ in results if not ok)
    print(f"test-cluster-steps: {len(results) - failed} checks passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
