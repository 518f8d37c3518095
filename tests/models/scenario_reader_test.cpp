// Tests for the loader's field readers (scenario_reader.cpp): unknown keys with a suggestion or
// the list of known ones (pointers escaped), and long values cut in messages.
// Part of the scenario_test program (models/scenario.hpp); shared helpers in
// scenario_test_support.hpp.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "scenario_test_support.hpp"

namespace llmsim {
namespace {

using namespace scenario_testing;  // NOLINT(google-build-using-namespace): the shared helpers

const BadRow kUnknownKeyRows[] = {
    // an unknown key close to a known one gets a suggestion
    {"/nmae", "1", R"(/nmae: unknown key (did you mean "name"?))"},
    // an unknown key far from every known one lists them (and its pointer is escaped)
    {"/a~1b", "1",
     "/a~1b: unknown key (expected one of name, description, seed, provider, providers, "
     "client, request, workload, thresholds)"},
};

TEST(ScenarioRules, UnknownKeysGetASuggestionOrTheKnownKeys) {
  expect_one_problem_each(kUnknownKeyRows);
}

TEST(ScenarioRules, LongValuesAreCutInMessages) {
  const std::string long_text = "\"" + std::string(100, 'a') + "\"";
  EXPECT_EQ(error_of(patched("/name", "5")), "x.json: /name: must be a non-empty string, got 5");
  EXPECT_EQ(error_of(patched("/provider/limits/rpm", long_text.c_str())),
            "x.json: /provider/limits/rpm: must be an integer >= 1, got \"" + std::string(56, 'a') +
                "...");
}

}  // namespace
}  // namespace llmsim
