// Tests for reading the ROUTING and LOCAL_FALLBACK objects of a client (scenario_routing.cpp):
// every rule, one table row each, with the exact error line (file, JSON pointer, rule, value).
#include "models/scenario.hpp"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

namespace llmsim {
namespace {

using Json = nlohmann::ordered_json;

// The smallest valid scenario with two providers; rows set one place of its client.
Json minimal() {
  return Json::parse(R"({
    "name": "t",
    "providers": [{"name": "a", "limits": {"rpm": 500}}, {"name": "b", "limits": {"rpm": 60}}],
    "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}
  })");
}

std::string error_of(const Json& document) {
  try {
    parse_scenario(document.dump(), "x.json");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "(loaded)";
}

struct Row {
  const char* client;    // the "client" object (JSON text)
  const char* expected;  // the whole error text
};

class RoutingValidation : public ::testing::TestWithParam<Row> {};

TEST_P(RoutingValidation, ReportsPlaceRuleAndValue) {
  Json document = minimal();
  document["client"] = Json::parse(GetParam().client);
  EXPECT_EQ(error_of(document), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, RoutingValidation,
    ::testing::Values(
        // routing must be an object
        Row{R"({"routing": 1})", "x.json: /client/routing: must be an object, got 1"},
        // unknown key, with a suggestion
        Row{R"({"routing": {"key_choise": "round_robin"}})",
            "x.json: /client/routing/key_choise: unknown key (did you mean \"key_choice\"?)"},
        // key_choice is one of three
        Row{R"({"routing": {"key_choice": "random"}})",
            "x.json: /client/routing/key_choice: must be one of first, round_robin, least_loaded, "
            "got \"random\""},
        // providers is one of four
        Row{R"({"routing": {"providers": "weighted"}})",
            "x.json: /client/routing/providers: must be one of first, failover, round_robin, "
            "least_loaded, got \"weighted\""},
        // failover_on items are the four triggers
        Row{R"({"routing": {"providers": "failover", "failover_on": ["429"]}})",
            "x.json: /client/routing/failover_on/0: must be one of rate_limit, server_error, "
            "timeout, connection_error, got \"429\""},
        // failover_on items are unique
        Row{R"({"routing": {"providers": "failover", "failover_on": ["timeout", "timeout"]}})",
            "x.json: /client/routing/failover_on/1: must be unique (same as "
            "/client/routing/failover_on/0), got \"timeout\""},
        // failover_on must be an array
        Row{R"({"routing": {"providers": "failover", "failover_on": "timeout"}})",
            "x.json: /client/routing/failover_on: must be an array of strings, got \"timeout\""},
        // failover_on needs a routing mode that fails over
        Row{R"({"routing": {"failover_on": ["timeout"]}})",
            "x.json: /client/routing/failover_on: needs \"providers\" to be \"failover\", "
            "\"round_robin\" or \"least_loaded\" (\"first\" never fails over), got [\"timeout\"]"},
        // local_fallback must be an object
        Row{R"({"local_fallback": []})", "x.json: /client/local_fallback: must be an object, got []"},
        // on, concurrency and time_to_first_token_s are required
        Row{R"({"local_fallback": {}})",
            "x.json: /client/local_fallback/on: required, got nothing\n"
            "x.json: /client/local_fallback/concurrency: required, got nothing\n"
            "x.json: /client/local_fallback/time_to_first_token_s: required, got nothing"},
        // on is non-empty
        Row{R"({"local_fallback": {"on": [], "concurrency": 1, "time_to_first_token_s": 1}})",
            "x.json: /client/local_fallback/on: must be a non-empty array of strings, got []"},
        // on items are the four triggers
        Row{R"({"local_fallback": {"on": ["5xx"], "concurrency": 1, "time_to_first_token_s": 1}})",
            "x.json: /client/local_fallback/on/0: must be one of rate_limit, server_error, timeout, "
            "connection_error, got \"5xx\""},
        // concurrency is an integer >= 1
        Row{R"({"local_fallback": {"on": ["rate_limit"], "concurrency": 0, "time_to_first_token_s": 1}})",
            "x.json: /client/local_fallback/concurrency: must be an integer >= 1, got 0"},
        // latencies are non-negative distributions
        Row{R"({"local_fallback": {"on": ["rate_limit"], "concurrency": 1, "time_to_first_token_s": -1}})",
            "x.json: /client/local_fallback/time_to_first_token_s: must be a number >= 0, got -1"},
        Row{R"({"local_fallback": {"on": ["rate_limit"], "concurrency": 1, "time_to_first_token_s": 1,
                "per_token_s": {"dist": "gamma"}}})",
            "x.json: /client/local_fallback/per_token_s/shape: required, got nothing\n"
            "x.json: /client/local_fallback/per_token_s/scale: required, got nothing"},
        // completion_tokens is a non-negative distribution too
        Row{R"({"local_fallback": {"on": ["rate_limit"], "concurrency": 1, "time_to_first_token_s": 1,
                "completion_tokens": "many"}})",
            "x.json: /client/local_fallback/completion_tokens: must be a number or an object with "
            "\"dist\", got \"many\""},
        // unknown key
        Row{R"({"local_fallback": {"on": ["rate_limit"], "concurrency": 1, "time_to_first_token_s": 1,
                "queue": 5}})",
            "x.json: /client/local_fallback/queue: unknown key (expected one of on, concurrency, "
            "time_to_first_token_s, per_token_s, completion_tokens)"},
        // one pacing bucket paces all sends: it cannot learn one key's headers while sends spread
        Row{R"({"routing": {"providers": "round_robin"},
                "pacing": {"requests_per_minute": 100, "learn_from_headers": true}})",
            "x.json: /client/pacing/learn_from_headers: must be false when client.routing spreads "
            "sends over several keys or providers (one pacing bucket paces all sends), got true"}));

