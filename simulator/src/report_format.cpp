// Rendering a Report as text, JSON and CSV.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "simulator/report.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::ordered_json;

// Rounds to 6 decimals (microseconds for seconds) so reports stay readable and stable.
double round6(double x) { return std::round(x * 1e6) / 1e6; }

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

Json latency_json(const LatencySummary& s) {
  return Json{{"avg", round6(s.avg)}, {"min", round6(s.min)}, {"max", round6(s.max)},
              {"p50", round6(s.p50)}, {"p90", round6(s.p90)}, {"p95", round6(s.p95)},
              {"p99", round6(s.p99)}};
}

Json routes_json(const std::vector<RouteReport>& routes) {
  Json list = Json::array();
  for (const RouteReport& route : routes) {
    Json j{{"name", route.name}, {"attempts", route.attempts}, {"succeeded", route.succeeded}};
    if (!route.keys.empty()) {
      j["keys"] = Json::array();
      for (const RouteReport::Key& key : route.keys) {
        j["keys"].push_back(
            Json{{"key", key.key}, {"attempts", key.attempts}, {"succeeded", key.succeeded}});
      }
    }
    list.push_back(std::move(j));
  }
  return list;
}

Json phase_json(const PhaseReport& p) {
  Json errors = Json::object();
  for (std::size_t i = 0; i < kErrorCategoryCount; ++i) {
    errors[category_name(static_cast<ErrorCategory>(i))] = p.errors[i];
  }
  Json j{{"name", p.name},
         {"users", p.users},
         {"requests", p.requests},
         {"succeeded", p.succeeded},
         {"failed", p.failed},
         {"success_rate", round6(p.success_rate)},
         {"latency_s", latency_json(p.latency_s)},
         {"ttft_s", latency_json(p.ttft_s)},
         {"queue_s", latency_json(p.queue_s)},
         {"throughput_rps", round6(p.throughput_rps)},
         {"duration_s", round6(p.duration_s)},
         {"start_s", round6(p.start_s)},
         {"errors", errors},
         {"retries", p.retries},
         {"cache_hits", p.cache_hits},
         {"provider_calls", p.provider_calls},
         {"bytes_sent", p.bytes_sent},
         {"bytes_received", p.bytes_received},
         {"success_body_bytes", p.success_body_bytes},
         {"prompt_tokens", p.prompt_tokens},
         {"completion_tokens", p.completion_tokens}};
  j["client_cpu_utilisation"] =
      p.client_cpu_utilisation ? Json(round6(*p.client_cpu_utilisation)) : Json(nullptr);
  if (!p.routes.empty()) j["routes"] = routes_json(p.routes);
  if (!p.classes.empty()) {
    Json classes = Json::object();
    for (const PhaseReport& c : p.classes) classes[c.name] = phase_json(c);
    j["classes"] = classes;
  }
  return j;
}

// A remaining level as JSON: null when no response said it in that second.
Json level_json(std::int64_t level) { return level < 0 ? Json(nullptr) : Json(level); }

// Returns the width of a timeline's buckets in seconds (1, or more for a phase over an hour).
std::int64_t bucket_seconds(const Timeline& timeline) {
  return std::chrono::duration_cast<std::chrono::seconds>(timeline.bucket()).count();
}

// Returns one object per phase and bucket: counts, levels and each key's remaining limits.
Json timeline_json(const Report& report) {
  Json rows = Json::array();
  for (const TimelineReport& t : report.timelines) {
    const std::vector<TimelineSecond>& seconds = t.timeline.seconds();
    const std::int64_t width_s = bucket_seconds(t.timeline);
    for (std::size_t i = 0; i < seconds.size(); ++i) {
      const TimelineSecond& s = seconds[i];
      Json limiters = Json::object();
      for (std::size_t k = 0; k < t.timeline.keys().size(); ++k) {
        const LimiterSample& sample = t.timeline.limiter(i, k);
        limiters[t.timeline.keys()[k]] = Json{{"remaining_requests", level_json(sample.remaining_requests)},
                                              {"remaining_tokens", level_json(sample.remaining_tokens)}};
      }
      rows.push_back(Json{{"phase", t.phase}, {"t_s", static_cast<std::int64_t>(i) * width_s},
                          {"width_s", width_s}, {"sent", s.sent}, {"succeeded", s.succeeded},
                          {"rate_limited", s.rate_limited}, {"errors", s.errors},
                          {"in_flight_max", s.in_flight}, {"queue_length_max", s.queue_length},
                          {"limiters", limiters}});
    }
  }
  return rows;
}

