// Queueing formulas: Erlang C against textbook values and closed forms, Allen-Cunneen against
// Pollaczek-Khinchine, the finite-source chain against its product form, token-bucket bounds.
#include "models/queueing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace llmsim {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// --- Erlang C -----------------------------------------------------------------------------------

struct ErlangRow {
  const char* what;
  double load;  // Erlangs (lambda with E[S] = 1 s)
  int servers;
  double wait_probability;
};

class ErlangC : public ::testing::TestWithParam<ErlangRow> {};

TEST_P(ErlangC, WaitProbabilityAndMeanWaitMatchTheTable) {
  const ErlangRow& row = GetParam();
  const MultiServerQueue q = erlang_c(row.load, 1.0, row.servers);
  EXPECT_NEAR(q.wait_probability, row.wait_probability, 1e-9);
  // Wq = C / (c mu - lambda); Lq = lambda Wq; rho = a / c.
  EXPECT_NEAR(q.mean_wait_s, row.wait_probability / (row.servers - row.load), 1e-9);
  EXPECT_NEAR(q.mean_response_s, q.mean_wait_s + 1.0, 1e-12);
  EXPECT_NEAR(q.mean_waiting, row.load * q.mean_wait_s, 1e-12);
  EXPECT_DOUBLE_EQ(q.utilisation, row.load / row.servers);
}

INSTANTIATE_TEST_SUITE_P(
    Textbook, ErlangC,
    ::testing::Values(
        // M/M/1: C = rho.
        ErlangRow{"mm1_rho_0_7", 0.7, 1, 0.7},
        // M/M/2: C = 2 rho^2 / (1 + rho), rho = 0.75.
        ErlangRow{"mm2_rho_0_75", 1.5, 2, 2 * 0.75 * 0.75 / 1.75},
        // Two Erlangs on three servers: 4/9 (the common textbook example).
        ErlangRow{"a2_c3", 2.0, 3, 4.0 / 9.0},
        // The call-centre tables: 10 Erlangs on 11 agents wait 68.2% of the time; 5 on 6, 58.8%.
        ErlangRow{"a10_c11", 10.0, 11, 0.6821182046893324},
        ErlangRow{"a5_c6", 5.0, 6, 0.587516450460613},
        // A lightly loaded large pool: 20 Erlangs on 25.
        ErlangRow{"a20_c25", 20.0, 25, 0.20910282659883664}),
    [](const auto& row) { return std::string(row.param.what); });

TEST(ErlangC, ScalesWithTheMeanServiceTime) {
  // The same load with E[S] = 2 s: probabilities equal, waits twice as long.
  const MultiServerQueue one = erlang_c(8.5, 1.0, 10);
  const MultiServerQueue two = erlang_c(4.25, 2.0, 10);
  EXPECT_NEAR(two.wait_probability, one.wait_probability, 1e-12);
  EXPECT_NEAR(two.mean_wait_s, 2 * one.mean_wait_s, 1e-12);
}

TEST(ErlangC, LargePoolsDoNotOverflow) {
  const MultiServerQueue q = erlang_c(950.0, 1.0, 1000);
  EXPECT_TRUE(std::isfinite(q.wait_probability));
  EXPECT_GT(q.wait_probability, 0.0);
  EXPECT_LT(q.wait_probability, 1.0);
}

TEST(ErlangC, RefusesAnUnstableQueueAndBadArguments) {
  EXPECT_THAT([] { erlang_c(10.0, 1.0, 10); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("utilisation: must be < 1 (a stable queue), got 1")));
  EXPECT_THAT([] { erlang_c(0.0, 1.0, 1); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("arrival rate: must be > 0 per s, got 0")));
  EXPECT_THAT([] { erlang_c(1.0, 1.0, 0); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("servers: must be >= 1, got 0")));
}

// --- Allen-Cunneen ------------------------------------------------------------------------------

