// Queueing formulas and the finite-source Markov chain. See queueing.hpp.
#include "models/queueing.hpp"

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace llmsim {

namespace {

// Throws std::invalid_argument "NAME: must be RULE, got VALUE" unless `ok`.
void require(bool ok, const char* name, const char* rule, double value) {
  if (ok) return;
  std::ostringstream message;
  message << name << ": must be " << rule << ", got " << value;
  throw std::invalid_argument(message.str());
}

void require_closed(int users, double mean_think_s, double mean_service_s, int servers) {
  require(users >= 1, "users", ">= 1", users);
  require(mean_think_s > 0, "mean think time", "> 0 s", mean_think_s);
  require(mean_service_s > 0, "mean service time", "> 0 s", mean_service_s);
  require(servers >= 1, "servers", ">= 1", servers);
}

// Fills a ClosedQueue's figures from the distribution of the number in the system.
ClosedQueue summarise_closed(std::vector<double> pi, double mean_service_s, int servers) {
  ClosedQueue q;
  const int users = static_cast<int>(pi.size()) - 1;
  double busy = 0;
  for (int n = 0; n <= users; ++n) {
    q.mean_in_system += n * pi[n];
    q.mean_waiting += std::max(0, n - servers) * pi[n];
    busy += std::min(n, servers) * pi[n];
  }
  q.throughput = busy / mean_service_s;
  q.mean_response_s = q.mean_in_system / q.throughput;
  q.mean_wait_s = q.mean_waiting / q.throughput;
  q.utilisation = busy / servers;
  q.distribution = std::move(pi);
  return q;
}

}  // namespace

AdmissionBound admission_bound(const std::vector<TokenBucket>& buckets, double offered_requests,
                               double duration_s) {
  require(duration_s > 0, "phase duration", "> 0 s", duration_s);
  require(offered_requests >= 0, "offered requests", ">= 0", offered_requests);
  AdmissionBound bound;
  bound.sustained_rate = std::numeric_limits<double>::infinity();
  bound.offered_rate = offered_requests / duration_s;
  bound.phase_admitted = offered_requests;
  for (const TokenBucket& b : buckets) {
    require(b.refill_per_s > 0, "bucket refill", "> 0 units/s", b.refill_per_s);
    require(b.cost > 0, "request cost", "> 0 units", b.cost);
    // A cost above the capacity is never admitted ("too large").
    const bool is_too_large = b.cost > b.capacity;
    const double sustained = is_too_large ? 0.0 : b.refill_per_s / b.cost;
    if (sustained < bound.sustained_rate) {
      bound.sustained_rate = sustained;
      bound.sustained_binding = b.name;
    }
    const double phase =
        is_too_large ? 0.0 : std::floor((b.available + b.refill_per_s * duration_s) / b.cost);
    if (phase < bound.phase_admitted) {
      bound.phase_admitted = phase;
      bound.phase_binding = b.name;
    }
  }
  bound.long_run_rate = std::min(bound.offered_rate, bound.sustained_rate);
  if (bound.sustained_rate < bound.offered_rate) bound.long_run_binding = bound.sustained_binding;
  return bound;
}

MultiServerQueue erlang_c(double arrival_rate, double mean_service_s, int servers) {
  require(arrival_rate > 0, "arrival rate", "> 0 per s", arrival_rate);
  require(mean_service_s > 0, "mean service time", "> 0 s", mean_service_s);
  require(servers >= 1, "servers", ">= 1", servers);
  const double load = arrival_rate * mean_service_s;  // offered load in Erlangs
  const double rho = load / servers;
  require(rho < 1, "utilisation", "< 1 (a stable queue)", rho);
  // Erlang B by its recursion B(k) = a B(k-1) / (k + a B(k-1)): no factorials, no overflow.
  double blocking = 1.0;
  for (int k = 1; k <= servers; ++k) blocking = load * blocking / (k + load * blocking);
  MultiServerQueue q;
  q.utilisation = rho;
  q.wait_probability = blocking / (1.0 - rho * (1.0 - blocking));
  q.mean_wait_s = q.wait_probability * mean_service_s / (servers * (1.0 - rho));
  q.mean_response_s = q.mean_wait_s + mean_service_s;
  q.mean_waiting = arrival_rate * q.mean_wait_s;
  return q;
}

MultiServerQueue mgc_allen_cunneen(double arrival_rate, double mean_service_s, double service_scv,
                                   int servers) {
  require(service_scv >= 0, "service time's squared coefficient of variation", ">= 0", service_scv);
  MultiServerQueue q = erlang_c(arrival_rate, mean_service_s, servers);
  // Poisson arrivals have Ca^2 = 1: the factor (Ca^2 + Cs^2) / 2.
  q.mean_wait_s *= (1.0 + service_scv) / 2.0;
  q.mean_response_s = q.mean_wait_s + mean_service_s;
  q.mean_waiting = arrival_rate * q.mean_wait_s;
  return q;
}

ClosedQueue finite_source_ctmc(int users, double mean_think_s, double mean_service_s, int servers) {
  require_closed(users, mean_think_s, mean_service_s, servers);
  const int states = users + 1;
  // pi Q = 0 is Q^T pi^T = 0, where column n of Q^T holds the rates out of state n. One balance
  // equation is redundant: the last row of Q^T is replaced by sum pi = 1.
  const int normalisation_row = users;
  std::vector<Eigen::Triplet<double>> entries;
  entries.reserve(static_cast<std::size_t>(states) * 4);
  const auto add = [&](int row, int column, double rate) {
    if (row != normalisation_row) entries.emplace_back(row, column, rate);
  };
  for (int n = 0; n < states; ++n) {
    const double up = (users - n) / mean_think_s;               // a thinking user sends
    const double down = std::min(n, servers) / mean_service_s;  // a busy server finishes
    add(n, n, -(up + down));
    if (n < users) add(n + 1, n, up);
    if (n > 0) add(n - 1, n, down);
    entries.emplace_back(normalisation_row, n, 1.0);
  }
  Eigen::SparseMatrix<double> q_transposed(states, states);
  q_transposed.setFromTriplets(entries.begin(), entries.end());
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(states);
  rhs(normalisation_row) = 1.0;
  Eigen::SparseLU<Eigen::SparseMatrix<double>> solver;
  solver.compute(q_transposed);
  if (solver.info() != Eigen::Success) throw std::runtime_error("finite-source chain: LU failed");
  const Eigen::VectorXd pi = solver.solve(rhs);
  std::vector<double> distribution(pi.data(), pi.data() + states);
  for (double& p : distribution) p = std::max(0.0, p);  // round-off just below zero
  return summarise_closed(std::move(distribution), mean_service_s, servers);
}

ClosedQueue finite_source_birth_death(int users, double mean_think_s, double mean_service_s,
                                      int servers) {
  require_closed(users, mean_think_s, mean_service_s, servers);
  // pi_n / pi_0 = prod_{k=1..n} birth(k-1) / death(k), in logarithms.
  std::vector<double> log_weight(static_cast<std::size_t>(users) + 1, 0.0);
  for (int n = 1; n <= users; ++n) {
    const double birth = (users - n + 1) / mean_think_s;
    const double death = std::min(n, servers) / mean_service_s;
    log_weight[n] = log_weight[n - 1] + std::log(birth) - std::log(death);
  }
  const double top = *std::max_element(log_weight.begin(), log_weight.end());
  std::vector<double> pi(log_weight.size());
  double total = 0;
  for (std::size_t n = 0; n < pi.size(); ++n) total += pi[n] = std::exp(log_weight[n] - top);
  for (double& p : pi) p /= total;
  return summarise_closed(std::move(pi), mean_service_s, servers);
}

}  // namespace llmsim
