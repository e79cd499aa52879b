#include "jobs/status_reporter_eta.h"

#include <algorithm>
#include <cmath>

namespace tgscribe::jobs {

std::optional<double> estimate_ready_s(const EtaInputs& in) {
  const double pacing = std::max(0.0, in.pacing_wait_s);
  const bool known_speed = in.typical_job_s > 0;
  if (!known_speed && in.this_job_left_s < 0 && pacing <= 0) return std::nullopt;
  const int workers = std::max(1, in.workers);
  // The jobs ahead run `workers` at a time; this one starts when a worker frees up after
  // them, then takes its own time.
  const double rounds_ahead =
      std::floor(static_cast<double>(std::max<int64_t>(0, in.ahead)) / workers);
  double total = pacing + rounds_ahead * (known_speed ? in.typical_job_s : 0);
  total += in.this_job_left_s >= 0 ? in.this_job_left_s : (known_speed ? in.typical_job_s : 0);
  return total;
}

std::string format_wait(i18n::Lang lang, double seconds) {
  const bool id = lang == i18n::Lang::kId;
  if (seconds < 60) return id ? "kurang dari semenit" : "less than a minute";
  const int64_t minutes = static_cast<int64_t>(std::ceil(seconds / 60));
  if (minutes < 60) return std::to_string(minutes) + (id ? " menit" : " min");
  const int64_t h = minutes / 60, m = minutes % 60;
  std::string out = std::to_string(h) + (id ? " jam" : " h");
  if (m > 0) out += " " + std::to_string(m) + (id ? " menit" : " min");
  return out;
}

std::string eta_line(i18n::Lang lang, std::optional<double> seconds) {
  if (!seconds) return "";
  return i18n::tr(lang, i18n::Msg::kStatusEta, fmt::arg("eta", format_wait(lang, *seconds)));
}

}  // namespace tgscribe::jobs
