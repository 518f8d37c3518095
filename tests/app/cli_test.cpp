// The llmsim command as a user runs it: exit codes, messages, files.
#include "app/commands.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../support/run_command.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;

using testing_support::CommandResult;

// Runs `llmsim ARGS` and captures its output and exit status.
CommandResult llmsim(const std::string& args) {
  return testing_support::run_command(std::string(LLMSIM_BINARY_DIR "/llmsim ") + args);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = std::string(LLMSIM_BINARY_DIR "/tests/") + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const std::string kScenario = LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json";

TEST(Cli, VersionAndHelp) {
  const CommandResult version = llmsim("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_THAT(version.output, HasSubstr(version_string()));
  const CommandResult help = llmsim("--help");
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.output, HasSubstr("run"));
  EXPECT_THAT(help.output, HasSubstr("check"));
  EXPECT_THAT(help.output, HasSubstr("serve"));
}

TEST(Cli, NoSubcommandOrUnknownFlagIsBadInput) {
  EXPECT_EQ(llmsim("").status, 2);
  const CommandResult bad = llmsim("run " + kScenario + " --no-such-flag");
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.output, HasSubstr("--no-such-flag"));
  EXPECT_EQ(llmsim("run " + kScenario + " --seed minus-one").status, 2);
}

TEST(Cli, CheckDescribesTheScenario) {
  const CommandResult check = llmsim("check " + kScenario);
  EXPECT_EQ(check.status, 0);
  EXPECT_THAT(check.output, HasSubstr("500 RPM"));
  EXPECT_THAT(check.output, HasSubstr("10000 users"));
}

TEST(Cli, BadScenarioNamesFileAndPlaceAndExitsTwo) {
  const std::string path = write_temp("cli_bad.json",
      R"({"name": "x", "provider": {"limits": {"rpm": 0}}, "workload": {"phases": [{"users": 0, "requests_per_user": 1}]}})");
  const CommandResult check = llmsim("check " + path);
  EXPECT_EQ(check.status, 2);
  EXPECT_THAT(check.output, HasSubstr(path + ": /provider/limits/rpm:"));
  EXPECT_THAT(check.output, HasSubstr(path + ": /workload/phases/0/users:"));
  EXPECT_EQ(llmsim("run " + path).status, 2);
  EXPECT_EQ(llmsim("run /no/such/file.json").status, 2);
}

TEST(Cli, AnalyzePrintsTheoryBesideTheRunAndWritesStableJson) {
  const std::string scenario = LLMSIM_SOURCE_DIR "/data/scenarios/erlang-c.json";
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  const CommandResult first = llmsim("analyze " + scenario + " --json " + dir + "cli_analyze_a.json");
  EXPECT_EQ(first.status, 0);
  EXPECT_THAT(first.output, HasSubstr("M/M/c (Erlang C)"));
  EXPECT_THAT(first.output, HasSubstr("wait_probability                  0.5726"));
  EXPECT_THAT(first.output, HasSubstr("Closed M/M/c//N (Markov chain): not applicable: arrivals are open"));
  EXPECT_EQ(llmsim("analyze " + scenario + " --json " + dir + "cli_analyze_b.json").status, 0);
  EXPECT_EQ(read_file(dir + "cli_analyze_a.json"), read_file(dir + "cli_analyze_b.json"));
  // Another seed, another simulated run; the same theory.
  EXPECT_EQ(llmsim("analyze " + scenario + " --seed 2 --json " + dir + "cli_analyze_c.json").status, 0);
  EXPECT_NE(read_file(dir + "cli_analyze_a.json"), read_file(dir + "cli_analyze_c.json"));
}

TEST(Cli, AnalyzeRefusesBadInput) {
  const std::string path = write_temp("cli_analyze_bad.json",
      R"({"name": "x", "provider": {"limits": {"rpm": 0}}, "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}})");
  const CommandResult bad = llmsim("analyze " + path);
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.output, HasSubstr(path + ": /provider/limits/rpm: must be an integer >= 1, got 0"));
  EXPECT_EQ(llmsim("analyze /no/such/file.json").status, 2);
  EXPECT_EQ(llmsim("analyze " + kScenario + " --json /no/such/dir/a.json").status, 2);
}

