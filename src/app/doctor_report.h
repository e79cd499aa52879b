#pragma once
// What `tgscribe doctor` says: one result per check, printed as one line the moment it is
// known ("ok    token: @my_bot (My Bot)"), then a summary line; and the exit code the
// results add up to.
#include <string>
#include <vector>

namespace tgscribe::app::doctor {

enum class Status {
  kOk,
  kWarn,  // works, but something deserves a look (does not change the exit code)
  kFail,
  kSkip,  // not checked, because an earlier check failed or the option says so
};

struct CheckResult {
  Status status = Status::kOk;
  std::string name;    // "token", "engine groq", "data dir", ...
  std::string detail;  // one line: what was found, and for a problem what to do
  // A failure that is fixed by editing the configuration alone (a bad option, a missing
  // token, options that contradict each other): exit code 2, as for every subcommand.
  bool configuration = false;
};

CheckResult ok(std::string name, std::string detail);
CheckResult warn(std::string name, std::string detail);
CheckResult fail(std::string name, std::string detail);
CheckResult config_fail(std::string name, std::string detail);
CheckResult skip(std::string name, std::string detail);

// "ok    name: detail" (status padded to 6 columns, so the names line up), one line: line
// breaks in the detail become spaces, and every secret is redacted.
std::string format_line(const CheckResult& result);

// "doctor: all 9 checks passed" / "doctor: 2 of 9 checks failed, 1 warning".
std::string summary_line(const std::vector<CheckResult>& results);

// 0 when nothing failed (warnings and skips included); 2 when a failure is a configuration
// error; 1 when other checks failed.
int exit_code(const std::vector<CheckResult>& results);

}  // namespace tgscribe::app::doctor
