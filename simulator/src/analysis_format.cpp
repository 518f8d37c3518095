// Rendering an Analysis as text and JSON.
#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "simulator/analysis.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::ordered_json;

// Rounds to 6 significant digits so the JSON stays readable and stable.
double round_significant(double x) {
  if (x == 0 || !std::isfinite(x)) return x;
  const double scale = std::pow(10.0, 5 - std::floor(std::log10(std::fabs(x))));
  return std::round(x * scale) / scale;
}

std::string percent(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.2f%%", 100 * x);
  return buffer;
}

// Pads `text` on the left to `width` characters.
std::string right(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

void model_text(const ModelAnalysis& m, std::string& out) {
  out += "  " + m.title;
  if (m.outside) {
    out += ": not applicable: " + *m.outside + "\n";
    return;
  }
  out += "\n";
  if (!m.parameters.empty()) out += "    " + m.parameters + "\n";
  for (const std::string& note : m.notes) out += "    (" + note + ")\n";
  out += "    " + left("figure", 28) + right("analytic", 12) + right("simulated", 12) + right("diff", 10) + "\n";
  for (const AnalysisFigure& f : m.figures) {
    const auto diff = f.relative_difference();
    out += "    " + left(f.name, 28) + right(format_figure(f.analytic), 12) +
           right(f.simulated ? format_figure(*f.simulated) : "-", 12) + right(diff ? percent(*diff) : "-", 10) + "\n";
  }
}

Json figure_json(const AnalysisFigure& f) {
  const auto diff = f.relative_difference();
  return Json{{"name", f.name},
              {"analytic", round_significant(f.analytic)},
              {"simulated", f.simulated ? Json(round_significant(*f.simulated)) : Json(nullptr)},
              {"relative_difference", diff ? Json(round_significant(*diff)) : Json(nullptr)}};
}

Json model_json(const ModelAnalysis& m) {
  Json figures = Json::array();
  for (const AnalysisFigure& f : m.figures) figures.push_back(figure_json(f));
  return Json{{"model", m.model},
              {"title", m.title},
              {"applies", !m.outside.has_value()},
              {"outside", m.outside ? Json(*m.outside) : Json(nullptr)},
              {"parameters", m.parameters},
              {"notes", m.notes},
              {"figures", figures}};
}

}  // namespace

std::string format_figure(double value) {
  char buffer[48];
  const bool is_large_whole = std::fabs(value) >= 1e4 && std::fabs(value) < 1e15 && value == std::round(value);
  std::snprintf(buffer, sizeof buffer, is_large_whole ? "%.0f" : "%.4g", value);
  return buffer;
}

std::string to_text(const Analysis& analysis) {
  std::string out = "Analysis of " + analysis.scenario + " (seed " + std::to_string(analysis.seed) +
                    "): queueing theory beside the simulated run; diff = (simulated - analytic) / analytic\n";
  for (const PhaseAnalysis& phase : analysis.phases) {
    out += "\nPhase \"" + phase.name + "\"\n";
    for (const ModelAnalysis& m : phase.models) model_text(m, out);
  }
  return out;
}

std::string to_json(const Analysis& analysis) {
  Json phases = Json::array();
  for (const PhaseAnalysis& phase : analysis.phases) {
    Json models = Json::array();
    for (const ModelAnalysis& m : phase.models) models.push_back(model_json(m));
    phases.push_back(Json{{"name", phase.name}, {"models", models}});
  }
  const Json root{{"schema_version", kAnalysisSchemaVersion},
                  {"scenario", analysis.scenario},
                  {"seed", analysis.seed},
                  {"phases", phases}};
  return root.dump(2) + "\n";
}

}  // namespace llmsim
