// Fuzzes the scenario loader from text (parse_scenario), with the published limits of the source
// tree's data/limits. A ScenarioError naming at least one problem is a fine answer; a scenario that
// loads is also described (llmsim check). Anything else escaping is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "models/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const llmsim::Scenario scenario =
        llmsim::parse_scenario(text, "fuzz.json", LLMSIM_SOURCE_DIR "/data/limits");
    LLMSIM_FUZZ_CHECK(!describe_scenario(scenario).empty(), "an empty description");
  } catch (const llmsim::ScenarioError& error) {
    LLMSIM_FUZZ_CHECK(!error.problems().empty(), "a ScenarioError with no problem");
    for (const llmsim::ScenarioProblem& problem : error.problems()) {
      LLMSIM_FUZZ_CHECK(!problem.message.empty(), "a problem with no message");
    }
  } catch (const nlohmann::json::out_of_range& error) {
    // Known, being fixed on branch harden-cli (issue 15): a number too large for a double
    // ("1e999") escapes the loader as nlohmann's out_of_range 406 instead of a ScenarioError.
    // Skipped so that fuzzing goes on past it; remove once that fix is merged.
    LLMSIM_FUZZ_CHECK(error.id == 406, "an out_of_range other than a number overflow");
  }
  return 0;
}
