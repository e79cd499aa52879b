#pragma once
// A small Prometheus registry. Written by hand because Debian 12 ships no prometheus-cpp;
// counters, gauges and histograms with labels are all /metrics needs.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tgscribe::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  // Every metric name gets the "tgscribe_" prefix when rendered.
  void counter_add(const std::string& name, const Labels& labels = {}, double value = 1);
  void gauge_set(const std::string& name, const Labels& labels, double value);
  void observe(const std::string& name, const Labels& labels, double value);  // histogram
  void describe(const std::string& name, const std::string& type, const std::string& help,
                std::vector<double> buckets = {});
  // Creates the series at zero (an empty histogram) unless it exists: a series that appears
  // only with its first event makes rate() and dashboards blind until then.
  void touch(const std::string& name, const Labels& labels = {});

  double counter_value(const std::string& name, const Labels& labels = {}) const;
  // Prometheus text exposition format 0.0.4.
  std::string render() const;

  static Registry& global();

 private:
  struct Histogram {
    std::vector<double> bounds;
    std::vector<uint64_t> counts;  // per bound, non-cumulative; +Inf is count - sum(counts)
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    std::string type = "counter";
    std::string help;
    std::vector<double> buckets;
    std::map<Labels, double> values;
    std::map<Labels, Histogram> histograms;
  };
  Family& family(const std::string& name, const char* default_type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace tgscribe::metrics
