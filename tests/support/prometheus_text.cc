#include "support/prometheus_text.h"

#include <cmath>
#include <cstdlib>
#include <set>

namespace tgscribe::testing {
namespace {

bool valid_metric_name(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view n) {
  if (n.empty() || n.substr(0, 2) == "__") return false;  // "__" is reserved for Prometheus
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<double> parse_value(std::string_view v) {
  if (v == "NaN") return std::nan("");
  if (v == "+Inf") return INFINITY;
  if (v == "-Inf") return -INFINITY;
  if (v.empty()) return std::nullopt;
  std::string s(v);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  // strtod also takes "inf", "nan", hex floats and leading spaces; the format does not.
  if (end != s.c_str() + s.size() || s.find_first_of("xXnN ") != std::string::npos) {
    return std::nullopt;
  }
  return d;
}

struct Reader {
  std::string_view line;
  size_t pos = 0;
  bool done() const { return pos >= line.size(); }
  char peek() const { return done() ? '\0' : line[pos]; }
  std::string_view take_while(bool (*pred)(char)) {
    size_t start = pos;
    while (!done() && pred(line[pos])) ++pos;
    return line.substr(start, pos - start);
  }
};

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':';
}

// name{labels} value [timestamp]; an error text or "".
std::string parse_sample(std::string_view line, PromSample& out) {
  Reader r{line};
  out.name = std::string(r.take_while(name_char));
  if (!valid_metric_name(out.name)) return "invalid metric name";
  if (r.peek() == '{') {
    ++r.pos;
    while (r.peek() != '}') {
      std::string name(r.take_while(name_char));
      if (!valid_label_name(name)) return "invalid label name \"" + name + "\"";
      if (r.peek() != '=') return "expected '=' after label " + name;
      ++r.pos;
      if (r.peek() != '"') return "label value of " + name + " not quoted";
      ++r.pos;
      std::string value;
      for (;;) {
        if (r.done()) return "unterminated label value of " + name;
        char c = line[r.pos++];
        if (c == '"') break;
        if (c == '\\') {
          char e = r.peek();
          ++r.pos;
          if (e == '\\' || e == '"')
            value.push_back(e);
          else if (e == 'n')
            value.push_back('\n');
          else
            return "bad escape in label value of " + name;
        } else if (c == '\n') {
          return "raw line feed in label value of " + name;
        } else {
          value.push_back(c);
        }
      }
      if (!out.labels.emplace(name, value).second) return "label " + name + " repeated";
      if (r.peek() == ',') {
        ++r.pos;
        continue;
      }
      if (r.peek() != '}') return "expected ',' or '}' after label " + name;
    }
    ++r.pos;
  }
  if (r.peek() != ' ') return "expected a space before the value";
  ++r.pos;
  size_t space = line.find(' ', r.pos);
  std::string_view value =
      line.substr(r.pos, space == std::string_view::npos ? line.npos : space - r.pos);
  auto v = parse_value(value);
  if (!v) return "invalid value \"" + std::string(value) + "\"";
  out.value = *v;
  if (space != std::string_view::npos) {
    std::string_view ts = line.substr(space + 1);
    if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string_view::npos) {
      return "invalid timestamp \"" + std::string(ts) + "\"";
    }
  }
  return "";
}

std::string series_key(const PromSample& s) {
  std::string k = s.name + "{";
  for (const auto& [n, v] : s.labels) k += n + "=" + v + "\x1f";
  return k + "}";
}

// The histogram rules, per series (the labels other than `le`).
void check_histogram(const PromFamily& f, std::vector<std::string>& errors) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // (le, count) in the order written
    std::optional<double> count, sum;
  };
  std::map<std::map<std::string, std::string>, Series> series;
  for (const auto& s : f.samples) {
    auto labels = s.labels;
    if (s.name == f.name + "_bucket") {
      auto le = labels.find("le");
      if (le == labels.end()) {
        errors.push_back(f.name + ": a bucket without le");
        continue;
      }
      auto bound = parse_value(le->second);
      if (!bound) {
        errors.push_back(f.name + ": bucket le=\"" + le->second + "\" is not a number");
        continue;
      }
      labels.erase(le);
      series[labels].buckets.emplace_back(*bound, s.value);
    } else if (s.name == f.name + "_count") {
      series[labels].count = s.value;
    } else if (s.name == f.name + "_sum") {
      series[labels].sum = s.value;
    } else {
      errors.push_back(f.name + ": sample " + s.name + " does not belong to a histogram");
    }
  }
  for (const auto& [labels, s] : series) {
    std::string where = f.name;
    for (const auto& [n, v] : labels) where += " " + n + "=" + v;
    if (s.buckets.empty() || !std::isinf(s.buckets.back().first)) {
      errors.push_back(where + ": buckets do not end with le=\"+Inf\"");
    }
    for (size_t i = 0; i < s.buckets.size(); ++i) {
      double count = s.buckets[i].second;
      if (count < 0 || count != std::floor(count)) {
        errors.push_back(where + ": bucket count is not a whole number >= 0");
      }
      if (i == 0) continue;
      if (!(s.buckets[i].first > s.buckets[i - 1].first)) {
        errors.push_back(where + ": bucket bounds do not increase");
      }
      if (count < s.buckets[i - 1].second) {
        errors.push_back(where + ": bucket counts are not cumulative");
      }
    }
    if (!s.count) {
      errors.push_back(where + ": no _count");
    } else if (!s.buckets.empty() && *s.count != s.buckets.back().second) {
      errors.push_back(where + ": _count differs from the +Inf bucket");
    }
    if (!s.sum) errors.push_back(where + ": no _sum");
  }
}

