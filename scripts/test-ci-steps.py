#!/usr/bin/env python3
"""Run the CI integrations' own steps on this machine: the GitHub Action and the GitLab job.

    sudo python3 scripts/test-ci-steps.py [--dist dist] [--rootfs .build-rootfs/bookworm]

There is no GitHub runner or GitLab runner here, so this plays their part. The release
tarball from scripts/build-release.sh (in --dist) is served on 127.0.0.1, so download,
checksum and unpacking run for real in both.

GitHub (action.yml): each `run:` step runs with `bash --noprofile --norc -eo pipefail`
(GitHub's `shell: bash`), with its `env:` after substituting `${{ inputs.* }}`,
`${{ steps.*.outputs.* }}` and `${{ github.action_path }}`; each `if:` is evaluated for
the forms used there; GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP are provided.
`actions/cache` is a miss, `actions/upload-artifact` is checked for an existing path.
Cases (experiment files, 3 replications): a candidate that regresses ends the job with
exit 1, the verdict in the job summary, JUnit XML and an HTML report; an unknown KPI in
the rules exit 2 with the error in the summary; an unchanged candidate exit 0; a
tampered tarball fails the checksum. Not covered: the build-from-source path (a second
release build) and the real actions/cache and actions/upload-artifact.

GitLab (ci/gitlab/platformsim-gate.yml extended by docs/examples/gitlab-policy-gate.yml,
needs root): a copy of the release check's minimal Debian (scripts/test-static-binary.sh)
stands in for the job image; a git repository with a base commit and a merge request
commit (the candidate regresses) stands in for the checkout; before_script and script run
there as root with `bash -eo pipefail` (the runner's bash shell) and the merged job
variables, apt-get included. Expected: exit 1, artefacts in platformsim-gate/, the base
commit in baseline/; then again with the download URL dead, from the cache.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
results: list[tuple[bool, str]] = []


def record(ok: bool, name: str, detail: str = "") -> None:
    results.append((ok, name))
    print(f"{'ok   ' if ok else 'FAIL '} {name}")
    if detail and not ok:
        print("\n".join("      | " + line for line in detail.strip().splitlines()[-25:]))


class Runner:
    """One job running the composite action's steps."""

    def __init__(self, action: dict, inputs: dict[str, str], work: Path):
        self.steps = action["runs"]["steps"]
        self.inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
        self.inputs.update(inputs)
        self.work = work
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = work / "step-summary.md"
        self.temp = work / "runner-temp"
        self.temp.mkdir()
        self.log = ""

    def expression(self, text: str) -> str:
        def value(match: re.Match) -> str:
            name = match.group(1).strip()
            if name.startswith("inputs."):
                return self.inputs[name.removeprefix("inputs.")]
            if name == "github.action_path":
                return str(ROOT)
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", name)
            if step:
                return self.outputs.get(step.group(1), {}).get(step.group(2), "")
            raise KeyError(f"unsupported expression {name}")

        return re.sub(r"\$\{\{([^}]*)\}\}", value, str(text))

    def condition(self, text: str, failed: bool) -> bool:
        """The `if:` forms action.yml uses: always(), ==/!= comparisons, &&."""
        python = text.replace("always()", "True").replace("&&", " and ").replace("||", " or ")
        python = re.sub(
            r"(steps\.[\w-]+\.outputs\.[\w-]+|inputs\.[\w-]+)",
            lambda m: repr(self.expression("${{ " + m.group(1) + " }}")),
            python,
        )
        if "always()" not in text and failed:
            return False  # success() is implied
        return bool(eval(python, {"__builtins__": {}}))  # noqa: S307 - literals and comparisons only

    def run(self) -> int:
        failed_status = 0
        for step in self.steps:
            name = step.get("name", step.get("id", "?"))
            if "if" in step and not self.condition(step["if"], failed_status != 0):
                continue
            if "if" not in step and failed_status != 0:
                continue
            if "uses" in step:
                if step["uses"].startswith("actions/cache"):
                    self.outputs[step.get("id", "")] = {"cache-hit": "false"}
                elif step["uses"].startswith("actions/upload-artifact"):
                    path = self.expression(step["with"]["path"])
                    record(
                        Path(path).is_dir() and any(Path(path).iterdir()),
                        f"upload-artifact would upload {Path(path).name}/",
                        path,
                    )
                continue
            output_file = self.work / f"output-{len(self.outputs)}"
            output_file.write_text("")
            env = {
                "PATH": os.environ["PATH"],
                "HOME": os.environ.get("HOME", "/root"),
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(self.summary),
                "RUNNER_TEMP": str(self.temp),
            }
            env.update({key: self.expression(value) for key, value in step.get("env", {}).items()})
            cwd = self.work / self.expression(step.get("working-directory", "."))
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                env=env,
                cwd=cwd,
                capture_output=True,
                text=True,
            )
            self.log += f"## {name} (exit {proc.returncode})\n{proc.stdout}{proc.stderr}"
            self.outputs[step.get("id", f"step{len(self.outputs)}")] = dict(
                line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
            )
            if proc.returncode != 0 and failed_status == 0:
                failed_status = proc.returncode
        return failed_status


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def case(action: dict, name: str, inputs: dict[str, str], expected: int, tmp: Path) -> Runner:
    work = tmp / name
    shutil.copytree(ROOT / "scenarios", work / "scenarios")
    runner = Runner(action, inputs, work)
    status = runner.run()
    record(status == expected, f"{name}: the job step ends with exit {expected}", f"exit {status}\n{runner.log}")
    return runner


