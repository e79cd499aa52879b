#pragma once
// `tgscribe doctor`: checks everything a first start needs (configuration, token, webhook or
// polling state, engines, stores, DATA_DIR, FFmpeg, local Bot API mode) and prints one line
// per check as it completes, then a summary. See docs/operations.md.
#include "config/config_loader.h"

namespace tgscribe::app {

struct DoctorOptions {
  // Check the engines' settings without sending them the 1-second test request (no cost).
  bool no_engine_requests = false;
};

// Runs every check, also after a failed one (the operator fixes everything in one go); returns
// 0 when nothing failed, 2 when the configuration is wrong, 1 when another check failed.
int run_doctor(const config::LoadResult& loaded, const DoctorOptions& options);

}  // namespace tgscribe::app
