#pragma once
// Failpoints: named places in the job's flow where a test makes the process die (as kill -9
// would: no destructors, no flush) or fail with an error, to prove that a crash or a fault
// there loses nothing and repeats nothing. Off unless configured, and then one relaxed atomic
// load per point.
//
// TGSCRIBE_FAILPOINTS="name=action[@N][xM],..." where action is
//   exit   _exit(kFailpointExitCode) at once
//   error  throw tgscribe::Error(kInternal, "failpoint <name>")
// @N (default 1): first fires on the N-th time the point is reached (counted per process);
// xM (default 1): fires M times in a row from there; x0: every time from there on.
// The names are listed in docs/architecture.md ("Failpoints").
#include <string>
#include <string_view>

namespace tgscribe {

constexpr int kFailpointExitCode = 86;

// Reads TGSCRIBE_FAILPOINTS (called by main before anything runs). Returns an error text for a
// malformed spec, "" when fine.
std::string failpoints_from_env();
// Replaces the configuration (tests). "" turns every point off.
std::string set_failpoints(const std::string& spec);

// Marks one point of the flow.
void failpoint(std::string_view name);

}  // namespace tgscribe
