// Queueing theory for cross-checking the simulator (llmsim analyze): closed forms and a small
// Markov chain for the cases theory covers.
//
// - Token buckets: the long-run rate a set of buckets admits (each refills at `refill_per_s`
//   units per second and a request costs `cost` units), and the rate over a finite phase that
//   starts with `available` units in each bucket (a fluid bound: burst plus refill).
// - M/M/c (Erlang C) for open Poisson arrivals at a pool of c servers with exponential service,
//   and the Allen-Cunneen approximation for M/G/c: the M/M/c wait scaled by (1 + Cs^2) / 2, where
//   Cs^2 is the service time's squared coefficient of variation (exact for c = 1, Pollaczek-
//   Khinchine).
// - The closed finite-source model (N users thinking for a mean Z between requests, c servers,
//   exponential think and service times: M/M/c//N) as a continuous-time Markov chain on the
//   number of requests in the system, solved with Eigen (pi Q = 0, sum pi = 1), and the same
//   model's birth-death product form, which the tests hold against the chain.
//
// Units: rates per second, times in seconds. Invalid arguments (non-positive rates, c < 1, an
// unstable open queue) throw std::invalid_argument naming the argument and its value.
//
//   MultiServerQueue q = erlang_c(/*arrival_rate=*/6.8, /*mean_service_s=*/1.0, /*servers=*/8);
//   q.wait_probability;  // 0.6 or so
//   ClosedQueue closed = finite_source_ctmc(/*users=*/20, /*mean_think_s=*/4, 1.0, /*servers=*/4);
#pragma once

#include <string>
#include <vector>

namespace llmsim {

// One token bucket as the admission bound sees it.
struct TokenBucket {
  std::string name;         // "RPM", "TPM", "RPD", "TPD"
  double capacity = 0;      // units (requests or tokens)
  double refill_per_s = 0;  // units per second
  double cost = 0;          // units one request takes
  double available = 0;     // units in the bucket when the phase starts, in [0, capacity]
};

struct AdmissionBound {
  double sustained_rate = 0;     // requests per second the buckets admit forever: min(refill / cost)
  std::string sustained_binding; // the bucket with the lowest refill / cost, "" without buckets
  double offered_rate = 0;       // requests per second offered over the phase
  double long_run_rate = 0;      // min(offered, sustained)
  std::string long_run_binding;  // the bucket that caps the long-run rate, "" when none does
  double phase_admitted = 0;  // requests admitted over the phase: min(offered, (available + refill T) / cost)
  std::string phase_binding;  // the bucket that caps the phase, "" when none does
};

// Returns how many requests the buckets admit, in the long run and over a phase of `duration_s`
// seconds in which `offered_requests` are offered. Throws std::invalid_argument when the
// duration is not positive or a bucket's refill or cost is not positive.
AdmissionBound admission_bound(const std::vector<TokenBucket>& buckets, double offered_requests,
                               double duration_s);

// Steady state of an open queue with Poisson arrivals and c servers.
struct MultiServerQueue {
  double utilisation = 0;       // rho = lambda E[S] / c
  double wait_probability = 0;  // P(a request waits for a server)
  double mean_wait_s = 0;       // Wq
  double mean_response_s = 0;   // Wq + E[S]
  double mean_waiting = 0;      // Lq = lambda Wq (Little)
};

// Returns M/M/c's figures (Erlang C, by the stable Erlang B recursion). Throws
// std::invalid_argument unless arrival_rate > 0, mean_service_s > 0, servers >= 1 and rho < 1.
MultiServerQueue erlang_c(double arrival_rate, double mean_service_s, int servers);

// Returns M/G/c's figures by Allen-Cunneen: Wq = Wq(M/M/c) (1 + service_scv) / 2; the waiting
// probability is Erlang C's (an approximation for non-exponential service). Throws as erlang_c,
// and when service_scv < 0.
MultiServerQueue mgc_allen_cunneen(double arrival_rate, double mean_service_s, double service_scv,
                                   int servers);

// Steady state of the closed finite-source model.
struct ClosedQueue {
  double throughput = 0;       // requests per second
  double mean_in_system = 0;   // requests waiting or in service
  double mean_waiting = 0;     // requests waiting for a server
  double mean_response_s = 0;  // in system per request (Little: L / X)
  double mean_wait_s = 0;      // waiting for a server per request (Lq / X)
  double utilisation = 0;      // mean busy servers / c
  std::vector<double> distribution;  // P(n requests in the system), n = 0..users
};

// Solves M/M/c//N as a continuous-time Markov chain: builds the generator Q over n = 0..users
// (n -> n+1 at (users - n) / mean_think_s, n -> n-1 at min(n, c) / mean_service_s) and solves
// pi Q = 0, sum pi = 1 with Eigen's sparse LU. Throws std::invalid_argument unless users >= 1,
// mean_think_s > 0, mean_service_s > 0 and servers >= 1.
ClosedQueue finite_source_ctmc(int users, double mean_think_s, double mean_service_s, int servers);

// Returns the same model's figures from its birth-death product form (in logarithms, so large
// populations do not overflow). Throws as finite_source_ctmc.
ClosedQueue finite_source_birth_death(int users, double mean_think_s, double mean_service_s,
                                      int servers);

}  // namespace llmsim