TEST(AllenCunneen, IsPollaczekKhinchineForOneServer) {
  // M/D/1 (Cs^2 = 0) at rho = 0.8: Wq = rho E[S] / (2 (1 - rho)) = 2 s.
  EXPECT_NEAR(mgc_allen_cunneen(0.8, 1.0, 0.0, 1).mean_wait_s, 2.0, 1e-12);
  // Cs^2 = 3: Wq = rho E[S] (1 + 3) / (2 (1 - rho)) = 8 s.
  EXPECT_NEAR(mgc_allen_cunneen(0.8, 1.0, 3.0, 1).mean_wait_s, 8.0, 1e-12);
}

TEST(AllenCunneen, IsErlangCForExponentialService) {
  const MultiServerQueue exact = erlang_c(8.5, 1.0, 10);
  const MultiServerQueue approx = mgc_allen_cunneen(8.5, 1.0, 1.0, 10);
  EXPECT_DOUBLE_EQ(approx.mean_wait_s, exact.mean_wait_s);
  EXPECT_DOUBLE_EQ(approx.wait_probability, exact.wait_probability);
}

TEST(AllenCunneen, RefusesANegativeScv) {
  EXPECT_THAT([] { mgc_allen_cunneen(1.0, 1.0, -0.5, 2); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("coefficient of variation: must be >= 0, got -0.5")));
}

// --- finite source ------------------------------------------------------------------------------

struct ClosedRow {
  const char* what;
  int users;
  double think_s;
  double service_s;
  int servers;
};

class FiniteSource : public ::testing::TestWithParam<ClosedRow> {};

TEST_P(FiniteSource, ChainAgreesWithTheProductForm) {
  const ClosedRow& row = GetParam();
  const ClosedQueue chain = finite_source_ctmc(row.users, row.think_s, row.service_s, row.servers);
  const ClosedQueue product = finite_source_birth_death(row.users, row.think_s, row.service_s, row.servers);
  ASSERT_EQ(chain.distribution.size(), static_cast<std::size_t>(row.users) + 1);
  EXPECT_NEAR(std::accumulate(chain.distribution.begin(), chain.distribution.end(), 0.0), 1.0, 1e-9);
  for (std::size_t n = 0; n < chain.distribution.size(); ++n) {
    EXPECT_NEAR(chain.distribution[n], product.distribution[n], 1e-9) << "n = " << n;
  }
  EXPECT_NEAR(chain.throughput, product.throughput, 1e-9 * product.throughput);
  EXPECT_NEAR(chain.mean_response_s, product.mean_response_s, 1e-9 * product.mean_response_s);
  // Every user is thinking or in the system: X = (N - L) / Z.
  EXPECT_NEAR(chain.throughput, (row.users - chain.mean_in_system) / row.think_s, 1e-9 * chain.throughput);
}

INSTANTIATE_TEST_SUITE_P(
    Populations, FiniteSource,
    ::testing::Values(
        // More servers than users: nobody ever waits.
        ClosedRow{"no_waiting", 5, 2.0, 1.0, 8},
        // The classic machine-repair sizes.
        ClosedRow{"machine_repair", 20, 4.0, 1.0, 4},
        // Saturated: 200 users, short thinking, 10 servers.
        ClosedRow{"saturated", 200, 1.0, 1.0, 10},
        // One user.
        ClosedRow{"one_user", 1, 3.0, 1.0, 1}),
    [](const auto& row) { return std::string(row.param.what); });

TEST(FiniteSource, OneUserAlternatesThinkAndService) {
  // A single user: X = 1 / (Z + E[S]), never waits.
  const ClosedQueue q = finite_source_ctmc(1, 3.0, 1.0, 1);
  EXPECT_NEAR(q.throughput, 0.25, 1e-12);
  EXPECT_NEAR(q.mean_response_s, 1.0, 1e-12);
  EXPECT_NEAR(q.mean_waiting, 0.0, 1e-12);
}

