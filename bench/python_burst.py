#!/usr/bin/env python3
"""The Python peer of bench/scenarios/burst.json (issue 13's scale model), for bench/run.sh burst.

A heapq-based discrete-event model of the same burst: N users start at once with one request
each, wait in one first-in-first-out line for a pool of 100 connections, and meet a 500 RPM
bucket (capacity 500, refilled continuously at 500 a minute). An admitted request takes a
lognormal time to its response (median 0.5 s, sigma 0.4), a refused one a lognormal 0.1 s
(sigma 0.3); no retries, no network delay. It prints the wall time of the simulation and the
figures to compare with llmsim's report (success, average latency from t = 0).

SimPy 4 is not packaged for Debian 12 and there is no pip internet here; Debian's SimPy 2.3.1
would run the same model through generator processes, which is slower than this loop, so this
plain heapq model is the stricter peer (a SimPy model does at least this work per event).

    python3 bench/python_burst.py 100000
"""
import heapq
import math
import random
import sys
import time
from collections import deque

CONNECTIONS = 100
RPM = 500


def simulate(users, seed=13):
    rng = random.Random(seed)
    rate = RPM / 60.0          # bucket refill per second
    level, level_at = float(RPM), 0.0
    line = deque(range(users))  # all users arrive at t = 0
    free = CONNECTIONS
    events = []                 # (time, sequence, user, ok)
    sequence = 0
    ok_count, latency_sum = 0, 0.0
    now = 0.0

    def send(user):
        nonlocal level, level_at, sequence
        level = min(float(RPM), level + (now - level_at) * rate)
        level_at = now
        if level >= 1.0:
            level -= 1.0
            took, ok = 0.5 * math.exp(0.4 * rng.gauss(0.0, 1.0)), True
        else:
            took, ok = 0.1 * math.exp(0.3 * rng.gauss(0.0, 1.0)), False
        heapq.heappush(events, (now + took, sequence, user, ok))
        sequence += 1

    while line and free:
        free -= 1
        send(line.popleft())
    while events:
        now, _, _, ok = heapq.heappop(events)
        latency_sum += now
        ok_count += ok
        free += 1
        while line and free:
            free -= 1
            send(line.popleft())
    return ok_count, latency_sum / users, now


def main():
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    start = time.perf_counter()
    ok, avg, end = simulate(users)
    wall = time.perf_counter() - start
    print(f"python peer: {users} users, {ok} succeeded ({100.0 * ok / users:.2f}%), "
          f"avg {avg:.3f} s, last at {end:.3f} s; wall {wall:.3f} s")


if __name__ == "__main__":
    main()