def github(action: dict, version: str, releases: Path, tarball: Path, url: str, tmp: Path) -> None:
    base = {
        "version": version,
        "release-url": url,
        "replications": "3",
        "baseline": "scenarios/experiments/baseline.yaml",
        "rules": "scenarios/experiments/gate.yaml",
    }
    worse = case(action, "regression", {**base, "candidate": "scenarios/experiments/candidate-worse.yaml"}, 1, tmp)
    summary = worse.summary.read_text() if worse.summary.exists() else ""
    gate = worse.outputs.get("gate", {})
    record("regressed" in summary and "❌" in summary, "GitHub regression: the verdict is in the job summary", summary)
    record(
        gate.get("verdict") == "regression" and gate.get("exit-code") == "1",
        "GitHub regression: outputs verdict=regression, exit-code=1",
        str(gate),
    )
    record(
        Path(gate.get("junit", "/nonexistent")).is_file() and 'failures="' in Path(gate["junit"]).read_text(),
        "GitHub regression: JUnit XML written",
    )
    record(any(Path(gate.get("report", "/nonexistent")).glob("*.html")), "GitHub regression: HTML report written")

    bad_rules = tmp / "bad-gate.yaml"
    bad_rules.write_text(
        "apiVersion: platformsim.dev/v1alpha1\nkind: Gate\nname: bad\n" "rules:\n  no_such_kpi: {maxIncrease: 1}\n"
    )
    bad = case(
        action,
        "bad-input",
        {**base, "candidate": "scenarios/experiments/baseline.yaml", "rules": str(bad_rules)},
        2,
        tmp,
    )
    summary = bad.summary.read_text() if bad.summary.exists() else ""
    record(
        "no_such_kpi" in summary and bad.outputs.get("gate", {}).get("verdict") == "bad-input",
        "GitHub bad input: the error is in the job summary, verdict=bad-input",
        summary,
    )

    passed = case(action, "pass", {**base, "candidate": "scenarios/experiments/baseline.yaml"}, 0, tmp)
    summary = passed.summary.read_text() if passed.summary.exists() else ""
    record("passed" in summary, "GitHub pass: the job summary says passed", summary)

    tampered = releases / f"v{version}" / tarball.name
    original = tampered.read_bytes()
    tampered.write_bytes(original + b"x")
    runner = case(action, "tampered", {**base, "candidate": "scenarios/experiments/baseline.yaml"}, 1, tmp)
    tampered.write_bytes(original)
    record("did NOT match" in runner.log, "GitHub tampered tarball: sha256sum --check refuses it", runner.log)


