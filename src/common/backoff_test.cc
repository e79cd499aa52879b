#include "common/backoff.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace tgscribe {
namespace {

using std::chrono::milliseconds;

TEST(ExponentialBackoff, DoublesPerFailureUpToTheCap) {
  EXPECT_EQ(exponential_backoff(milliseconds(1000), milliseconds(30'000), 0), milliseconds(1000));
  EXPECT_EQ(exponential_backoff(milliseconds(1000), milliseconds(30'000), 1), milliseconds(2000));
  EXPECT_EQ(exponential_backoff(milliseconds(1000), milliseconds(30'000), 4), milliseconds(16'000));
  EXPECT_EQ(exponential_backoff(milliseconds(1000), milliseconds(30'000), 5), milliseconds(30'000));
  EXPECT_EQ(exponential_backoff(milliseconds(1000), milliseconds(30'000), -3), milliseconds(1000));
}

TEST(ExponentialBackoff, NeverOverflowsHoweverManyFailures) {
  const milliseconds huge(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(exponential_backoff(milliseconds(1000), milliseconds(60'000), 1'000'000),
            milliseconds(60'000));
  EXPECT_EQ(exponential_backoff(milliseconds(3), huge, std::numeric_limits<int>::max()), huge);
  // A base at or above the cap is the cap; zero stays zero.
  EXPECT_EQ(exponential_backoff(milliseconds(90'000), milliseconds(60'000), 0),
            milliseconds(60'000));
  EXPECT_EQ(exponential_backoff(milliseconds(0), milliseconds(60'000), 40), milliseconds(0));
}

TEST(NextBackoff, IsTwiceTheCurrentAtMostTheCap) {
  milliseconds b(500);
  std::vector<int64_t> seen;
  for (int i = 0; i < 6; ++i) {
    seen.push_back(b.count());
    b = next_backoff(b, milliseconds(8000));
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{500, 1000, 2000, 4000, 8000, 8000}));
}

TEST(Jitter, ScalesBetweenTheFactorsByTheDraw) {
  Jitter half_to_full{0.5, 1.0};
  EXPECT_EQ(half_to_full.apply(milliseconds(8000), 0.0), milliseconds(4000));
  EXPECT_EQ(half_to_full.apply(milliseconds(8000), 0.5), milliseconds(6000));
  EXPECT_EQ(half_to_full.apply(milliseconds(8000), 1.0), milliseconds(8000));
  Jitter quarter_more{1.0, 1.25};
  EXPECT_EQ(quarter_more.apply(milliseconds(1000), 1.0), milliseconds(1250));
  // Draws outside [0, 1] are clamped: the bounds hold whatever the source.
  EXPECT_EQ(quarter_more.apply(milliseconds(1000), 7.0), milliseconds(1250));
  EXPECT_EQ(quarter_more.apply(milliseconds(1000), -1.0), milliseconds(1000));
  EXPECT_EQ(Jitter{}.apply(milliseconds(1234), 0.9), milliseconds(1234));
}

// A random source that always answers the same number: the draw is known in advance.
struct FixedRandom {
  using result_type = uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<uint64_t>::max(); }
  result_type operator()() { return value; }
  result_type value;
};

TEST(Jitter, TakesItsDrawFromTheInjectedSource) {
  Jitter j{0.5, 1.0};
  FixedRandom lowest{0};
  EXPECT_EQ(j.apply(milliseconds(8000), lowest), milliseconds(4000));
  FixedRandom middle{uint64_t{1} << 63};
  EXPECT_EQ(j.apply(milliseconds(8000), middle), milliseconds(6000));
}

TEST(Jitter, SeededSourceRepeatsAndStaysInBounds) {
  Jitter j{1.0, 1.25};
  std::mt19937_64 a(42), b(42);
  bool varied = false;
  milliseconds first = j.apply(milliseconds(10'000), a);
  EXPECT_EQ(first, j.apply(milliseconds(10'000), b));
  for (int i = 0; i < 200; ++i) {
    milliseconds d = j.apply(milliseconds(10'000), a);
    EXPECT_EQ(d, j.apply(milliseconds(10'000), b));
    EXPECT_GE(d.count(), 10'000);
    EXPECT_LE(d.count(), 12'500);
    varied = varied || d != first;
  }
  EXPECT_TRUE(varied);
}

}  // namespace
}  // namespace tgscribe
