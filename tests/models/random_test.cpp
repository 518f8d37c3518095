// Tests for RandomStream: pinned first draws, stream independence by identity, uniform ranges.
#include "models/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>

namespace llmsim {
namespace {

// Returns the first five raw draws of `rng`.
std::array<std::uint64_t, 5> first_five(RandomStream rng) {
  std::array<std::uint64_t, 5> draws{};
  for (auto& draw : draws) {
    draw = rng.next_u64();
  }
  return draws;
}

// The identity of a stream; the fields default like RandomStream's constructor.
struct Identity {
  std::uint64_t seed;
  const char* purpose;
  std::uint64_t id = 0;
  std::uint64_t sub = 0;
};

RandomStream make_stream(const Identity& identity) {
  return RandomStream(identity.seed, identity.purpose, identity.id, identity.sub);
}

// Known answers, computed once from this implementation: any change to the hashing or the
// generator changes every scenario's draws and must be made on purpose.
TEST(RandomStreamTest, FirstDrawsOfLatencyStreamArePinned) {
  const std::array<std::uint64_t, 5> expected = {
      0xb3ffae85f892d497ULL, 0xd5a9e7f82df0e447ULL, 0x69271b0a96d188d5ULL,
      0x557c7e9ded6e6a7cULL, 0x7982dd1c6e37ca04ULL};
  EXPECT_EQ(first_five(RandomStream(42, "latency", 7, 1)), expected);
}

TEST(RandomStreamTest, FirstDrawsOfDefaultIdStreamArePinned) {
  const std::array<std::uint64_t, 5> expected = {
      0x1cd301a6fd915d74ULL, 0x673d5f4c820d6759ULL, 0x087f2c0bbae7f577ULL,
      0x1b3d2b4b4cdd0037ULL, 0x8c3f884b3f412369ULL};
  EXPECT_EQ(first_five(RandomStream(1, "x")), expected);
}

TEST(RandomStreamTest, IsUsableAtCompileTime) {
  constexpr std::uint64_t first = RandomStream(1, "x").next_u64();
  static_assert(first == 0x1cd301a6fd915d74ULL);
  EXPECT_EQ(first, 0x1cd301a6fd915d74ULL);
}

TEST(RandomStreamTest, SameIdentityGivesSameStream) {
  EXPECT_EQ(first_five(RandomStream(42, "latency", 7, 1)),
            first_five(RandomStream(42, "latency", 7, 1)));
}

TEST(RandomStreamTest, EachPartOfTheIdentitySelectsADifferentStream) {
  const Identity base{42, "latency", 7, 1};
  const std::array<Identity, 7> variants = {{
      {43, "latency", 7, 1},  // another seed
      {42, "think", 7, 1},    // another purpose
      {42, "latenc", 7, 1},   // a purpose that is a prefix
      {42, "latency", 8, 1},  // another id
      {42, "latency", 7, 2},  // another sub (attempt)
      {42, "latency", 1, 7},  // id and sub swapped
      {42, "latency", 7, 0},  // sub left at its default
  }};
  const auto base_draws = first_five(make_stream(base));
  for (const Identity& variant : variants) {
    const auto draws = first_five(make_stream(variant));
    for (std::size_t i = 0; i < draws.size(); ++i) {
      EXPECT_NE(draws[i], base_draws[i])
          << variant.seed << "/" << variant.purpose << "/" << variant.id << "/" << variant.sub;
    }
  }
}

TEST(RandomStreamTest, Uniform01IsInHalfOpenUnitInterval) {
  RandomStream rng(3, "range");
  for (int i = 0; i < 100'000; ++i) {
    const double u = rng.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(RandomStreamTest, UniformOpen01IsInOpenUnitInterval) {
  RandomStream rng(3, "range");
  for (int i = 0; i < 100'000; ++i) {
    const double u = rng.uniform_open01();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(RandomStreamTest, UniformOpen01IsHalfAStepAboveUniform01) {
  RandomStream closed(5, "pair");
  RandomStream open(5, "pair");
  for (int i = 0; i < 1000; ++i) {
    // Half a step of 2^-53 above the same draw; above 0.5 the half step rounds to 0 or a whole step.
    EXPECT_NEAR(open.uniform_open01() - closed.uniform01(), 0x1.0p-54, 0x1.0p-54);
  }
}

TEST(RandomStreamTest, MeanOfUniformsIsOneHalf) {
  constexpr int kSamples = 1'000'000;
  RandomStream rng(11, "mean");
  double sum = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    sum += rng.uniform01();
  }
  // U(0,1) has variance 1/12, so the sample mean's standard error is sqrt(1/12 / n) (~2.9e-4);
  // allow five standard errors.
  const double standard_error = std::sqrt(1.0 / 12.0 / kSamples);
  EXPECT_NEAR(sum / kSamples, 0.5, 5.0 * standard_error);
}

}  // namespace
}  // namespace llmsim
