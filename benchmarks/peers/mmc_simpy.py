#!/usr/bin/env python3
"""M/M/c queue in SimPy: the peer of PlatformSim's runner-pool benchmark.

The canonical SimPy idiom (as in SimPy's own bank and car-wash examples): a source
process creates one customer process per arrival; each customer requests a slot of
a `simpy.Resource` with `c` slots, holds it for its service time, and releases it.
Service times are drawn at arrival, as PlatformSim's RunnerPool does.

Prints one JSON object on stdout: customers finished per second of wall time for
each repetition and their median, the simulated mean wait, and the Erlang C mean
wait for the same parameters. Only `env.run` is timed, as only `Simulation.run` is
timed on the Swift side.

Usage: python3 mmc_simpy.py [--runners 4] [--arrival-rate 3.2] [--mean-service 1.0]
                            [--customers 200000] [--repetitions 5] [--seed 1]
"""

import argparse
import json
import math
import random
import statistics
import sys
import time

try:
    import simpy
except ImportError:
    print("SimPy is not installed: run `pip install simpy` (or `python3 -m pip install simpy`).",
          file=sys.stderr)
    sys.exit(3)


def erlang_c_mean_wait(runners, arrival_rate, mean_service):
    """Mean time in queue of an M/M/c queue (Erlang C)."""
    offered = arrival_rate * mean_service
    term = 1.0
    total = 1.0
    for k in range(1, runners):
        term *= offered / k
        total += term
    last = term * offered / runners / (1 - offered / runners)
    probability_of_waiting = last / (total + last)
    return probability_of_waiting * mean_service / (runners - offered)


def run_once(runners, arrival_rate, mean_service, customers, seed):
    """Runs until `customers` are expected to have arrived; returns (seconds, finished, mean wait)."""
    arrivals = random.Random(seed)
    services = random.Random(seed + 1)
    env = simpy.Environment()
    pool = simpy.Resource(env, capacity=runners)
    totals = {"finished": 0, "started": 0, "wait": 0.0}

    def customer(service_time):
        arrived = env.now
        with pool.request() as request:
            yield request
            totals["started"] += 1
            totals["wait"] += env.now - arrived
            yield env.timeout(service_time)
        totals["finished"] += 1

    def source():
        while True:
            yield env.timeout(arrivals.expovariate(arrival_rate))
            env.process(customer(services.expovariate(1.0 / mean_service)))

    env.process(source())
    horizon = customers / arrival_rate
    began = time.perf_counter()
    env.run(until=horizon)
    seconds = time.perf_counter() - began
    mean_wait = totals["wait"] / totals["started"] if totals["started"] else float("nan")
    return seconds, totals["finished"], mean_wait


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=4)
    parser.add_argument("--arrival-rate", type=float, default=3.2, help="customers per simulated second")
    parser.add_argument("--mean-service", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--customers", type=int, default=200_000, help="expected arrivals per repetition")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    rates, waits, finished_counts = [], [], []
    for repetition in range(options.repetitions):
        seconds, finished, mean_wait = run_once(
            options.runners, options.arrival_rate, options.mean_service, options.customers,
            options.seed + 2 * repetition)
        rates.append(finished / seconds)
        waits.append(mean_wait)
        finished_counts.append(finished)

    print(json.dumps({
        "implementation": "SimPy " + simpy.__version__ + ", Python " + sys.version.split()[0],
        "runners": options.runners,
        "arrival_rate": options.arrival_rate,
        "mean_service": options.mean_service,
        "customers_finished": finished_counts,
        "customers_per_second": rates,
        "customers_per_second_median": statistics.median(rates),
        "mean_wait_seconds": statistics.mean(waits),
        "erlang_c_mean_wait_seconds": erlang_c_mean_wait(
            options.runners, options.arrival_rate, options.mean_service),
    }))


if __name__ == "__main__":
    main()
