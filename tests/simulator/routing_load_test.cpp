// Routing over real sockets: `llmsim load` with two providers starts two mock servers (one
// `llmsim serve --provider NAME` each) and fails over between them as `llmsim run` does, also
// from OpenAI's API to Anthropic's (data/scenarios/gaja-anthropic-failover.json); with
// `--target NAME=URL` it drives servers started elsewhere; `llmsim serve --provider NAME` serves that
// provider's limits. Bad --target and --provider values exit 2 with a message.
#include "simulator/server_process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include "../support/run_command.hpp"

namespace llmsim {
namespace {

#ifdef LLMSIM_SANITIZED_BUILD
constexpr bool kChecksTiming = false;  // the sanitizer's slowness, not the model, sets timing
#else
constexpr bool kChecksTiming = true;
#endif

using Json = nlohmann::ordered_json;
using ::testing::HasSubstr;
using testing_support::run_command;

const std::string kLlmsim = LLMSIM_BINARY_DIR "/llmsim";
const std::string kDir = LLMSIM_BINARY_DIR "/tests/";

Json read_json(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

// GAJA's 1,000-user test against a provider with two keys of 250 RPM and one of 300 RPM, failing over on 429, and a local model
// for what both refuse. Written once; returns its path.
std::string two_provider_scenario() {
  const std::string path = kDir + "routing-two-providers.json";
  Json j = read_json(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json");
  j["name"] = "routing-two-providers";
  Json phase = j["workload"]["phases"][2];
  phase["gap_before_s"] = 0;
  j["workload"]["phases"] = Json::array({phase});
  Json backup = j["provider"];
  backup["name"] = "backup";
  backup["latency"]["time_to_first_token_s"]["median"] = 0.9;  // a slower vendor
  backup["limits"]["rpm"] = 300;                                // with less capacity
  // The first provider's 500 RPM as two accounts of 250 taken in turn.
  j["provider"]["api_keys"] = {"sk-a", "sk-b"};
  j["provider"]["limits"]["rpm"] = 250;
  j["providers"] = Json::array({j["provider"], backup});
  j.erase("provider");
  j["client"]["routing"] = {
      {"key_choice", "round_robin"}, {"providers", "failover"}, {"failover_on", {"rate_limit"}}};
  j["client"]["local_fallback"] = {
      {"on", {"rate_limit"}}, {"concurrency", 1000}, {"time_to_first_token_s", 1.5}};
  std::ofstream(path) << j.dump(2);
  return path;
}

// Returns the total's route named `name` from a JSON report.
Json route(const Json& report, const std::string& name) {
  for (const Json& r : report["total"]["routes"]) {
    if (r["name"] == name) return r;
  }
  ADD_FAILURE() << "no route " << name << " in " << report["total"].dump();
  return Json{{"attempts", 0}, {"succeeded", 0}};
}

double count(const Json& route, const char* field) { return route[field].get<double>(); }

TEST(RoutingLoad, TwoStartedServersFailOverLikeTheSimulator) {
  const std::string scenario = two_provider_scenario();
  const auto run = run_command(kLlmsim + " run " + scenario + " --quiet --json " + kDir + "routing-sim.json");
  ASSERT_EQ(run.status, 0) << run.output;
  const auto load = run_command(kLlmsim + " load " + scenario + " --quiet --time-scale 5 --json " + kDir +
                                "routing-real.json");
  ASSERT_EQ(load.status, 0) << load.output;
  const Json sim = read_json(kDir + "routing-sim.json");
  const Json real = read_json(kDir + "routing-real.json");
  EXPECT_THAT(real["notes"]["server openai"].get<std::string>(), HasSubstr("started by llmsim"));
  EXPECT_THAT(real["notes"]["server backup"].get<std::string>(), HasSubstr("started by llmsim"));
  for (const Json* report : {&sim, &real}) {
    // Every request starts at the first provider; its refusals go to the second, whose refusals
    // go to the local model; all of them succeed somewhere.
    const Json openai = route(*report, "openai");
    const Json backup = route(*report, "backup");
    const Json local = route(*report, "local");
    EXPECT_EQ(count(openai, "attempts"), 1000);
    // Round robin over the two keys, each admitting about half of what the provider admits.
    EXPECT_EQ(openai["keys"][0]["attempts"], 500);
    EXPECT_EQ(openai["keys"][1]["attempts"], 500);
    EXPECT_NEAR(count(openai["keys"][0], "succeeded"), count(openai, "succeeded") / 2, 30);
    EXPECT_EQ(count(backup, "attempts"), count(openai, "attempts") - count(openai, "succeeded"));
    EXPECT_EQ(count(local, "attempts"), count(backup, "attempts") - count(backup, "succeeded"));
    EXPECT_GT(count(backup, "succeeded"), 200);
    EXPECT_GT(count(local, "attempts"), 50);
    EXPECT_EQ((*report)["total"]["succeeded"], 1000);
  }
  if (kChecksTiming) {
    // The same split as the simulator, within 10% of the simulated figure, as `llmsim compare`
    // checks it.
    const auto compare = run_command(kLlmsim + " compare " + kDir + "routing-sim.json " + kDir +
                                     "routing-real.json --tolerance routes.openai.succeeded=0.1"
                                     " --tolerance routes.backup.succeeded=0.1"
                                     " --tolerance routes.local.succeeded=0.1");
    EXPECT_EQ(compare.status, 0) << compare.output;
    EXPECT_THAT(compare.output, HasSubstr("routes.backup.succeeded"));
  }
}

// The report's 1,000-user burst failing over from OpenAI (500 RPM) to Anthropic's Messages API,
// whose output-token limit refuses some of what it is sent: the two drivers agree on the counts
// within 3% and on the latency within 10%, as the agreement test asks of one provider.
TEST(RoutingLoad, OpenAiFailsOverToAnthropicLikeTheSimulator) {
  Json j = read_json(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-anthropic-failover.json");
  j["name"] = "routing-anthropic";
  Json phase = j["workload"]["phases"][2];
  phase["gap_before_s"] = 0;
  j["workload"]["phases"] = Json::array({phase});
  const std::string scenario = kDir + "routing-anthropic.json";
  std::ofstream(scenario) << j.dump(2);
  const auto run = run_command(kLlmsim + " run " + scenario + " --quiet --json " + kDir + "anthropic-sim.json");
  ASSERT_EQ(run.status, 0) << run.output;
  const auto load = run_command(kLlmsim + " load " + scenario + " --quiet --time-scale 5 --json " + kDir +
                                "anthropic-real.json");
  ASSERT_EQ(load.status, 0) << load.output;
  const Json sim = read_json(kDir + "anthropic-sim.json");
  const Json real = read_json(kDir + "anthropic-real.json");
  EXPECT_THAT(real["notes"]["server anthropic"].get<std::string>(), HasSubstr("started by llmsim"));
  for (const Json* report : {&sim, &real}) {
    const Json openai = route(*report, "openai");
    const Json anthropic = route(*report, "anthropic");
    EXPECT_EQ(count(openai, "attempts"), 1000);
    EXPECT_EQ(count(anthropic, "attempts"), count(openai, "attempts") - count(openai, "succeeded"));
    // Anthropic admits what its output-token bucket holds (90,000 / 256 per request at once,
    // plus its refill), and refuses the rest with 429s.
    EXPECT_GT(count(anthropic, "succeeded"), 300);
    EXPECT_LT(count(anthropic, "succeeded"), count(anthropic, "attempts"));
    EXPECT_GT((*report)["total"]["errors"]["rate_limit_tokens"].get<double>(), 0);
  }
  const std::string tolerances =
      kChecksTiming ? " --tolerance succeeded=0.03 --tolerance routes.openai.succeeded=0.03"
                      " --tolerance routes.anthropic.succeeded=0.03 --tolerance latency_s.avg=0.10"
                      " --tolerance latency_s.p50=0.10 --tolerance latency_s.p90=0.10"
                    : " --tolerance requests=0";
  const auto compare = run_command(kLlmsim + " compare " + kDir + "anthropic-sim.json " + kDir +
                                   "anthropic-real.json" + tolerances);
  EXPECT_EQ(compare.status, 0) << compare.output;
}

TEST(RoutingLoad, NamedTargetsReachServersStartedElsewhere) {
  const std::string scenario = two_provider_scenario();
  const auto serve = [&scenario](const std::string& provider) {
    return std::make_unique<ServerProcess>(
        kLlmsim, std::vector<std::string>{"serve", "--scenario", scenario, "--provider", provider,
                                          "--port", "0", "--time-scale", "5", "--threads", "1"});
  };
  const auto openai = serve("openai");
  const auto backup = serve("backup");
  const auto load = run_command(kLlmsim + " load " + scenario + " --quiet --time-scale 5 --target openai=" +
                                openai->url() + " --target backup=" + backup->url() + " --json " + kDir +
                                "routing-targets.json");
  ASSERT_EQ(load.status, 0) << load.output;
  const Json real = read_json(kDir + "routing-targets.json");
  EXPECT_EQ(real["notes"]["target backup"], backup->url());
  EXPECT_EQ(count(route(real, "openai"), "attempts"), 1000);
  EXPECT_GT(count(route(real, "backup"), "succeeded"), 200);
  EXPECT_EQ(real["total"]["succeeded"], 1000);
}

// Sends one chat completion with `key` to a server at `url` ("http://127.0.0.1:PORT") and returns
// its x-ratelimit-limit-requests header ("" when absent).
std::string limit_requests_of(const std::string& url, const std::string& key) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  const std::size_t colon = url.rfind(':');
  boost::asio::io_context io;
  tcp::socket socket(io);
  tcp::resolver resolver(io);
  boost::asio::connect(socket, resolver.resolve(url.substr(7, colon - 7), url.substr(colon + 1)));
  http::request<http::string_body> request{http::verb::post, "/v1/chat/completions", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::authorization, "Bearer " + key);
  request.set(http::field::content_type, "application/json");
  request.body() = R"({"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"hi"}]})";
  request.prepare_payload();
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 200U) << response.body();
  const auto it = response.find("x-ratelimit-limit-requests");
  return it == response.end() ? std::string() : std::string(it->value());
}

