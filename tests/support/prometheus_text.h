#pragma once
// A strict reader of the Prometheus text exposition format 0.0.4, for tests: it accepts what a
// careful exporter writes and names everything else, so a test can fail on a /metrics page
// that Prometheus would take but an operator could not trust (a family without HELP, a
// counter without _total, a histogram whose buckets disagree with its count).
//
// Written by hand: Debian 12 packages no Prometheus parser for C++, and `promtool` comes only
// with the whole Prometheus server (a ~100 MB package).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tgscribe::testing {

struct PromSample {
  std::string name;  // as written: a histogram's samples end in _bucket, _sum or _count
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string type;  // counter, gauge, histogram, summary, untyped
  std::string help;
  bool has_help = false;
  std::vector<PromSample> samples;
};

struct PromExposition {
  std::map<std::string, PromFamily> families;
  std::vector<std::string> errors;  // "line N: what is wrong"; empty when the page is clean
  bool ok() const { return errors.empty(); }
  // The errors one a line, for a failing test's message.
  std::string errors_text() const;

  // The family a name used in a query refers to: itself when it is a family, else a
  // histogram's (or summary's) name with its _bucket/_sum/_count suffix removed.
  const PromFamily* family_of(const std::string& name) const;
};

// Rules beyond the format's grammar, all of them checked:
// - every family has exactly one # HELP and one # TYPE line, before its first sample, and its
//   samples are contiguous; no other comment lines, no blank lines;
// - metric and label names are valid, label values correctly quoted and escaped, no label is
//   repeated, no series appears twice;
// - a counter's name ends in _total and its values are finite and >= 0;
// - a histogram's series each have buckets with increasing `le`, the last one +Inf,
//   cumulative counts that never decrease, a _count equal to the +Inf bucket, and a _sum.
PromExposition parse_prometheus_text(std::string_view text);

}  // namespace tgscribe::testing
