// `llmsim capacity` as a user runs it: the answer, exit codes, one-line errors, --jobs.
#include "app/capacity_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "../support/run_command.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;
using testing_support::CommandResult;

CommandResult llmsim(const std::string& args) {
  return testing_support::run_command(std::string(LLMSIM_BINARY_DIR "/llmsim ") + args);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string kGaja = LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json";
const std::string kCapacity = LLMSIM_SOURCE_DIR "/data/scenarios/capacity-500rpm.json";

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(CapacityCli, AnswersTheReportScenariosQuestion) {
  const CommandResult r = llmsim("capacity " + kGaja + " --phase '100 users' --criteria 'success_rate>=0.99,latency_s.p95<=3'");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("answer: "));
  EXPECT_THAT(r.output, HasSubstr("just above: "));
  EXPECT_THAT(r.output, HasSubstr("analytic bound (burst): "));
}

TEST(CapacityCli, IsByteIdenticalWhateverTheJobs) {
  const std::string base = "capacity " + kCapacity + " --criteria 'success_rate>=0.99,latency_s.p95<2' --seeds 3";
  const std::string one_json = LLMSIM_BINARY_DIR "/tests/capacity_jobs1.json";
  const std::string three_json = LLMSIM_BINARY_DIR "/tests/capacity_jobs3.json";
  const CommandResult one = llmsim(base + " --jobs 1 --json " + one_json);
  const CommandResult three = llmsim(base + " --jobs 3 --json " + three_json);
  EXPECT_EQ(one.status, 0) << one.output;
  EXPECT_EQ(one.output, three.output);
  EXPECT_EQ(read_file(one_json), read_file(three_json));
  EXPECT_FALSE(read_file(one_json).empty());
}

// --html: the search's page, with one chart per criterion and the answer's text above them.
TEST(CapacityCli, HtmlPageHoldsEveryLoadTriedAndEachCriterion) {
  const std::string page = LLMSIM_BINARY_DIR "/tests/capacity_page.html";
  const CommandResult r = llmsim("capacity " + kCapacity +
                                 " --criteria 'success_rate>=0.99,latency_s.p95<2' --quiet --html " + page);
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string html = read_file(page);
  EXPECT_THAT(html, HasSubstr("answer: "));
  EXPECT_THAT(html, HasSubstr("<th>success_rate &gt;= 0.99</th>"));
  EXPECT_THAT(html, HasSubstr("<th>latency_s.p95 &lt; 2</th>"));
  EXPECT_EQ(llmsim("capacity " + kCapacity + " --criteria 'success_rate>=0.99' --quiet --html /no/such/dir/p.html").status, 2);
}

// Bad input: one line on stderr, exit status 2.
TEST(CapacityCli, BadInputIsOneLineAndExitsTwo) {
  const struct {
    std::string args;
    std::string message;
  } cases[] = {
      // an unknown metric, with the threshold parser's suggestion
      {kCapacity + " --criteria 'succes_rate>=0.99'",
       "llmsim capacity: --criteria: \"succes_rate>=0.99\": unknown metric \"succes_rate\" (did you mean "
       "\"success_rate\"?)\n"},
      // a check without an operator
      {kCapacity + " --criteria 'success_rate'",
       "llmsim capacity: --criteria: \"success_rate\": must be \"METRIC OP VALUE\""},
      // several phases and none named
      {kGaja + " --criteria 'success_rate>=0.99'", "llmsim capacity: --phase: the scenario has 4 phases"},
      // a phase that does not exist
      {kGaja + " --phase nope --criteria 'success_rate>=0.99'", "llmsim capacity: --phase: must be one of"},
      // min above max
      {kCapacity + " --criteria 'success_rate>=0.99' --min 10 --max 5", "llmsim capacity: --min, --max: must be"},
      // a grid whose base is another scenario
      {kGaja + " --phase '100 users' --criteria 'success_rate>=0.99' --strategies " LLMSIM_SOURCE_DIR
             "/data/sweeps/capacity-500rpm.json",
       "llmsim capacity: --strategies: "},
  };
  for (const auto& c : cases) {
    const CommandResult r = llmsim("capacity " + c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_THAT(r.output, HasSubstr(c.message)) << c.args;
    EXPECT_EQ(lines(r.output), 1U) << r.output;
  }
}

TEST(CapacityCli, ComparesStrategiesOfAGrid) {
  const std::string grid = LLMSIM_BINARY_DIR "/tests/capacity_strategies.json";
  std::ofstream(grid) << R"({"base": ")" << kCapacity
                      << R"(", "parameters": {"strategy": {"baseline": {}, "two_keys": {
                           "/providers/0/api_keys": ["sk-a", "sk-b"],
                           "/client/routing": {"key_choice": "round_robin"}}}}})";
  const std::string json = LLMSIM_BINARY_DIR "/tests/capacity_strategies_out.json";
  const CommandResult r =
      llmsim("capacity " + kCapacity + " --criteria 'success_rate>=0.99' --strategies " + grid + " --json " + json);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("strategy  answer"));
  const auto results = nlohmann::json::parse(read_file(json))["results"];
  ASSERT_EQ(results.size(), 2U);
  EXPECT_EQ(results[0]["variant"], "baseline");
  EXPECT_EQ(results[1]["variant"], "two_keys");
  // Two accounts serve more than one.
  EXPECT_GT(results[1]["answer"].get<double>(), results[0]["answer"].get<double>());
}

}  // namespace
}  // namespace llmsim