TEST(RoutingLoad, ServeProviderServesTheNamedProvidersLimits) {
  // The scenario's providers: "openai" (keys sk-a and sk-b, 250 RPM each), then "backup" (300 RPM,
  // any key).
  const std::string scenario = two_provider_scenario();
  const auto serve = [&scenario](std::vector<std::string> args) {
    args.insert(args.begin(), {"serve", "--scenario", scenario});
    args.insert(args.end(), {"--port", "0", "--time-scale", "100", "--threads", "1"});
    return std::make_unique<ServerProcess>(kLlmsim, args);
  };
  const auto first = serve({});
  const auto openai = serve({"--provider", "openai"});
  const auto backup = serve({"--provider", "backup"});
  EXPECT_EQ(limit_requests_of(first->url(), "sk-a"), "250");
  EXPECT_EQ(limit_requests_of(openai->url(), "sk-b"), "250");
  EXPECT_EQ(limit_requests_of(backup->url(), "sk-anything"), "300");
}

struct BadFlags {
  const char* flags;     // after `llmsim load SCENARIO --quiet`
  const char* message;
};

TEST(RoutingLoad, BadTargetsExit2WithAMessage) {
  const std::string scenario = two_provider_scenario();
  for (const BadFlags& row : {
           // two bare URLs: only the first provider may have one
           BadFlags{"--target http://127.0.0.1:9 --target http://127.0.0.1:10",
                    "--target: at most one bare URL (the first provider's), got \"http://127.0.0.1:10\" too"},
           // a name the scenario does not have
           BadFlags{"--target nope=http://127.0.0.1:9", "--target: the scenario has no provider named \"nope\""},
           // a routed provider without a target
           BadFlags{"--target http://127.0.0.1:9",
                    "--target: no target for provider \"backup\" (give --target backup=URL)"},
           // one provider twice
           BadFlags{"--target openai=http://127.0.0.1:9 --target openai=http://127.0.0.1:10",
                    "--target: provider \"openai\" has two targets"},
       }) {
    const auto result = run_command(kLlmsim + " load " + scenario + " --quiet " + row.flags);
    EXPECT_EQ(result.status, 2) << row.flags;
    EXPECT_THAT(result.output, HasSubstr(row.message)) << row.flags;
  }
}

TEST(RoutingLoad, ServeRefusesAnUnknownProvider) {
  const std::string scenario = two_provider_scenario();
  const auto result = run_command(kLlmsim + " serve --scenario " + scenario + " --provider nope --port 0");
  EXPECT_EQ(result.status, 2);
  EXPECT_THAT(result.output, HasSubstr("--provider: must name a provider of " + scenario +
                                       " (openai, backup), got \"nope\""));
}

}  // namespace
}  // namespace llmsim