TEST(Cli, RunWritesByteIdenticalReportsForTheSameSeed) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  ASSERT_EQ(llmsim("run " + kScenario + " --quiet --json " + dir + "a.json --csv " + dir + "a.csv").status, 0);
  ASSERT_EQ(llmsim("run " + kScenario + " --quiet --json " + dir + "b.json --csv " + dir + "b.csv").status, 0);
  EXPECT_FALSE(read_file(dir + "a.json").empty());
  EXPECT_EQ(read_file(dir + "a.json"), read_file(dir + "b.json"));
  EXPECT_EQ(read_file(dir + "a.csv"), read_file(dir + "b.csv"));
  ASSERT_EQ(llmsim("run " + kScenario + " --quiet --seed 99 --json " + dir + "c.json").status, 0);
  EXPECT_NE(read_file(dir + "a.json"), read_file(dir + "c.json"));
  EXPECT_THAT(read_file(dir + "c.json"), HasSubstr("\"seed\": 99"));
}

TEST(Cli, FailedThresholdExitsOne) {
  const std::string path = write_temp("cli_threshold.json", R"({
    "name": "gate", "provider": {"limits": {"rpm": 10}},
    "workload": {"phases": [{"users": 20, "requests_per_user": 1}]},
    "thresholds": ["success_rate >= 0.99", "requests == 20"]})");
  const CommandResult run = llmsim("run " + path);
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.output, HasSubstr("FAIL success_rate >= 0.99"));
  EXPECT_THAT(run.output, HasSubstr("PASS requests == 20"));
}

TEST(Cli, UnwritableReportIsAnError) {
  const CommandResult run = llmsim("run " + kScenario + " --quiet --json /no/such/dir/out.json");
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.output, HasSubstr("/no/such/dir/out.json: cannot write the report"));
}

}  // namespace
}  // namespace llmsim

namespace llmsim {
namespace {

TEST(Cli, LoadReportsTheAchievedArrivalRateFromTheArrivalsAlone) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  // 20 arrivals at 40/s: 19 gaps of 25 ms; each request then takes 0.2 s, which must not count.
  const std::string scenario = write_temp("cli_rate.json", R"({
    "name": "rate", "provider": {"limits": {"rpm": 1000000}, "latency": {"time_to_first_token_s": 0.2},
                                 "tokens": {"completion": 3}},
    "workload": {"phases": [{"name": "open", "users": 20, "start": "constant_rate", "rate_per_s": 40,
                             "requests_per_user": 1}]}})");
  ASSERT_EQ(llmsim("load " + scenario + " --quiet --json " + dir + "rate.json").status, 0);
  const auto json = nlohmann::json::parse(read_file(dir + "rate.json"));
  const std::string note = json["notes"]["arrival_rate open"];
  double requested = 0, achieved = 0;
  ASSERT_EQ(std::sscanf(note.c_str(), "requested %lf/s, achieved %lf/s", &requested, &achieved), 2)
      << note;
  EXPECT_EQ(requested, 40.0);
  // Never above the schedule (timers do not fire early); below it only by late timers, and 20
  // arrivals over the span up to the last response (the old measure) would read about 28/s.
  EXPECT_LE(achieved, 40.0 * 1.01) << note;
  EXPECT_GE(achieved, 40.0 * 0.8) << note;
}

