#include "app/cli.h"

int main(int argc, char** argv) { return tgscribe::app::run_cli(argc, argv); }
