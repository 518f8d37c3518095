// The HTML page builder: markup, the chart data and the script that draws it. See html_report.hpp.
#include <cmath>
#include <string>

#include "simulator/html_report.hpp"

namespace llmsim {

namespace embedded {
std::string_view chart_js();  // third_party/chart.js/chart.umd.min.js (cmake/EmbedFile.cmake)
}

namespace {

using Json = nlohmann::ordered_json;

std::string escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Rounds to 6 significant decimals so pages stay small and byte-stable.
Json number_json(const std::optional<double>& y) {
  if (!y || !std::isfinite(*y)) return nullptr;
  return std::round(*y * 1e6) / 1e6;
}

const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2433;background:#fff;max-width:1400px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
p{margin:6px 0}summary{cursor:pointer;margin:8px 0;color:#3a4a66}pre{background:#f5f7fa;padding:10px;overflow:auto;font-size:12px;line-height:1.35}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #dde2ea;padding:3px 8px;text-align:right}
th{background:#f0f3f7}td:first-child,th:first-child{text-align:left}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
.chart{border:1px solid #dde2ea;border-radius:6px;padding:8px;height:280px}
)";

// Draws every chart of the JSON in #llmsim-charts, then marks the body with how many it drew.
const char* kScript = R"(
(function () {
  const palette = ['#1f77b4','#2ca02c','#d62728','#ff7f0e','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
  const specs = JSON.parse(document.getElementById('llmsim-charts').textContent);
  let drawn = 0;
  specs.forEach(function (spec, i) {
    const canvas = document.getElementById('chart-' + i);
    const datasets = spec.series.map(function (s, k) {
      const color = s.dashed ? '#555555' : palette[k % palette.length];
      const data = spec.numeric_x ? s.y.map(function (y, j) { return {x: Number(spec.x[j]), y: y}; }) : s.y;
      const set = {label: s.label, data: data, borderColor: color, backgroundColor: color,
                   borderWidth: s.dashed ? 1.5 : 2, pointRadius: spec.x.length > 60 ? 0 : 3,
                   borderDash: s.dashed ? [6, 4] : [], spanGaps: true, tension: 0};
      if (s.passed) {
        set.pointRadius = 5;
        set.pointBackgroundColor = s.passed.map(function (p) { return p ? '#2ca02c' : '#d62728'; });
        set.pointBorderColor = set.pointBackgroundColor;
      }
      return set;
    });
    new Chart(canvas, {
      type: spec.kind,
      data: {labels: spec.numeric_x ? undefined : spec.x, datasets: datasets},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: {mode: 'index', intersect: false},
        plugins: {title: {display: true, text: spec.title}, legend: {position: 'bottom'}},
        scales: {
          x: {type: spec.numeric_x ? 'linear' : 'category', title: {display: !!spec.x_label, text: spec.x_label}},
          y: {beginAtZero: true, title: {display: !!spec.y_label, text: spec.y_label}}
        }
      }
    });
    drawn += 1;
  });
  document.body.setAttribute('data-charts-rendered', String(drawn));
})();
)";

}  // namespace

HtmlPage::HtmlPage(std::string title) : title_(std::move(title)) {}

void HtmlPage::add_heading(std::string_view text) {
  close_grid();
  body_ += "<h2>" + escaped(text) + "</h2>\n";
}

void HtmlPage::add_paragraph(std::string_view text) {
  close_grid();
  body_ += "<p>" + escaped(text) + "</p>\n";
}

void HtmlPage::add_preformatted(std::string_view text) {
  close_grid();
  body_ += "<pre>" + escaped(text) + "</pre>\n";
}

void HtmlPage::add_folded(std::string_view summary, std::string_view text) {
  close_grid();
  body_ += "<details><summary>" + escaped(summary) + "</summary><pre>" + escaped(text) + "</pre></details>\n";
}

void HtmlPage::add_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  close_grid();
  body_ += "<table><tr>";
  for (const std::string& cell : header) body_ += "<th>" + escaped(cell) + "</th>";
  body_ += "</tr>\n";
  for (const auto& row : rows) {
    body_ += "<tr>";
    for (const std::string& cell : row) body_ += "<td>" + escaped(cell) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</table>\n";
}

void HtmlPage::add_chart(HtmlChart chart) {
  // Consecutive charts share one grid; anything else added closes it (close_grid).
  if (!is_in_grid_) body_ += "<div class=\"charts\">\n";
  is_in_grid_ = true;
  body_ += "<div class=\"chart\"><canvas id=\"chart-" + std::to_string(charts_.size()) + "\"></canvas></div>\n";
  Json series = Json::array();
  for (const HtmlSeries& s : chart.series) {
    Json y = Json::array();
    for (const auto& value : s.y) y.push_back(number_json(value));
    Json j{{"label", s.label}, {"y", y}, {"dashed", s.is_dashed}};
    if (!s.passed.empty()) j["passed"] = s.passed;
    series.push_back(std::move(j));
  }
  charts_.push_back(Json{{"title", chart.title},
                         {"kind", chart.kind == HtmlChart::Kind::bar ? "bar" : "line"},
                         {"x_label", chart.x_label},
                         {"y_label", chart.y_label},
                         {"numeric_x", chart.is_numeric_x},
                         {"x", chart.x},
                         {"series", series}});
}

void HtmlPage::close_grid() {
  if (is_in_grid_) body_ += "</div>\n";
  is_in_grid_ = false;
}

std::string HtmlPage::render() const {
  // "</" inside a script would end it early; JSON allows the escaped form.
  std::string data = charts_.dump();
  for (std::size_t at = data.find("</"); at != std::string::npos; at = data.find("</", at + 3)) {
    data.replace(at, 2, "<\\/");
  }
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                     escaped(title_) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<h1>" +
                     escaped(title_) + "</h1>\n" + body_ + (is_in_grid_ ? "</div>\n" : "");
  page += "<script type=\"application/json\" id=\"llmsim-charts\">" + data + "</script>\n";
  page += "<!-- Chart.js 4.6.1, MIT licence (third_party/chart.js/LICENSE.md) -->\n<script>";
  page += embedded::chart_js();
  page += "</script>\n<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace llmsim
