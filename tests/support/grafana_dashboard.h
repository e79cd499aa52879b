#pragma once
// The metric names a Grafana dashboard queries, read from its JSON model: every identifier
// starting with `prefix` in the PromQL of its panels' targets (`expr`) and of its template
// variables (`query`, `definition`). Names are as written (a histogram's end in _bucket);
// PromExposition::family_of maps them to families.
#include <set>
#include <string>

namespace tgscribe::testing {

// Throws std::runtime_error when `dashboard_json` is not JSON.
std::set<std::string> metric_names_in_dashboard(const std::string& dashboard_json,
                                                const std::string& prefix = "tgscribe_");

}  // namespace tgscribe::testing