// Returns a CSV field: quoted, a quote inside doubled (RFC 4180).
std::string csv_quoted(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// "455 × HTTP 429 (rate limit, requests), 2 × 5xx" or "none".
std::string errors_line(const PhaseReport& p) {
  static constexpr const char* kLabels[kErrorCategoryCount] = {
      "HTTP 429 (rate limit, requests)", "HTTP 429 (rate limit, tokens)", "HTTP 429 (daily limit)",
      "HTTP 429 (quota)", "HTTP 5xx", "timeout", "connection", "other",
      "shed (queue full)", "shed (queue deadline)"};
  std::string line;
  for (std::size_t i = 0; i < kErrorCategoryCount; ++i) {
    if (p.errors[i] == 0) continue;
    if (!line.empty()) line += ", ";
    line += std::to_string(p.errors[i]) + " × " + kLabels[i];
  }
  return line.empty() ? "none" : line;
}

// "Route openai:     900 attempts, 450 succeeded (sk-a 450/225, sk-b 450/225)".
void routes_text(std::ostringstream& out, const RouteReport& route) {
  std::string label = "Route " + route.name + ":";
  if (label.size() < 17) label.resize(17, ' ');
  out << label << " " << route.attempts << " attempts, " << route.succeeded << " succeeded";
  if (route.keys.size() > 1) {
    out << " (";
    for (std::size_t k = 0; k < route.keys.size(); ++k) {
      out << (k ? ", " : "") << route.keys[k].key << " " << route.keys[k].attempts << "/"
          << route.keys[k].succeeded;
    }
    out << ")";
  }
  out << "\n";
}

// "1.234s avg (0.100s min, 9.000s max); p50 1.000s, p90 2.000s, p95 3.000s, p99 4.000s".
std::string latency_text(const LatencySummary& s) {
  return format("%.3fs avg", s.avg) + " (" + format("%.3fs min, ", s.min) + format("%.3fs max", s.max) +
         "); p50 " + format("%.3fs", s.p50) + ", p90 " + format("%.3fs", s.p90) + ", p95 " +
         format("%.3fs", s.p95) + ", p99 " + format("%.3fs", s.p99);
}

void phase_text(std::ostringstream& out, const PhaseReport& p) {
  out << "### " << p.name << " (" << p.users << " users)\n";
  out << "Success Rate:     " << format("%.2f%%", 100.0 * p.success_rate) << " (" << p.succeeded
      << " of " << p.requests << " requests)\n";
  out << "Response Time:    " << latency_text(p.latency_s) << "\n";
  out << "First Token:      " << latency_text(p.ttft_s) << "\n";
  out << "Client Queue:     " << format("%.3fs avg", p.queue_s.avg) << " ("
      << format("%.3fs p95, ", p.queue_s.p95) << format("%.3fs max", p.queue_s.max) << ")\n";
  out << "Throughput:       " << format("%.1f requests/second", p.throughput_rps) << " over "
      << format("%.3fs", p.duration_s) << "\n";
  if (p.client_cpu_utilisation) {
    out << "Client CPU:       " << format("%.1f%% (modelled)", 100.0 * *p.client_cpu_utilisation)
        << "\n";
  }
  out << "Data Transfer:    " << format("%.2f MB received, ", static_cast<double>(p.bytes_received) / 1e6)
      << format("%.2f MB sent, ", static_cast<double>(p.bytes_sent) / 1e6)
      << format("%.2f MB in successful bodies", static_cast<double>(p.success_body_bytes) / 1e6) << "\n";
  out << "Errors:           " << errors_line(p) << "\n";
  out << "Retries:          " << p.retries << "\n";
  for (const RouteReport& route : p.routes) routes_text(out, route);
  if (p.cache_hits > 0) {
    out << "Cache Hits:       " << p.cache_hits << " (provider calls: " << p.provider_calls << ")\n";
  }
  for (const PhaseReport& c : p.classes) {
    std::string label = "  " + c.name + ":";
    label.resize(std::max<std::size_t>(label.size(), 18), ' ');
    out << label << c.users << " users, "
        << format("%.2f%%", 100.0 * c.success_rate) << " (" << c.succeeded << " of " << c.requests
        << "), " << format("%.3fs avg", c.latency_s.avg) << ", p50 " << format("%.3fs", c.latency_s.p50)
        << ", p95 " << format("%.3fs", c.latency_s.p95) << ", p99 " << format("%.3fs", c.latency_s.p99)
        << "; errors: " << errors_line(c) << "\n";
  }
  out << "\n";
}

}  // namespace

