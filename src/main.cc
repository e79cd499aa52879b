#include <cstdio>
#include <string>

#include "app/cli.h"
#include "common/failpoint.h"

int main(int argc, char** argv) {
  // Failpoints are for tests (docs/architecture.md, "Failpoints"); unset, they cost nothing.
  if (std::string err = tgscribe::failpoints_from_env(); !err.empty()) {
    std::fprintf(stderr, "TGSCRIBE_FAILPOINTS: %s\n", err.c_str());
    return 2;
  }
  return tgscribe::app::run_cli(argc, argv);
}
