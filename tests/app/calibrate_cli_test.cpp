// `llmsim load --record`, `llmsim run --record` and `llmsim calibrate` as a user runs them: a
// trace recorded against the mock server (started by `llmsim load`) gives back the scenario's
// provider within stated tolerances, the fitted section loads as a scenario's provider, and bad
// trace files exit 2 naming file and line.
#include "app/commands.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../support/run_command.hpp"
#include "models/calibration.hpp"
#include "models/trace.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;
using testing_support::CommandResult;

#ifdef LLMSIM_SANITIZED_BUILD
// Under AddressSanitizer timing measures the sanitizer: check the paths, not the figures.
constexpr bool kChecksTiming = false;
#else
constexpr bool kChecksTiming = true;
#endif

const std::string kLlmsim = LLMSIM_BINARY_DIR "/llmsim ";
const std::string kDir = LLMSIM_BINARY_DIR "/tests/";

CommandResult llmsim(const std::string& args) { return testing_support::run_command(kLlmsim + args); }

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = kDir + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A streamed chat API at 120 RPM: Poisson arrivals at 4/s (240 a minute) for 100 s, so the
// bucket of 120 empties after ~30 s and about half the requests are refused.
const std::string kProvider = R"({"limits": {"rpm": 120},
    "latency": {"time_to_first_token_s": {"dist": "lognormal", "median": 1.0, "sigma": 0.3},
                "per_token_s": {"dist": "lognormal", "median": 0.04, "sigma": 0.2},
                "refused_s": {"dist": "lognormal", "median": 0.1, "sigma": 0.2}},
    "tokens": {"completion": {"dist": "gamma", "shape": 4, "scale": 5}},
    "faults": {"server_error": 0.05}})";

// Statistical tolerance: 4 standard errors (a correct fit misses with probability below 1e-4).
// Timing allowance: at time scale 5, 4 ms of wall time (HTTP on loopback, a late timer) is
// 20 ms of scenario time, added to or taken from every measured latency.
constexpr double kWallAllowance_s = 0.02;

void expect_median(const std::optional<LogNormalFit>& fit, double median, double sigma, double allowance_s) {
  ASSERT_TRUE(fit);
  const double spread = std::exp(4 * sigma / std::sqrt(static_cast<double>(fit->samples)));
  EXPECT_GE(fit->median.value, median / spread - allowance_s);
  EXPECT_LE(fit->median.value, median * spread + allowance_s);
  EXPECT_NEAR(fit->sigma.value, sigma, 4 * sigma / std::sqrt(2.0 * static_cast<double>(fit->samples)) + 0.05);
}

std::string scenario_with(const std::string& provider,
                          const std::string& request = R"({"prompt_tokens": 40, "stream": true})") {
  return R"({"name": "calibration", "seed": 3, "provider": )" + provider + R"(,
    "client": {"connections": 400, "timeout_s": 60},
    "request": )" + request + R"(,
    "workload": {"phases": [{"name": "poisson", "users": 400, "start": "poisson", "rate_per_s": 4,
                             "requests_per_user": 1}]}})";
}

