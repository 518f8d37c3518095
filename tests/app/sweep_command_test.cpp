// `llmsim sweep` as a user runs it: files byte-identical whatever the threads or MPI ranks, the
// same figures as `llmsim run`, bad grids and flags with exit 2.
#include "app/sweep_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "../support/test_dir.hpp"

#include "../support/run_command.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_support::CommandResult;

const std::string kLlmsim = LLMSIM_BINARY_DIR "/llmsim";

CommandResult llmsim(const std::string& args) { return testing_support::run_command(kLlmsim + " " + args); }

// A folder of the running test's own (tests/support/test_dir.hpp).
std::string test_dir() { return llmsim::test_dir("sweep"); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string write_grid(const std::string& name, const std::string& text) {
  const std::string path = test_dir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The open-loop scenario of data/scenarios over pool size x retry strategy x 2 seeds: 8 points.
std::string poisson_grid() {
  return write_grid("sweep_cli_grid.json", R"({
    "base": ")" LLMSIM_SOURCE_DIR R"(/data/scenarios/poisson-open-loop.json",
    "parameters": {"connections": {"/client/connections": [20, 200]},
                   "strategy": {"no_retries": {"/client/retry/max_retries": 0}, "sdk": {}}},
    "seeds": [1, 2]})");
}

TEST(SweepCommand, OneAndTwoJobsWriteByteIdenticalFiles) {
  const std::string dir = test_dir();
  const std::string grid = poisson_grid();
  const CommandResult one = llmsim("sweep " + grid + " --jobs 1 --csv " + dir + "sweep_j1.csv --jsonl " + dir + "sweep_j1.jsonl");
  ASSERT_EQ(one.status, 0) << one.output;
  const CommandResult two = llmsim("sweep " + grid + " --jobs 2 --csv " + dir + "sweep_j2.csv --jsonl " + dir + "sweep_j2.jsonl");
  ASSERT_EQ(two.status, 0) << two.output;
  const std::string csv = read_file(dir + "sweep_j1.csv");
  EXPECT_EQ(csv, read_file(dir + "sweep_j2.csv"));
  EXPECT_EQ(read_file(dir + "sweep_j1.jsonl"), read_file(dir + "sweep_j2.jsonl"));
  // A header and 8 rows, in grid order.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 9);
  EXPECT_THAT(csv, HasSubstr("\n20,no_retries,1,"));
  EXPECT_THAT(csv, HasSubstr("\n200,sdk,2,"));
  // Without --csv or --jsonl the CSV goes to stdout: the short set a person reads, or every
  // column with --columns '*'.
  const CommandResult out = llmsim("sweep " + grid + " --jobs 2 2>/dev/null");
  EXPECT_EQ(out.output.substr(0, out.output.find('\n')),
            "connections,strategy,seed,total.success_rate,total.latency_s.p95,total.errors.rate_limit_requests,"
            "total.retries,passed");
  EXPECT_EQ(std::count(out.output.begin(), out.output.end(), '\n'), 9);
  EXPECT_EQ(llmsim("sweep " + grid + " --jobs 2 --columns '*' 2>/dev/null").output, csv);
}

TEST(SweepCommand, ColumnsAreGlobsOverTheFlattenedNames) {
  const std::string dir = test_dir();
  const std::string grid = poisson_grid();
  const CommandResult r =
      llmsim("sweep " + grid + " --columns 'strategy, total.latency_s.p9?,seed' --csv " + dir + "sweep_cols.csv");
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string csv = read_file(dir + "sweep_cols.csv");
  // Glob after glob, in table order within one; each column once.
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "strategy,total.latency_s.p90,total.latency_s.p95,total.latency_s.p99,seed");
  // A glob that matches nothing: one line, a suggestion, exit 2.
  const CommandResult bad = llmsim("sweep " + grid + " --columns 'total.sucess_rate'");
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.output,
            "llmsim sweep: --columns: \"total.sucess_rate\" matches no column (did you mean \"total.success_rate\"?)\n");
}

TEST(SweepCommand, ARowHoldsTheFiguresOfLlmsimRun) {
  const std::string dir = test_dir();
  const std::string scenario = LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json";
  const std::string grid = write_grid("sweep_cli_plain.json", R"({"base": ")" + scenario + R"("})");
  ASSERT_EQ(llmsim("sweep " + grid + " --jsonl " + dir + "sweep_plain.jsonl").status, 0);
  ASSERT_EQ(llmsim("run " + scenario + " --quiet --json " + dir + "sweep_plain_run.json").status, 0);
  const auto row = nlohmann::json::parse(read_file(dir + "sweep_plain.jsonl"));
  const auto report = nlohmann::json::parse(read_file(dir + "sweep_plain_run.json"));
  EXPECT_EQ(row["seed"], report["seed"]);  // no "seeds": the scenario's own
  EXPECT_EQ(row["scenario_seed"], report["seed"]);
  EXPECT_EQ(row["total.success_rate"], report["total"]["success_rate"]);
  EXPECT_EQ(row["phases.3.latency_s.p95"], report["phases"][3]["latency_s"]["p95"]);
  EXPECT_EQ(row["phases.3.errors.rate_limit_requests"], report["phases"][3]["errors"]["rate_limit_requests"]);
  EXPECT_EQ(row["total.throughput_rps"], report["total"]["throughput_rps"]);
}

