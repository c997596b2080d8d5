#!/usr/bin/env python3
"""Mutation testing of the scenario reader and the run (issue 20).

Writes COUNT mutated scenario files derived from the bundled scenarios and the invalid
corpus, runs `platformsim run` on each (which validates first, exactly as `validate`
does) with a short window and a wall limit, and checks that every one exits 0, 1 or 2
with a message and none is killed by a signal.

    scripts/mutate-scenarios.py [--count 10000] [--binary .build/release/platformsim]
                                [--seed 1] [--jobs 2] [--keep DIR]

Mutations, one to three per file: numbers scaled by 10^±k, set to 0, negative,
huge (1e308, 2^63), or non-finite text (.inf, .nan); strings replaced by long, empty,
quoted or control-character text; keys deleted or renamed; lists emptied or their
items duplicated; values replaced by a value of another type; and, for one file in
ten, the text truncated or a byte flipped. Prints counts per exit status and lists
every failure (a signal, an unexpected status, or an exit without a message); exits 1
if there is any.
"""
import argparse
import concurrent.futures
import copy
import os
import random
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seeds():
    paths = []
    for directory in ("scenarios", "scenarios/rollouts", "Tests/ScenarioTests/InvalidScenarios"):
        full = os.path.join(ROOT, directory)
        if os.path.isdir(full):
            paths += [os.path.join(full, n) for n in sorted(os.listdir(full)) if n.endswith(".yaml")]
    documents = []
    for path in paths:
        try:
            text = open(path).read()
            document = yaml.safe_load(text)
        except Exception:
            continue
        if isinstance(document, dict):
            documents.append((path, document, text))
    return documents


def nodes(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from nodes(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from nodes(child, path + (index,))


def replace(document, path, new):
    if not path:
        return new
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return document


def delete(document, path):
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]


NUMBERS = [0, -1, -1e9, 1e308, -1e308, 2**63, 2**64, 1e19, 1e-320, 4.9e-324, 1e6, 1e12, 2**31, -(2**63)]
TEXTS = [".inf", "-.inf", ".nan", "NaN", "", " ", "\"", "'", "a\"b", "<script>x</script>", "x" * 5000, "\u0000",
         "../../../../etc/passwd", "${HOME}", "{{ .x }}", "1e999", "0x10", "99999999999999999999d", "-5m", "0s"]


def mutate(document, rng):
    document = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        candidates = [(p, v) for p, v in nodes(document) if p]
        if not candidates:
            break
        path, value = rng.choice(candidates)
        choice = rng.random()
        try:
            if isinstance(value, bool):
                replace(document, path, rng.choice(["yes", 1, None, "maybe"]))
            elif isinstance(value, (int, float)):
                if choice < 0.4:
                    replace(document, path, value * 10 ** rng.randint(-12, 300) if value else rng.choice(NUMBERS))
                elif choice < 0.8:
                    replace(document, path, rng.choice(NUMBERS))
                else:
                    replace(document, path, rng.choice(TEXTS))
            elif isinstance(value, str):
                replace(document, path, rng.choice(TEXTS + NUMBERS) if choice < 0.7 else value * rng.randint(2, 50))
            elif isinstance(value, list):
                if choice < 0.3:
                    replace(document, path, [])
                elif choice < 0.7 and value:
                    replace(document, path, value + [copy.deepcopy(rng.choice(value)) for _ in range(rng.randint(1, 20))])
                else:
                    replace(document, path, rng.choice(NUMBERS + TEXTS))
            elif isinstance(value, dict):
                if choice < 0.4:
                    delete(document, path)
                elif choice < 0.6 and value:
                    key = rng.choice(list(value))
                    value[str(key) + rng.choice(["x", "_", "s"])] = value.pop(key)
                else:
                    replace(document, path, rng.choice([[], "text", 3, None]))
            elif value is None:
                replace(document, path, rng.choice(NUMBERS + TEXTS))
        except (KeyError, IndexError, TypeError):
            pass
    return document


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/platformsim"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", help="directory for the mutated files (default: a temporary one)")
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    corpus = seeds()
    directory = arguments.keep or tempfile.mkdtemp(prefix="platformsim-mutants-")
    os.makedirs(directory, exist_ok=True)
    jobs = []
    for index in range(arguments.count):
        source, document, text = rng.choice(corpus)
        if rng.random() < 0.1:
            cut = rng.randrange(len(text) + 1)
            mutated = text[:cut]
            if mutated and rng.random() < 0.5:
                position = rng.randrange(len(mutated))
                mutated = mutated[:position] + chr(rng.randrange(256)) + mutated[position + 1:]
        else:
            try:
                mutated = yaml.safe_dump(mutate(document, rng), sort_keys=False, allow_unicode=True)
            except Exception:
                continue
        # Relative references keep working from the seed's directory.
        path = os.path.join(os.path.dirname(source), f".mutant-{os.getpid()}-{index:05d}.yaml")
        with open(path, "w") as handle:
            handle.write(mutated)
        jobs.append(path)

    def check(path):
        database = os.path.join(directory, os.path.basename(path) + ".sqlite")
        try:
            result = subprocess.run(
                [arguments.binary, "run", path, "--db", database, "--until", "2d", "--quiet"],
                capture_output=True, text=True, errors="replace", timeout=120,
                env={**os.environ, "PLATFORMSIM_MUTANT": "1"})
            status, output = result.returncode, result.stdout + result.stderr
        except subprocess.TimeoutExpired:
            status, output = "timeout", ""
        finally:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(database + suffix):
                    os.remove(database + suffix)
        kept = os.path.join(directory, os.path.basename(path))
        os.replace(path, kept)
        return kept, status, output

    counts, failures = {}, []
    with concurrent.futures.ThreadPoolExecutor(arguments.jobs) as pool:
        for kept, status, output in pool.map(check, jobs):
            counts[status] = counts.get(status, 0) + 1
            if status not in (0, 1, 2) or (status != 0 and not output.strip()):
                failures.append((kept, status, output[-300:]))
            else:
                os.remove(kept)
    print(f"{len(jobs)} mutated scenarios: " + ", ".join(f"exit {k}: {v}" for k, v in sorted(counts.items(), key=str)))
    for kept, status, tail in failures:
        print(f"FAIL {kept}: status {status}: {tail.strip()}")
    print(f"failing files kept in {directory}" if failures else "no signals, every failure has a message")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
