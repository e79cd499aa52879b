#include "common/backoff.h"

#include <algorithm>
#include <cstdint>

namespace tgscribe {

std::chrono::milliseconds exponential_backoff(std::chrono::milliseconds base,
                                              std::chrono::milliseconds cap, int doublings) {
  if (base >= cap) return cap;
  if (base.count() <= 0) return base;  // zero doubled stays zero
  // Double step by step and stop at the cap: no shift or pow() that could overflow, and at most
  // 63 steps however large `doublings` is.
  std::chrono::milliseconds d = base;
  for (int i = 0; i < doublings && d < cap; ++i) d = d > cap / 2 ? cap : d * 2;
  return d;
}

std::chrono::milliseconds Jitter::apply(std::chrono::milliseconds delay, double unit) const {
  unit = std::clamp(unit, 0.0, 1.0);
  const double factor = min_factor + (max_factor - min_factor) * unit;
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(delay.count()) * factor));
}

}  // namespace tgscribe
