#include "app/cli.h"

namespace tgscribe::app {

int run_cli(int, char**) { return 1; }

}  // namespace tgscribe::app
