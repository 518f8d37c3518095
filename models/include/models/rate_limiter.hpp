// OpenAI-style rate limiting: one continuously refilling bucket (GCRA) per limit.
//
// Each limit (requests per minute, tokens per minute, requests per day, tokens per day, and
// Anthropic's input and output tokens per minute) is a bucket of capacity L refilled at L per
// window (60 s or 86 400 s). A request of cost (1 request, `tokens` tokens on TPM and TPD, its
// input tokens on ITPM, its output estimate on OTPM) is admitted when every bucket holds its
// cost, and then every bucket is debited together; otherwise nothing is debited and the refusal
// names the first limit, in the order RPM, TPM, RPD, TPD, ITPM, OTPM, whose bucket is short, with
// the wait until it would hold the cost:
// wait = (cost - available) / rate. A cost above a bucket's capacity is refused at once as
// "too large" (no wait helps). Optional quantization adds a short-window bucket per per-minute
// limit, as OpenAI says it "can enforce limits over shorter periods": capacity
// max(1, L * window / 60 s), refilled at the same L / 60 s; a request needs min(cost, capacity)
// of it, and a refusal by it is reported as its per-minute limit (with its own wait).
//
// Levels are kept exactly in integer units (nanoseconds x units) so the public examples in
// shared/reference/openai-api-notes.md are reproduced to the millisecond on every platform:
// waits and resets are rounded up to the next nanosecond, so waiting them always suffices.
// Limits must be in [1, 1e15] units; `now` must never go backwards (asserted).
//
//   RateLimiter limiter(RateLimits{.rpm = 500, .tpm = 200000});
//   Admission a = limiter.try_admit(now, /*tokens=*/385);
//   if (!a.admitted) wait = a.wait;            // a.refused_by == LimitKind::rpm ...
//   headers = a.headers;                        // x-ratelimit-* values
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/time.hpp"

namespace llmsim {

enum class LimitKind { none, rpm, tpm, rpd, tpd, itpm, otpm };

// Returns "RPM", "TPM", "RPD", "TPD", "ITPM" or "OTPM" (and "none").
const char* limit_name(LimitKind kind);

struct RateLimits {
  std::optional<std::int64_t> rpm;  // requests per minute
  std::optional<std::int64_t> tpm;  // tokens per minute
  std::optional<std::int64_t> rpd;  // requests per day
  std::optional<std::int64_t> tpd;  // tokens per day
  std::optional<std::int64_t> itpm;  // input tokens per minute (Anthropic)
  std::optional<std::int64_t> otpm;  // output tokens per minute (Anthropic)
  // When set, per-minute limits are also enforced over this shorter window (off by default).
  std::optional<Duration> quantization_window;
};

// The per-minute limits' values a response's rate-limit headers carry: OpenAI's x-ratelimit-*
// (requests, tokens), Anthropic's anthropic-ratelimit-* (requests, input and output tokens; its
// combined tokens-* headers are the wire's to derive). Resets are the time until full.
struct RateLimitHeaders {
  std::optional<std::int64_t> limit_requests;
  std::optional<std::int64_t> remaining_requests;
  std::optional<Duration> reset_requests;
  std::optional<std::int64_t> limit_tokens;
  std::optional<std::int64_t> remaining_tokens;
  std::optional<Duration> reset_tokens;
  std::optional<std::int64_t> limit_input_tokens;
  std::optional<std::int64_t> remaining_input_tokens;
  std::optional<Duration> reset_input_tokens;
  std::optional<std::int64_t> limit_output_tokens;
  std::optional<std::int64_t> remaining_output_tokens;
  std::optional<Duration> reset_output_tokens;

  bool operator==(const RateLimitHeaders&) const = default;
};

// What one request costs: `tokens` on TPM and TPD (OpenAI's estimate), `input_tokens` on ITPM
// and `output_tokens` (the output estimate, max_tokens) on OTPM; one request on RPM and RPD.
struct RequestCost {
  std::int64_t tokens = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

struct Admission {
  bool admitted = false;
  bool too_large = false;             // cost exceeds a bucket's capacity; no wait helps
  LimitKind refused_by = LimitKind::none;
  std::int64_t limit = 0;             // L of the refusing limit
  std::int64_t used = 0;              // L - floor(available) of the refusing limit, before this request
  std::int64_t requested = 0;         // cost of this request on the refusing limit
  Duration wait{0};                   // until the refusing bucket would hold the cost
  RateLimitHeaders headers;           // after the decision (debited when admitted)
};

// A level snapshot, for reports and /metrics.
struct LimiterLevel {
  LimitKind kind;
  std::int64_t limit;
  double available;  // units currently in the bucket
};

class RateLimiter {
 public:
  // Creates a limiter with every bucket full. Throws std::invalid_argument when a limit is
  // outside [1, 1e15] ("rate limit TPM: must be in [1, 1000000000000000], got 0") or the
  // quantization window is not positive ("quantization window: must be > 0 ns, got -5").
  explicit RateLimiter(const RateLimits& limits);

