#!/usr/bin/env python3
"""Compares PlatformSim's GPU allocation under the FGD paper's workload with the paper's.

Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation
Gradient Descent", USENIX ATC'23, publish their simulator's results per workload, policy
and seed in hkust-adsl/kubernetes-scheduler-simulator,
experiments/analysis/expected_results/analysis_allo_discrete.csv: the GPU allocation rate
(% of the cluster's GPUs) at each arrived workload (GPU requests of the pods submitted so
far, % of the cluster's GPUs), pods shuffled and resampled to 1.3 × the cluster (seeds
42–51), none leaving.

This script runs `platformsim replay --mode fill` on the same pod lists and node list
(docs/VALIDATION.md, "FGD paper comparison"), computes the same curve from items.csv
exactly as the paper's merge_alloc_discrete.py does (per pod: arrived and allocated GPU
thousandths; per integer arrived percentage, the mean allocation of the pods whose arrived
share rounds to it), and prints ours beside theirs.

  scripts/fgd-comparison.py --platformsim .build/release/platformsim \
      --traces ../shared/traces/alibaba-gpu-2023 --expected analysis_allo_discrete.csv \
      [--seeds 10] [--workloads default,multigpu50] [--scorings best-fit,fgd]

Exit status 0; 2 on a missing file.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile

# Our scorings and the paper's policies they stand for (docs/TRACES.md says where they differ).
PAPER_POLICY = {"best-fit": "05-BestFit", "fgd": "06-FGD", "kube-default": None, "first-fit": None}
POINTS = [50, 80, 90, 100, 110, 130]


def curve(items_csv):
    """(arrived, allocated) GPU thousandths after each pod, in submission order."""
    with open(items_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    arrived = used = 0
    points = []
    for row in rows:
        milli = int(row["workers"]) * int(row["gpus"]) * int(row["gpu_milli"])
        arrived += milli
        if row["status"] in ("running", "completed"):
            used += milli
        points.append((arrived, used))
    return points


def discrete(points, total_gpus):
    """The paper's columns 0…130 from (arrived, used) thousandths per pod."""
    by_ratio = {}
    for arrived, used in points:
        ratio = round(arrived / total_gpus / 10)
        by_ratio.setdefault(ratio, []).append(round(used / total_gpus / 10, 2))
    out = {}
    for percent in range(0, 131):
        values = by_ratio.get(percent)
        if not values:
            values = [v for r in (percent - 1, percent, percent + 1) for v in by_ratio.get(r, [])]
        if values:
            out[percent] = round(statistics.mean(values), 2)
    return out


def total_gpus(nodes_csv):
    with open(nodes_csv, newline="") as handle:
        return sum(int(row["gpu"]) for row in csv.DictReader(handle))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--platformsim", required=True)
    parser.add_argument("--traces", required=True, help="folder with openb_pod_list_*.csv and the GPU node list")
    parser.add_argument("--expected", help="the paper's analysis_allo_discrete.csv")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workloads", default="default")
    parser.add_argument("--scorings", default="best-fit,fgd")
    parser.add_argument("--fill-ratio", default="1.3")
    args = parser.parse_args()

    nodes = os.path.join(args.traces, "openb_node_list_gpu_node.csv")
    for path in [nodes] + ([args.expected] if args.expected else []):
        if not os.path.isfile(path):
            print(f"fgd-comparison: no such file: {path}", file=sys.stderr)
            return 2
    gpus = total_gpus(nodes)
    paper = {}
    if args.expected:
        with open(args.expected, newline="") as handle:
            for row in csv.DictReader(handle):
                paper.setdefault((row["workload"], row["sc_policy"]), []).append(row)

    print(f"cluster: {gpus} GPUs; fill ratio {args.fill_ratio}; {args.seeds} seeds each")
    header = "| workload | policy | " + " | ".join(f"{p} %: ours / paper" for p in POINTS) + " |"
    print(header)
    print("|" + "---|" * (2 + len(POINTS)))
    for workload in args.workloads.split(","):
        pods = os.path.join(args.traces, f"openb_pod_list_{workload}.csv")
        if not os.path.isfile(pods):
            print(f"fgd-comparison: no such file: {pods}", file=sys.stderr)
            return 2
        for scoring in args.scorings.split(","):
            ours = []
            for seed in range(1, args.seeds + 1):
                with tempfile.TemporaryDirectory() as directory:
                    subprocess.run(
                        [args.platformsim, "replay", pods, "--nodes", nodes, "--mode", "fill", "--fill-ratio",
                         args.fill_ratio, "--scoring", scoring, "--seed", str(seed), "--output", directory],
                        check=True, stdout=subprocess.DEVNULL)
                    ours.append(discrete(curve(os.path.join(directory, "items.csv")), gpus))
            theirs = paper.get((f"openb_pod_list_{workload}", PAPER_POLICY.get(scoring) or ""), [])
            cells = []
            for point in POINTS:
                mine = [run[point] for run in ours if point in run]
                published = [float(row[str(point)]) for row in theirs if row.get(str(point))]
                mine_text = f"{statistics.mean(mine):.2f}" if mine else "—"
                if len(mine) > 1:
                    mine_text += f" ({min(mine):.2f}–{max(mine):.2f})"
                paper_text = f"{statistics.mean(published):.2f}" if published else "—"
                cells.append(f"{mine_text} / {paper_text}")
            label = PAPER_POLICY.get(scoring) or "(no paper policy)"
            print(f"| {workload} | {scoring} vs {label} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
