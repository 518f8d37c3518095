// Fuzzes the scenario loader from text (parse_scenario), with the published limits of the source
// tree's data/limits. A ScenarioError naming at least one problem is a fine answer; a scenario that
// loads is also described (llmsim check). Anything else escaping is a bug.
#include <cstddef>
#include <cstdint>
#include <string>


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
  }
  return 0;
}