TEST(CalibrateCli, RecoversTheMockServersProviderFromARealSocketTrace) {
  const std::string scenario = write_temp("calibrate-truth.json", scenario_with(kProvider));
  const std::string trace = kDir + "calibrate-load.csv";
  const std::string report = kDir + "calibrate-load.json";
  // Time scale 5: 100 scenario seconds in about 20 wall seconds.
  const CommandResult load =
      llmsim("load " + scenario + " --quiet --time-scale 5 --record " + trace + " --json " + report);
  ASSERT_LE(load.status, 1) << load.output;
  const std::vector<TraceRow> rows = read_trace(trace);
  ASSERT_EQ(rows.size(), 400U);  // no retries: one attempt per request
  const std::string output = kDir + "calibrate-load-provider.json";
  const CommandResult calibrate_run = llmsim("calibrate " + trace + " -o " + output);
  ASSERT_EQ(calibrate_run.status, 0) << calibrate_run.output;
  EXPECT_THAT(calibrate_run.output, HasSubstr("Kolmogorov-Smirnov distance"));
  EXPECT_THAT(calibrate_run.output, HasSubstr("95% ["));
  if (!kChecksTiming) return;
  // A machine too busy to keep the load generator's timers makes the latencies measure the
  // machine; the run says so itself (late starts, its CPU), as the agreement tests rely on.
  const auto notes = nlohmann::json::parse(read_file(report))["notes"];
  if (notes["trustworthy"] != "yes") GTEST_SKIP() << "the load run was not trustworthy: " << notes.dump();

  const CalibrationResult fit = calibrate(rows);
  EXPECT_TRUE(fit.is_streamed);
  // The bucket of 120 drains at 2 a second from the start and is empty after ~60 s; the last
  // ~40 s refuse about 2 a second: ~80 refusals.
  EXPECT_GT(fit.refused, 40U);
  expect_median(fit.time_to_first_token_s, 1.0, 0.3, kWallAllowance_s);
  expect_median(fit.refused_s, 0.1, 0.2, kWallAllowance_s);
  // Tokens are paced from one start, so lateness does not add up over a reply: the allowance
  // is spread over its ~19 gaps.
  expect_median(fit.per_token_s, 0.04, 0.2, kWallAllowance_s / 10);
  EXPECT_NEAR(fit.server_error.value, 0.05, 4 * std::sqrt(0.05 * 0.95 / static_cast<double>(fit.admitted)));
  // Tokens are counted, not timed: only the sampling error (sd of the mean sqrt(k) * theta / sqrt(n)).
  const GammaFit& tokens = *fit.completion_tokens;
  const double n = static_cast<double>(tokens.samples);
  EXPECT_NEAR(tokens.shape.value * tokens.scale.value, 20.0, 4 * std::sqrt(4.0) * 5 / std::sqrt(n));
  ASSERT_TRUE(fit.rpm);
  EXPECT_EQ(fit.rpm->per_minute.value, 120.0);  // the server's x-ratelimit-limit-requests

  // The fitted section is a provider the scenario loader accepts.
  const std::string fitted = write_temp("calibrate-fitted.json", scenario_with(read_file(output)));
  const CommandResult check = llmsim("check " + fitted);
  EXPECT_EQ(check.status, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("120 RPM"));
}

TEST(CalibrateCli, RunRecordsTheSameColumnsInVirtualTime) {
  const std::string scenario = write_temp("calibrate-truth-run.json", scenario_with(kProvider));
  const std::string a = kDir + "calibrate-run-a.csv", b = kDir + "calibrate-run-b.csv";
  ASSERT_LE(llmsim("run " + scenario + " --quiet --record " + a).status, 1);
  ASSERT_LE(llmsim("run " + scenario + " --quiet --record " + b).status, 1);
  const std::string text = read_file(a);
  EXPECT_EQ(text, read_file(b));  // deterministic
  EXPECT_EQ(text.substr(0, text.find('\n') + 1), trace_csv_header());
  EXPECT_EQ(read_trace(a).size(), 400U);
  const CommandResult fit = llmsim("calibrate " + a + " -o " + kDir + "calibrate-run-provider.json");
  EXPECT_EQ(fit.status, 0) << fit.output;
  EXPECT_THAT(fit.output, HasSubstr("x-ratelimit-limit-requests"));
  // A trace file that cannot be written is bad input.
  EXPECT_EQ(llmsim("run " + scenario + " --quiet --record /no/such/dir/t.csv").status, 2);
}