std::string to_text(const Report& report) {
  std::ostringstream out;
  out << "llmsim report: " << report.scenario << " (" << report.mode << ", seed " << report.seed
      << ")\n";
  for (const auto& [name, value] : report.notes) out << name << ": " << value << "\n";
  out << "\n";
  for (const PhaseReport& p : report.phases) phase_text(out, p);
  out << "Users    | Requests | Success  | Avg s  | p95 s  | RPS\n";
  out << "---------|----------|----------|--------|--------|-------\n";
  for (const PhaseReport& p : report.phases) {
    char row[160];
    std::snprintf(row, sizeof row, "%-8d | %-8llu | %7.2f%% | %6.3f | %6.3f | %.1f\n", p.users,
                  static_cast<unsigned long long>(p.requests), 100.0 * p.success_rate,
                  p.latency_s.avg, p.latency_s.p95, p.throughput_rps);
    out << row;
  }
  out << "\nRate limits at the end:";
  if (report.limiter_end.empty()) {
    out << (report.mode == "simulated" ? " none configured" : " not observed (real-socket run)");
  }
  out << "\n";
  for (const LimiterReport& l : report.limiter_end) {
    out << "  " << l.key << " " << l.limit << ": " << format("%.1f", l.available) << " of "
        << l.capacity << " available\n";
  }
  if (!report.thresholds.empty()) {
    out << "\nThresholds:\n";
    for (const ThresholdResult& t : report.thresholds) {
      out << "  " << (t.passed ? "PASS " : "FAIL ") << t.text << " (actual "
          << format("%.6g", t.actual) << ")\n";
    }
  }
  return out.str();
}

std::string to_json(const Report& report) {
  Json j;
  j["schema_version"] = kReportSchemaVersion;
  j["scenario"] = report.scenario;
  j["mode"] = report.mode;
  j["seed"] = report.seed;
  Json notes = Json::object();
  for (const auto& [name, value] : report.notes) notes[name] = value;
  j["notes"] = notes;
  j["phases"] = Json::array();
  for (const PhaseReport& p : report.phases) j["phases"].push_back(phase_json(p));
  j["total"] = phase_json(report.total);
  j["limiter_end"] = Json::array();
  for (const LimiterReport& l : report.limiter_end) {
    j["limiter_end"].push_back(Json{{"key", l.key}, {"limit", l.limit}, {"capacity", l.capacity},
                                    {"available", round6(l.available)}});
  }
  j["thresholds"] = Json::array();
  for (const ThresholdResult& t : report.thresholds) {
    j["thresholds"].push_back(Json{{"check", t.text}, {"actual", round6(t.actual)}, {"passed", t.passed}});
  }
  j["passed"] = report.is_passing();
  if (!report.timelines.empty()) j["timeline"] = timeline_json(report);
  return j.dump(2) + "\n";
}

