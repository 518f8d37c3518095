// The client model, driven by the DES driver on small scenarios whose answers are known exactly.
#include "simulator/client_model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "models/scenario.hpp"
#include "simulator/attempt_result.hpp"
#include "simulator/des_driver.hpp"

namespace llmsim {
namespace {

// Builds a scenario from a provider, client and phases JSON fragment (constant latencies unless
// the fragment says otherwise).
Scenario make(const std::string& provider, const std::string& client, const std::string& phases) {
  const std::string text = R"({"name": "t", "seed": 7, "provider": )" + provider +
                           R"(, "client": )" + client + R"(, "workload": {"phases": )" + phases + "}}";
  return parse_scenario(text, "test.json");
}

const std::string kNoLimitsOneSecond =
    R"({"limits": {"rpm": 1000000}, "latency": {"time_to_first_token_s": 1, "per_token_s": 0,
        "refused_s": 0}, "tokens": {"completion": 1}})";

// 100 users at once on 10 connections, each request taking 1 s: ten waves.
SimulationResult hundred_users_on_ten_connections() {
  return simulate(make(kNoLimitsOneSecond, R"({"connections": 10})",
                       R"([{"users": 100, "requests_per_user": 1}])"));
}

TEST(ClientModel, PoolOfTenServesHundredUsersInTenWaves) {
  const SimulationResult r = hundred_users_on_ten_connections();
  const PhaseMetrics& m = r.phases[0].metrics;
  EXPECT_EQ(m.requests, 100u);
  EXPECT_EQ(m.succeeded, 100u);
  // Waves finish at 1, 2, ..., 10 s: mean latency 5.5 s, mean queue 4.5 s, last at 10 s.
  EXPECT_NEAR(m.latency.mean() * 1e-9, 5.5, 1e-6);
  EXPECT_NEAR(m.queue.mean() * 1e-9, 4.5, 1e-6);
  EXPECT_EQ(*r.phases[0].end - r.phases[0].start, from_seconds(10));
}

TEST(ClientModel, CountsWaitersAndTheTimeRequestsSpendInFlight) {
  const SimulationResult r = hundred_users_on_ten_connections();
  const PhaseMetrics& m = r.phases[0].metrics;
  // The first wave got connections at once; the other 90 waited.
  EXPECT_EQ(m.waited, 90u);
  // In flight: 100 - 10k requests during second k+1 (k = 0..9): 100 + 90 + ... + 10 = 550 s.
  EXPECT_EQ(m.in_flight_time, from_seconds(550));
}

// 60 RPM: a bucket of 60; the 61st of 61 users at t=0 is refused, waits what retry-after says
// (1 s) and is answered on its retry (0.5 s).
Scenario sixty_one_users_at_sixty_rpm() {
  return make(
      R"({"limits": {"rpm": 60}, "latency": {"time_to_first_token_s": 0.5, "refused_s": 0},
          "tokens": {"completion": 1}})",
      R"({"connections": 1000, "retry": {"max_retries": 2}})",
      R"([{"users": 61, "requests_per_user": 1}])");
}

TEST(ClientModel, RetryHonoursRetryAfterSeconds) {
  // 60 RPM: a bucket of 60; the 61st request at t=0 waits 1 s, retry-after says 1 s.
  const Scenario s = sixty_one_users_at_sixty_rpm();
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  EXPECT_EQ(m.succeeded, 61u);
  EXPECT_EQ(m.retries, 1u);
  // The retried request went again at 1 s and took 0.5 s.
  EXPECT_EQ(m.latency.max(), from_seconds(1.5).count());
}

TEST(ClientModel, RetryAfterMsIsUsedWhenTheServerSendsIt) {
  // 120 RPM: the 121st waits 500 ms; retry-after-ms says 500, retry-after would say 1 s.
  const Scenario s = make(
      R"({"limits": {"rpm": 120}, "send_retry_after_ms": true,
          "latency": {"time_to_first_token_s": 0, "refused_s": 0}, "tokens": {"completion": 1}})",
      R"({"connections": 1000, "retry": {"max_retries": 1}})",
      R"([{"users": 121, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  EXPECT_EQ(r.phases[0].metrics.succeeded, 121u);
  EXPECT_EQ(r.phases[0].metrics.latency.max(), from_seconds(0.5).count());
}

