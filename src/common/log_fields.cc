#include "common/log_fields.h"

#include <algorithm>

namespace tgscribe {
namespace {

thread_local const LogScope* t_innermost = nullptr;

}  // namespace

LogScope::LogScope(LogFields fields) : fields_(std::move(fields)), outer_(t_innermost) {
  t_innermost = this;
}

LogScope::~LogScope() { t_innermost = outer_; }

void LogScope::set(LogField field) {
  for (auto& f : fields_) {
    if (f.key == field.key) {
      f.value = std::move(field.value);
      return;
    }
  }
  fields_.push_back(std::move(field));
}

LogFields current_log_fields() {
  std::vector<const LogScope*> chain;
  for (const LogScope* s = t_innermost; s; s = s->outer_) chain.push_back(s);
  LogFields out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const auto& f : (*it)->fields_) {
      auto same =
          std::find_if(out.begin(), out.end(), [&](const LogField& o) { return o.key == f.key; });
      if (same != out.end()) {
        same->value = f.value;
      } else {
        out.push_back(f);
      }
    }
  }
  return out;
}

}  // namespace tgscribe