// Time to first token over real sockets: a stream's first chunk comes after the first token's
// 0.2 s, its last after 40 more tokens of 10 ms; --html and --timeline-csv are written too.
TEST(Cli, LoadTimesTheFirstStreamedTokenAndWritesTheTimelineAndPage) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  const std::string scenario = write_temp("cli_ttft.json", R"({
    "name": "ttft", "provider": {"limits": {"rpm": 1000000},
                                 "latency": {"time_to_first_token_s": 0.2, "per_token_s": 0.01},
                                 "tokens": {"completion": 41}},
    "request": {"stream": true, "prompt_tokens": 10},
    "workload": {"phases": [{"name": "p", "users": 10, "requests_per_user": 2}]}})");
  const CommandResult load = llmsim("load " + scenario + " --quiet --json " + dir + "ttft.json --html " + dir +
                                    "ttft.html --timeline-csv " + dir + "ttft_timeline.csv");
  ASSERT_EQ(load.status, 0) << load.output;
  const auto json = nlohmann::json::parse(read_file(dir + "ttft.json"));
  const auto& phase = json["phases"][0];
  EXPECT_GE(phase["ttft_s"]["min"].get<double>(), 0.2);
  EXPECT_LT(phase["ttft_s"]["p50"].get<double>(), 0.35);  // the first chunk, well before the end
  EXPECT_GE(phase["latency_s"]["min"].get<double>(), 0.2 + 0.4);
  std::uint64_t sent = 0;
  for (const auto& row : json["timeline"]) sent += row["sent"].get<std::uint64_t>();
  EXPECT_EQ(sent, 20U);
  EXPECT_THAT(read_file(dir + "ttft_timeline.csv"), HasSubstr("\n\"p\",0,"));
  EXPECT_THAT(read_file(dir + "ttft.html"), HasSubstr("llmsim report: ttft (real-socket"));
}

TEST(Cli, UnwritablePageOrTimelineIsAnError) {
  const CommandResult html = llmsim("run " + kScenario + " --quiet --html /no/such/dir/out.html");
  EXPECT_EQ(html.status, 2);
  EXPECT_THAT(html.output, HasSubstr("/no/such/dir/out.html: cannot write the report page"));
  const CommandResult csv = llmsim("run " + kScenario + " --quiet --timeline-csv /no/such/dir/t.csv");
  EXPECT_EQ(csv.status, 2);
  EXPECT_THAT(csv.output, HasSubstr("/no/such/dir/t.csv: cannot write the timeline"));
}

// A shell step that waits (up to 30 s) until llmsim (the process $pid, or its child when $pid is
// `timeout`; not the mock server llmsim starts) catches SIGINT (bit 2 of SigCgt in
// /proc/PID/status: its handler is installed), so that the Ctrl-C sent next is the program's to
// handle. A fixed sleep raced with start-up: a sanitizer build on a busy machine took more than a
// second, and a background job of a non-interactive shell ignores SIGINT until the program
// installs its handler.
const std::string kWaitForSigintHandler =
    "for i in $(seq 300); do p=$pid; "
    "[ \"$(cat /proc/$pid/comm 2>/dev/null)\" = llmsim ] || { p=none; "
    "for c in $(cat /proc/$pid/task/*/children 2>/dev/null); do p=$c; break; done; }; "
    "m=$(awk '/^SigCgt/{print $2}' /proc/$p/status 2>/dev/null); "
    "[ -n \"$m\" ] && [ $((0x$m & 2)) -ne 0 ] && break; sleep 0.1; done; ";

TEST(Cli, CtrlCStopsALoadRunAndStillWritesItsReport) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  const std::string scenario = write_temp("cli_long.json", R"({
    "name": "long", "provider": {"limits": {"rpm": 1000000}, "latency": {"time_to_first_token_s": 0.1},
                                 "tokens": {"completion": 3}},
    "workload": {"phases": [{"users": 20, "requests_per_user": 1000, "think_time_s": 0.1}]}})");
  // SIGINT after about a second of a run that would last a minute and a half.
  const CommandResult run = testing_support::run_command(
      "(" LLMSIM_BINARY_DIR "/llmsim load " + scenario + " --quiet --json " + dir +
      "interrupted.json & pid=$!; " + kWaitForSigintHandler +
      "sleep 1; kill -INT $pid; wait $pid; echo status=$?)");
  EXPECT_THAT(run.output, HasSubstr("status=1"));
  const std::string report = read_file(dir + "interrupted.json");
  EXPECT_THAT(report, HasSubstr("\"incomplete\": \"stopped by a signal"));
  EXPECT_THAT(report, HasSubstr("\"mode\": \"real-socket\""));
  // Some requests were made, far fewer than the 20,000 planned, and none is left half-counted.
  const auto json = nlohmann::json::parse(report);
  EXPECT_GT(json["total"]["requests"].get<int>(), 20);
  EXPECT_LT(json["total"]["requests"].get<int>(), 20000);
  EXPECT_EQ(json["total"]["requests"], json["total"]["succeeded"]);
}

