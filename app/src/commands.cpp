// Subcommand wiring: flags in, a library call, text out.
#include "app/commands.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "app/cli_checks.hpp"
#include "models/scenario.hpp"
#include "simulator/analysis.hpp"
#include "app/capacity_command.hpp"
#include "simulator/compare.hpp"
#include "simulator/des_driver.hpp"
#include "simulator/html_report.hpp"
#include "simulator/report.hpp"
#include "simulator/socket_driver.hpp"
#include "simulator/trace_recorder.hpp"
#include "app/sweep_command.hpp"
#include "app/output_file.hpp"

#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace llmsim {

std::string version_string() { return "llmsim " LLMSIM_VERSION; }

namespace {

// Loads a scenario or prints its problems; returns nullopt on bad input.
std::optional<Scenario> load_or_report(const std::string& path, int& status) {
  try {
    return load_scenario(path);
  } catch (const ScenarioError& error) {
    std::cerr << error.what() << "\n";
    status = 2;
    return std::nullopt;
  }
}

void register_check(CLI::App& app, int& status) {
  auto path = std::make_shared<std::string>();
  CLI::App* check = app.add_subcommand("check", "Validate a scenario file and print what it describes");
  check->add_option("scenario", *path, "Scenario JSON file")->required();
  check->callback([path, &status] {
    if (auto scenario = load_or_report(*path, status)) {
      std::cout << describe_scenario(*scenario);
      status = 0;
    }
  });
}

struct OutputOptions {
  std::string json_path;
  std::string csv_path;
  std::string html_path;
  std::string timeline_csv_path;
  bool quiet = false;
};

void add_output_options(CLI::App* command, OutputOptions& options) {
  command->add_option("--json", options.json_path, "Also write the report as JSON to this file (-: standard output)");
  command->add_option("--csv", options.csv_path, "Also write the report as CSV to this file (-: standard output)");
  command->add_option("--html", options.html_path,
                      "Also write the report as one self-contained HTML page with charts to this file");
  command->add_option("--timeline-csv", options.timeline_csv_path,
                      "Also write each phase's second-by-second timeline as CSV to this file");
  command->add_flag("--quiet", options.quiet, "Do not print the human report");
}

// Prints and writes a report; returns the exit status: 0, 1 when a threshold failed, 2 on I/O.
int emit_report(const Report& report, const OutputOptions& options) {
  if (!options.quiet) std::cout << to_text(report);
  if (!options.json_path.empty() && !write_output(options.json_path, to_json(report), "report")) return 2;
  if (!options.csv_path.empty() && !write_output(options.csv_path, to_csv(report), "report")) return 2;
  if (!options.html_path.empty() && !write_output(options.html_path, report_html(report), "report page")) return 2;
  if (!options.timeline_csv_path.empty() && !write_output(options.timeline_csv_path, timeline_csv(report), "timeline")) return 2;
  return report.is_passing() ? 0 : 1;
}

// An open trace file and its recorder (--record), or nothing.
struct TraceFile {
  std::ofstream out;
  std::optional<TraceRecorder> recorder;

  // Opens `path` and writes the header; returns false (and says why) when it cannot.
  bool open(const std::string& path) {
    out.open(path, std::ios::binary);
    if (!out) {
      std::cerr << path << ": cannot write the trace\n";
      return false;
    }
    recorder.emplace(out);
    return true;
  }

  TraceRecorder* get() { return recorder ? &*recorder : nullptr; }

