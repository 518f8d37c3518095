#!/usr/bin/python3
"""SimPy's model of bench/scenarios/burst.json (issue 13's scale model), for bench/run.sh burst.

SimPy 2.3.1, the version Debian 12 packages (python3-simpy; SimPy 4 is not packaged and there is
no pip internet here), run with Debian's /usr/bin/python3. N users start at once with one
request each (one Process each), take one of 100 connections (a FIFO Resource), meet a 500 RPM
bucket (capacity 500, refilled continuously at 500 a minute), and hold the connection for a
lognormal time: median 0.5 s, sigma 0.4 when admitted, median 0.1 s, sigma 0.3 when refused.
No retries, no network delay. Prints the wall time of building and running the model and the
figures to compare with llmsim's report. bench/python_burst.py is the same model as a plain
heapq loop.

    /usr/bin/python3 bench/simpy_burst.py 100000
"""
import math
import random
import sys
import time

from SimPy import __version__ as simpy_version
from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate

CONNECTIONS = 100
RPM = 500


class Bucket:
    def __init__(self):
        self.level, self.at = float(RPM), 0.0

    def admit(self, t):
        self.level = min(float(RPM), self.level + (t - self.at) * RPM / 60.0)
        self.at = t
        if self.level >= 1.0:
            self.level -= 1.0
            return True
        return False


class User(Process):
    def run(self, pool, bucket, rng, tally):
        yield request, self, pool
        if bucket.admit(now()):
            took, ok = 0.5 * math.exp(0.4 * rng.gauss(0.0, 1.0)), True
        else:
            took, ok = 0.1 * math.exp(0.3 * rng.gauss(0.0, 1.0)), False
        yield hold, self, took
        yield release, self, pool
        tally[0] += ok
        tally[1] += now()


def main():
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    start = time.perf_counter()
    initialize()
    pool = Resource(capacity=CONNECTIONS)
    bucket, rng, tally = Bucket(), random.Random(13), [0, 0.0]
    for _ in range(users):
        user = User()
        activate(user, user.run(pool, bucket, rng, tally), at=0.0)
    simulate(until=1e12)
    wall = time.perf_counter() - start
    print(f"simpy {simpy_version}: {users} users, {tally[0]} succeeded ({100.0 * tally[0] / users:.2f}%), "
          f"avg {tally[1] / users:.3f} s, last at {now():.3f} s; wall {wall:.3f} s")


if __name__ == "__main__":
    main()
