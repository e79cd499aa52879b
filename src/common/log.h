#pragma once
// Logging through spdlog, to stderr, with every line passed through redact().
#include <spdlog/spdlog.h>

#include <string_view>

namespace tgscribe {

// Installs the redacting stderr logger as spdlog's default. level: trace|debug|info|warn|error.
// Safe to call again (e.g. after the configuration is loaded, or on SIGHUP to reopen a file).
void init_logging(std::string_view level, std::string_view file = {});

bool valid_log_level(std::string_view level);

}  // namespace tgscribe
