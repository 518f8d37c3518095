// Seeded random streams named by purpose, and the project's own portable distributions' source.
//
// A RandomStream is identified by (seed, purpose, id, sub): for example (42, "latency", request 17,
// attempt 2). Its draws depend on nothing else, so adding a user, a retry or a strategy never
// shifts another stream's draws, and two what-if variants of a scenario see common random numbers.
// The generator is SplitMix64 over a key hashed from the identity (FNV-1a for the purpose), which
// is the same on every compiler and standard library. Known-answer tests pin the first draws.
//
//   RandomStream rng(seed, "think", user_id);
//   double u = rng.uniform01();            // in [0, 1)
#pragma once

#include <cstdint>
#include <string_view>

namespace llmsim {

// Returns the 64-bit FNV-1a hash of `text` (stable across platforms).
constexpr std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV offset basis
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // FNV prime
  }
  return hash;
}

// Returns SplitMix64's output function applied to `z` (a strong 64-bit mixer).
constexpr std::uint64_t splitmix64_mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class RandomStream {
 public:
  // Creates the stream named (seed, purpose, id, sub).
  constexpr RandomStream(std::uint64_t seed, std::string_view purpose, std::uint64_t id = 0,
                         std::uint64_t sub = 0)
      : state_(splitmix64_mix(splitmix64_mix(splitmix64_mix(seed ^ fnv1a64(purpose)) + id) +
                              sub)) {}

  // Returns the next 64 uniformly distributed bits.
  constexpr std::uint64_t next_u64() {
    state_ += 0x9e3779b97f4a7c15ULL;  // SplitMix64's golden-ratio increment
    return splitmix64_mix(state_);
  }

  // Returns a uniform double in [0, 1) with 53 random bits.
  constexpr double uniform01() {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  }

  // Returns a uniform double in (0, 1): never 0, safe for log().
  constexpr double uniform_open01() {
    return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
  }

 private:
  std::uint64_t state_;
};

}  // namespace llmsim
