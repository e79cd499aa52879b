#pragma once
// Logging through spdlog, to stderr (or LOG_FILE), every line redacted (common/redact.h) and
// written in LOG_FORMAT: "text" for people and journald, "json" for machines (one object a
// line, with the structured fields of common/log_fields.h).
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

#include "common/log_fields.h"

namespace tgscribe {

// Installs the logger as spdlog's default. level: trace|debug|info|warn|error; format:
// text|json (anything else is text: the configuration validated it). Safe to call again (e.g.
// after the configuration is loaded, or on SIGHUP to reopen a file).
void init_logging(std::string_view level, std::string_view file = {},
                  std::string_view format = "text");

bool valid_log_level(std::string_view level);

// The formatter init_logging installs ("text" or "json"), for a logger of one's own (tests).
std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format, bool journald);

// True when stderr is the journal's stream (systemd sets JOURNAL_STREAM=<dev>:<inode> of it):
// text lines then carry a "<N>" priority prefix and no timestamp of their own.
bool stderr_is_journal();

}  // namespace tgscribe