  // Flushes the rows; returns false (and says why) when they could not all be written.
  bool close(const std::string& path) {
    if (!recorder) return true;
    out.close();
    if (!out) std::cerr << path << ": cannot write the trace\n";
    return static_cast<bool>(out);
  }
};

void add_record_option(CLI::App* command, std::string& path) {
  command->add_option("--record", path,
                      "Write one CSV row per attempt to this file (columns in README.md)");
}

struct RunOptions {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;
  std::string record_path;
  OutputOptions output;
};

void register_run(CLI::App& app, int& status) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Simulate a scenario in virtual time and print its report");
  run->add_option("scenario", options->scenario_path, "Scenario JSON file")->required();
  run->add_option("--seed", options->seed, "Override the scenario's seed")
      ->check(cli::unsigned_integer());
  add_record_option(run, options->record_path);
  add_output_options(run, options->output);
  run->callback([options, &status] {
    auto scenario = load_or_report(options->scenario_path, status);
    if (!scenario) return;
    if (options->seed) scenario->seed = *options->seed;
    TraceFile trace;
    if (!options->record_path.empty() && !trace.open(options->record_path)) {
      status = 2;
      return;
    }
    const SimulationResult result = simulate(*scenario, trace.get());
    if (!trace.close(options->record_path)) {
      status = 2;
      return;
    }
    const Report report = build_report(*scenario, result.phases, result.limiter_levels, "simulated");
    status = emit_report(report, options->output);
  });
}

struct AnalyzeFlags {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;
  std::string json_path;
};

void register_analyze(CLI::App& app, int& status) {
  auto flags = std::make_shared<AnalyzeFlags>();
  CLI::App* analyze_command = app.add_subcommand(
      "analyze", "Print queueing theory's answers per phase beside the simulated figures");
  analyze_command->add_option("scenario", flags->scenario_path, "Scenario JSON file")->required();
  analyze_command->add_option("--seed", flags->seed, "Override the scenario's seed")
      ->check(cli::unsigned_integer());
  analyze_command->add_option("--json", flags->json_path, "Also write the analysis as JSON to this file (-: standard output)");
  analyze_command->callback([flags, &status] {
    auto scenario = load_or_report(flags->scenario_path, status);
    if (!scenario) return;
    if (flags->seed) scenario->seed = *flags->seed;
    const Analysis analysis = analyze(*scenario, simulate(*scenario));
    std::cout << to_text(analysis);
    status = !flags->json_path.empty() && !write_output(flags->json_path, to_json(analysis), "analysis") ? 2 : 0;
  });
}

// Returns the path of the running llmsim binary (to start `llmsim serve` beside it).
std::string self_program() {
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string("llmsim");
}

// Turns the --target values into targets: a bare URL names the first provider, NAME=URL the
// provider NAME (checked by run_load). Sets `bare` to the bare one's index; throws
// std::invalid_argument for a second bare URL.
std::vector<LoadTarget> parse_targets(const std::vector<std::string>& values, const Scenario& scenario,
                                      std::optional<std::size_t>& bare) {
  std::vector<LoadTarget> targets;
  for (const std::string& value : values) {
    const std::size_t equals = value.find('=');
    if (value.starts_with("http") || equals == std::string::npos) {
      if (bare) {
        throw std::invalid_argument("--target: at most one bare URL (the first provider's), got \"" +
                                    value + "\" too; name the others NAME=URL");
      }
      bare = targets.size();
      targets.push_back(LoadTarget{scenario.providers.front().name, value});
    } else {
      targets.push_back(LoadTarget{value.substr(0, equals), value.substr(equals + 1)});
    }
  }
  return targets;
}

struct LoadFlags {
  std::string scenario_path;
  std::vector<std::string> targets;
  double time_scale = 1.0;
  std::optional<std::uint64_t> seed;
  std::string record_path;
  OutputOptions output;
};