TEST(FiniteSource, ManyUsersSaturateTheServers) {
  // 200 users thinking 1 s against 10 servers of 1 s: every server busy, X -> c / E[S].
  const ClosedQueue q = finite_source_ctmc(200, 1.0, 1.0, 10);
  EXPECT_NEAR(q.throughput, 10.0, 1e-6);
  EXPECT_NEAR(q.utilisation, 1.0, 1e-6);
  // Response time by the asymptote R = N / X - Z = 19 s.
  EXPECT_NEAR(q.mean_response_s, 19.0, 1e-4);
}

TEST(FiniteSource, RefusesBadArguments) {
  EXPECT_THAT([] { finite_source_ctmc(0, 1.0, 1.0, 1); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("users: must be >= 1, got 0")));
  EXPECT_THAT([] { finite_source_birth_death(3, 0.0, 1.0, 1); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("mean think time: must be > 0 s, got 0")));
}

// --- token buckets ------------------------------------------------------------------------------

TEST(AdmissionBound, UnboundWhenTheOfferIsBelowEveryRefill) {
  // 300 requests over 60 s against 500 RPM (8.33/s): everything goes through.
  const AdmissionBound b = admission_bound({{"RPM", 500, 500 / 60.0, 1, 500}}, 300, 60);
  EXPECT_DOUBLE_EQ(b.offered_rate, 5.0);
  EXPECT_DOUBLE_EQ(b.sustained_rate, 500 / 60.0);
  EXPECT_EQ(b.sustained_binding, "RPM");
  EXPECT_DOUBLE_EQ(b.long_run_rate, 5.0);
  EXPECT_EQ(b.long_run_binding, "");
  EXPECT_DOUBLE_EQ(b.phase_admitted, 300);
  EXPECT_EQ(b.phase_binding, "");
}

TEST(AdmissionBound, TheTightestBucketBinds) {
  // 660 requests a minute offered for 10 minutes; 500 RPM and 200,000 TPM at 500 tokens each
  // (400 requests a minute): TPM binds, in the long run and over the phase (full buckets:
  // 200,000 + 10 x 200,000 tokens = 4,400 requests).
  const std::vector<TokenBucket> buckets{{"RPM", 500, 500 / 60.0, 1, 500},
                                         {"TPM", 200000, 200000 / 60.0, 500, 200000}};
  const AdmissionBound b = admission_bound(buckets, 6600, 600);
  EXPECT_NEAR(b.long_run_rate, 400 / 60.0, 1e-12);
  EXPECT_EQ(b.long_run_binding, "TPM");
  EXPECT_DOUBLE_EQ(b.phase_admitted, 4400);
  EXPECT_EQ(b.phase_binding, "TPM");
}

TEST(AdmissionBound, APhaseGetsTheBurstPlusTheRefill) {
  // 1,000 requests at once against 500 RPM with 6 s to run: 500 + 50 admitted.
  const AdmissionBound b = admission_bound({{"RPM", 500, 500 / 60.0, 1, 500}}, 1000, 6);
  EXPECT_DOUBLE_EQ(b.phase_admitted, 550);
  EXPECT_EQ(b.phase_binding, "RPM");
  // A bucket half spent at the start gives 250 + 50.
  EXPECT_DOUBLE_EQ(admission_bound({{"RPM", 500, 500 / 60.0, 1, 250}}, 1000, 6).phase_admitted, 300);
}

TEST(AdmissionBound, ACostAboveTheCapacityIsNeverAdmitted) {
  const AdmissionBound b = admission_bound({{"TPM", 1000, 1000 / 60.0, 2000, 1000}}, 10, 60);
  EXPECT_DOUBLE_EQ(b.phase_admitted, 0);
  EXPECT_DOUBLE_EQ(b.long_run_rate, 0);
  EXPECT_EQ(b.long_run_binding, "TPM");
}

TEST(AdmissionBound, RefusesANonPositiveDuration) {
  EXPECT_THAT([] { admission_bound({}, 10, 0); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("phase duration: must be > 0 s, got 0")));
}

}  // namespace
}  // namespace llmsim