def expand(value: str, variables: dict[str, str]) -> str:
    """GitLab expands $NAME and ${NAME} in variable values."""
    return re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), ""), value)


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "ci",
        "GIT_AUTHOR_EMAIL": "ci@example.invalid",
        "GIT_COMMITTER_NAME": "ci",
        "GIT_COMMITTER_EMAIL": "ci@example.invalid",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def gitlab(rootfs: Path, url: str, version: str) -> None:
    template = yaml.safe_load((ROOT / "ci/gitlab/platformsim-gate.yml").read_text())[".platformsim-gate"]
    example = yaml.safe_load((ROOT / "docs/examples/gitlab-policy-gate.yml").read_text())["policy-gate"]
    job_root = rootfs.parent / "gitlab-job"
    shutil.rmtree(job_root, ignore_errors=True)
    subprocess.run(["cp", "-a", str(rootfs), str(job_root)], check=True)
    for leftover in ("work", "usr/share/platformsim"):
        shutil.rmtree(job_root / leftover, ignore_errors=True)
    (job_root / "usr/local/bin/platformsim").unlink(missing_ok=True)  # the job installs its own

    project = job_root / "builds/platformsim"
    project.mkdir(parents=True)
    git(project, "init", "-q", "-b", "main")
    shutil.copytree(ROOT / "scenarios", project / "scenarios")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    base_sha = git(project, "rev-parse", "HEAD")
    # The merge request: the candidate becomes the worse experiment, at the same path.
    shutil.copy(ROOT / "scenarios/experiments/candidate-worse.yaml", project / "scenarios/experiments/baseline.yaml")
    git(project, "commit", "-q", "-am", "merge request")

    ci = {
        "CI_PROJECT_DIR": "/builds/platformsim",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base_sha,
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "HOME": "/root",
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    }
    variables = dict(ci)
    for name, value in {**template["variables"], **example["variables"]}.items():
        variables[name] = expand(str(value), variables)
    script = "\n".join(template["before_script"] + template["script"])

    def job(release_url: str) -> tuple[int, str]:
        # The version served here, not the example's (the next, unpublished release); 3 replications.
        env = {
            **variables,
            "PLATFORMSIM_RELEASES": release_url,
            "PLATFORMSIM_VERSION": version,
            "PLATFORMSIM_REPLICATIONS": "3",
        }
        command = [
            "chroot",
            str(job_root),
            "/usr/bin/env",
            "-i",
            *[f"{k}={v}" for k, v in env.items()],
            "/bin/bash",
            "-eo",
            "pipefail",
            "-c",
            f"cd /builds/platformsim\n{script}",
        ]
        proc = subprocess.run(command, capture_output=True, text=True)
        return proc.returncode, proc.stdout + proc.stderr

    proc_dir = job_root / "proc"
    mounted = subprocess.run(["mount", "-t", "proc", "proc", str(proc_dir)]).returncode == 0
    try:
        code, log = job(url)
        record(code == 1, "GitLab: the job exits 1 on the merge request's regression", log)
        out = project / "platformsim-gate"
        record(
            (out / "gate.xml").is_file() and 'failures="' in (out / "gate.xml").read_text(),
            "GitLab: JUnit report at artifacts:reports:junit's path",
            log,
        )
        record(
            "regressed" in log and any((out / "report").glob("*.html")),
            "GitLab: the Markdown verdict in the log, the HTML report in the artefacts",
            log,
        )
        baseline_head = subprocess.run(
            ["chroot", str(job_root), "git", "-C", "/builds/platformsim/baseline", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        record(baseline_head == base_sha, "GitLab: the merge request's base commit is checked out in baseline/", log)
        code, log = job("http://127.0.0.1:9/unreachable")
        record(code == 1 and "regressed" in log, "GitLab: a second job runs from the cache without downloading", log)
    finally:
        if mounted:
            subprocess.run(["umount", str(proc_dir)])
    shutil.rmtree(job_root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    parser.add_argument("--rootfs", default=str(ROOT / ".build-rootfs/bookworm"))
    options = parser.parse_args()
    tarballs = sorted(Path(options.dist).glob("platformsim-*-linux-*.tar.gz"))
    if not tarballs:
        print("test-ci-steps: no release tarball in dist/; run scripts/build-release.sh", file=sys.stderr)
        return 2
    tarball = tarballs[-1]
    version = re.fullmatch(r"platformsim-(.+)-linux-(.+)\.tar\.gz", tarball.name).group(1)
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        releases = tmp / "releases"
        (releases / f"v{version}").mkdir(parents=True)
        for file in (tarball, Path(f"{tarball}.sha256")):
            shutil.copy(file, releases / f"v{version}" / file.name)
        server, url = serve(releases)
        try:
            github(action, version, releases, tarball, url, tmp)
            rootfs = Path(options.rootfs)
            if os.geteuid() != 0 or not (rootfs / "usr/bin/apt-get").exists():
                record(
                    False,
                    "GitLab: needs root and the release check's root file system " "(scripts/test-static-binary.sh)",
                )
            else:
                gitlab(rootfs, url, version)
        finally:
            server.shutdown()
    failed = sum(1 for ok, _ in results if not ok)
    print(f"test-ci-steps: {len(results) - failed} checks passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