// An Anthropic provider at 120 RPM, 30000 ITPM, 2000 OTPM: `llmsim run --record` writes its
// anthropic-ratelimit-* values and api, and calibrate gives back its limits and latency.
TEST(CalibrateCli, RecoversAnAnthropicProviderFromARunTrace) {
  const std::string provider = R"({"name": "claude", "api": "anthropic", "models": ["claude-sonnet-4-5"],
    "limits": {"rpm": 120, "itpm": 30000, "otpm": 20000},
    "latency": {"time_to_first_token_s": {"dist": "lognormal", "median": 1.0, "sigma": 0.3},
                "per_token_s": {"dist": "lognormal", "median": 0.04, "sigma": 0.2},
                "refused_s": {"dist": "lognormal", "median": 0.1, "sigma": 0.2}},
    "tokens": {"completion": {"dist": "gamma", "shape": 4, "scale": 5}},
    "faults": {"overloaded": 0.05}})";
  // Anthropic's Messages API needs max_tokens, which its output-token limit counts.
  const std::string request = R"({"prompt_tokens": 40, "max_tokens": 60, "stream": true})";
  const std::string scenario = write_temp("calibrate-anthropic.json", scenario_with(provider, request));
  const std::string trace = kDir + "calibrate-anthropic-trace.csv";
  const std::string output = kDir + "calibrate-anthropic-fitted-provider.json";
  ASSERT_LE(llmsim("run " + scenario + " --quiet --record " + trace).status, 1);
  const std::vector<TraceRow> rows = read_trace(trace);
  ASSERT_EQ(rows.size(), 400U);
  EXPECT_EQ(rows.front().api, "anthropic");
  const CommandResult run = llmsim("calibrate " + trace + " -o " + output);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("anthropic-ratelimit-output-tokens-limit"));

  const CalibrationResult fit = calibrate(rows);
  EXPECT_GT(fit.refused, 40U);
  ASSERT_TRUE(fit.rpm && fit.itpm && fit.otpm);
  EXPECT_FALSE(fit.tpm);
  EXPECT_EQ(fit.rpm->per_minute.value, 120.0);
  EXPECT_EQ(fit.itpm->per_minute.value, 30000.0);
  EXPECT_EQ(fit.otpm->per_minute.value, 20000.0);
  // Virtual time: no wall allowance.
  expect_median(fit.time_to_first_token_s, 1.0, 0.3, 0);
  expect_median(fit.per_token_s, 0.04, 0.2, 0);
  expect_median(fit.refused_s, 0.1, 0.2, 0);
  EXPECT_NEAR(fit.overloaded.value, 0.05, 4 * std::sqrt(0.05 * 0.95 / static_cast<double>(fit.admitted)));

  const std::string fitted = write_temp("calibrate-anthropic-fitted.json", scenario_with(read_file(output), request));
  const CommandResult check = llmsim("check " + fitted);
  EXPECT_EQ(check.status, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("API anthropic"));
}

TEST(CalibrateCli, BadTraceFilesExitTwoWithFileAndLine) {
  const std::string header = trace_csv_header();
  std::string no_end = header;
  no_end.replace(no_end.find(",end_s"), 6, "");
  const std::string missing = write_temp("calibrate-missing.csv", no_end);
  CommandResult result = llmsim("calibrate " + missing);
  EXPECT_EQ(result.status, 2);
  EXPECT_THAT(result.output, HasSubstr(missing + ":1: missing column \"end_s\""));

  TraceRow row;
  row.status = 200;
  row.end_s = 1;
  std::string bad_line = trace_csv_line(row);
  bad_line.replace(bad_line.find("1.000000000"), 11, "1.0.0");
  const std::string bad = write_temp("calibrate-bad.csv", header + trace_csv_line(row) + trace_csv_line(row) + bad_line);
  result = llmsim("calibrate " + bad);
  EXPECT_EQ(result.status, 2);
  EXPECT_THAT(result.output, HasSubstr(bad + ":4: column \"end_s\": must be a number, got \"1.0.0\""));

  const std::string few = write_temp("calibrate-few.csv", header + trace_csv_line(row));
  result = llmsim("calibrate " + few);
  EXPECT_EQ(result.status, 2);
  EXPECT_THAT(result.output, HasSubstr(few + ": the trace has 1 successful attempts"));
  EXPECT_EQ(llmsim("calibrate /no/such/trace.csv").status, 2);
  EXPECT_EQ(llmsim("calibrate").status, 2);  // the trace is required
}

}  // namespace
}  // namespace llmsim