TEST(RoutingScenario, ReadsEveryField) {
  Json document = minimal();
  document["client"] = Json::parse(R"({
    "routing": {"key_choice": "least_loaded", "providers": "round_robin",
                "failover_on": ["rate_limit", "timeout"]},
    "local_fallback": {"on": ["server_error"], "concurrency": 4, "time_to_first_token_s": 0.5,
                       "per_token_s": 0.01, "completion_tokens": 12}
  })");
  const Scenario s = parse_scenario(document.dump(), "x.json");
  EXPECT_EQ(s.client.routing.key_choice, KeyChoice::least_loaded);
  EXPECT_EQ(s.client.routing.providers, ProviderChoice::round_robin);
  EXPECT_TRUE(s.client.routing.failover_on.rate_limit);
  EXPECT_FALSE(s.client.routing.failover_on.server_error);
  EXPECT_TRUE(s.client.routing.failover_on.timeout);
  EXPECT_FALSE(s.client.routing.failover_on.connection_error);
  ASSERT_TRUE(s.client.local_fallback.has_value());
  EXPECT_TRUE(s.client.local_fallback->on.server_error);
  EXPECT_FALSE(s.client.local_fallback->on.rate_limit);
  EXPECT_EQ(s.client.local_fallback->concurrency, 4);
  EXPECT_TRUE(s.client.local_fallback->completion_tokens.has_value());
  EXPECT_EQ(routed_provider_count(s), 2u);
  EXPECT_TRUE(has_routing(s));
}

TEST(RoutingScenario, DefaultsAreTodaysBehaviour) {
  const Scenario s = parse_scenario(minimal().dump(), "x.json");
  EXPECT_EQ(s.client.routing.key_choice, KeyChoice::first);
  EXPECT_EQ(s.client.routing.providers, ProviderChoice::first);
  EXPECT_FALSE(s.client.local_fallback.has_value());
  EXPECT_EQ(routed_provider_count(s), 1u);
  EXPECT_FALSE(has_routing(s));
  // A failover without failover_on fails over on all four triggers.
  Json document = minimal();
  document["client"] = {{"routing", {{"providers", "failover"}}}};
  const Scenario f = parse_scenario(document.dump(), "x.json");
  EXPECT_TRUE(f.client.routing.failover_on.rate_limit && f.client.routing.failover_on.server_error &&
              f.client.routing.failover_on.timeout && f.client.routing.failover_on.connection_error);
}

TEST(RoutingScenario, CheckDescribesTheRouting) {
  const Scenario s = load_scenario(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-two-providers.json");
  const std::string text = describe_scenario(s);
  EXPECT_NE(text.find("  routing: keys least_loaded, providers failover, failover on rate_limit, "
                      "server_error, timeout, connection_error\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  local fallback: on rate_limit, 16 at once, first token "), std::string::npos)
      << text;
  // Without routing, `llmsim check` prints what it printed before.
  EXPECT_EQ(describe_scenario(parse_scenario(minimal().dump(), "x.json")).find("routing"),
            std::string::npos);
}

TEST(RoutingScenario, ProviderSeedsDifferExceptTheFirst) {
  const Scenario s = parse_scenario(minimal().dump(), "x.json");
  EXPECT_EQ(provider_seed(7, s.providers, 0), 7u);
  EXPECT_NE(provider_seed(7, s.providers, 1), 7u);
  EXPECT_EQ(provider_seed(7, s.providers, 1), provider_seed(7, s.providers, 1));
}

}  // namespace
}  // namespace llmsim
