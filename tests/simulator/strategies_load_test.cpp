// Strategies over real sockets: `llmsim load` against the server it starts, with client pacing,
// agrees in direction with `llmsim run` (no 429s, every request served) while the same load
// without pacing is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../support/run_command.hpp"

namespace llmsim {
namespace {

using Json = nlohmann::json;
using testing_support::CommandResult;

const std::string kLlmsim = LLMSIM_BINARY_DIR "/llmsim";
const std::string kDir = LLMSIM_BINARY_DIR "/tests/";
// Scenario seconds per wall second: the paced run spans ~100 scenario seconds.
constexpr const char* kTimeScale = "20";

// 300 users over 3 s against a 120 RPM account; `client` adds strategies. Paced at 110 RPM, a
// little under the account's limit, so that a millisecond of wall-clock jitter between the
// client's bucket and the server's cannot turn into a refusal.
std::string write_scenario(const std::string& name, const Json& client) {
  Json j = {{"name", name}, {"seed", 5}};
  j["provider"] = {{"limits", {{"rpm", 120}}},
                   {"latency", {{"time_to_first_token_s", 0.2}, {"per_token_s", 0}, {"refused_s", 0.05}}},
                   {"tokens", {{"completion", 5}}}};
  j["client"] = client;
  j["client"]["connections"] = 50;
  j["workload"] = {{"phases", Json::array({{{"name", "burst"}, {"users", 300}, {"start", "ramp"},
                                            {"ramp_s", 3}, {"requests_per_user", 1}}})}};
  const std::string path = kDir + name + ".json";
  std::ofstream(path) << j.dump(2);
  return path;
}

Json read_report(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

// Runs the scenario with `llmsim run` or `llmsim load` and returns the report's total.
Json total_of(const std::string& command, const std::string& scenario, const std::string& out) {
  const std::string scale = command == "load" ? std::string(" --time-scale ") + kTimeScale : "";
  const CommandResult r = testing_support::run_command(kLlmsim + " " + command + " " + scenario +
                                                       " --quiet" + scale + " --json " + out);
  EXPECT_EQ(r.status, 0) << r.output;
  return read_report(out)["total"];
}

TEST(StrategiesLoad, PacingRemoves429sOverRealSocketsAsInTheSimulator) {
  const std::string paced = write_scenario("paced-load", {{"pacing", {{"requests_per_minute", 110}}}});
  const std::string plain = write_scenario("unpaced-load", Json::object());
  const Json simulated = total_of("run", paced, kDir + "paced-simulated.json");
  const Json real = total_of("load", paced, kDir + "paced-real.json");
  const Json real_plain = total_of("load", plain, kDir + "unpaced-real.json");
  // Without pacing the account refuses most of the burst, over real sockets too.
  EXPECT_GT(real_plain["errors"]["rate_limit_requests"].get<int>(), 100);
  for (const Json* run : {&simulated, &real}) {
    EXPECT_EQ((*run)["errors"]["rate_limit_requests"].get<int>(), 0) << run->dump(2);
    EXPECT_EQ((*run)["succeeded"].get<int>(), 300);
    EXPECT_EQ((*run)["provider_calls"].get<int>(), 300);
  }
  // 110 at once, then 110 a minute: the last of 300 leaves after ~104 s in both.
  EXPECT_NEAR(simulated["duration_s"].get<double>(), 190.0 / 110.0 * 60.0, 2.0);
  EXPECT_NEAR(real["duration_s"].get<double>(), simulated["duration_s"].get<double>(),
              0.05 * simulated["duration_s"].get<double>());
}

}  // namespace
}  // namespace llmsim