  // Decides whether a request of `cost` is admitted at `now`, and debits every bucket when it
  // is. `now` must not go backwards (asserted); no cost may be negative (asserted).
  Admission try_admit(TimePoint now, const RequestCost& cost);

  // The same for a request of 1 request and `tokens` tokens on TPM and TPD (none on ITPM, OTPM).
  Admission try_admit(TimePoint now, std::int64_t tokens) {
    return try_admit(now, RequestCost{.tokens = tokens});
  }

  // Marks `units` (>= 0) of a limit as already used at `now` (for example requests made earlier
  // today), in its quantized bucket too; a level never goes below zero. Unconfigured: no effect.
  void consume(TimePoint now, LimitKind kind, std::int64_t units);

  // Returns the x-ratelimit-* values at `now` without changing anything.
  RateLimitHeaders headers(TimePoint now) const;

  // Returns each configured limit's level at `now`, in the order RPM, TPM, RPD, TPD, ITPM, OTPM.
  std::vector<LimiterLevel> levels(TimePoint now) const;

  // Returns whether every bucket (the quantized ones too) is full at `now`: the limiter then
  // answers every request as a new one would.
  bool is_full(TimePoint now) const;

  // Refills every bucket to capacity (the mock server's admin reset).
  void reset();

  const RateLimits& limits() const { return limits_; }

  // Returns what a request of `cost` takes from limit `kind`: 1 on RPM and RPD, its tokens on TPM
  // and TPD, its input tokens on ITPM, its output tokens on OTPM.
  static std::int64_t units_of(LimitKind kind, const RequestCost& cost);

 private:
  // GCC's 128-bit integer: levels are products of nanoseconds and units (a day in ns times a
  // large token limit does not fit 64 bits). __extension__ keeps -Wpedantic quiet.
  __extension__ typedef __int128 Int128;

  // One limit's bucket (GCRA): it holds min(capacity, (now * rate_units - empty_scaled) /
  // rate_period) units, where empty_scaled is the time it was (or will be) empty, in ns, times
  // rate_units. Every quantity below is exact; "scaled" means units x ns.
  struct Bucket {
    LimitKind kind = LimitKind::none;
    bool is_quantized = false;       // the optional short-window check
    std::int64_t capacity = 0;       // units
    std::int64_t rate_units = 0;     // refills rate_units per rate_period
    Duration rate_period{0};
    Int128 empty_scaled = 0;

    // Returns the level at `now` times rate_period (units x ns), in [0, capacity * rate_period].
    Int128 level_scaled(TimePoint now) const;
    // Returns whole units available at `now` (floor).
    std::int64_t whole_units(TimePoint now) const;
    // Returns the time from `now` until the bucket holds `cost` units (zero when it does).
    Duration wait_for(TimePoint now, std::int64_t cost) const;
    // Removes `cost` units at `now`, stopping at empty.
    void debit(TimePoint now, std::int64_t cost);
    // Fills the bucket for every time from now on.
    void fill();
  };

  // Returns the cost of a request on `bucket`.
  static std::int64_t cost_on(const Bucket& bucket, const RequestCost& cost);
  // Returns the unquantized bucket of `kind`, or nullptr when that limit is not configured.
  const Bucket* main_bucket(LimitKind kind) const;
  // Returns the refusal when some limit lacks room for `cost` at `now`, else nullopt.
  std::optional<Admission> find_refusal(TimePoint now, const RequestCost& cost) const;
  // Records `now` and asserts that time did not go backwards.
  void advance_to(TimePoint now);

  RateLimits limits_;
  std::vector<Bucket> buckets_;  // RPM, RPM quantized, TPM, TPM quantized, RPD, TPD, ITPM, OTPM (if set)
  TimePoint last_now_ = TimePoint::min();
};

}  // namespace llmsim