// --- hardening (issue 15) -------------------------------------------------------------------------

// Returns a loopback port nothing listens on (bound, then closed).
int unused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

// A number beyond a double's range aborted with exit 134 (out_of_range.406, no file name).
TEST(Cli, NumberTooLargeForADoubleIsAnErrorLineAndExitTwo) {
  const std::string scenario = write_temp("cli_huge.json", R"({"seed":1e999})");
  const CommandResult check = llmsim("check " + scenario);
  EXPECT_EQ(check.status, 2);
  EXPECT_EQ(check.output, scenario + ": /seed: number out of range (must fit in a double), got 1e999\n");
  const std::string report = write_temp("cli_huge_report.json", R"({"schema_version": 1, "total": {"requests": 1e999}})");
  const CommandResult compare = llmsim("compare " + report + " " + report);
  EXPECT_EQ(compare.status, 2);
  EXPECT_EQ(compare.output, "llmsim compare: " + report +
                                ": /total/requests: number out of range (must fit in a double), got 1e999\n");
}

// A scenario whose only request is done and whose users then think (or wait for a phase) for a
// minute: the first Ctrl-C waited for the think time or the gap without a word.
void expect_ctrl_c_reports_at_once(const std::string& name, const std::string& workload) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  const std::string scenario = write_temp(name + ".json", R"({
    "name": "idle", "provider": {"limits": {"rpm": 1000000}, "latency": {"time_to_first_token_s": 0.01},
                                 "tokens": {"completion": 3}},
    "workload": )" + workload + "}");
  const auto started = std::chrono::steady_clock::now();
  const CommandResult run = testing_support::run_command(
      "(timeout 30 " LLMSIM_BINARY_DIR "/llmsim load " + scenario + " --quiet --json " + dir + name +
      "_report.json & pid=$!; " + kWaitForSigintHandler +
      "sleep 1.5; kill -INT $pid; wait $pid; echo status=$?)");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_THAT(run.output, HasSubstr("stopping: nothing in flight, reporting now\n"));
  EXPECT_THAT(run.output, HasSubstr("status=1"));
  EXPECT_LT(seconds, 10.0);
  EXPECT_THAT(read_file(dir + name + "_report.json"), HasSubstr("\"incomplete\": \"stopped by a signal"));
}

TEST(Cli, CtrlCDuringAThinkTimeReportsAtOnce) {
  expect_ctrl_c_reports_at_once(
      "cli_think", R"({"phases": [{"users": 2, "requests_per_user": 2, "think_time_s": 60}]})");
}

TEST(Cli, CtrlCDuringAGapBetweenPhasesReportsAtOnce) {
  expect_ctrl_c_reports_at_once(
      "cli_gap", R"({"phases": [{"name": "a", "users": 2, "requests_per_user": 1},
                                {"name": "b", "users": 2, "requests_per_user": 1, "gap_before_s": 60}]})");
}

TEST(Cli, CtrlCWithRequestsInFlightSaysHowManyItFinishes) {
  const std::string scenario = write_temp("cli_inflight.json", R"({
    "name": "slow", "provider": {"limits": {"rpm": 1000000}, "latency": {"time_to_first_token_s": 2},
                                 "tokens": {"completion": 3}},
    "workload": {"phases": [{"users": 3, "requests_per_user": 1}]}})");
  const CommandResult run = testing_support::run_command(
      "(timeout 30 " LLMSIM_BINARY_DIR "/llmsim load " + scenario +
      " --quiet & pid=$!; " + kWaitForSigintHandler +
      "sleep 0.5; kill -INT $pid; wait $pid; echo status=$?)");
  EXPECT_THAT(run.output, HasSubstr("stopping: finishing 3 requests in flight (Ctrl-C again to stop now)\n"));
  EXPECT_THAT(run.output, HasSubstr("status=1"));
}