bool belongs(const PromFamily& f, const std::string& sample) {
  if (sample == f.name) return f.type != "histogram";
  if (f.type == "histogram") {
    return sample == f.name + "_bucket" || sample == f.name + "_sum" || sample == f.name + "_count";
  }
  if (f.type == "summary") return sample == f.name + "_sum" || sample == f.name + "_count";
  return false;
}

}  // namespace

std::string PromExposition::errors_text() const {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

const PromFamily* PromExposition::family_of(const std::string& name) const {
  if (auto it = families.find(name); it != families.end()) return &it->second;
  for (std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (!ends_with(name, suffix)) continue;
    auto it = families.find(name.substr(0, name.size() - suffix.size()));
    if (it == families.end()) continue;
    bool ok =
        it->second.type == "histogram" || (it->second.type == "summary" && suffix != "_bucket");
    if (ok) return &it->second;
  }
  return nullptr;
}

PromExposition parse_prometheus_text(std::string_view text) {
  PromExposition out;
  auto& errors = out.errors;
  if (text.empty()) {
    errors.push_back("empty exposition");
    return out;
  }
  if (text.back() != '\n') errors.push_back("the last line does not end with a line feed");
  std::set<std::string> series_seen;
  std::set<std::string> closed;  // families whose samples ended: they may not come back
  std::string current;           // the family the last HELP/TYPE/sample line belongs to
  size_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    std::string at = "line " + std::to_string(number) + ": ";
    if (line.empty()) {
      errors.push_back(at + "blank line");
      continue;
    }
    auto switch_to = [&](const std::string& family) {
      if (family == current) return true;
      if (!current.empty()) closed.insert(current);
      if (closed.count(family)) {
        errors.push_back(at + family + " continues after another family");
        return false;
      }
      current = family;
      return true;
    };
    if (line[0] == '#') {
      bool help = line.substr(0, 7) == "# HELP ";
      bool type = line.substr(0, 7) == "# TYPE ";
      if (!help && !type) {
        errors.push_back(at + "comment other than HELP or TYPE");
        continue;
      }
      std::string_view rest = line.substr(7);
      size_t space = rest.find(' ');
      std::string name(rest.substr(0, space));
      std::string_view arg =
          space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      if (!valid_metric_name(name)) {
        errors.push_back(at + "invalid metric name \"" + name + "\"");
        continue;
      }
      if (!switch_to(name)) continue;
      auto& f = out.families[name];
      f.name = name;
      if (!f.samples.empty()) {
        errors.push_back(at + name + ": HELP/TYPE after its samples");
      }
      if (help) {
        if (f.has_help) errors.push_back(at + name + ": HELP repeated");
        if (arg.empty()) errors.push_back(at + name + ": empty HELP");
        for (size_t i = 0; i < arg.size(); ++i) {
          if (arg[i] != '\\') continue;
          char e = i + 1 < arg.size() ? arg[i + 1] : '\0';
          if (e != '\\' && e != 'n') errors.push_back(at + name + ": bad escape in HELP");
          ++i;
        }
        f.has_help = true;
        f.help = std::string(arg);
      } else {
        if (!f.type.empty()) errors.push_back(at + name + ": TYPE repeated");
        std::string t(arg);
        if (t != "counter" && t != "gauge" && t != "histogram" && t != "summary" &&
            t != "untyped") {
          errors.push_back(at + name + ": unknown TYPE \"" + t + "\"");
        }
        f.type = t;
      }
      continue;
    }
    PromSample sample;
    if (std::string e = parse_sample(line, sample); !e.empty()) {
      errors.push_back(at + e);
      continue;
    }
    // The family is the one whose HELP/TYPE came last; a sample of another family is one
    // without its own HELP and TYPE.
    auto it = out.families.find(current);
    if (it == out.families.end() || !belongs(it->second, sample.name)) {
      errors.push_back(at + sample.name + ": sample without its own # HELP and # TYPE");
      continue;
    }
    PromFamily& f = it->second;
    if (!series_seen.insert(series_key(sample)).second) {
      errors.push_back(at + "series repeated: " + std::string(line));
    }
    if (f.type == "counter" && !(sample.value >= 0 && std::isfinite(sample.value))) {
      errors.push_back(at + f.name + ": counter value must be finite and >= 0");
    }
    f.samples.push_back(std::move(sample));
  }
  for (const auto& [name, f] : out.families) {
    if (!f.has_help) errors.push_back(name + ": no # HELP");
    if (f.type.empty()) errors.push_back(name + ": no # TYPE");
    if (f.type == "counter" && !ends_with(name, "_total")) {
      errors.push_back(name + ": a counter's name must end in _total");
    }
    if (f.type != "counter" && ends_with(name, "_total")) {
      errors.push_back(name + ": only counters end in _total");
    }
    if (f.type == "histogram") check_histogram(f, errors);
  }
  return out;
}

}  // namespace tgscribe::testing
