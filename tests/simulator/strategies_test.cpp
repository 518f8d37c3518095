// The client's strategies in the simulator, each in the direction theory says, with numbers:
// pacing, a bounded queue with a deadline, a response cache, VIP priority, and determinism.
#include "simulator/client_model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "models/scenario.hpp"
#include "simulator/des_driver.hpp"
#include "simulator/report.hpp"

namespace llmsim {
namespace {

using Json = nlohmann::ordered_json;

const std::string kGaja = LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json";
const std::string kStrategies = LLMSIM_SOURCE_DIR "/data/scenarios/gaja-strategies.json";

Json read_json(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

Report run(const Json& scenario) {
  const Scenario s = parse_scenario(scenario.dump(), "test.json");
  const SimulationResult result = simulate(s);
  return build_report(s, result.phases, result.limiter_levels, "simulated");
}

std::uint64_t errors(const PhaseReport& p, ErrorCategory category) {
  return p.errors[static_cast<std::size_t>(category)];
}

// GAJA's 1,000-user test alone (fresh limits, no gap), with `client` merged into its client.
Json gaja_1000(const Json& client = Json::object()) {
  Json j = read_json(kGaja);
  Json phase = j["workload"]["phases"][2];
  phase["gap_before_s"] = 0;
  j["workload"]["phases"] = Json::array({phase});
  j["client"].update(client);
  return j;
}

// A small scenario: no rate limit to speak of, every answer takes exactly `latency_s`.
Json small(int connections, const Json& client, const Json& phases, double latency_s = 1.0) {
  Json j = {{"name", "small"}, {"seed", 11}};
  j["provider"] = {{"limits", {{"rpm", 1000000}}},
                   {"latency", {{"time_to_first_token_s", latency_s}, {"per_token_s", 0}, {"refused_s", 0}}},
                   {"tokens", {{"completion", 1}}}};
  j["client"] = client;
  j["client"]["connections"] = connections;
  j["workload"] = {{"phases", phases}};
  return j;
}

// --- pacing -----------------------------------------------------------------------------------

TEST(Pacing, At500RpmNo429sAt1000UsersAndSuccessRises) {
  const Report baseline = run(gaja_1000());
  const Report paced = run(gaja_1000({{"pacing", {{"requests_per_minute", 500}}}}));
  // The baseline is the load test's failure: about 45% refused on RPM.
  EXPECT_GT(errors(baseline.total, ErrorCategory::rate_limit_requests), 400u);
  EXPECT_EQ(errors(paced.total, ErrorCategory::rate_limit_requests), 0u);
  EXPECT_EQ(paced.total.succeeded, 1000u);
  EXPECT_GT(paced.total.success_rate, baseline.total.success_rate + 0.4);
  // The bucket lets 500 go at once and then one every 120 ms: the 1,000th leaves after ~60 s,
  // and that time was spent waiting in the client.
  EXPECT_GE(paced.total.duration_s, 59.8);
  EXPECT_LT(paced.total.duration_s, 63.0);
  EXPECT_GT(paced.total.queue_s.max, 55.0);
}

TEST(Pacing, LearningFromHeadersCutsRefusalsWhenPacedAboveTheLimit) {
  // Paced at 1,000 RPM against a 500 RPM account: the pacer alone lets too much through; taking
  // the provider's limit and remaining count from the headers refuses far less (only what was
  // sent before the first answers came back).
  const Json over = {{"requests_per_minute", 1000}};
  Json learning = over;
  learning["learn_from_headers"] = true;
  const Report blind = run(gaja_1000({{"pacing", over}}));
  const Report learned = run(gaja_1000({{"pacing", learning}}));
  const auto blind_429 = errors(blind.total, ErrorCategory::rate_limit_requests);
  const auto learned_429 = errors(learned.total, ErrorCategory::rate_limit_requests);
  EXPECT_GT(blind_429, 100u);
  EXPECT_LT(learned_429, blind_429 / 2);
  EXPECT_GT(learned.total.succeeded, blind.total.succeeded);
}

TEST(Pacing, TokensPerMinuteHoldsTheSendRate) {
  // 60 tokens a request (prompt 60, no max_tokens) at 600 TPM: 10 at once, then one every 6 s.
  Json j = small(100, {{"pacing", {{"tokens_per_minute", 600}}}},
                 Json::array({{{"users", 12}, {"requests_per_user", 1}}}), 0.0);
  j["request"] = {{"prompt_tokens", 60}};
  const Report r = run(j);
  EXPECT_EQ(r.total.succeeded, 12u);
  EXPECT_NEAR(r.total.duration_s, 12.0, 1e-6);
}

// --- queue ------------------------------------------------------------------------------------

TEST(Queue, FullQueueShedsWithQueueFull) {
  // One connection busy for 1 s, three may wait: of ten at once, four are served, six shed.
  const Report r = run(small(1, {{"queue", {{"max_length", 3}}}},
                             Json::array({{{"users", 10}, {"requests_per_user", 1}}})));
  EXPECT_EQ(r.total.succeeded, 4u);
  EXPECT_EQ(errors(r.total, ErrorCategory::queue_full), 6u);
  EXPECT_EQ(r.total.provider_calls, 4u);
  // Shed at once: the smallest latency is zero, the served ones finish at 1, 2, 3 and 4 s.
  EXPECT_EQ(r.total.latency_s.min, 0.0);
  EXPECT_NEAR(r.total.latency_s.max, 4.0, 0.04);
}

TEST(Queue, ZeroLengthQueueOnlySendsWhatGoesAtOnce) {
  const Report r = run(small(2, {{"queue", {{"max_length", 0}}}},
                             Json::array({{{"users", 5}, {"requests_per_user", 1}}})));
  EXPECT_EQ(r.total.succeeded, 2u);
  EXPECT_EQ(errors(r.total, ErrorCategory::queue_full), 3u);
}

TEST(Queue, DeadlineShedsWithQueueDeadline) {
  // One connection, 1 s each: the k-th of ten waits k seconds; with 2.5 s allowed, the waits of
  // 0, 1 and 2 s are served and seven are shed at 2.5 s.
  const Report r = run(small(1, {{"queue", {{"max_length", 100}, {"max_wait_s", 2.5}}}},
                             Json::array({{{"users", 10}, {"requests_per_user", 1}}})));
  EXPECT_EQ(r.total.succeeded, 3u);
  EXPECT_EQ(errors(r.total, ErrorCategory::queue_deadline), 7u);
  EXPECT_NEAR(r.total.queue_s.max, 2.5, 2.5 * 0.01);
  EXPECT_EQ(r.total.provider_calls, 3u);
}

TEST(Queue, WithoutAQueueNothingIsShed) {
  const Report r = run(small(1, Json::object(), Json::array({{{"users", 10}, {"requests_per_user", 1}}})));
  EXPECT_EQ(r.total.succeeded, 10u);
  EXPECT_EQ(errors(r.total, ErrorCategory::queue_full) + errors(r.total, ErrorCategory::queue_deadline), 0u);
}

TEST(Queue, QueueAndPacingBeatTheBaselineAt1000Users) {
  const Report baseline = run(gaja_1000());
  const Report both = run(gaja_1000({{"queue", {{"max_length", 1000}, {"max_wait_s", 30}}},
                                     {"pacing", {{"requests_per_minute", 500}}}}));
  EXPECT_EQ(errors(both.total, ErrorCategory::rate_limit_requests), 0u);
  // 500 at once, then 500/min for the 30 s a request may wait: about 750 served.
  EXPECT_NEAR(static_cast<double>(both.total.succeeded), 750.0, 20.0);
  EXPECT_GT(errors(both.total, ErrorCategory::queue_deadline), 200u);
  EXPECT_GT(both.total.success_rate, baseline.total.success_rate + 0.15);
  EXPECT_LE(both.total.queue_s.max, 30.0 * 1.01);
}

// --- cache ------------------------------------------------------------------------------------

TEST(Cache, HitRatioCutsProviderCallsByThatShare) {
  constexpr int kRequests = 4000;
  constexpr double kRatio = 0.3;
  const Json phases = Json::array({{{"users", 100}, {"requests_per_user", kRequests / 100}}});
  const Report plain = run(small(100, Json::object(), phases, 0.1));
  const Report cached = run(small(100, {{"cache", {{"hit_ratio", kRatio}}}}, phases, 0.1));
  EXPECT_EQ(plain.total.provider_calls, static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(plain.total.cache_hits, 0u);
  // Binomial: hits ~ B(4000, 0.3), standard deviation 29; allow four of them.
  const double sd = std::sqrt(kRequests * kRatio * (1 - kRatio));
  EXPECT_NEAR(static_cast<double>(cached.total.cache_hits), kRequests * kRatio, 4 * sd);
  EXPECT_EQ(cached.total.cache_hits + cached.total.provider_calls, static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(cached.total.succeeded, static_cast<std::uint64_t>(kRequests));
  // Hits take the cache's 1 ms, not the provider's 100 ms.
  EXPECT_NEAR(cached.total.latency_s.min, 0.001, 1e-5);
  EXPECT_LT(cached.total.latency_s.avg, plain.total.latency_s.avg);
}

// One user asking `requests` prompts in turn with `think_s` between them, under a keyed cache.
Report keyed(const Json& cache, int requests, double think_s = 0.0) {
  return run(small(1, {{"cache", cache}},
                   Json::array({{{"users", 1}, {"requests_per_user", requests}, {"think_time_s", think_s}}}),
                   0.01));
}

TEST(Cache, HigherZipfExponentGivesMoreHits) {
  const auto hits = [](double s) {
    return keyed({{"distinct_prompts", 1000}, {"zipf_exponent", s}}, 2000).total.cache_hits;
  };
  const auto flat = hits(0.0), mild = hits(0.8), steep = hits(1.5);
  EXPECT_LT(flat, mild);
  EXPECT_LT(mild, steep);
  // Uniform over 1,000 prompts, 2,000 asks: expected distinct prompts 1000 (1 - e^-2) = 865, so
  // about 1,135 hits.
  EXPECT_NEAR(static_cast<double>(flat), 1135.0, 60.0);
}

TEST(Cache, ZeroCapacityNeverHits) {
  const Report r = keyed({{"distinct_prompts", 5}, {"capacity", 0}}, 200);
  EXPECT_EQ(r.total.cache_hits, 0u);
  EXPECT_EQ(r.total.provider_calls, 200u);
}

TEST(Cache, SmallCapacityHitsLessThanLarge) {
  const auto hits = [](int capacity) {
    return keyed({{"distinct_prompts", 1000}, {"capacity", capacity}}, 2000).total.cache_hits;
  };
  EXPECT_LT(hits(10), hits(100));
  EXPECT_LT(hits(100), hits(1000));
}

TEST(Cache, TtlShorterThanTheGapMisses) {
  // One prompt, asked every ~2 s: with a 1 s TTL every ask misses; with 1,000 s all but the
  // first hit. With 10 s the entry stored by a miss serves the next four asks (ages ~2, 4, 6, 8 s)
  // and the fifth (age just over 10 s) misses and stores it again: 10 misses, 40 hits.
  EXPECT_EQ(keyed({{"distinct_prompts", 1}, {"ttl_s", 1}}, 50, 2.0).total.cache_hits, 0u);
  EXPECT_EQ(keyed({{"distinct_prompts", 1}, {"ttl_s", 10}}, 50, 2.0).total.cache_hits, 40u);
  EXPECT_EQ(keyed({{"distinct_prompts", 1}, {"ttl_s", 1000}}, 50, 2.0).total.cache_hits, 49u);
}

// --- priority ---------------------------------------------------------------------------------

TEST(Priority, VipP95BelowStandardUnderContention) {
  // 10 connections, 1 s each, 500 users at once: 50 waves; VIPs go first.
  const Report r = run(small(10, {{"priority", {{"vip_share", 0.2}}}},
                             Json::array({{{"users", 500}, {"requests_per_user", 1}}})));
  ASSERT_EQ(r.total.classes.size(), 2u);
  const PhaseReport& vip = r.total.classes[0];
  const PhaseReport& standard = r.total.classes[1];
  EXPECT_EQ(vip.name, "vip");
  EXPECT_EQ(standard.name, "standard");
  // About 100 VIPs (binomial sd 9). The first ten arrivals take the connections whatever their
  // class; the VIPs then fill the next ~10 waves.
  EXPECT_NEAR(vip.users, 100, 36);
  EXPECT_LE(vip.latency_s.p95, std::ceil(vip.users / 10.0) + 1.1);
  EXPECT_GT(standard.latency_s.p95, 40.0);
  EXPECT_LT(vip.latency_s.p95, standard.latency_s.p95);
}

TEST(Priority, ClassFiguresAddUpToTheTotals) {
  const Report r = run(gaja_1000({{"priority", {{"vip_share", 0.1}}},
                                  {"queue", {{"max_length", 300}, {"max_wait_s", 10}}}}));
  for (const PhaseReport* p : {&r.phases[0], &r.total}) {
    ASSERT_EQ(p->classes.size(), 2u);
    const PhaseReport& vip = p->classes[0];
    const PhaseReport& standard = p->classes[1];
    EXPECT_EQ(vip.users + standard.users, p->users);
    EXPECT_EQ(vip.requests + standard.requests, p->requests);
    EXPECT_EQ(vip.succeeded + standard.succeeded, p->succeeded);
    EXPECT_EQ(vip.provider_calls + standard.provider_calls, p->provider_calls);
    for (std::size_t i = 0; i < kErrorCategoryCount; ++i) {
      EXPECT_EQ(vip.errors[i] + standard.errors[i], p->errors[i]) << i;
    }
  }
  // VIPs are the first out of the queue: fewer of them are shed or refused.
  EXPECT_GT(r.total.classes[0].success_rate, r.total.classes[1].success_rate);
}

TEST(Priority, ClassesAppearInTextJsonAndCsv) {
  const Report r = run(small(2, {{"priority", {{"vip_share", 0.5}}}},
                             Json::array({{{"name", "p"}, {"users", 20}, {"requests_per_user", 1}}})));
  const Json j = Json::parse(to_json(r));
  EXPECT_EQ(j["phases"][0]["classes"]["vip"]["requests"].get<std::uint64_t>() +
                j["phases"][0]["classes"]["standard"]["requests"].get<std::uint64_t>(),
            20u);
  EXPECT_TRUE(j["total"]["classes"].contains("vip"));
  const std::string csv = to_csv(r);
  EXPECT_THAT(csv, ::testing::HasSubstr(",class\n"));
  EXPECT_THAT(csv, ::testing::HasSubstr(",vip\n"));
  EXPECT_THAT(csv, ::testing::HasSubstr(",standard\n"));
  EXPECT_THAT(to_text(r), ::testing::HasSubstr("  vip:"));
  // Without priority there are no classes anywhere.
  const Report plain = run(small(2, Json::object(), Json::array({{{"users", 2}, {"requests_per_user", 1}}})));
  EXPECT_FALSE(Json::parse(to_json(plain))["total"].contains("classes"));
  EXPECT_THAT(to_csv(plain), ::testing::Not(::testing::HasSubstr(",vip")));
}

// --- the scenario file and determinism -------------------------------------------------------

TEST(Strategies, ScenarioFileRunsTwiceToTheSameJson) {
  const Scenario s = load_scenario(kStrategies);
  const SimulationResult a = simulate(s);
  const SimulationResult b = simulate(s);
  const std::string ja = to_json(build_report(s, a.phases, a.limiter_levels, "simulated"));
  const std::string jb = to_json(build_report(s, b.phases, b.limiter_levels, "simulated"));
  EXPECT_EQ(ja, jb);
  EXPECT_FALSE(ja.empty());
}

TEST(Strategies, AllTogetherBeatTheBaselineAtEveryLoad) {
  const Scenario strategies = load_scenario(kStrategies);
  const Scenario baseline = load_scenario(kGaja);
  const SimulationResult s = simulate(strategies);
  const SimulationResult b = simulate(baseline);
  const Report rs = build_report(strategies, s.phases, s.limiter_levels, "simulated");
  const Report rb = build_report(baseline, b.phases, b.limiter_levels, "simulated");
  ASSERT_EQ(rs.phases.size(), rb.phases.size());
  for (std::size_t i = 0; i < rs.phases.size(); ++i) {
    EXPECT_GE(rs.phases[i].success_rate, rb.phases[i].success_rate) << rs.phases[i].name;
    EXPECT_EQ(errors(rs.phases[i], ErrorCategory::rate_limit_requests), 0u) << rs.phases[i].name;
  }
  EXPECT_GT(rs.total.cache_hits, 0u);
  EXPECT_LT(rs.total.provider_calls, rs.total.requests);
}

}  // namespace
}  // namespace llmsim