// Nothing listening at the target exited 0 and blamed the load generator ("could not keep up").
TEST(Cli, ATargetThatRefusesConnectionsIsNamedAndExitsOne) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  const std::string scenario = write_temp("cli_refused.json", R"({
    "name": "refused", "provider": {"limits": {"rpm": 1000000}}, "workload": {"phases": [{"users": 3, "requests_per_user": 1}]}})");
  const CommandResult run = llmsim("load " + scenario + " --quiet --target http://127.0.0.1:" +
                                   std::to_string(unused_port()) + " --json " + dir + "refused.json");
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.output, HasSubstr("llmsim load: the target refused every connection (is anything listening there?)\n"));
  const auto json = nlohmann::json::parse(read_file(dir + "refused.json"));
  EXPECT_EQ(json["notes"]["trustworthy"], "no: the target refused every connection (nothing listening?)");
}

// A mock server at another time scale was measured as if its delays were this run's.
TEST(Cli, AMockServerAtAnotherTimeScaleIsRefused) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  const std::string scenario = write_temp("cli_scale.json", R"({
    "name": "scale", "provider": {"limits": {"rpm": 1000000}}, "workload": {"phases": [{"users": 2, "requests_per_user": 1}]}})");
  const std::string llmsim_program = LLMSIM_BINARY_DIR "/llmsim";
  const CommandResult run = testing_support::run_command(
      "(" + llmsim_program + " serve --port 0 --time-scale 1 > " + dir + "scale_server.txt & server=$!; "
      "for i in $(seq 50); do grep -q listening " + dir + "scale_server.txt && break; sleep 0.1; done; "
      "url=$(sed -n 's/^listening on //p' " + dir + "scale_server.txt); " +
      llmsim_program + " load " + scenario + " --quiet --time-scale 10 --target $url; echo status=$?; "
      "kill -TERM $server; wait $server)");
  EXPECT_THAT(run.output, HasSubstr("status=2"));
  EXPECT_THAT(run.output, HasSubstr(" runs at time scale 1 (its x-llmsim-time-scale header), this run at "
                                    "--time-scale 10: its delays would be off by their ratio; start both "
                                    "with the same --time-scale\n"));
  EXPECT_THAT(run.output, HasSubstr("llmsim load: the mock server at http://127.0.0.1:"));
}

TEST(Cli, BadFlagValuesNameTheRuleAndTheValue) {
  const CommandResult seed = llmsim("run " + kScenario + " --seed -3");
  EXPECT_EQ(seed.status, 2);
  EXPECT_THAT(seed.output, HasSubstr("--seed: must be an integer >= 0 (at most 18446744073709551615), got -3\n"));
  const CommandResult scale = llmsim("load " + kScenario + " --time-scale 0");
  EXPECT_EQ(scale.status, 2);
  EXPECT_THAT(scale.output, HasSubstr("--time-scale: must be a number > 0, got 0\n"));
  EXPECT_LT(scale.output.size(), 200U);
  // A time scale must be finite too: at infinity every wait would be zero (models/time_scale.hpp).
  for (const char* value : {"inf", "nan", "-2"}) {
    const CommandResult bad = llmsim("load " + kScenario + " --time-scale " + value);
    EXPECT_EQ(bad.status, 2) << value;
    EXPECT_THAT(bad.output, HasSubstr(std::string("--time-scale: must be a number > 0, got ") + value + "\n"));
  }
  const CommandResult serve = llmsim("serve --seed -1");
  EXPECT_EQ(serve.status, 2);
  EXPECT_THAT(serve.output, HasSubstr("--seed: must be an integer >= 0"));
}

TEST(Cli, JsonDashWritesTheReportToStandardOutput) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/cli_dash";
  std::filesystem::create_directories(dir);
  const CommandResult run = testing_support::run_command("cd " + dir + " && " LLMSIM_BINARY_DIR
                                                         "/llmsim run " + kScenario + " --quiet --json -");
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(nlohmann::json::parse(run.output)["mode"], "simulated");
  EXPECT_FALSE(std::filesystem::exists(dir + "/-"));
}

