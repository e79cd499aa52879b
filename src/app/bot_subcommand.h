#pragma once
#include "config/config.h"

namespace tgscribe::app {

// `tgscribe bot`: runs until SIGTERM/SIGINT; returns the exit code.
int run_bot(const config::Config& config);

}  // namespace tgscribe::app
