#include "models/rate_limiter.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>
#include <stdexcept>
#include <string>

namespace llmsim {
namespace {

constexpr std::int64_t kMaxLimit = 1'000'000'000'000'000;  // 1e15: every product fits 127 bits
constexpr Duration kMinute = std::chrono::seconds(60);
constexpr Duration kDay = std::chrono::hours(24);

constexpr std::array<LimitKind, 6> kOrder = {LimitKind::rpm, LimitKind::tpm,  LimitKind::rpd,
                                             LimitKind::tpd, LimitKind::itpm, LimitKind::otpm};

bool is_per_minute(LimitKind kind) { return kind != LimitKind::rpd && kind != LimitKind::tpd; }

// Returns the configured value of `kind` in `limits`.
const std::optional<std::int64_t>& limit_of(const RateLimits& limits, LimitKind kind) {
  switch (kind) {
    case LimitKind::rpm: return limits.rpm;
    case LimitKind::tpm: return limits.tpm;
    case LimitKind::rpd: return limits.rpd;
    case LimitKind::tpd: return limits.tpd;
    case LimitKind::itpm: return limits.itpm;
    default: return limits.otpm;
  }
}

// Returns a / b for b > 0: in 64 bits when a fits, as most levels do (a 128-bit division is a
// library call).
__extension__ typedef __int128 Wide;  // RateLimiter::Int128
std::int64_t divide(Wide a, std::int64_t b) {
  constexpr Wide kMin = std::numeric_limits<std::int64_t>::min();
  constexpr Wide kMax = std::numeric_limits<std::int64_t>::max();
  if (a >= kMin && a <= kMax) return static_cast<std::int64_t>(a) / b;
  return static_cast<std::int64_t>(a / b);
}

}  // namespace

const char* limit_name(LimitKind kind) {
  switch (kind) {
    case LimitKind::rpm: return "RPM";
    case LimitKind::tpm: return "TPM";
    case LimitKind::rpd: return "RPD";
    case LimitKind::tpd: return "TPD";
    case LimitKind::itpm: return "ITPM";
    case LimitKind::otpm: return "OTPM";
    default: return "none";
  }
}

// --- Bucket: exact GCRA arithmetic -------------------------------------------------------------

RateLimiter::Int128 RateLimiter::Bucket::level_scaled(TimePoint now) const {
  const Int128 full = Int128{capacity} * rate_period.count();
  const Int128 filled = Int128{now.time_since_epoch().count()} * rate_units - empty_scaled;
  return std::min(full, filled);
}

std::int64_t RateLimiter::Bucket::whole_units(TimePoint now) const {
  return divide(level_scaled(now), rate_period.count());
}

Duration RateLimiter::Bucket::wait_for(TimePoint now, std::int64_t cost) const {
  const Int128 missing = Int128{cost} * rate_period.count() - level_scaled(now);
  if (missing <= 0) return Duration{0};
  // The level grows by rate_units per ns; round up so that waiting always suffices.
  return Duration{divide(missing + rate_units - 1, rate_units)};
}

void RateLimiter::Bucket::debit(TimePoint now, std::int64_t cost) {
  const Int128 level = level_scaled(now);
  const Int128 left = std::max(Int128{0}, level - Int128{cost} * rate_period.count());
  empty_scaled = Int128{now.time_since_epoch().count()} * rate_units - left;
}

void RateLimiter::Bucket::fill() {
  // Far enough in the past that (now * rate_units - empty_scaled) exceeds any capacity; 2^120
  // dwarfs int64 ns x 1e15 units (< 2^113) and leaves room below the int128 limit.
  empty_scaled = -(Int128{1} << 120);
}

// --- RateLimiter --------------------------------------------------------------------------------

RateLimiter::RateLimiter(const RateLimits& limits) : limits_(limits) {
  if (limits.quantization_window && limits.quantization_window->count() <= 0) {
    throw std::invalid_argument("quantization window: must be > 0 ns, got " +
                                std::to_string(limits.quantization_window->count()));
  }
  for (LimitKind kind : kOrder) {
    const auto& value = limit_of(limits, kind);
    if (!value) continue;
    if (*value < 1 || *value > kMaxLimit) {
      throw std::invalid_argument(std::string("rate limit ") + limit_name(kind) +
                                  ": must be in [1, " + std::to_string(kMaxLimit) + "], got " +
                                  std::to_string(*value));
    }
    const bool per_minute = is_per_minute(kind);
    Bucket bucket{.kind = kind, .capacity = *value, .rate_units = *value,
                  .rate_period = per_minute ? kMinute : kDay};
    bucket.fill();
    buckets_.push_back(bucket);
    if (per_minute && limits.quantization_window) {
      const Int128 short_capacity = Int128{*value} * limits.quantization_window->count() /
                                    kMinute.count();
      bucket.is_quantized = true;
      bucket.capacity = static_cast<std::int64_t>(
          std::clamp(short_capacity, Int128{1}, Int128{kMaxLimit}));
      buckets_.push_back(bucket);
    }
  }
}

std::int64_t RateLimiter::units_of(LimitKind kind, const RequestCost& cost) {
  switch (kind) {
    case LimitKind::tpm:
    case LimitKind::tpd: return cost.tokens;
    case LimitKind::itpm: return cost.input_tokens;
    case LimitKind::otpm: return cost.output_tokens;
    default: return 1;
  }
}

std::int64_t RateLimiter::cost_on(const Bucket& bucket, const RequestCost& cost) {
  const std::int64_t units = units_of(bucket.kind, cost);
  // A short-window bucket can never hold more than its capacity: a bigger request needs it full.
  return bucket.is_quantized ? std::min(units, bucket.capacity) : units;
}

const RateLimiter::Bucket* RateLimiter::main_bucket(LimitKind kind) const {
  for (const Bucket& bucket : buckets_) {
    if (bucket.kind == kind && !bucket.is_quantized) return &bucket;
  }
  return nullptr;
}

void RateLimiter::advance_to(TimePoint now) {
  assert(now >= last_now_ && "rate limiter time went backwards");
  last_now_ = now;
}

std::optional<Admission> RateLimiter::find_refusal(TimePoint now, const RequestCost& cost) const {
  // A cost above a capacity is refused first: no wait would ever let it through.
  for (const Bucket& bucket : buckets_) {
    if (!bucket.is_quantized && cost_on(bucket, cost) > bucket.capacity) {
      Admission refusal{.too_large = true, .refused_by = bucket.kind, .limit = bucket.capacity,
                        .used = bucket.capacity - bucket.whole_units(now),
                        .requested = cost_on(bucket, cost)};
      return refusal;
    }
  }
  // The first short limit, in the order RPM, TPM, RPD, TPD, ITPM, OTPM, refuses; its wait covers both its
  // own bucket and its short-window bucket. The buckets are in that order, each limit's main bucket
  // first and its short-window bucket right after it (the constructor), so one pass finds it.
  for (std::size_t i = 0; i < buckets_.size();) {
    const Bucket& main = buckets_[i];
    Duration wait{0};
    for (; i < buckets_.size() && buckets_[i].kind == main.kind; ++i) {
      wait = std::max(wait, buckets_[i].wait_for(now, cost_on(buckets_[i], cost)));
    }
    if (wait > Duration{0}) {
      return Admission{.refused_by = main.kind, .limit = main.capacity,
                       .used = main.capacity - main.whole_units(now),
                       .requested = cost_on(main, cost), .wait = wait};
    }
  }
  return std::nullopt;
}

Admission RateLimiter::try_admit(TimePoint now, const RequestCost& cost) {
  assert(cost.tokens >= 0 && cost.input_tokens >= 0 && cost.output_tokens >= 0 &&
         "token cost must not be negative");
  advance_to(now);
  std::optional<Admission> refusal = find_refusal(now, cost);
  Admission admission = refusal.value_or(Admission{.admitted = true});
  if (admission.admitted) {
    for (Bucket& bucket : buckets_) bucket.debit(now, cost_on(bucket, cost));
  }
  admission.headers = headers(now);
  return admission;
}

void RateLimiter::consume(TimePoint now, LimitKind kind, std::int64_t units) {
  assert(units >= 0 && units <= kMaxLimit && "consumed units out of range");
  advance_to(now);
  for (Bucket& bucket : buckets_) {
    if (bucket.kind == kind) bucket.debit(now, units);
  }
}

RateLimitHeaders RateLimiter::headers(TimePoint now) const {
  assert(now >= last_now_ && "rate limiter time went backwards");
  RateLimitHeaders out;
  if (const Bucket* rpm = main_bucket(LimitKind::rpm)) {
    out.limit_requests = rpm->capacity;
    out.remaining_requests = rpm->whole_units(now);
    out.reset_requests = rpm->wait_for(now, rpm->capacity);
  }
  if (const Bucket* tpm = main_bucket(LimitKind::tpm)) {
    out.limit_tokens = tpm->capacity;
    out.remaining_tokens = tpm->whole_units(now);
    out.reset_tokens = tpm->wait_for(now, tpm->capacity);
  }
  if (const Bucket* itpm = main_bucket(LimitKind::itpm)) {
    out.limit_input_tokens = itpm->capacity;
    out.remaining_input_tokens = itpm->whole_units(now);
    out.reset_input_tokens = itpm->wait_for(now, itpm->capacity);
  }
  if (const Bucket* otpm = main_bucket(LimitKind::otpm)) {
    out.limit_output_tokens = otpm->capacity;
    out.remaining_output_tokens = otpm->whole_units(now);
    out.reset_output_tokens = otpm->wait_for(now, otpm->capacity);
  }
  return out;
}

bool RateLimiter::is_full(TimePoint now) const {
  return std::all_of(buckets_.begin(), buckets_.end(), [now](const Bucket& bucket) {
    return bucket.level_scaled(now) == Int128{bucket.capacity} * bucket.rate_period.count();
  });
}

std::vector<LimiterLevel> RateLimiter::levels(TimePoint now) const {
  assert(now >= last_now_ && "rate limiter time went backwards");
  std::vector<LimiterLevel> out;
  for (const Bucket& bucket : buckets_) {
    if (bucket.is_quantized) continue;
    // Whole units and the fraction apart, so whole levels are exact even above 2^53 / period.
    const Int128 level = bucket.level_scaled(now);
    const auto period = bucket.rate_period.count();
    const double fraction = static_cast<double>(level % period) / static_cast<double>(period);
    out.push_back({bucket.kind, bucket.capacity, static_cast<double>(level / period) + fraction});
  }
  return out;
}

void RateLimiter::reset() {
  for (Bucket& bucket : buckets_) bucket.fill();
}

}  // namespace llmsim
