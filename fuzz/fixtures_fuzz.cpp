// Fuzzes the fixtures loader from text (parse_fixtures), then matches a few queries against what
// loads (regex rules included). A ScenarioError naming at least one problem is a fine answer;
// anything else escaping is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "models/fixtures.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const llmsim::FixtureSet set = llmsim::parse_fixtures(text, "fuzz.json");
    llmsim::FixtureQuery query{.endpoint = "chat.completions", .model = "gpt-4o-mini",
                               .last_user_message = text.substr(0, 64)};
    const llmsim::Fixture* found = set.find(query);
    LLMSIM_FUZZ_CHECK(found == nullptr || !found->name.empty(), "a rule with no name");
    query.last_user_message.reset();
    set.find(query);
  } catch (const llmsim::ScenarioError& error) {
    LLMSIM_FUZZ_CHECK(!error.problems().empty(), "a ScenarioError with no problem");
    for (const llmsim::ScenarioProblem& problem : error.problems()) {
      LLMSIM_FUZZ_CHECK(!problem.message.empty(), "a problem with no message");
    }
  }
  return 0;
}
