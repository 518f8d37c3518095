// The client's strategy policies on exact small cases: the waiting line's order, the pacer's
// bucket and its learning, the cache's modes, the VIP draw; and x-ratelimit-* values read alike
// from a provider decision (simulator) and from HTTP headers (real-socket driver).
#include "simulator/client_policies.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "models/provider_model.hpp"
#include "simulator/attempt_result.hpp"
#include "simulator/http_exchange.hpp"
#include "wire/go_duration.hpp"

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

TEST(RateLimitHeaders, DecisionAndHttpHeadersReadAlike) {
  ProviderConfig provider;
  provider.limits.rpm = 500;
  provider.limits.tpm = 200000;
  ProviderModel model(provider, 1);
  Decision decision;
  for (std::uint64_t id = 0; id < 7; ++id) {
    decision = model.decide(ProviderRequest{.prompt_tokens = 385, .request_id = id}, at_s(0.3));
  }
  const RateLimitHeaders& h = decision.admission.headers;
  const AttemptResult simulated = from_decision(decision, provider, NetworkConfig{}, TimePoint{});
  // The mock server writes these headers (wire/openai.hpp); the socket driver reads them.
  const std::string limit_requests = std::to_string(*h.limit_requests);
  const std::string remaining_requests = std::to_string(*h.remaining_requests);
  const std::string reset_requests = wire::go_duration(*h.reset_requests);
  const std::string limit_tokens = std::to_string(*h.limit_tokens);
  const std::string remaining_tokens = std::to_string(*h.remaining_tokens);
  const std::string reset_tokens = wire::go_duration(*h.reset_tokens);
  const AttemptResult real = read_response(ResponseView{
      .status = 200,
      .headers = {.limit_requests = limit_requests, .remaining_requests = remaining_requests,
                  .reset_requests = reset_requests, .limit_tokens = limit_tokens,
                  .remaining_tokens = remaining_tokens, .reset_tokens = reset_tokens},
      .body = R"({"usage": {"completion_tokens": 3}})"});
  EXPECT_EQ(simulated.rate_limits.remaining_requests, 493);
  EXPECT_EQ(real.rate_limits.limit_requests, simulated.rate_limits.limit_requests);
  EXPECT_EQ(real.rate_limits.remaining_requests, simulated.rate_limits.remaining_requests);
  EXPECT_EQ(real.rate_limits.reset_requests, simulated.rate_limits.reset_requests);
  EXPECT_EQ(real.rate_limits.limit_tokens, simulated.rate_limits.limit_tokens);
  EXPECT_EQ(real.rate_limits.remaining_tokens, simulated.rate_limits.remaining_tokens);
  EXPECT_EQ(real.rate_limits.reset_tokens, simulated.rate_limits.reset_tokens);
}

}  // namespace
}  // namespace llmsim
