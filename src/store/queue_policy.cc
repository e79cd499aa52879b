#include "store/queue_policy.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace tgscribe::store {

double effective_priority(int64_t priority, int64_t created_ms, int64_t now_ms,
                          double aging_per_s) {
  double age_s = std::max<int64_t>(0, now_ms - created_ms) / 1000.0;
  return static_cast<double>(priority) - age_s * aging_per_s;
}

bool claims_before(const Job& a, const Job& b, int64_t now_ms, double aging_per_s) {
  double ea = effective_priority(a.priority, a.created_ms, now_ms, aging_per_s);
  double eb = effective_priority(b.priority, b.created_ms, now_ms, aging_per_s);
  if (ea != eb) return ea < eb;
  if (a.created_ms != b.created_ms) return a.created_ms < b.created_ms;
  return a.id < b.id;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  size_t idx = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(idx, values.size() - 1)];
}

std::string new_job_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  uint64_t v = rng();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) id[i] = kHex[v & 0xf];
  return id;
}

}  // namespace tgscribe::store
