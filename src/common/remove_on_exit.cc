#include "common/remove_on_exit.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "common/error.h"

namespace tgscribe {

RemoveOnExit& RemoveOnExit::operator=(RemoveOnExit&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

void RemoveOnExit::remove() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

RemoveOnExit make_temp_dir(const std::filesystem::path& parent, const std::string& prefix) {
  std::string tmpl = (parent / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) {
    throw Error(ErrorKind::kInternal, "cannot make a temporary directory under " + parent.string() +
                                          ": " + std::strerror(errno));
  }
  return RemoveOnExit(tmpl);
}

}  // namespace tgscribe
