#pragma once
#include <string>
#include <vector>

#include "config/config.h"

namespace tgscribe::app {

struct TranscribeOptions {
  std::vector<std::string> files;
  std::string output_dir;
  std::string formats_text;  // as typed; empty = txt
  std::string engine;
  std::string language;
  bool no_cache = false;
  bool translate = false;
  // Speaker labels ("Speaker 1: ..."): asked of the engines that can tell speakers apart.
  bool speakers = false;
};

// The --speakers problem with this configuration's engine chain (none of them can tell
// speakers apart), or "" when there is none.
std::string speakers_problem(const config::Config& config, const TranscribeOptions& options);

// Usage problems in the flags themselves (unknown format, ...), one line each.
std::vector<std::string> validate_transcribe_options(const TranscribeOptions& options);

// `tgscribe transcribe`: returns the worst exit code met over all files (4 > 3 > 0).
int run_transcribe(const config::Config& config, const TranscribeOptions& options);

}  // namespace tgscribe::app
