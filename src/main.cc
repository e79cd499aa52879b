#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "app/cli.h"
#include "common/failpoint.h"

namespace {

// Before anything is read or written: what the process creates (DATA_DIR, the SQLite files,
// temporary media, transcripts) holds personal data and is the service user's alone, and a
// crash must not write the bot token and API keys that live in memory to a core file. Not
// dumpable also keeps other processes of the same user from attaching a debugger or reading
// /proc/<pid>/mem and environ.
void harden_process() {
  umask(077);
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace

int main(int argc, char** argv) {
  harden_process();
  // Failpoints are for tests (docs/architecture.md, "Failpoints"); unset, they cost nothing.
  if (std::string err = tgscribe::failpoints_from_env(); !err.empty()) {
    std::fprintf(stderr, "TGSCRIBE_FAILPOINTS: %s\n", err.c_str());
    return 2;
  }
  return tgscribe::app::run_cli(argc, argv);
}