TEST(ClientModel, NoRetriesMeansRefusalsAreCounted) {
  const Scenario s = make(R"({"limits": {"rpm": 10}, "latency": {"refused_s": 0.1}})",
                          R"({"connections": 1000})", R"([{"users": 25, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  EXPECT_EQ(m.succeeded, 10u);
  EXPECT_EQ(m.errors[static_cast<std::size_t>(ErrorCategory::rate_limit_requests)], 15u);
  EXPECT_EQ(m.retries, 0u);
}

TEST(ClientModel, TimeoutEndsHangingRequestsAtTheTimeout) {
  const Scenario s = make(R"({"limits": {"rpm": 1000}, "faults": {"timeout": 1.0}})",
                          R"({"connections": 5, "timeout_s": 2})",
                          R"([{"users": 10, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  EXPECT_EQ(m.errors[static_cast<std::size_t>(ErrorCategory::timeout)], 10u);
  // Two waves of five on five connections: 2 s and 4 s; timed-out connections are released.
  EXPECT_EQ(m.latency.max(), from_seconds(4).count());
  EXPECT_EQ(m.latency.min(), from_seconds(2).count());
}

TEST(ClientModel, ThinkTimeSeparatesAUsersRequests) {
  const Scenario s = make(
      R"({"limits": {"rpm": 1000}, "latency": {"time_to_first_token_s": 0.5}, "tokens": {"completion": 1}})",
      "{}", R"([{"users": 1, "requests_per_user": 5, "think_time_s": 1}])");
  const SimulationResult r = simulate(s);
  EXPECT_EQ(r.phases[0].metrics.requests, 5u);
  // 5 x 0.5 s of requests and 4 x 1 s of thinking.
  EXPECT_EQ(*r.phases[0].end - r.phases[0].start, from_seconds(6.5));
  // Latency counts from the end of each think time, so every request took 0.5 s.
  EXPECT_EQ(r.phases[0].metrics.latency.max(), from_seconds(0.5).count());
}

TEST(ClientModel, DurationStopsNewRequests) {
  const Scenario s = make(kNoLimitsOneSecond, "{}", R"([{"users": 2, "duration_s": 10}])");
  const SimulationResult r = simulate(s);
  // Each user sends at 0, 1, ..., 9 s: ten requests each before the 10 s deadline.
  EXPECT_EQ(r.phases[0].metrics.requests, 20u);
}

TEST(ClientModel, PhasesRunInTurnWithTheirGapAndShareTheLimiter) {
  const Scenario s = make(
      R"({"limits": {"rpm": 60}, "latency": {"time_to_first_token_s": 1, "refused_s": 0},
          "tokens": {"completion": 1}})",
      R"({"connections": 1000})",
      R"([{"name": "a", "users": 60, "requests_per_user": 1},
          {"name": "b", "users": 60, "requests_per_user": 1, "gap_before_s": 29}])");
  const SimulationResult r = simulate(s);
  ASSERT_EQ(r.phases.size(), 2u);
  // Phase a ends at 1 s; b starts 29 s later, when the bucket has refilled 30 of 60.
  EXPECT_EQ(r.phases[1].start, TimePoint{} + from_seconds(30));
  EXPECT_EQ(r.phases[0].metrics.succeeded, 60u);
  EXPECT_EQ(r.phases[1].metrics.succeeded, 30u);
}

