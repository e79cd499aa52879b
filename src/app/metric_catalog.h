#pragma once
// Every metric `tgscribe bot` can show on /metrics, declared before the first scrape.
//
// Modules count where things happen (jobs/, telegram/, engine/, server/ ...); most series
// would then appear only with their first event, and a family only once the component that
// describes it is built (the webhook server's, in webhook mode). Prometheus and Grafana read a
// missing series as "no data", not as zero: rate() needs the zero before the first increment,
// and a dashboard panel stays empty in the modes that never count it. So the app declares
// them all here, in every mode and role: HELP, TYPE, buckets, and each series whose label
// values are known in advance, at zero.
#include <string>
#include <vector>

#include "config/config.h"

namespace tgscribe::app {

// The engines whose series are created: the primary engine then the fallbacks, as
// engine::make_engine_chain orders them (an ingest-only instance reports them too).
std::vector<std::string> configured_engines(const config::Config& config);

// Describes every family of metrics::Registry::global() and creates the series of known label
// values at zero; families a module declares itself (jobs::UsageRecorder) through that
// module. Safe to call again; never resets a value already counted.
void declare_bot_metrics(const config::Config& config);

}  // namespace tgscribe::app
