// Cost of one RateLimiter::try_admit call with two limits (RPM, TPM) and with all four, under an
// arrival rate about twice the RPM limit so that both admissions and refusals are measured.
#include "models/rate_limiter.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>

namespace llmsim {
namespace {

constexpr std::int64_t kTokensPerRequest = 400;
// 500 RPM refills one request every 120 ms; arriving every 60 ms is twice the limit.
constexpr Duration kArrivalGap = std::chrono::milliseconds(60);

void run_try_admit(benchmark::State& state, const RateLimits& limits) {
  RateLimiter limiter(limits);
  TimePoint now{};
  std::int64_t admitted = 0;
  for (auto _ : state) {
    const Admission admission = limiter.try_admit(now, kTokensPerRequest);
    admitted += admission.admitted ? 1 : 0;
    benchmark::DoNotOptimize(admission);
    now += kArrivalGap;
  }
  state.counters["admitted_share"] =
      static_cast<double>(admitted) / static_cast<double>(state.iterations());
}

void BM_try_admit_two_limits(benchmark::State& state) {
  run_try_admit(state, {.rpm = 500, .tpm = 200000});
}
BENCHMARK(BM_try_admit_two_limits);

void BM_try_admit_four_limits(benchmark::State& state) {
  // Daily limits large enough that RPM still decides over the hours of virtual time a run covers.
  run_try_admit(state, {.rpm = 500, .tpm = 200000, .rpd = 10000000, .tpd = 10000000000});
}
BENCHMARK(BM_try_admit_four_limits);

}  // namespace
}  // namespace llmsim

BENCHMARK_MAIN();