TEST(ClientModel, ClientCpuSerialisesSendsOnOneCore) {
  const Scenario s = make(
      R"({"limits": {"rpm": 1000000}, "latency": {"time_to_first_token_s": 0}, "tokens": {"completion": 1}})",
      R"({"connections": 1000, "cpu": {"cores": 1, "per_request_ms": 10, "per_response_ms": 0}})",
      R"([{"users": 100, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  // The k-th send finishes at k x 10 ms; every response's handling job queues (FIFO) behind the
  // sends submitted at t=0, so all 100 finish when the core frees up at 1 s.
  EXPECT_EQ(m.latency.min(), from_seconds(1).count());
  EXPECT_EQ(m.latency.max(), from_seconds(1).count());
  // The time spent waiting for the core is client queue time: the k-th send waited (k-1) x 10 ms.
  EXPECT_GT(m.queue.mean(), 0.4e9);
  EXPECT_EQ(m.cpu_busy, from_seconds(1));
}

TEST(ClientModel, EventLoopCpuEndsABurstsSendsTogether) {
  const Scenario s = make(
      R"({"limits": {"rpm": 1000000}, "latency": {"time_to_first_token_s": 0}, "tokens": {"completion": 1}})",
      R"({"connections": 1000, "cpu": {"discipline": "event_loop", "per_request_ms": 10}})",
      R"([{"users": 100, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  // The 100 sends share the loop: every one ends at 1 s (first come, first served: the first at
  // 10 ms), so every request waited 990 ms for the CPU.
  EXPECT_LE(std::llabs(m.latency.min() - from_seconds(1).count()), 10);
  EXPECT_NEAR(m.queue.mean(), 0.99e9, 1e3);
  EXPECT_EQ(m.cpu_busy, from_seconds(1));
}

TEST(ClientModel, PerStartCpuComesBeforeTheConnection) {
  // One connection, 10 users at once, 100 ms to build each attempt on the loop: all ten attempts
  // are built together by 1 s, then go one after another on the connection (1 s each).
  const Scenario s = make(kNoLimitsOneSecond,
                          R"({"connections": 1, "cpu": {"discipline": "event_loop", "per_start_ms": 100}})",
                          R"([{"users": 10, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  EXPECT_LE(std::llabs(m.latency.min() - from_seconds(2).count()), 10);
  EXPECT_LE(std::llabs(m.latency.max() - from_seconds(11).count()), 10);
}

TEST(ClientModel, ANewConnectionCostsItsHandshakeOnce) {
  // One connection, 3 users at once: the first request opens it (2 round trips of 100 ms, then
  // 1.1 s), the next two reuse it: 1.3, 2.4 and 3.5 s.
  const Scenario s = make(kNoLimitsOneSecond,
                          R"({"connections": 1, "network": {"rtt_ms": 100, "connect_round_trips": 2}})",
                          R"([{"users": 3, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  EXPECT_EQ(m.latency.min(), from_seconds(1.3).count());
  EXPECT_EQ(m.latency.max(), from_seconds(3.5).count());
}

TEST(ClientModel, AConnectionIdleBeyondTheKeepaliveIsOpenedAgain) {
  const std::string phases = R"([{"users": 1, "requests_per_user": 1},
                                  {"users": 1, "requests_per_user": 1, "gap_before_s": 20}])";
  const auto second_latency = [&](const std::string& keepalive) {
    const Scenario s = make(kNoLimitsOneSecond,
                            R"({"connections": 1, "network": {"rtt_ms": 100, "connect_round_trips": 2)" +
                                keepalive + "}}",
                            phases);
    return simulate(s).phases[1].metrics.latency.max();
  };
  EXPECT_EQ(second_latency(R"(, "keepalive_s": 15)"), from_seconds(1.3).count());  // closed: reopened
  EXPECT_EQ(second_latency(R"(, "keepalive_s": 30)"), from_seconds(1.1).count());  // still open
  EXPECT_EQ(second_latency(""), from_seconds(1.1).count());  // no keep-alive limit
}

TEST(ClientModel, ConnectionCpuAddsToTheFirstSendOnly) {
  const Scenario s = make(
      R"({"limits": {"rpm": 1000000}, "latency": {"time_to_first_token_s": 0}, "tokens": {"completion": 1}})",
      R"({"connections": 1, "cpu": {"per_connection_ms": 50, "per_request_ms": 10}})",
      R"([{"users": 2, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  // 60 ms to open the connection and send the first; the second reuses it: 10 ms more. The
  // first response's handling (0 ms, first come, first served) queues behind that send, so both
  // end at 70 ms; without the connection's cost both would end at 20 ms.
  EXPECT_EQ(m.latency.min(), from_millis(70).count());
  EXPECT_EQ(m.latency.max(), from_millis(70).count());
  EXPECT_EQ(m.cpu_busy, from_millis(70));
}

TEST(ClientModel, OpenLoopPoissonArrivalsKeepTheirRate) {
  const Scenario s = make(kNoLimitsOneSecond, R"({"connections": 10000})",
                          R"([{"users": 20000, "start": "poisson", "rate_per_s": 100,
                               "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const double span_s = to_seconds(*r.phases[0].end - r.phases[0].start) - 1.0;
  // 20,000 exponential gaps of mean 10 ms: the span's sd is 10 ms x sqrt(20000) = 1.41 s.
  EXPECT_NEAR(span_s, 200.0, 5 * 1.42);
}

TEST(ClientModel, NetworkRoundTripAddsToEveryRequest) {
  const Scenario s = make(kNoLimitsOneSecond, R"({"network": {"rtt_ms": 100}})",
                          R"([{"users": 3, "requests_per_user": 1}])");
  EXPECT_EQ(simulate(s).phases[0].metrics.latency.max(), from_seconds(1.1).count());
}

// The estimated response of one request answered with `tokens` tokens, or refused (a 429).
ResponseSize answered(std::int64_t tokens) {
  Decision d;
  d.outcome = Outcome::ok;
  d.completion_tokens = tokens;
  return estimated_response_size(d, response_sizes_of(ProviderConfig{}, false, NetworkConfig{}));
}
ResponseSize refused() {
  Decision d;
  d.outcome = Outcome::rate_limited;
  return estimated_response_size(d, response_sizes_of(ProviderConfig{}, false, NetworkConfig{}));
}
std::int64_t total(ResponseSize size) { return size.header + size.body; }

// Every request answered: the bodies of all of them, less than all bytes received (headers).
TEST(ClientModel, SuccessBodyBytesAreTheBodiesOfTheAnswers) {
  const Scenario s = make(R"({"limits": {"rpm": 1000}, "tokens": {"completion": 5}})",
                          R"({"connections": 100})", R"([{"users": 40, "requests_per_user": 2}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  ASSERT_EQ(m.succeeded, 80u);
  EXPECT_EQ(m.success_body_bytes, 80 * answered(5).body);
  EXPECT_EQ(m.bytes_received, 80 * total(answered(5)));
  EXPECT_LT(m.success_body_bytes, m.bytes_received);
}

// 10 answered, 15 refused without retries: the refusals' bodies are received but not counted.
TEST(ClientModel, SuccessBodyBytesLeaveOutFailedRequests) {
  const Scenario s = make(R"({"limits": {"rpm": 10}, "latency": {"refused_s": 0.1},
                              "tokens": {"completion": 3}})",
                          R"({"connections": 1000})", R"([{"users": 25, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  ASSERT_EQ(m.succeeded, 10u);
  EXPECT_EQ(m.success_body_bytes, 10 * answered(3).body);
  EXPECT_EQ(m.bytes_received, 10 * total(answered(3)) + 15 * total(refused()));
}

// The 61st request is refused once, then answered: its 429's body is in bytes_received only.
TEST(ClientModel, SuccessBodyBytesCountOnlyTheFinalAttempt) {
  const Scenario s = sixty_one_users_at_sixty_rpm();
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  ASSERT_EQ(m.succeeded, 61u);
  ASSERT_EQ(m.retries, 1u);
  EXPECT_EQ(m.success_body_bytes, 61 * answered(1).body);
  EXPECT_EQ(m.bytes_received, 61 * total(answered(1)) + total(refused()));
}

// Timed-out requests received nothing: no bytes and no body.
TEST(ClientModel, SuccessBodyBytesAreZeroWhenNothingAnswered) {
  const Scenario s = make(R"({"limits": {"rpm": 1000}, "faults": {"timeout": 1.0}})",
                          R"({"connections": 5, "timeout_s": 2})",
                          R"([{"users": 10, "requests_per_user": 1}])");
  const SimulationResult r = simulate(s);
  const PhaseMetrics& m = r.phases[0].metrics;
  EXPECT_EQ(m.success_body_bytes, 0);
  EXPECT_EQ(m.bytes_received, 0);
}

}  // namespace
}  // namespace llmsim
