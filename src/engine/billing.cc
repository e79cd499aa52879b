#include "engine/billing.h"

#include <algorithm>
#include <cmath>

namespace tgscribe::engine {

BillingRule billing_rule(const std::string& name, const config::Config& config) {
  if (name == "groq") return {10, 1, config.engine_price_groq};
  if (name == "openai") return {0, 1, config.engine_price_openai};
  if (name == "deepgram") return {0, 1, config.engine_price_deepgram};
  return {};  // sphinx and anything run locally
}

double billed_seconds(const BillingRule& rule, double audio_s) {
  if (!(audio_s > 0)) return 0;
  double billed = audio_s;
  if (rule.granularity_s > 0) {
    // A tiny epsilon keeps 30.000000001 s (a float sum) from becoming 31 s.
    billed = std::ceil(audio_s / rule.granularity_s - 1e-9) * rule.granularity_s;
  }
  return std::max(billed, rule.min_billed_s);
}

double cost_usd(const BillingRule& rule, double billed_s) {
  return std::max(0.0, billed_s) / 3600.0 * rule.usd_per_hour;
}

}  // namespace tgscribe::engine
