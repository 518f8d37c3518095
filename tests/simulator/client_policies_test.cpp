// The client's strategy policies on exact small cases: the waiting line's order, the pacer's
// bucket and its learning, the cache's modes, the VIP draw, the router's choices. (x-ratelimit-*
// values read alike from a decision and from HTTP headers: http_exchange_test.cpp.)
#include "simulator/client_policies.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>


namespace llmsim {
namespace {

TimePoint at_s(double s) { return TimePoint{} + from_seconds(s); }

TEST(WaitingLine, VipFirstThenFirstComeFirstServed) {
  WaitingLine line;
  line.push(PriorityClass::standard, 1, at_s(0));
  line.push(PriorityClass::standard, 2, at_s(1));
  line.push(PriorityClass::vip, 3, at_s(2));
  line.push(PriorityClass::vip, 4, at_s(3));
  EXPECT_EQ(line.size(), 4u);
  EXPECT_EQ(line.pop().slot, 3u);
  EXPECT_EQ(line.pop().slot, 4u);
  EXPECT_EQ(line.pop().slot, 1u);
  EXPECT_EQ(line.pop().slot, 2u);
  EXPECT_TRUE(line.empty());
}

TEST(WaitingLine, OldestAcrossClassesForDeadlines) {
  WaitingLine line;
  EXPECT_FALSE(line.oldest_since());
  line.push(PriorityClass::standard, 1, at_s(1));
  line.push(PriorityClass::vip, 2, at_s(2));
  EXPECT_EQ(*line.oldest_since(), at_s(1));
  EXPECT_EQ(line.pop_oldest().slot, 1u);
  EXPECT_EQ(*line.oldest_since(), at_s(2));
  EXPECT_EQ(line.pop_oldest().slot, 2u);
}

TEST(WaitingLine, PopNewestOfAClass) {
  WaitingLine line;
  line.push(PriorityClass::standard, 1, at_s(0));
  line.push(PriorityClass::standard, 2, at_s(1));
  EXPECT_FALSE(line.pop_newest(PriorityClass::vip));
  EXPECT_EQ(line.pop_newest(PriorityClass::standard)->slot, 2u);
  EXPECT_EQ(line.pop().slot, 1u);
}

TEST(ClientPacer, SameBucketAsTheProvider) {
  // 60 RPM: a bucket of 60, one more a second.
  ClientPacer pacer(PacingConfig{.requests_per_minute = 60});
  for (int i = 0; i < 60; ++i) EXPECT_FALSE(pacer.try_send(at_s(0), 10)) << i;
  const auto wait = pacer.try_send(at_s(0), 10);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, from_seconds(1));
  EXPECT_TRUE(pacer.try_send(at_s(0.5), 10));
  EXPECT_FALSE(pacer.try_send(at_s(1), 10));
}

TEST(ClientPacer, TokensPerMinute) {
  // 600 TPM, 100 tokens an attempt: six at once, then one every 10 s.
  ClientPacer pacer(PacingConfig{.tokens_per_minute = 600});
  for (int i = 0; i < 6; ++i) EXPECT_FALSE(pacer.try_send(at_s(0), 100));
  EXPECT_EQ(*pacer.try_send(at_s(0), 100), from_seconds(10));
  // A cost no bucket can ever hold is let through (the provider refuses it as too large).
  EXPECT_FALSE(pacer.try_send(at_s(0), 1000));
}

TEST(ClientPacer, LearnsRemainingOnlyWhenAsked) {
  RateLimitHeaders seen;
  seen.remaining_requests = 2;
  ClientPacer blind(PacingConfig{.requests_per_minute = 60});
  ClientPacer learning(PacingConfig{.requests_per_minute = 60, .learn_from_headers = true});
  blind.learn(at_s(0), seen);
  learning.learn(at_s(0), seen);
  EXPECT_FALSE(learning.try_send(at_s(0), 1));
  EXPECT_FALSE(learning.try_send(at_s(0), 1));
  EXPECT_TRUE(learning.try_send(at_s(0), 1));  // the provider said two were left
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(blind.try_send(at_s(0), 1));
  // Learning never raises the bucket.
  seen.remaining_requests = 50;
  learning.learn(at_s(0), seen);
  EXPECT_TRUE(learning.try_send(at_s(0), 1));
}

TEST(ClientPacer, AdoptsALowerLimitFromHeaders) {
  RateLimitHeaders seen;
  seen.limit_requests = 30;
  seen.remaining_requests = 0;
  seen.limit_tokens = 1000;  // the client had no TPM: it learns one
  ClientPacer pacer(PacingConfig{.requests_per_minute = 60, .learn_from_headers = true});
  pacer.learn(at_s(0), seen);
  EXPECT_EQ(pacer.limits().rpm, 30);
  EXPECT_EQ(pacer.limits().tpm, 1000);
  // Empty now, refilled at 30 a minute: the next slot in 2 s.
  EXPECT_EQ(*pacer.try_send(at_s(0), 1), from_seconds(2));
  // A higher limit is not adopted.
  seen.limit_requests = 100;
  pacer.learn(at_s(0), seen);
  EXPECT_EQ(pacer.limits().rpm, 30);
}

TEST(ResponseCache, HitRatioDrawsPerRequest) {
  CacheConfig config;
  config.hit_ratio = 0.25;
  ResponseCache cache(config, 3);
  int hits = 0;
  for (std::uint64_t id = 0; id < 10000; ++id) hits += cache.lookup(id, at_s(0)).is_hit ? 1 : 0;
  // Binomial(10000, 0.25): standard deviation 43; four of them.
  EXPECT_NEAR(hits, 2500, 4 * 43.3);
  // The same request always draws the same way.
  EXPECT_EQ(cache.lookup(17, at_s(0)).is_hit, cache.lookup(17, at_s(5)).is_hit);
}

TEST(ResponseCache, KeyedWithTtlAndLru) {
  CacheConfig config;
  config.distinct_prompts = 1;  // every request asks prompt 0
  config.ttl_s = 10;
  config.capacity = 1;
  ResponseCache cache(config, 3);
  EXPECT_FALSE(cache.lookup(0, at_s(0)).is_hit);
  cache.store(0, at_s(1));
  EXPECT_TRUE(cache.lookup(1, at_s(5)).is_hit);
  EXPECT_TRUE(cache.lookup(2, at_s(10.9)).is_hit);
  EXPECT_FALSE(cache.lookup(3, at_s(11)).is_hit);  // stored at 1 s, 10 s TTL
}

TEST(ResponseCache, ZipfRanksFollowPopularity) {
  CacheConfig config;
  config.distinct_prompts = 100;
  config.zipf_exponent = 1.0;
  ResponseCache cache(config, 3);
  // Rank 1 has weight 1 / H(100) = 0.193 of all asks.
  int first = 0;
  constexpr int kDraws = 20000;
  for (std::uint64_t id = 0; id < kDraws; ++id) first += cache.lookup(id, at_s(0)).prompt == 0 ? 1 : 0;
  const double p = 1.0 / 5.187377517639621;  // H(100)
  EXPECT_NEAR(first, kDraws * p, 4 * std::sqrt(kDraws * p * (1 - p)));
}

TEST(ResponseCache, HitLatencyFromItsDistribution) {
  CacheConfig config;
  config.hit_ratio = 1.0;
  config.latency_s = Distribution::constant(0.004);
  EXPECT_EQ(ResponseCache(config, 1).hit_latency(9), from_millis(4));
}

TEST(Priority, VipShareDrawnPerUser) {
  const PriorityConfig config{.vip_share = 0.3};
  int vips = 0;
  for (std::uint64_t user = 0; user < 10000; ++user) {
    vips += priority_class_of(config, 5, user) == PriorityClass::vip ? 1 : 0;
  }
  EXPECT_NEAR(vips, 3000, 4 * 45.8);
  EXPECT_EQ(priority_class_of(std::nullopt, 5, 1), PriorityClass::standard);
  EXPECT_EQ(priority_class_of(PriorityConfig{.vip_share = 1.0}, 5, 1), PriorityClass::vip);
  EXPECT_STREQ(class_name(PriorityClass::vip), "vip");
}

// Two providers ("a" with keys k1, k2; "b" with none) and the given choices.
Scenario routed(ProviderChoice providers, KeyChoice keys) {
  Scenario scenario;
  scenario.providers = {ProviderConfig{.name = "a", .api_keys = {"k1", "k2"}},
                        ProviderConfig{.name = "b"}};
  scenario.client.routing.providers = providers;
  scenario.client.routing.key_choice = keys;
  return scenario;
}

TEST(ClientRouter, WithoutRoutingEverythingGoesToTheFirstKey) {
  ClientRouter router(routed(ProviderChoice::first, KeyChoice::first));
  EXPECT_FALSE(router.is_active());
  EXPECT_EQ(router.choose_provider(), 0u);
  EXPECT_EQ(router.send(0), 0u);
  EXPECT_EQ(router.send(0), 0u);
}

TEST(ClientRouter, RoundRobinOverProvidersAndKeys) {
  ClientRouter router(routed(ProviderChoice::round_robin, KeyChoice::round_robin));
  EXPECT_TRUE(router.is_active());
  EXPECT_EQ(router.choose_provider(), 0u);
  EXPECT_EQ(router.choose_provider(), 1u);
  EXPECT_EQ(router.choose_provider(), 0u);
  EXPECT_EQ(router.send(0), 0u);
  EXPECT_EQ(router.send(0), 1u);
  EXPECT_EQ(router.send(0), 0u);
  // A provider without keys has the one default key.
  EXPECT_EQ(router.send(1), 0u);
  EXPECT_EQ(router.send(1), 0u);
}

TEST(ClientRouter, LeastLoadedCountsWhatIsInFlight) {
  ClientRouter router(routed(ProviderChoice::least_loaded, KeyChoice::least_loaded));
  EXPECT_EQ(router.choose_provider(), 0u);  // a tie: the first
  EXPECT_EQ(router.send(0), 0u);
  EXPECT_EQ(router.choose_provider(), 1u);
  EXPECT_EQ(router.send(0), 1u);            // k1 is busy
  EXPECT_EQ(router.send(1), 0u);
  router.finish(0, 0);
  EXPECT_EQ(router.send(0), 0u);            // k1 is free again
  router.finish(0, 0);
  router.finish(0, 1);
  EXPECT_EQ(router.choose_provider(), 0u);  // "b" still has one in flight
}

TEST(ClientRouter, FailoverHopsToTheNextUntriedProviderOnItsTriggers) {
  ClientRouter router(routed(ProviderChoice::failover, KeyChoice::first));
  EXPECT_EQ(router.failover(0, 1, ErrorCategory::rate_limit_requests), 1u);
  EXPECT_EQ(router.failover(1, 1, ErrorCategory::server_5xx), 0u);  // wraps round
  EXPECT_EQ(router.failover(1, 2, ErrorCategory::timeout), std::nullopt);  // both tried
  EXPECT_EQ(router.failover(0, 1, ErrorCategory::other), std::nullopt);  // too large everywhere
  EXPECT_EQ(router.failover(0, 1, ErrorCategory::queue_full), std::nullopt);
  EXPECT_EQ(router.failover(0, 1, std::nullopt), std::nullopt);  // a success
  Scenario no_timeouts = routed(ProviderChoice::failover, KeyChoice::first);
  no_timeouts.client.routing.failover_on.timeout = false;
  EXPECT_EQ(ClientRouter(no_timeouts).failover(0, 1, ErrorCategory::timeout), std::nullopt);
  // "first" never fails over, whatever the triggers.
  EXPECT_EQ(ClientRouter(routed(ProviderChoice::first, KeyChoice::round_robin))
                .failover(0, 1, ErrorCategory::rate_limit_requests),
            std::nullopt);
}

TEST(ClientRouter, LocalModelTakesItsTriggersUpToItsConcurrency) {
  Scenario scenario = routed(ProviderChoice::first, KeyChoice::first);
  EXPECT_FALSE(ClientRouter(scenario).take_local(ErrorCategory::rate_limit_requests));  // none
  scenario.client.local_fallback = LocalFallbackConfig{
      .on = RouteTriggers{.rate_limit = true},
      .concurrency = 1,
      .time_to_first_token_s = Distribution::constant(0.5),
      .per_token_s = Distribution::constant(0.01),
      .completion_tokens = Distribution::constant(11.0),
  };
  ClientRouter router(scenario);
  EXPECT_TRUE(router.is_active());
  EXPECT_FALSE(router.take_local(ErrorCategory::server_5xx));  // not one of its triggers
  EXPECT_FALSE(router.take_local(std::nullopt));
  EXPECT_TRUE(router.take_local(ErrorCategory::quota));
  EXPECT_FALSE(router.take_local(ErrorCategory::rate_limit_tokens));  // its one slot is busy
  router.finish_local();
  EXPECT_TRUE(router.take_local(ErrorCategory::daily_limit));
  // First token after 0.5 s, then 10 more tokens 10 ms apart; max_tokens caps the count.
  const ClientRouter::LocalAnswer answer = router.local_answer(7, 1, std::nullopt);
  EXPECT_EQ(answer.completion_tokens, 11);
  EXPECT_EQ(answer.total, from_seconds(0.5) + from_seconds(0.01) * 10);
  const ClientRouter::LocalAnswer capped = router.local_answer(7, 1, 5);
  EXPECT_EQ(capped.completion_tokens, 5);
  EXPECT_EQ(capped.total, from_seconds(0.5) + from_seconds(0.01) * 4);
}

}  // namespace
}  // namespace llmsim
