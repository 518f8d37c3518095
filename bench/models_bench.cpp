// Per-call cost of the models' hot paths: recording a latency, drawing a uniform, a lognormal.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "models/distribution.hpp"
#include "models/histogram.hpp"
#include "models/random.hpp"

namespace {

// Records latencies spread from ~1 us to ~10 s, precomputed so only record() is timed.
void BM_HistogramRecord(benchmark::State& state) {
  constexpr std::size_t kValues = 4096;  // a power of two: the index wraps with a mask
  llmsim::RandomStream rng(1, "bench-histogram");
  const auto dist = llmsim::Distribution::lognormal(2e6, 2.0);
  std::vector<std::int64_t> values(kValues);
  for (auto& value : values) {
    value = static_cast<std::int64_t>(dist.sample(rng));
  }
  llmsim::LatencyHistogram histogram;
  std::size_t i = 0;
  for (auto _ : state) {
    histogram.record(values[i++ & (kValues - 1)]);
  }
  benchmark::DoNotOptimize(histogram.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_RandomStreamUniform01(benchmark::State& state) {
  llmsim::RandomStream rng(1, "bench-uniform");
  for (auto _ : state) {
    benchmark::DoNotOptimize(rng.uniform01());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RandomStreamUniform01);

void BM_LogNormalSample(benchmark::State& state) {
  llmsim::RandomStream rng(1, "bench-lognormal");
  const auto dist = llmsim::Distribution::lognormal(0.6, 0.35);
  for (auto _ : state) {
    benchmark::DoNotOptimize(dist.sample(rng));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LogNormalSample);

// Percentile query over a filled histogram: a walk over the fixed bucket array.
void BM_HistogramPercentile(benchmark::State& state) {
  llmsim::RandomStream rng(1, "bench-percentile");
  const auto dist = llmsim::Distribution::lognormal(2e6, 2.0);
  llmsim::LatencyHistogram histogram;
  for (int i = 0; i < 100'000; ++i) {
    histogram.record(static_cast<std::int64_t>(dist.sample(rng)));
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(histogram.percentile(99.0));
  }
}
BENCHMARK(BM_HistogramPercentile);

}  // namespace

BENCHMARK_MAIN();
