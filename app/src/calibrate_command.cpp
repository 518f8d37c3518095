// `llmsim calibrate TRACE.csv [-o provider.json]`: fit a provider section to a recorded trace.
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "app/cli_checks.hpp"
#include "models/calibration.hpp"
#include "models/trace.hpp"
#include "app/commands.hpp"
#include "app/output_file.hpp"

namespace llmsim {

namespace {

struct CalibrateFlags {
  std::string trace_path;
  std::string output_path;
  std::uint64_t seed = 1;
};

// Fits, prints and writes; returns the exit status (2 for a bad trace or an unwritable output).
int run_calibrate(const CalibrateFlags& flags) {
  try {
    const CalibrationResult fit = calibrate(read_trace(flags.trace_path), flags.seed);
    std::cout << calibration_text(fit);
    if (flags.output_path.empty()) return 0;
    if (!write_output(flags.output_path, provider_json(fit), "provider section")) return 2;
    std::cout << "provider section written to " << flags.output_path << "\n";
    return 0;
  } catch (const TraceError& error) {
    std::cerr << error.what() << "\n";
  } catch (const std::invalid_argument& error) {
    std::cerr << flags.trace_path << ": " << error.what() << "\n";
  }
  return 2;
}

}  // namespace

void register_calibrate_command(CLI::App& app, int& status) {
  auto flags = std::make_shared<CalibrateFlags>();
  CLI::App* command = app.add_subcommand(
      "calibrate", "Fit a scenario's provider section (latency, tokens, faults, limits) to a recorded trace");
  command->add_option("trace", flags->trace_path, "Trace CSV written by `llmsim load --record`")->required();
  command->add_option("-o,--output", flags->output_path,
                      "Write the fitted provider section (JSON, usable as a scenario's \"provider\")");
  command->add_option("--seed", flags->seed, "Seed of the model draws for the goodness of fit")
      ->check(cli::unsigned_integer());
  command->callback([flags, &status] { status = run_calibrate(*flags); });
}

}  // namespace llmsim
