#!/usr/bin/env python3
"""Random search of client models for the GAJA report scenario (README, "What misses").

Runs `llmsim run` on variants of data/scenarios/gaja-2025-06-10.json that change only the client
(CPU discipline and costs, connection costs, keep-alive, pool size), how users start (all at once
or ramped), and the time-to-first-token and refusal medians; scores each against
data/reference/gaja-load-test-2025-06-10.json and prints how many keep success, 429s, averages and
throughput in the report's bounds (the data-transfer bound does not depend on the client) and how close they bring the minimum and maximum latencies.

    python3 scripts/gaja-search.py [--llmsim build/release/llmsim] [--out results.jsonl]

Two searches of 3,000 and 2,500 draws (seeds 1 and 2), as measured for the README; deterministic.
"""
import argparse, copy, json, os, random, subprocess, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = json.load(open(os.path.join(ROOT, 'data/scenarios/gaja-2025-06-10.json')))
REFERENCE = json.load(open(os.path.join(ROOT, 'data/reference/gaja-load-test-2025-06-10.json')))
TESTS, TARGETS = REFERENCE['tests'], REFERENCE['targets']


def variant(p):
    s = copy.deepcopy(BASE)
    c = s['client']
    c['connections'] = p['connections']
    c['cpu'] = {'cores': 1, 'discipline': p['discipline'], 'per_start_ms': p['per_start_ms'],
                'per_connection_ms': p['per_connection_ms'], 'per_request_ms': p['per_request_ms'],
                'per_response_ms': p['per_response_ms']}
    c['network'] = {'rtt_ms': 40, 'connect_round_trips': p['connect_round_trips']}
    if p['keepalive_s']:
        c['network']['keepalive_s'] = p['keepalive_s']
    latency = s['provider']['latency']
    latency['time_to_first_token_s']['median'] = p['ttft_median']
    latency['refused_s']['median'] = p['refused_median']
    phases = s['workload']['phases']
    for i, ramp in ((1, p['ramp_200']), (2, p['ramp_1000']), (3, p['ramp_10000'])):
        phases[i].pop('ramp_s', None)
        phases[i]['start'] = 'ramp' if ramp else 'all_at_once'
        if ramp:
            phases[i]['ramp_s'] = ramp
    return s


def draw(rng, search):
    if search == 1:
        return {'discipline': rng.choice(['fifo', 'event_loop']), 'per_start_ms': rng.choice([0, 0.25, 0.5, 1, 2, 3]),
                'per_connection_ms': rng.choice([0, 2, 5, 10, 20]), 'per_request_ms': rng.choice([0, 0.5, 1, 2]),
                'per_response_ms': rng.choice([0, 0.5, 1, 2]), 'connect_round_trips': rng.choice([0, 1, 2, 3]),
                'keepalive_s': rng.choice([None, 15]), 'ramp_200': rng.choice([0, 1, 2, 3]),
                'ramp_1000': rng.choice([0, 0.5, 1, 2]), 'ramp_10000': rng.choice([0, 5, 10, 15, 20, 25]),
                'ttft_median': rng.choice([0.35, 0.45, 0.55]), 'refused_median': rng.choice([0.1, 0.2, 0.3, 0.5]),
                'connections': 100}
    return {'discipline': 'event_loop', 'per_start_ms': rng.choice([0.5, 1, 1.5, 2, 2.5]),
            'per_connection_ms': rng.choice([0, 1, 2, 5]), 'per_request_ms': rng.choice([0, 0.5, 1, 2, 4]),
            'per_response_ms': rng.choice([0, 0.5, 1, 2, 4]), 'connect_round_trips': rng.choice([0, 3]),
            'keepalive_s': rng.choice([None, 15]), 'ramp_200': rng.choice([0, 2]),
            'ramp_1000': rng.choice([0, 0.5, 1]), 'ramp_10000': rng.choice([0, 5, 10, 15, 20, 25, 30]),
            'ttft_median': rng.choice([0.35, 0.45, 0.55]), 'refused_median': rng.choice([0.1, 0.2, 0.3, 0.5]),
            'connections': rng.choice([100, 200, 500, 1000])}


def errors(phases):
    """Per test: success (points), 429s, avg, min, max, throughput (relative); and the bounds broken."""
    rows, broken = [], 0
    for i, (p, t) in enumerate(zip(phases, TESTS)):
        f = {'success_pp': (p['success_rate'] - t['success_rate']) * 100}
        if 'rate_limit' in t['errors']:
            f['429'] = p['errors']['rate_limit_requests'] / t['errors']['rate_limit'] - 1
        for k in ('avg', 'min', 'max'):
            f[k] = p['latency_s'][k] / t['latency_s'][k] - 1
        f['rps'] = p['throughput_rps'] / t['throughput_rps'] - 1
        broken += abs(f['success_pp']) > TARGETS['success_rate_abs_pp']
        broken += abs(f.get('429', 0)) > TARGETS['rate_limit_errors_rel']
        broken += abs(f['avg']) > TARGETS['latency_avg_rel']
        broken += t['name'] in TARGETS['throughput_rel_for'] and abs(f['rps']) > TARGETS['throughput_rel']
        rows.append(f)
    return rows, broken


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--llmsim', default=os.path.join(ROOT, 'build/release/llmsim'))
    ap.add_argument('--out', help='also write one JSON line per variant')
    args = ap.parse_args()
    out = open(args.out, 'w') if args.out else None
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for search, count in ((1, 3000), (2, 2500)):
            rng = random.Random(search)
            for _ in range(count):
                p = draw(rng, search)
                scenario, report = os.path.join(tmp, 's.json'), os.path.join(tmp, 'r.json')
                json.dump(variant(p), open(scenario, 'w'))
                if subprocess.run([args.llmsim, 'run', scenario, '--quiet', '--json', report]).returncode:
                    continue
                rows, broken = errors(json.load(open(report))['phases'])
                results.append((p, rows, broken))
                if out:
                    out.write(json.dumps({'params': p, 'errors': rows, 'bounds_broken': broken}) + '\n')
    within = lambda r, k: abs(r[2][k]) <= 0.35 and abs(r[3][k]) <= 0.35
    kept = [r for r in results if r[2] == 0]
    at_once = [r for r in results if not r[0]['ramp_1000'] and not r[0]['ramp_10000']]
    print(f'variants run: {len(results)}')
    print(f'in the bounds (success, 429s, averages, throughput): {len(kept)}')
    if kept:
        print('  best minimum at 1,000 / 10,000 users among them: '
              f"{min(abs(r[1][2]['min']) for r in kept):.0%} / {min(abs(r[1][3]['min']) for r in kept):.0%} off")
    both = [r for r in results if within(r[1], 'min')]
    print(f'minimums at 1,000 and 10,000 users both within 35%: {len(both)}, of them in the bounds: '
          f'{sum(r[2] == 0 for r in both)}')
    print(f'every test started at once (1,000 and 10,000 users): {len(at_once)}, in the bounds: '
          f'{sum(r[2] == 0 for r in at_once)}')


if __name__ == '__main__':
    main()
