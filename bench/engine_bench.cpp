// Throughput of the discrete-event engine: events per second through EventQueue with a steady
// population of pending events, and requests per second through a whole simulate() run.
#include "simulator/event_queue.hpp"
#include "simulator/calendar_queue.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>

#include "models/distribution.hpp"
#include "models/random.hpp"
#include "models/scenario.hpp"
#include "models/time.hpp"
#include "simulator/des_driver.hpp"

namespace llmsim {
namespace {

// About the size of the DES driver's event payload (a timer or an attempt id).
struct Payload {
  std::uint64_t id;
  std::uint64_t extra;
};

// New events land up to 1 s of virtual time after the one just popped.
constexpr std::uint64_t kHorizonNs = 1'000'000'000;

// The hold model: each iteration pops the earliest of N pending events and pushes one at a
// random later time, so the queue holds N events throughout (N = state.range(0)).
template <class Queue>
void hold(benchmark::State& state) {
  const auto pending = static_cast<std::uint64_t>(state.range(0));
  RandomStream rng(1, "engine_bench");
  Queue queue;
  for (std::uint64_t i = 0; i < pending; ++i) {
    queue.push(TimePoint{} + Duration{static_cast<std::int64_t>(rng.next_u64() % kHorizonNs)},
               Payload{i, 0});
  }
  for (auto _ : state) {
    auto event = queue.pop();
    benchmark::DoNotOptimize(event);
    const auto gap = static_cast<std::int64_t>(1 + rng.next_u64() % kHorizonNs);
    queue.push(event.time + Duration{gap}, event.payload);
  }
  state.SetItemsProcessed(state.iterations());
}

// The 4-ary heap beside the calendar queue (EventQueue, the engine's queue) of the same order.
void BM_event_queue_steady(benchmark::State& state) { hold<HeapEventQueue<Payload>>(state); }
BENCHMARK(BM_event_queue_steady)->Arg(100)->Arg(1'000)->Arg(10'000)->Arg(100'000);
void BM_calendar_queue_steady(benchmark::State& state) { hold<CalendarQueue<Payload>>(state); }
BENCHMARK(BM_calendar_queue_steady)->Arg(100)->Arg(1'000)->Arg(10'000)->Arg(100'000);

constexpr int kUsers = 1000;
constexpr int kRequestsPerUser = 10;

// 1000 users sending 10 requests each, all at once, against 500 RPM with the SDKs' two retries.
Scenario small_scenario() {
  Scenario scenario;
  scenario.name = "engine_bench";
  scenario.seed = 42;
  ProviderConfig provider;
  provider.limits = RateLimits{.rpm = 500, .tpm = 200000};
  provider.latency.time_to_first_token_s = Distribution::lognormal(0.6, 0.35);
  provider.latency.per_token_s = Distribution::lognormal(0.02, 0.2);
  provider.latency.refused_s = Distribution::constant(0.05);
  provider.tokens.completion_tokens = Distribution::lognormal(40.0, 0.5);
  scenario.providers.push_back(provider);
  scenario.client.connections = 100;
  scenario.client.timeout_s = 60.0;
  scenario.client.retry.max_retries = 2;
  scenario.client.network.rtt_ms = 40.0;
  scenario.workload.phases.push_back(Phase{.name = "burst", .users = kUsers,
                                           .start = StartMode::all_at_once,
                                           .requests_per_user = kRequestsPerUser});
  return scenario;
}

void BM_simulate_small(benchmark::State& state) {
  const Scenario scenario = small_scenario();
  std::uint64_t events = 0;
  for (auto _ : state) {
    const SimulationResult result = simulate(scenario);
    events = result.events;
    benchmark::DoNotOptimize(result.end);
  }
  // Items are requests: the output's items_per_second is simulated requests per second.
  state.SetItemsProcessed(state.iterations() * kUsers * kRequestsPerUser);
  state.counters["events_per_run"] = static_cast<double>(events);
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(events) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_simulate_small)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace llmsim

BENCHMARK_MAIN();
