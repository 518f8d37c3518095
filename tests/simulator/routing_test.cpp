// Routing in the simulator (client.routing, client.local_fallback): several API keys, several
// providers with failover, and a local model fallback, each with its effect in the direction
// theory says, on the GAJA 1,000-user test (500 RPM, 1,000 users ramped over 2 s, one request
// each, no retries).
#include "simulator/client_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "models/scenario.hpp"
#include "models/trace.hpp"
#include "simulator/des_driver.hpp"
#include "simulator/report.hpp"
#include "simulator/trace_recorder.hpp"

namespace llmsim {
namespace {

using Json = nlohmann::ordered_json;

Json read_json(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

// The GAJA scenario with only its 1,000-user test, starting at once on a full bucket.
Json gaja_1000() {
  Json j = read_json(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json");
  Json phase = j["workload"]["phases"][2];
  phase["gap_before_s"] = 0;
  j["workload"]["phases"] = Json::array({phase});
  return j;
}

// The same OpenAI account under another name, as a second provider with its own 500 RPM.
Json second_provider(const Json& scenario, const std::string& name) {
  Json p = scenario["provider"];
  p["name"] = name;
  return p;
}

// Moves "provider" into "providers" and appends `extra`.
Json with_providers(Json j, const Json& extra) {
  j["providers"] = Json::array({j["provider"], extra});
  j.erase("provider");
  return j;
}

Report run(const Json& j) {
  const Scenario s = parse_scenario(j.dump(), "test.json");
  const SimulationResult r = simulate(s);
  return build_report(s, r.phases, r.limiter_levels, "simulated");
}

const RouteReport& route(const Report& report, const std::string& name) {
  for (const RouteReport& r : report.total.routes) {
    if (r.name == name) return r;
  }
  throw std::runtime_error("no route " + name);
}
// A route of a temporary report would dangle: keep the report in a variable.
const RouteReport& route(Report&& report, const std::string& name) = delete;

std::uint64_t errors_429(const PhaseReport& p) {
  return p.errors[static_cast<std::size_t>(ErrorCategory::rate_limit_requests)] +
         p.errors[static_cast<std::size_t>(ErrorCategory::rate_limit_tokens)];
}

TEST(Routing, WithoutRoutingTheReportHasNoRoutes) {
  const Report report = run(gaja_1000());
  EXPECT_TRUE(report.total.routes.empty());
  EXPECT_EQ(to_json(report).find("\"routes\""), std::string::npos);
  EXPECT_EQ(to_csv(report).find("route_"), std::string::npos);
}

// Two accounts of 500 RPM admit twice the requests of one: the 1,000 users' burst meets two
// buckets instead of one, so the successes double (up to the 1,000 requests) and the 429s fall.
TEST(Routing, TwoKeysDoubleTheAdmittedRate) {
  const Report one = run(gaja_1000());
  for (const char* choice : {"round_robin", "least_loaded"}) {
    Json j = gaja_1000();
    j["provider"]["api_keys"] = {"sk-a", "sk-b"};
    j["client"]["routing"] = {{"key_choice", choice}};
    const Report two = run(j);
    SCOPED_TRACE(choice);
    ASSERT_LT(one.total.succeeded, 600u);  // the single account refuses about half
    EXPECT_GE(two.total.succeeded, std::min<std::uint64_t>(1000, 2 * one.total.succeeded) * 95 / 100);
    EXPECT_LT(errors_429(two.total), errors_429(one.total) / 2);
    // Both keys carry load: each has at least 40% of the attempts and its successes.
    const RouteReport& openai = route(two, "openai");
    ASSERT_EQ(openai.keys.size(), 2u);
    EXPECT_EQ(openai.attempts, 1000u);
    EXPECT_EQ(openai.keys[0].attempts + openai.keys[1].attempts, openai.attempts);
    EXPECT_EQ(openai.succeeded, two.total.succeeded);
    for (const RouteReport::Key& key : openai.keys) {
      EXPECT_GE(key.attempts, 400u) << key.key;
      EXPECT_GE(key.succeeded, two.total.succeeded * 40 / 100) << key.key;
    }
  }
}

TEST(Routing, RoundRobinAlternatesKeysExactly) {
  Json j = gaja_1000();
  j["provider"]["api_keys"] = {"sk-a", "sk-b", "sk-c"};
  j["client"]["routing"] = {{"key_choice", "round_robin"}};
  const Report report = run(j);
  const RouteReport& openai = route(report, "openai");
  // 1,000 attempts over three keys in turn: 334, 333, 333.
  EXPECT_EQ(openai.keys[0].attempts, 334u);
  EXPECT_EQ(openai.keys[1].attempts, 333u);
  EXPECT_EQ(openai.keys[2].attempts, 333u);
}

// Failover on 429 to a second 500 RPM provider: what the first refuses, the second serves.
TEST(Routing, FailoverOnRateLimitRaisesSuccess) {
  const Report alone = run(gaja_1000());
  Json j = with_providers(gaja_1000(), second_provider(gaja_1000(), "backup"));
  j["client"]["routing"] = {{"providers", "failover"}, {"failover_on", {"rate_limit"}}};
  const Report report = run(j);
  const RouteReport& first = route(report, "openai");
  const RouteReport& backup = route(report, "backup");
  EXPECT_GE(report.total.succeeded, std::min<std::uint64_t>(1000, 2 * alone.total.succeeded) * 95 / 100);
  // Every request starts at the first provider; only its refusals go on to the second.
  EXPECT_EQ(first.attempts, 1000u);
  EXPECT_EQ(backup.attempts, first.attempts - first.succeeded);
  EXPECT_EQ(first.succeeded + backup.succeeded, report.total.succeeded);
  EXPECT_EQ(report.total.retries, 0u);  // failover hops are not SDK retries
  // The phase's routes add up to the total's (one phase).
  EXPECT_EQ(report.phases[0].routes[1].attempts, backup.attempts);
}

// A first provider failing 30% of its requests with 500s: failover on server_error sends those
// to a healthy second one, so the 5xx errors vanish; without failover they stay.
TEST(Routing, FailoverOnServerErrorHidesAFaultyProvider) {
  Json base = gaja_1000();
  base["workload"]["phases"][0]["users"] = 200;  // within both providers' limits
  base["provider"]["faults"] = {{"server_error", 0.3}};
  Json healthy = second_provider(gaja_1000(), "healthy");
  healthy.erase("faults");
  const Report without = run(with_providers(base, healthy));
  Json j = with_providers(base, healthy);
  j["client"]["routing"] = {{"providers", "failover"}, {"failover_on", {"server_error"}}};
  const Report with = run(j);
  const auto server_errors = [](const PhaseReport& p) {
    return p.errors[static_cast<std::size_t>(ErrorCategory::server_5xx)];
  };
  // 30% of 200, within five binomial standard deviations (sqrt(200 * 0.3 * 0.7) = 6.5).
  EXPECT_NEAR(static_cast<double>(server_errors(without.total)), 60.0, 33.0);
  EXPECT_EQ(server_errors(with.total), 0u);
  EXPECT_EQ(with.total.succeeded, 200u);
  const RouteReport& first = route(with, "openai");
  EXPECT_EQ(route(with, "healthy").attempts, first.attempts - first.succeeded);
  EXPECT_EQ(route(with, "healthy").attempts, server_errors(without.total));  // common random numbers
}

TEST(Routing, RoundRobinAndLeastLoadedProvidersShareTheLoad) {
  for (const char* choice : {"round_robin", "least_loaded"}) {
    Json j = with_providers(gaja_1000(), second_provider(gaja_1000(), "backup"));
    j["client"]["routing"] = {{"providers", choice}, {"failover_on", Json::array()}};
    const Report report = run(j);
    SCOPED_TRACE(choice);
    EXPECT_EQ(route(report, "openai").attempts + route(report, "backup").attempts, 1000u);
    EXPECT_GE(route(report, "openai").attempts, 400u);
    EXPECT_GE(route(report, "backup").attempts, 400u);
  }
}

// A local model that takes every 429 serves each refused request: success is complete, the
// provider's refusals equal the local model's requests, and the local latency shows.
TEST(Routing, LocalFallbackServesRefusedRequests) {
  const Report alone = run(gaja_1000());
  Json j = gaja_1000();
  // A constant 20 s, no per-token time: each local answer takes exactly 20 s.
  j["client"]["local_fallback"] = {
      {"on", {"rate_limit"}}, {"concurrency", 1000}, {"time_to_first_token_s", 20.0}, {"per_token_s", 0.0}};
  const Report report = run(j);
  const RouteReport& openai = route(report, "openai");
  const RouteReport& local = route(report, "local");
  EXPECT_EQ(report.total.succeeded, 1000u);
  EXPECT_EQ(local.attempts, openai.attempts - openai.succeeded);
  EXPECT_EQ(local.attempts, errors_429(alone.total));
  EXPECT_EQ(local.succeeded, local.attempts);
  // The provider saw the same attempts at the same times (common random numbers), so each
  // refused request took exactly 20 s more: the average rises by 20 s x the local share.
  const double local_share = static_cast<double>(local.attempts) / 1000.0;
  EXPECT_NEAR(report.total.latency_s.avg, alone.total.latency_s.avg + 20.0 * local_share, 1e-3);
  EXPECT_GE(report.total.latency_s.max, 20.0);
  EXPECT_LT(alone.total.latency_s.max, 20.0);
}

// With a local model slower than the whole burst of refusals, its concurrency limit is how many
// it serves: the rest fall through to client.retry (none here) and fail with their 429.
TEST(Routing, LocalFallbackRespectsItsConcurrency) {
  Json j = gaja_1000();
  j["client"]["local_fallback"] = {
      {"on", {"rate_limit"}}, {"concurrency", 25}, {"time_to_first_token_s", 60.0}};
  const Report report = run(j);
  const Report alone = run(gaja_1000());
  EXPECT_EQ(route(report, "local").attempts, 25u);
  EXPECT_EQ(report.total.succeeded, alone.total.succeeded + 25);
  EXPECT_EQ(errors_429(report.total), errors_429(alone.total) - 25);
  EXPECT_GE(report.total.latency_s.max, 60.0);
}

// With retries, a request the local model cannot take yet comes back after its backoff and
// finds a free slot: more are served locally than the concurrency limit.
TEST(Routing, FallThroughToRetryUsesFreedLocalSlots) {
  Json j = gaja_1000();
  j["client"]["retry"] = {{"max_retries", 2}, {"honor_retry_after", false}, {"initial_backoff_s", 2.0}};
  j["client"]["local_fallback"] = {
      {"on", {"rate_limit"}}, {"concurrency", 25}, {"time_to_first_token_s", 1.0}};
  const Report report = run(j);
  EXPECT_GT(route(report, "local").attempts, 25u);
  EXPECT_GT(report.total.retries, 0u);
}

TEST(Routing, TwoProviderScenarioIsByteIdenticalTwice) {
  const Scenario s = load_scenario(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-two-providers.json");
  const auto once = [&s] {
    const SimulationResult r = simulate(s);
    return build_report(s, r.phases, r.limiter_levels, "simulated");
  };
  const Report a = once();
  EXPECT_EQ(to_json(a), to_json(once()));
  EXPECT_EQ(to_csv(a), to_csv(once()));
  EXPECT_EQ(to_text(a), to_text(once()));
  // Every route carried load in the 10,000-user test, and the routes account for every success.
  const PhaseReport& big = a.phases[3];
  ASSERT_EQ(big.routes.size(), 3u);
  std::uint64_t succeeded = 0;
  for (const RouteReport& r : big.routes) {
    EXPECT_GT(r.attempts, 0u) << r.name;
    succeeded += r.succeeded;
  }
  EXPECT_EQ(succeeded, big.succeeded);
}

TEST(Routing, ReportFormatsNameEveryRoute) {
  const Scenario s = load_scenario(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-two-providers.json");
  const SimulationResult r = simulate(s);
  const Report report = build_report(s, r.phases, r.limiter_levels, "simulated");
  const auto j = nlohmann::json::parse(to_json(report));
  ASSERT_EQ(j["total"]["routes"].size(), 3u);
  EXPECT_EQ(j["total"]["routes"][0]["name"], "openai");
  EXPECT_EQ(j["total"]["routes"][0]["keys"][1]["key"], "sk-gaja-b");
  EXPECT_EQ(j["total"]["routes"][2]["name"], "local");
  EXPECT_FALSE(j["total"]["routes"][2].contains("keys"));
  EXPECT_NE(to_csv(report).find(",route_azure-openai_attempts,route_azure-openai_succeeded"),
            std::string::npos);
  EXPECT_NE(to_text(report).find("Route local:"), std::string::npos);
  // Limiter levels of several providers are named PROVIDER/KEY.
  EXPECT_TRUE(r.limiter_levels.contains("azure-openai/azure-gaja"));
  EXPECT_TRUE(r.limiter_levels.contains("openai/sk-gaja-b"));
}

// The strategies act before routing: a cache hit reaches no provider, and one pacing bucket
// paces the sends to all providers together (data/README.md, "Strategies with routing").
TEST(Routing, StrategiesActBeforeRouting) {
  // Two providers of 250 RPM each (no token limit in the way), taken in turn.
  Json base = gaja_1000();
  base["provider"]["limits"]["rpm"] = 250;
  base["provider"]["limits"]["tpm"] = 100000000;
  Json j = with_providers(base, second_provider(base, "backup"));
  j["client"]["routing"] = {{"providers", "round_robin"}, {"failover_on", {"rate_limit"}}};
  const Report unpaced = run(j);
  EXPECT_GT(errors_429(unpaced.total), 0u);  // the burst of 1,000 overruns both buckets
  j["client"]["cache"] = {{"hit_ratio", 0.3}};
  j["client"]["priority"] = {{"vip_share", 0.2}};
  // 400 RPM in all is 200 per provider, under each one's 250: no attempt is refused. Pacing per
  // provider (400 each) would overrun them.
  j["client"]["pacing"] = {{"requests_per_minute", 400}};
  const Report report = run(j);
  const RouteReport& first = route(report, "openai");
  const RouteReport& backup = route(report, "backup");
  EXPECT_GT(report.total.cache_hits, 200u);
  EXPECT_EQ(first.attempts + backup.attempts, report.total.provider_calls);
  EXPECT_EQ(first.attempts + backup.attempts + report.total.cache_hits, report.total.requests);
  EXPECT_EQ(errors_429(report.total), 0u);
  EXPECT_EQ(first.succeeded + backup.succeeded + report.total.cache_hits, report.total.succeeded);
  // Per-class figures and per-route columns together; class rows leave the route cells empty,
  // so every CSV row has as many cells as the header.
  ASSERT_EQ(report.total.classes.size(), 2u);
  const std::string csv = to_csv(report);
  std::size_t lines = 0;
  std::size_t start = 0;
  const auto header_cells = std::count(csv.begin(), csv.begin() + csv.find('\n'), ',');
  while (start < csv.size()) {
    const std::size_t end = csv.find('\n', start);
    EXPECT_EQ(std::count(csv.begin() + start, csv.begin() + end, ','), header_cells);
    start = end + 1;
    ++lines;
  }
  EXPECT_EQ(lines, 1u + 2u * 3u);  // header; the phase and the total, each "all" and two classes
}

// A recorded trace names the provider and key of every attempt sent, failover hops included (they
// keep the request's retry number); answers of the local model are no HTTP attempts and have no row.
TEST(Routing, TraceNamesEachAttemptsRoute) {
  Json base = gaja_1000();
  base["provider"]["api_keys"] = {"sk-a", "sk-b"};  // two accounts of 250 RPM: refusals fail over
  base["provider"]["limits"]["rpm"] = 250;
  Json second = second_provider(gaja_1000(), "backup");
  second["limits"]["rpm"] = 300;  // whose refusals go to the local model
  Json j = with_providers(base, second);
  j["client"]["routing"] = {
      {"key_choice", "round_robin"}, {"providers", "failover"}, {"failover_on", {"rate_limit"}}};
  j["client"]["local_fallback"] = {
      {"on", {"rate_limit"}}, {"concurrency", 1000}, {"time_to_first_token_s", 1.5}};
  const Scenario s = parse_scenario(j.dump(), "test.json");
  std::ostringstream out;
  TraceRecorder recorder(out);
  const SimulationResult r = simulate(s, &recorder);
  const Report report = build_report(s, r.phases, r.limiter_levels, "simulated");
  std::map<std::string, std::uint64_t> rows_by_route;
  for (const TraceRow& row : parse_trace(out.str(), "trace.csv")) {
    ++rows_by_route[row.provider + "/" + std::to_string(row.key_index)];
    EXPECT_EQ(row.attempt, 0U);  // no SDK retries here: hops are not retries
  }
  const RouteReport& first = route(report, "openai");
  const RouteReport& backup = route(report, "backup");
  ASSERT_GT(backup.attempts, 0u);
  ASSERT_GT(route(report, "local").attempts, 0u);
  EXPECT_EQ(rows_by_route["openai/0"], first.keys[0].attempts);
  EXPECT_EQ(rows_by_route["openai/1"], first.keys[1].attempts);
  EXPECT_EQ(rows_by_route["backup/0"], backup.attempts);
  EXPECT_EQ(rows_by_route.size(), 3u);  // no row for the local model
}

}  // namespace
}  // namespace llmsim
