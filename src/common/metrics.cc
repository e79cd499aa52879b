#include "common/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tgscribe::metrics {
namespace {

const std::vector<double> kDefaultBuckets = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

// HELP text escaping of the text format: only backslash and line feed.
std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

std::string render_labels(const Labels& labels, const std::string& extra_name = {},
                          const std::string& extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ",";
    first = false;
    out += k + "=\"" + escape_label(v) + "\"";
  }
  if (!extra_name.empty()) {
    if (!first) out += ",";
    out += extra_name + "=\"" + extra_value + "\"";
  }
  return out + "}";
}

std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

}  // namespace

Registry& Registry::global() {
  static Registry r;
  return r;
}

Registry::Family& Registry::family(const std::string& name, const char* default_type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(name, Family{}).first;
    it->second.type = default_type;
  }
  return it->second;
}

void Registry::describe(const std::string& name, const std::string& type, const std::string& help,
                        std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  auto& f = family(name, type.c_str());
  f.type = type;
  f.help = help;
  if (!buckets.empty()) f.buckets = std::move(buckets);
}

void Registry::touch(const std::string& name, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& f = family(name, "counter");
  if (f.type != "histogram") {
    f.values.try_emplace(labels, 0.0);
    return;
  }
  auto& h = f.histograms[labels];
  if (h.bounds.empty()) {
    h.bounds = f.buckets.empty() ? kDefaultBuckets : f.buckets;
    h.counts.assign(h.bounds.size(), 0);
  }
}

void Registry::counter_add(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  family(name, "counter").values[labels] += value;
}

void Registry::gauge_set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  family(name, "gauge").values[labels] = value;
}

void Registry::observe(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  auto& f = family(name, "histogram");
  auto& h = f.histograms[labels];
  if (h.bounds.empty()) {
    h.bounds = f.buckets.empty() ? kDefaultBuckets : f.buckets;
    h.counts.assign(h.bounds.size(), 0);
  }
  auto it = std::lower_bound(h.bounds.begin(), h.bounds.end(), value);
  if (it != h.bounds.end()) h.counts[it - h.bounds.begin()]++;
  h.count++;
  h.sum += value;
}

double Registry::counter_value(const std::string& name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto v = it->second.values.find(labels);
  return v == it->second.values.end() ? 0 : v->second;
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    std::string full = "tgscribe_" + name;
    if (!f.help.empty()) out += "# HELP " + full + " " + escape_help(f.help) + "\n";
    out += "# TYPE " + full + " " + f.type + "\n";
    if (f.type == "histogram") {
      for (const auto& [labels, h] : f.histograms) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < h.bounds.size(); ++i) {
          cumulative += h.counts[i];
          out += full + "_bucket" + render_labels(labels, "le", num(h.bounds[i])) + " " +
                 std::to_string(cumulative) + "\n";
        }
        out += full + "_bucket" + render_labels(labels, "le", "+Inf") + " " +
               std::to_string(h.count) + "\n";
        out += full + "_sum" + render_labels(labels) + " " + num(h.sum) + "\n";
        out += full + "_count" + render_labels(labels) + " " + std::to_string(h.count) + "\n";
      }
    } else {
      for (const auto& [labels, v] : f.values) {
        out += full + render_labels(labels) + " " + num(v) + "\n";
      }
    }
  }
  return out;
}

}  // namespace tgscribe::metrics