void register_load(CLI::App& app, int& status) {
  auto flags = std::make_shared<LoadFlags>();
  CLI::App* load = app.add_subcommand(
      "load", "Run a scenario over real sockets against the mock server (started here) or --target");
  load->add_option("scenario", flags->scenario_path, "Scenario JSON file")->required();
  load->add_option("--target", flags->targets,
                   "Base URL of an endpoint (http://host:port) of the first provider's API, key "
                   "from OPENAI_API_KEY (ANTHROPIC_API_KEY for \"api\": \"anthropic\"); or NAME=URL for the scenario's provider NAME, "
                   "keys from the scenario (repeatable)");
  load->add_option("--time-scale", flags->time_scale,
                   "Run every duration K times faster; figures stay in scenario time")
      ->check(cli::positive_number());
  load->add_option("--seed", flags->seed, "Override the scenario's seed")
      ->check(cli::unsigned_integer());
  add_record_option(load, flags->record_path);
  add_output_options(load, flags->output);
  load->callback([flags, &status] {
    auto scenario = load_or_report(flags->scenario_path, status);
    if (!scenario) return;
    if (flags->seed) scenario->seed = *flags->seed;
    LoadOptions options;
    std::optional<std::size_t> bare;
    try {
      options.targets = parse_targets(flags->targets, *scenario, bare);
    } catch (const std::invalid_argument& error) {
      std::cerr << "llmsim load: " << error.what() << "\n";
      status = 2;
      return;
    }
    options.time_scale = TimeScale(flags->time_scale);  // checked > 0 above
    options.scenario_path = flags->scenario_path;
    options.server_program = self_program();
    options.progress = isatty(STDERR_FILENO) == 1;
    // A bare --target is someone's endpoint: its key comes from the environment, as the vendor's
    // SDK reads it (OPENAI_API_KEY, or ANTHROPIC_API_KEY for an "api": "anthropic" provider).
    // Otherwise the key the client model chose from the scenario, as the simulator does (same
    // limiter, draws).
    const bool is_anthropic = scenario->providers.front().api == ProviderApi::anthropic;
    if (const char* key = std::getenv(is_anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
        key != nullptr && bare) {
      options.api_key = key;
    }
    TraceFile trace;
    if (!flags->record_path.empty() && !trace.open(flags->record_path)) {
      status = 2;
      return;
    }
    options.recorder = trace.get();
    try {
      const LoadResult result = run_load(*scenario, options);
      if (!trace.close(flags->record_path)) {
        status = 2;
        return;
      }
      Report report = build_report(*scenario, result.phases, {}, "real-socket");
      report.notes = result.notes;
      status = emit_report(report, flags->output);
      if (result.refused) {
        std::cerr << "llmsim load: the target refused every connection (is anything listening there?)\n";
      }
      if ((result.incomplete || result.refused) && status == 0) status = 1;
    } catch (const std::exception& error) {
      std::cerr << "llmsim load: " << error.what() << "\n";
      status = 2;
    }
  });
}

struct CompareFlags {
  std::string a_path;
  std::string b_path;
  std::vector<std::string> tolerances;
  std::string html_path;
};

void register_compare(CLI::App& app, int& status) {
  auto flags = std::make_shared<CompareFlags>();
  CLI::App* compare = app.add_subcommand(
      "compare", "Print two JSON reports side by side; exit 1 when a figure is outside its tolerance");
  compare->add_option("a", flags->a_path, "First report (JSON)")->required();
  compare->add_option("b", flags->b_path, "Second report (JSON)")->required();
  compare->add_option("--tolerance", flags->tolerances,
                      "METRIC=RELATIVE, e.g. succeeded=0.03 or latency_s.p90=0.1 (repeatable)");
  compare->add_option("--html", flags->html_path, "Also write the comparison as a self-contained HTML page");
  compare->callback([flags, &status] {
    try {
      std::vector<Tolerance> tolerances;
      for (const std::string& t : flags->tolerances) tolerances.push_back(parse_tolerance(t));
      const nlohmann::json a = read_report(flags->a_path);
      const nlohmann::json b = read_report(flags->b_path);
      const auto rows = compare_reports(a, b, tolerances);
      std::cout << comparison_text(rows, flags->a_path, flags->b_path);
      const bool passed = std::all_of(rows.begin(), rows.end(), [](const ComparisonRow& r) { return r.passed; });
      status = passed ? 0 : 1;
      if (!flags->html_path.empty() &&
          !write_output(flags->html_path, compare_html(a, b, flags->a_path, flags->b_path, rows), "comparison page")) {
        status = 2;
      }
    } catch (const std::exception& error) {
      std::cerr << "llmsim compare: " << error.what() << "\n";
      status = 2;
    }
  });
}

}  // namespace

void register_simulator_commands(CLI::App& app, int& status) {
  register_compare(app, status);
  register_check(app, status);
  register_run(app, status);
  register_analyze(app, status);
  register_load(app, status);
  register_calibrate_command(app, status);
  register_sweep_command(app, status);
  register_capacity_command(app, status);
}

}  // namespace llmsim