std::string to_csv(const Report& report) {
  std::ostringstream out;
  out << "phase,users,requests,succeeded,failed,success_rate,latency_avg_s,latency_min_s,"
         "latency_max_s,latency_p50_s,latency_p90_s,latency_p95_s,latency_p99_s,ttft_avg_s,ttft_min_s,"
         "ttft_max_s,ttft_p50_s,ttft_p90_s,ttft_p95_s,ttft_p99_s,queue_avg_s,"
         "queue_p95_s,throughput_rps,duration_s,retries,bytes_sent,bytes_received,success_body_bytes";
  for (std::size_t i = 0; i < kErrorCategoryCount; ++i) {
    out << ",errors_" << category_name(static_cast<ErrorCategory>(i));
  }
  out << ",client_cpu_utilisation,cache_hits,provider_calls,class";
  // With routing, two columns per route (the total's routes name them; every phase has the same).
  for (const RouteReport& route : report.total.routes) {
    out << ",route_" << route.name << "_attempts,route_" << route.name << "_succeeded";
  }
  out << "\n";
  const std::size_t route_count = report.total.routes.size();
  const auto row = [&out, route_count](const PhaseReport& p, const std::string& phase_name,
                                       const std::string& class_label) {
    // Phase names are quoted; a quote inside is doubled (RFC 4180).
    std::string name;
    for (char c : phase_name) name += c == '"' ? std::string("\"\"") : std::string(1, c);
    out << '"' << name << "\"," << p.users << ',' << p.requests << ',' << p.succeeded << ','
        << p.failed;
    for (double v : {p.success_rate, p.latency_s.avg, p.latency_s.min, p.latency_s.max,
                     p.latency_s.p50, p.latency_s.p90, p.latency_s.p95, p.latency_s.p99,
                     p.ttft_s.avg, p.ttft_s.min, p.ttft_s.max, p.ttft_s.p50, p.ttft_s.p90,
                     p.ttft_s.p95, p.ttft_s.p99, p.queue_s.avg, p.queue_s.p95, p.throughput_rps, p.duration_s}) {
      out << ',' << format("%.6f", v);
    }
    out << ',' << p.retries << ',' << p.bytes_sent << ',' << p.bytes_received << ',' << p.success_body_bytes;
    for (std::uint64_t e : p.errors) out << ',' << e;
    out << ',' << (p.client_cpu_utilisation ? format("%.6f", *p.client_cpu_utilisation) : "") << ','
        << p.cache_hits << ',' << p.provider_calls << ',' << class_label;
    // Routes are counted per phase, not per class: a class row leaves their cells empty.
    for (const RouteReport& route : p.routes) out << ',' << route.attempts << ',' << route.succeeded;
    for (std::size_t i = p.routes.size(); i < route_count; ++i) out << ",,";
    out << "\n";
  };
  // Each phase (and the total) as class "all", then one row per priority class when there are.
  const auto rows = [&row](const PhaseReport& p) {
    row(p, p.name, "all");
    for (const PhaseReport& c : p.classes) row(c, p.name, c.name);
  };
  for (const PhaseReport& p : report.phases) rows(p);
  rows(report.total);
  return out.str();
}

std::string timeline_csv(const Report& report) {
  std::ostringstream out;
  out << "phase,t_s,width_s,sent,succeeded,rate_limited,errors,in_flight_max,queue_length_max";
  // Every phase has the same keys (the scenario's); the first names the columns.
  const std::vector<std::string> no_keys;
  const auto& keys = report.timelines.empty() ? no_keys : report.timelines.front().timeline.keys();
  for (const std::string& key : keys) {
    out << ',' << csv_quoted("remaining_requests " + key) << ',' << csv_quoted("remaining_tokens " + key);
  }
  out << "\n";
  const auto level = [](std::int64_t v) { return v < 0 ? std::string() : std::to_string(v); };
  for (const TimelineReport& t : report.timelines) {
    const std::vector<TimelineSecond>& seconds = t.timeline.seconds();
    const std::int64_t width_s = bucket_seconds(t.timeline);
    for (std::size_t i = 0; i < seconds.size(); ++i) {
      const TimelineSecond& s = seconds[i];
      out << csv_quoted(t.phase) << ',' << static_cast<std::int64_t>(i) * width_s << ',' << width_s << ',' << s.sent << ',' << s.succeeded << ',' << s.rate_limited
          << ',' << s.errors << ',' << s.in_flight << ',' << s.queue_length;
      for (std::size_t k = 0; k < t.timeline.keys().size(); ++k) {
        out << ',' << level(t.timeline.limiter(i, k).remaining_requests) << ','
            << level(t.timeline.limiter(i, k).remaining_tokens);
      }
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace llmsim