TEST(Cli, UnknownCommandsAndFlagsGetADidYouMean) {
  const CommandResult command = llmsim("rnu " + kScenario);
  EXPECT_EQ(command.status, 2);
  EXPECT_EQ(command.output, "llmsim: unknown command \"rnu\" (did you mean \"run\"?)\n");
  const CommandResult flag = llmsim("run " + kScenario + " --sedd 3");
  EXPECT_EQ(flag.status, 2);
  EXPECT_EQ(flag.output, "llmsim run: unknown flag --sedd (did you mean --seed?)\n");
  const CommandResult far = llmsim("frobnicate");
  EXPECT_EQ(far.status, 2);
  EXPECT_EQ(far.output, "llmsim: unknown command \"frobnicate\"\n");
}

TEST(Cli, MissingFilesSayWhyInOneFormat) {
  const CommandResult calibrate = llmsim("calibrate /nonexistent/missing.csv");
  EXPECT_EQ(calibrate.status, 2);
  EXPECT_EQ(calibrate.output, "/nonexistent/missing.csv: cannot read: No such file or directory\n");
  const CommandResult serve = llmsim("serve --scenario /nonexistent/nope.json");
  EXPECT_EQ(serve.status, 2);
  EXPECT_EQ(serve.output, "/nonexistent/nope.json: cannot read: No such file or directory\n");
  const CommandResult check = llmsim("check /nonexistent/nope.json");
  EXPECT_EQ(check.output, serve.output);
}

TEST(Cli, SweepOfAScenarioSaysItIsAScenario) {
  const CommandResult sweep = llmsim("sweep " + kScenario);
  EXPECT_EQ(sweep.status, 2);
  EXPECT_EQ(sweep.output, kScenario + ": looks like a scenario (it has \"workload\"), not a sweep grid: run it "
                                      "with `llmsim run " + kScenario + "`, or name it as a grid's \"base\" "
                                      "(data/sweeps/README.md)\n");
}

// An Anthropic provider: `run` simulates it through Anthropic's contract (its 529s are server
// errors the SDK retries); `load` speaks its Messages API to the mock server it starts.
TEST(Cli, AnAnthropicProviderRunsInTheSimulatorAndUnderLoad) {
  const std::string scenario = write_temp("cli_anthropic.json", R"({
    "name": "anthropic", "seed": 3,
    "provider": {"name": "claude", "api": "anthropic", "models": ["claude-haiku-4-5"],
                 "limits": {"rpm": 50, "itpm": 40000, "otpm": 8000}, "faults": {"overloaded": 0.5}},
    "client": {"retry": {"max_retries": 2}},
    "request": {"prompt_tokens": 100, "max_tokens": 200},
    "workload": {"phases": [{"users": 30, "requests_per_user": 1}]}})");
  const std::string dir = LLMSIM_BINARY_DIR "/tests/";
  ASSERT_EQ(llmsim("run " + scenario + " --quiet --json " + dir + "anthropic.json").status, 0);
  const std::string report = read_file(dir + "anthropic.json");
  // Half the attempts meet a 529, which the SDK's rule retries; the limiter lists Anthropic's limits.
  EXPECT_THAT(report, Not(HasSubstr("\"retries\": 0")));
  EXPECT_THAT(report, HasSubstr("\"limit\": \"OTPM\""));
  const CommandResult load = llmsim("load " + scenario + " --quiet --time-scale 10 --json " + dir + "anthropic-load.json");
  ASSERT_EQ(load.status, 0) << load.output;
  const auto real = nlohmann::json::parse(read_file(dir + "anthropic-load.json"))["total"];
  // Every request sent over real sockets as Messages requests, the 529s retried as in the
  // simulator, and most of them answered.
  EXPECT_EQ(real["requests"], 30);
  EXPECT_GT(real["retries"].get<int>(), 0);
  EXPECT_GT(real["succeeded"].get<int>(), 15);
}

}  // namespace
}  // namespace llmsim
