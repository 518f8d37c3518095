// Private to the fixtures loader: reading a rule's "answer" (fixture_answers.cpp).
#pragma once

#include <cstddef>

#include "models/fixtures.hpp"
#include "scenario_reader.hpp"

namespace llmsim::scenario_detail {

// Reads the "answer" of the rule `rule` (number `index` in the file); records every problem.
FixtureAnswer read_answer(const ObjectReader& rule, std::size_t index);

}  // namespace llmsim::scenario_detail
