// `llmsim serve`: flags in, a Server out, until SIGINT or SIGTERM.
#include "app/serve_command.hpp"

#include <sys/resource.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/cli_checks.hpp"
#include "mockapi/server.hpp"
#include "models/fixtures.hpp"
#include "models/scenario.hpp"

namespace llmsim {
namespace {

struct ServeFlags {
  std::string scenario;
  std::string provider;
  std::string fixtures;
  mockapi::ServerOptions options;
  std::uint64_t seed = 1;
  double read_timeout_s = 30.0;
  double grace_s = 5.0;
  double time_scale = 1.0;
  std::int64_t created_unix_s = 0;
  CLI::Option* seed_option = nullptr;
  CLI::Option* created_option = nullptr;
};

// Raises the open-file limit to its hard maximum: each connection holds one descriptor.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

std::optional<std::string> exposure_warning(const std::string& host) {
  boost::system::error_code error;
  const boost::asio::ip::address address = boost::asio::ip::make_address(host, error);
  if (!error && address.is_loopback()) return std::nullopt;
  return "llmsim serve: warning: --host " + host +
         " is not a loopback address: any machine that can reach it may use the mock API with "
         "any key, read /metrics (request counts, masked keys) and, with the admin token, call "
         "/admin/reset\n";
}

namespace {

std::string url_host(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

// Runs the server until SIGINT or SIGTERM; returns the exit status.
int run_server(const ServeFlags& flags, ProviderConfig config, std::uint64_t seed) {
  boost::asio::io_context signal_io;
  // Installed before the server starts, so a signal never finds the default handler.
  boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);
  mockapi::ServerOptions options = flags.options;
  options.read_timeout = std::chrono::milliseconds(std::llround(flags.read_timeout_s * 1000.0));
  options.grace_period = std::chrono::milliseconds(std::llround(flags.grace_s * 1000.0));
  options.time_scale = TimeScale(flags.time_scale);  // checked > 0 by its flag
  if (flags.created_option->count() > 0) {
    options.created_unix_s = flags.created_unix_s;
  }
  raise_file_limit();
  const bool is_token_random = options.admin_token.empty();
  mockapi::Server server(options, std::move(config), seed);
  try {
    server.start();
  } catch (const std::system_error& error) {
    std::cerr << "llmsim serve: " << error.what() << "\n";
    return 2;
  }
  if (auto warning = exposure_warning(options.host)) std::cerr << *warning << std::flush;
  std::cout << "listening on http://" << url_host(options.host) << ":" << server.port()
            << std::endl;
  if (is_token_random) std::cout << "admin token: " << server.admin_token() << std::endl;
  signals.async_wait([](const boost::system::error_code&, int) {});
  signal_io.run();
  server.stop();
  return 0;
}

// Returns the index of the provider named `name` (empty: the first); prints why and returns
// nothing when the scenario has none of that name.
std::optional<std::size_t> provider_index(const Scenario& scenario, const std::string& name) {
  if (name.empty()) return 0;
  std::string names;
  for (std::size_t i = 0; i < scenario.providers.size(); ++i) {
    if (scenario.providers[i].name == name) return i;
    names += (i ? ", " : "") + scenario.providers[i].name;
  }
  std::cerr << "llmsim serve: --provider: must name a provider of " << scenario.path << " ("
            << names << "), got \"" << name << "\"\n";
  return std::nullopt;
}

void serve(const ServeFlags& flags, int& status) {
  ProviderConfig config = mockapi::default_provider_config();
  std::uint64_t seed = flags.seed;
  if (!flags.scenario.empty()) {
    try {
      const Scenario scenario = load_scenario(flags.scenario, "", WorkloadRule::optional);
      const auto index = provider_index(scenario, flags.provider);
      if (!index) {
        status = 2;
        return;
      }
      config = scenario.providers[*index];
      if (flags.seed_option->count() == 0) {
        seed = scenario.seed;
      }
      seed = provider_seed(seed, scenario.providers, *index);
    } catch (const ScenarioError& error) {
      std::cerr << error.what() << "\n";
      status = 2;
      return;
    }
  }
  if (!flags.options.record_from.empty() && !flags.options.record_from.starts_with("http://")) {
    std::cerr << "llmsim serve: --record-from: must be an http:// URL (https is not supported), "
                 "got \"" << flags.options.record_from << "\"\n";
    status = 2;
    return;
  }
  // --fixtures wins over the provider's "fixtures".
  const std::string fixtures = flags.fixtures.empty() ? config.fixtures : flags.fixtures;
  ServeFlags with_fixtures = flags;
  if (!fixtures.empty()) {
    try {
      with_fixtures.options.fixtures = std::make_shared<const FixtureSet>(load_fixtures(fixtures));
    } catch (const ScenarioError& error) {
      std::cerr << error.what() << "\n";
      status = 2;
      return;
    }
  }
  status = run_server(with_fixtures, std::move(config), seed);
}

}  // namespace

void register_serve_command(CLI::App& app, int& status) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* command = app.add_subcommand(
      "serve",
      "Start the mock OpenAI-compatible server. Its behaviour comes from the scenario's first "
      "provider (or --provider NAME); without --scenario, a built-in provider (gpt-3.5-turbo, gpt-4o-mini, gpt-4o, "
      "text-embedding-3-small, text-embedding-ada-002; any key; 10000 RPM, 10000000 TPM; 50 ms "
      "to the first token, 5 ms per token, 16 tokens). Prints 'listening on http://HOST:PORT'; "
      "stops gracefully on SIGINT/SIGTERM.");
  mockapi::ServerOptions& options = flags->options;
  CLI::Option* scenario =
      command->add_option("--scenario", flags->scenario, "Scenario JSON file (its first provider)");
  command->add_option("--provider", flags->provider,
                      "Serve the scenario's provider of this name instead of its first; its random "
                      "streams are seeded as the simulator seeds that provider's")
      ->needs(scenario);
  command->add_option("--fixtures", flags->fixtures,
                      "Fixtures JSON file: rules answering matching requests with given content, "
                      "tool calls, errors or latency (default: the provider's \"fixtures\")");
  command->add_option("--record-from", options.record_from,
                      "Relay every /v1 request to this OpenAI-compatible server "
                      "(http://HOST[:PORT][/PREFIX]; plain http only) and answer with its responses");
  command->add_option("--fixtures-out", options.fixtures_out,
                      "With --record-from: write the exchanges to this fixtures file (exact match "
                      "on endpoint, model, last user message, turn; recorded timing)");
  command->add_option("--replay-speed", options.replay_speed,
                      "Recorded fixtures replay their timing divided by this")
      ->check(cli::positive_number())
      ->capture_default_str();
  command->add_option("--host", options.host, "Address to listen on")->capture_default_str();
  command->add_option("--port", options.port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  command->add_option("--threads", options.threads, "Threads serving requests (0: one per core)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--time-scale", flags->time_scale,
                      "Model seconds per wall second: delays are waited delay/time-scale")
      ->check(cli::positive_number())
      ->capture_default_str();
  flags->seed_option =
      command->add_option("--seed", flags->seed, "Random seed (default: the scenario's, else 1)")
          ->check(cli::unsigned_integer());
  command->add_option("--body-limit-bytes", options.body_limit_bytes,
                      "Largest request body; larger ones get a 413")
      ->check(cli::positive_number())
      ->capture_default_str();
  command->add_option("--read-timeout-s", flags->read_timeout_s,
                      "Seconds to read a whole request before closing the connection")
      ->check(cli::positive_number())
      ->capture_default_str();
  command->add_option("--grace-s", flags->grace_s,
                      "Seconds requests in progress may take to finish after SIGINT/SIGTERM")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  flags->created_option = command->add_option(
      "--created-unix-s", flags->created_unix_s,
      "Unix time of the bodies' `created` at start (default: now), for byte-identical replays");
  command->add_option("--admin-token", options.admin_token,
                      "Token the /admin routes need (Authorization: Bearer TOKEN); default: a "
                      "random one, printed at start");
  command->add_option("--max-keys", options.max_keys,
                      "Without api_keys in the scenario: most API keys whose limits are kept "
                      "(idle keys with full limits make room; beyond, new keys get a 503)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_flag("--log-requests", options.log_requests,
                    "Print one line per request on stderr (time, method, target, status, key, "
                    "duration)");
  command->callback([flags, &status] { serve(*flags, status); });
}

}  // namespace llmsim
