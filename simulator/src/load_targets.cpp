// What `llmsim load` drives. See load_targets.hpp.
#include "load_targets.hpp"

#include <sys/resource.h>

#include <optional>
#include <stdexcept>

namespace llmsim {

Target parse_target(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    throw std::runtime_error("--target: must start with http:// (TLS is not supported), got \"" + url + "\"");
  }
  std::string rest = url.substr(scheme.size());
  Target target;
  const std::size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    target.base_path = rest.substr(slash);
    rest = rest.substr(0, slash);
    while (!target.base_path.empty() && target.base_path.back() == '/') target.base_path.pop_back();
    // A base URL ending in /v1 (as the SDKs take it) names the API root.
    if (target.base_path.ends_with("/v1")) target.base_path.resize(target.base_path.size() - 3);
  }
  const std::size_t colon = rest.rfind(':');
  target.host = colon == std::string::npos ? rest : rest.substr(0, colon);
  target.port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  if (target.host.empty() || target.port.empty()) {
    throw std::runtime_error("--target: expected http://host:port, got \"" + url + "\"");
  }
  return target;
}

void ensure_file_limit(int connections) {
  const rlim_t needed = static_cast<rlim_t>(connections) + 64;  // 64 for stdio, epoll, pipes
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur >= needed) return;
  if (limit.rlim_max < needed) {
    throw std::runtime_error("the scenario needs " + std::to_string(needed) +
                             " open files for its connections, but the hard limit is " +
                             std::to_string(limit.rlim_max) +
                             ": raise it (ulimit -Hn, or nofile in /etc/security/limits.conf)");
  }
  limit.rlim_cur = needed;
  setrlimit(RLIMIT_NOFILE, &limit);
}

std::vector<Target> routed_targets(const Scenario& scenario, const std::vector<LoadTarget>& targets) {
  std::vector<std::optional<Target>> by_provider(scenario.providers.size());
  for (const LoadTarget& target : targets) {
    std::size_t index = 0;
    while (index < scenario.providers.size() && scenario.providers[index].name != target.provider) ++index;
    if (index == scenario.providers.size()) {
      throw std::runtime_error("--target: the scenario has no provider named \"" + target.provider + "\"");
    }
    if (by_provider[index]) {
      throw std::runtime_error("--target: provider \"" + target.provider + "\" has two targets");
    }
    by_provider[index] = parse_target(target.url);
  }
  std::vector<Target> routed;
  for (std::size_t i = 0; i < routed_provider_count(scenario); ++i) {
    if (!by_provider[i]) {
      throw std::runtime_error("--target: no target for provider \"" + scenario.providers[i].name +
                               "\" (give --target " + scenario.providers[i].name + "=URL)");
    }
    routed.push_back(*by_provider[i]);
  }
  return routed;
}

std::deque<ServerProcess> start_servers(const Scenario& scenario, LoadOptions& options) {
  std::deque<ServerProcess> servers;  // not movable: a deque keeps them in place
  for (std::size_t i = 0; i < routed_provider_count(scenario); ++i) {
    std::vector<std::string> args{"serve", "--scenario", options.scenario_path, "--port", "0",
                                  "--seed", std::to_string(scenario.seed), "--time-scale", options.time_scale.text(),
                                  "--threads", "1"};
    if (scenario.providers.size() > 1) {
      args.insert(args.end(), {"--provider", scenario.providers[i].name});
    }
    servers.emplace_back(options.server_program, args);
    options.targets.push_back(LoadTarget{scenario.providers[i].name, servers.back().url()});
  }
  options.emulate_rtt = true;
  return servers;
}

}  // namespace llmsim
