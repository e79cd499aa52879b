#include "support/grafana_dashboard.h"

#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

namespace tgscribe::testing {
namespace {

void collect(const nlohmann::json& node, const std::regex& name, std::set<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      bool promql = key == "expr" || key == "query" || key == "definition";
      if (promql && value.is_string()) {
        const std::string text = value.get<std::string>();
        for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it) {
          out.insert((*it)[1].str());
        }
      } else {
        collect(value, name, out);
      }
    }
  } else if (node.is_array()) {
    for (const auto& v : node) collect(v, name, out);
  }
}

}  // namespace

std::set<std::string> metric_names_in_dashboard(const std::string& dashboard_json,
                                                const std::string& prefix) {
  auto doc = nlohmann::json::parse(dashboard_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw std::runtime_error("the dashboard is not JSON");
  // A PromQL metric name: [a-zA-Z_:][a-zA-Z0-9_:]*, not preceded by another name character.
  const std::regex name("(?:^|[^a-zA-Z0-9_:])(" + prefix + "[a-zA-Z0-9_:]*)");
  std::set<std::string> out;
  collect(doc, name, out);
  return out;
}

}  // namespace tgscribe::testing
