#include "store/settings_store.h"

#include "common/strings.h"

namespace tgscribe::store {

std::string formats_to_text(const std::optional<std::vector<std::string>>& formats) {
  if (!formats) return "";
  if (formats->empty()) return "none";
  std::string out;
  for (const auto& f : *formats) out += (out.empty() ? "" : ",") + f;
  return out;
}

std::optional<std::vector<std::string>> formats_from_text(const std::string& text) {
  std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  if (t == "none") return std::vector<std::string>{};
  std::vector<std::string> out;
  for (const auto& f : split_list(t, ',')) {
    std::string name = trim(f);
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

}  // namespace tgscribe::store
