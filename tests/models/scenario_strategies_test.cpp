// Tests for the client's strategies in scenario files ("queue", "pacing", "cache", "priority"):
// every rule with its exact error text (place, rule, value), did-you-mean, and a full read.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace llmsim {
namespace {

// A valid scenario around a client object.
std::string with_client(const std::string& client) {
  return R"({"name": "t", "provider": {"limits": {"rpm": 500}}, "client": )" + client +
         R"(, "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}})";
}

// Returns the ScenarioError text for `client` ("" and a test failure when it loads).
std::string error_of(const std::string& client) {
  try {
    parse_scenario(with_client(client), "x.json");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  ADD_FAILURE() << "loaded without error: " << client;
  return "";
}

struct BadRow {
  const char* client;
  const char* expected;  // after "x.json: "
};

const BadRow kBadRows[] = {
    // a strategy must be an object
    {R"({"queue": 5})", "/client/queue: must be an object, got 5"},
    // a misspelt strategy gets a suggestion
    {R"({"pacnig": {"requests_per_minute": 500}})",
     "/client/pacnig: unknown key (did you mean \"pacing\"?)"},
    // queue: max_length is required
    {R"({"queue": {"max_wait_s": 1}})", "/client/queue/max_length: required, got nothing"},
    // queue: max_length >= 0
    {R"({"queue": {"max_length": -1}})", "/client/queue/max_length: must be an integer >= 0, got -1"},
    // queue: max_wait_s > 0
    {R"({"queue": {"max_length": 5, "max_wait_s": 0}})",
     "/client/queue/max_wait_s: must be a number > 0, got 0"},
    // queue: misspelt key
    {R"({"queue": {"max_lenght": 5}})",
     "/client/queue/max_length: required, got nothing|/client/queue/max_lenght: unknown key (did you mean \"max_length\"?)"},
    // pacing: needs one of its limits
    {R"({"pacing": {"learn_from_headers": true}})",
     "/client/pacing: needs \"requests_per_minute\" or \"tokens_per_minute\", got neither"},
    // pacing: limits >= 1
    {R"({"pacing": {"requests_per_minute": 0}})",
     "/client/pacing/requests_per_minute: must be an integer >= 1, got 0"},
    // pacing: integers only
    {R"({"pacing": {"tokens_per_minute": 2.5}})",
     "/client/pacing/tokens_per_minute: must be an integer >= 1, got 2.5"},
    // pacing: learn_from_headers is a boolean
    {R"({"pacing": {"requests_per_minute": 500, "learn_from_headers": "yes"}})",
     "/client/pacing/learn_from_headers: must be true or false, got \"yes\""},
    // cache: needs a mode
    {R"({"cache": {}})", "/client/cache: needs \"hit_ratio\" or \"distinct_prompts\", got neither"},
    // cache: hit_ratio is a probability
    {R"({"cache": {"hit_ratio": 1.5}})", "/client/cache/hit_ratio: must be a number in [0, 1], got 1.5"},
    // cache: keyed fields are refused with hit_ratio
    {R"({"cache": {"hit_ratio": 0.5, "ttl_s": 10}})",
     "/client/cache/ttl_s: must not be given with \"hit_ratio\", got 10"},
    // cache: distinct_prompts >= 1 (and at most a million)
    {R"({"cache": {"distinct_prompts": 0}})",
     "/client/cache/distinct_prompts: must be an integer >= 1, got 0"},
    {R"({"cache": {"distinct_prompts": 2000000}})",
     "/client/cache/distinct_prompts: must be an integer <= 1000000, got 2000000"},
    // cache: zipf_exponent >= 0
    {R"({"cache": {"distinct_prompts": 10, "zipf_exponent": -1}})",
     "/client/cache/zipf_exponent: must be a number >= 0, got -1"},
    // cache: ttl_s > 0
    {R"({"cache": {"distinct_prompts": 10, "ttl_s": 0}})",
     "/client/cache/ttl_s: must be a number > 0, got 0"},
    // cache: capacity >= 0
    {R"({"cache": {"distinct_prompts": 10, "capacity": -3}})",
     "/client/cache/capacity: must be an integer >= 0, got -3"},
    // cache: latency_s is a DIST of times
    {R"({"cache": {"hit_ratio": 0.5, "latency_s": -0.1}})",
     "/client/cache/latency_s: must be a number >= 0, got -0.1"},
    // cache: misspelt key
    {R"({"cache": {"hit_ratio": 0.5, "ttl": 3}})",
     "/client/cache/ttl: unknown key (did you mean \"ttl_s\"?)"},
    // priority: vip_share is required
    {R"({"priority": {}})", "/client/priority/vip_share: required, got nothing"},
    // priority: vip_share in [0, 1]
    {R"({"priority": {"vip_share": -0.2}})",
     "/client/priority/vip_share: must be a number in [0, 1], got -0.2"},
};

TEST(ScenarioStrategies, EachBadClientGivesItsProblem) {
  for (const BadRow& row : kBadRows) {
    SCOPED_TRACE(row.client);
    const std::string expected = row.expected;
    const std::string error = error_of(row.client);
    // A row may list several problems separated by '|': each must be reported.
    std::size_t start = 0;
    while (start <= expected.size()) {
      const std::size_t bar = expected.find('|', start);
      const std::string part = expected.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      EXPECT_THAT(error, ::testing::HasSubstr("x.json: " + part));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
  }
}

TEST(ScenarioStrategies, AbsentStrategiesAreOff) {
  const Scenario s = parse_scenario(with_client("{}"), "x.json");
  EXPECT_FALSE(s.client.queue);
  EXPECT_FALSE(s.client.pacing);
  EXPECT_FALSE(s.client.cache);
  EXPECT_FALSE(s.client.priority);
}

TEST(ScenarioStrategies, EveryFieldIsRead) {
  const Scenario s = parse_scenario(with_client(R"({
      "queue": {"max_length": 200, "max_wait_s": 30},
      "pacing": {"requests_per_minute": 480, "tokens_per_minute": 150000, "learn_from_headers": true},
      "cache": {"distinct_prompts": 500, "zipf_exponent": 1.1, "ttl_s": 600, "capacity": 100,
                "latency_s": {"dist": "uniform", "min": 0.001, "max": 0.003}},
      "priority": {"vip_share": 0.1}})"), "x.json");
  ASSERT_TRUE(s.client.queue && s.client.pacing && s.client.cache && s.client.priority);
  EXPECT_EQ(s.client.queue->max_length, 200);
  EXPECT_EQ(s.client.queue->max_wait_s, 30.0);
  EXPECT_EQ(s.client.pacing->requests_per_minute, 480);
  EXPECT_EQ(s.client.pacing->tokens_per_minute, 150000);
  EXPECT_TRUE(s.client.pacing->learn_from_headers);
  EXPECT_FALSE(s.client.cache->hit_ratio);
  EXPECT_EQ(s.client.cache->distinct_prompts, 500);
  EXPECT_EQ(s.client.cache->zipf_exponent, 1.1);
  EXPECT_EQ(s.client.cache->ttl_s, 600.0);
  EXPECT_EQ(s.client.cache->capacity, 100);
  EXPECT_TRUE(std::holds_alternative<Distribution::Uniform>(s.client.cache->latency_s.family()));
  EXPECT_EQ(s.client.priority->vip_share, 0.1);
  // llmsim check says what the client will do.
  const std::string described = describe_scenario(s);
  EXPECT_THAT(described, ::testing::HasSubstr("  queue: up to 200 waiting, shed after 30 s\n"));
  EXPECT_THAT(described, ::testing::HasSubstr(
                             "  pacing: 480 RPM, 150000 TPM, learning from x-ratelimit-* headers\n"));
  EXPECT_THAT(described, ::testing::HasSubstr(
                             "  cache: 500 prompts, Zipf exponent 1.1, TTL 600 s, capacity 100, hits take "));
  EXPECT_THAT(described, ::testing::HasSubstr("  priority: VIP share 0.1\n"));
}

TEST(ScenarioStrategies, DefaultsOfOptionalFields) {
  const Scenario s = parse_scenario(with_client(R"({
      "queue": {"max_length": 0}, "pacing": {"tokens_per_minute": 1000},
      "cache": {"distinct_prompts": 10}})"), "x.json");
  EXPECT_FALSE(s.client.queue->max_wait_s);
  EXPECT_FALSE(s.client.pacing->requests_per_minute);
  EXPECT_FALSE(s.client.pacing->learn_from_headers);
  EXPECT_EQ(s.client.cache->zipf_exponent, 1.0);
  EXPECT_FALSE(s.client.cache->ttl_s);
  EXPECT_FALSE(s.client.cache->capacity);
  EXPECT_EQ(s.client.cache->latency_s.mean(), 0.001);
}

TEST(ScenarioStrategies, StrategyThresholdMetricsAreKnown) {
  const std::string text = R"({"name": "t", "provider": {"limits": {"rpm": 500}},
      "workload": {"phases": [{"users": 1, "requests_per_user": 1}]},
      "thresholds": ["errors.queue_full == 0", "errors.queue_deadline == 0", "cache_hits >= 0",
                     "provider_calls >= 1"]})";
  EXPECT_EQ(parse_scenario(text, "x.json").thresholds.size(), 4u);
}

}  // namespace
}  // namespace llmsim
