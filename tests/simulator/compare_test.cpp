#include "simulator/compare.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace llmsim {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// A report with the given phases, each with one succeeded count and one p95 latency.
nlohmann::json report(const std::vector<std::string>& phases, double succeeded, double p95_s) {
  nlohmann::json r = {{"schema_version", 1}, {"phases", nlohmann::json::array()}};
  const nlohmann::json figures = {{"succeeded", succeeded}, {"latency_s", {{"p95", p95_s}}}};
  for (const std::string& name : phases) {
    nlohmann::json phase = figures;
    phase["name"] = name;
    r["phases"].push_back(phase);
  }
  r["total"] = figures;
  return r;
}

TEST(Compare, EndsWithASummaryNamingWhatIsOutside) {
  const auto rows = compare_reports(report({"a"}, 100, 0.0125), report({"a"}, 90, 0.0125),
                                    {{"succeeded", 0.05}, {"latency_s.p95", 0.1}});
  const std::string text = comparison_text(rows, "A.json", "B.json");
  std::string summary = std::to_string(rows.size());
  summary += " figures compared, 4 with a tolerance, 2 outside: a succeeded, total succeeded\n";
  EXPECT_THAT(text, EndsWith(summary));
  EXPECT_EQ(comparison_summary(compare_reports(report({"a"}, 1, 1), report({"a"}, 1, 1), {})),
            std::to_string(rows.size()) + " figures compared, 0 with a tolerance, 0 outside");
}

TEST(Compare, ShowsSmallSecondsInMillisecondsAndMicroseconds) {
  // Table-driven: (metric, value, text).
  EXPECT_EQ(format_compared_value("latency_s.p95", 0.0125), "12.5 ms");
  EXPECT_EQ(format_compared_value("queue_s.avg", 0.0000031), "3.1 us");
  EXPECT_EQ(format_compared_value("latency_s.p95", 2.5), "2.5");     // a second and up: seconds
  EXPECT_EQ(format_compared_value("latency_s.min", 0), "0");         // zero stays 0
  EXPECT_EQ(format_compared_value("succeeded", 0.5), "0.5");         // not seconds
  const auto rows = compare_reports(report({"a"}, 1, 0.0125), report({"a"}, 1, 0.0125), {});
  EXPECT_THAT(comparison_text(rows, "A", "B"), HasSubstr("12.5 ms"));
}

TEST(Compare, NamesThePhasesThatDiffer) {
  EXPECT_THAT([] { compare_reports(report({"a", "b"}, 1, 1), report({"a", "c"}, 1, 1), {}); },
              ThrowsMessage<std::runtime_error>("the reports have different phases: only in A: \"b\"; only in B: \"c\""));
  EXPECT_THAT([] { compare_reports(report({"a", "b"}, 1, 1), report({"b", "a"}, 1, 1), {}); },
              ThrowsMessage<std::runtime_error>("the reports have different phases: the same names in another order"));
}

TEST(Compare, SuggestsAMetricName) {
  EXPECT_THAT([] { parse_tolerance("latency_s.p59=0.1"); },
              ThrowsMessage<std::invalid_argument>(
                  "--tolerance: must be METRIC=RELATIVE with a compared metric, got \"latency_s.p59=0.1\" (did you "
                  "mean \"latency_s.p50\"?)"));
  EXPECT_EQ(parse_tolerance("succeeded=0.03").relative, 0.03);
}

}  // namespace
}  // namespace llmsim
