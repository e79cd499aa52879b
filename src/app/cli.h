#pragma once

namespace tgscribe::app {

// Parses the command line and runs a subcommand; returns the process exit code (contract:
// 0 ok, 1 internal, 2 usage/config, 3 media rejected, 4 transcription failed).
int run_cli(int argc, char** argv);

}  // namespace tgscribe::app
