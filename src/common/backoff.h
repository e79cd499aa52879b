#pragma once
// Exponential backoff, the one formula behind every retry wait (engine retries, job retries,
// Telegram sends and polling, the outbox, Redis reconnects): the wait doubles per failure up to
// a cap, and may be scaled by a random factor (jitter) so that clients that failed together (an
// outage) do not all come back at the same instant. Each caller keeps its own base, cap and
// jitter; only the arithmetic lives here.
#include <chrono>
#include <random>

namespace tgscribe {

// base * 2^doublings, at most `cap` (doublings < 0 count as 0). Never overflows, however many
// failures there were.
std::chrono::milliseconds exponential_backoff(std::chrono::milliseconds base,
                                              std::chrono::milliseconds cap, int doublings);

// The wait after one more failure: twice `current`, at most `cap`.
inline std::chrono::milliseconds next_backoff(std::chrono::milliseconds current,
                                              std::chrono::milliseconds cap) {
  return exponential_backoff(current, cap, 1);
}

// Scales a wait by a random factor in [min_factor, max_factor]: {0.5, 1.0} waits between half
// and all of it, {1.0, 1.25} up to a quarter more. The default {1, 1} is no jitter.
struct Jitter {
  double min_factor = 1.0;
  double max_factor = 1.0;

  // `unit` is a random draw in [0, 1]: 0 gives min_factor, 1 gives max_factor. Whole
  // milliseconds, rounded down.
  std::chrono::milliseconds apply(std::chrono::milliseconds delay, double unit) const;

  // Draws `unit` from `random` (std::mt19937_64 in production; tests inject their own
  // generator, so the draw is deterministic).
  template <std::uniform_random_bit_generator Random>
  std::chrono::milliseconds apply(std::chrono::milliseconds delay, Random& random) const {
    return apply(delay, std::uniform_real_distribution<double>(0.0, 1.0)(random));
  }
};

}  // namespace tgscribe