TEST(SweepCommand, BadGridsAndFlagsExitTwoNamingThePlace) {
  const std::string dir = test_dir();
  const std::string grid = write_grid("sweep_cli_bad.json", R"({
    "base": ")" LLMSIM_SOURCE_DIR R"(/data/scenarios/poisson-open-loop.json",
    "parameters": {"pool": {"/client/connections": [10, 0]}}})");
  const CommandResult bad = llmsim("sweep " + grid + " --csv " + dir + "sweep_never.csv");
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.output, HasSubstr("sweep_cli_bad.json: point 1 (pool=0): " LLMSIM_SOURCE_DIR
                                    "/data/scenarios/poisson-open-loop.json: /client/connections: must be an "
                                    "integer >= 1, got 0"));
  EXPECT_FALSE(std::ifstream(dir + "sweep_never.csv").good());
  EXPECT_EQ(llmsim("sweep " + dir + "no-such-grid.json").status, 2);
  const CommandResult jobs = llmsim("sweep " + poisson_grid() + " --jobs 0");
  EXPECT_EQ(jobs.status, 2);
  EXPECT_THAT(jobs.output, HasSubstr("--jobs"));
  const CommandResult unwritable = llmsim("sweep " + poisson_grid() + " --csv /no-such-dir/x.csv");
  EXPECT_EQ(unwritable.status, 2);
  EXPECT_THAT(unwritable.output, HasSubstr("/no-such-dir/x.csv: cannot write"));
}

#ifdef LLMSIM_MPIEXEC
// Open MPI refuses root without these; CI runs as root. LSan: Open MPI keeps allocations until
// exit on purpose, in components it has unloaded by then (their frames are "<unknown module>",
// which no suppression can name), so the ranks under mpirun run without leak detection; ASan's
// other checks stay on, and every other sweep test (threads, one process) checks leaks.
const std::string kMpiEnv = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
                            "LSAN_OPTIONS=detect_leaks=0 ASAN_OPTIONS=detect_leaks=0 ";

TEST(SweepCommand, UnderMpirunTwoRanksWriteWhatOneProcessWrites) {
  const std::string dir = test_dir();
  const std::string grid = poisson_grid();
  ASSERT_EQ(llmsim("sweep " + grid + " --csv " + dir + "sweep_single.csv --jsonl " + dir + "sweep_single.jsonl").status, 0);
  const CommandResult mpi = testing_support::run_command(
      kMpiEnv + LLMSIM_MPIEXEC " --oversubscribe -np 2 " + kLlmsim + " sweep " + grid + " --jobs 1 --csv " + dir +
      "sweep_mpi.csv --jsonl " + dir + "sweep_mpi.jsonl");
  ASSERT_EQ(mpi.status, 0) << mpi.output;
  EXPECT_EQ(read_file(dir + "sweep_mpi.csv"), read_file(dir + "sweep_single.csv"));
  EXPECT_EQ(read_file(dir + "sweep_mpi.jsonl"), read_file(dir + "sweep_single.jsonl"));
}

TEST(SweepCommand, UnderMpirunABadGridIsReportedOnceAndFailsTheJob) {
  const std::string grid = write_grid("sweep_mpi_bad.json", R"({"base": "nowhere.json"})");
  const CommandResult mpi = testing_support::run_command(kMpiEnv + LLMSIM_MPIEXEC " --oversubscribe -np 2 " + kLlmsim +
                                                         " sweep " + grid);
  EXPECT_NE(mpi.status, 0);
  const std::string line = "sweep_mpi_bad.json: /base: cannot read";
  const std::size_t first = mpi.output.find(line);
  ASSERT_NE(first, std::string::npos) << mpi.output;
  EXPECT_EQ(mpi.output.find(line, first + 1), std::string::npos) << mpi.output;
}

// llmsim loads Open MPI only under mpirun, from its MPI module beside it (app/src/mpi_plugin.h):
// the program itself names no MPI library, and without the module a rank says what is missing.
TEST(SweepCommand, TheProgramLinksNoMpiAndARankWithoutTheModuleSaysSo) {
  const CommandResult needed = testing_support::run_command("readelf -d " + kLlmsim);
  ASSERT_EQ(needed.status, 0) << needed.output;
  EXPECT_THAT(needed.output, HasSubstr("(NEEDED)"));
  EXPECT_THAT(needed.output, Not(HasSubstr("libmpi")));
  ASSERT_TRUE(std::filesystem::exists(std::string(LLMSIM_BINARY_DIR) + "/libllmsim_mpi.so"));

  const std::string alone = test_dir() + "llmsim_without_module";
  std::filesystem::create_directories(alone);
  std::filesystem::copy_file(kLlmsim, alone + "/llmsim", std::filesystem::copy_options::overwrite_existing);
  const CommandResult rank =
      testing_support::run_command("OMPI_COMM_WORLD_SIZE=2 " + alone + "/llmsim sweep " + poisson_grid());
  EXPECT_EQ(rank.status, 2);
  EXPECT_THAT(rank.output, HasSubstr("llmsim sweep: cannot run as an MPI rank without llmsim's MPI module: " + alone +
                                     "/libllmsim_mpi.so"));
}

#else
// Built with -DLLMSIM_MPI=OFF (the sanitize preset): everything builds, and a sweep started as an
// MPI rank (Open MPI's launcher sets OMPI_COMM_WORLD_SIZE) says what is missing instead of
// running every point once per rank.
TEST(SweepCommand, WithoutMpiARankSaysTheBuildLacksItAndExitsTwo) {
  const CommandResult rank = testing_support::run_command("OMPI_COMM_WORLD_SIZE=2 " + kLlmsim + " sweep " + poisson_grid());
  EXPECT_EQ(rank.status, 2);
  EXPECT_THAT(rank.output, HasSubstr("llmsim sweep: this llmsim was built without MPI (-DLLMSIM_MPI=OFF)"));
}
#endif

}  // namespace
}  // namespace llmsim
