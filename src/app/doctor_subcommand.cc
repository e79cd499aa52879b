#include "app/doctor_subcommand.h"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/doctor_checks.h"
#include "app/doctor_report.h"
#include "common/error.h"
#include "common/remove_on_exit.h"

namespace tgscribe::app {

int run_doctor(const config::LoadResult& loaded, const DoctorOptions& options) {
  using namespace doctor;
  const config::Config& c = loaded.config;
  std::vector<CheckResult> results;
  // Each line is printed as soon as it is known: the engine checks take a moment, and an
  // operator watching a slow network sees where it is.
  auto report = [&](CheckResult r) {
    std::printf("%s\n", format_line(r).c_str());
    std::fflush(stdout);
    results.push_back(std::move(r));
  };

  for (auto& r : check_config(loaded)) report(std::move(r));
  report(assess_api_mode(c));
  auto token = check_token(c);
  report(token.result);
  report(check_webhook(c, token.token_ok));
  report(check_data_dir(c));
  if ((c.cache_enabled && c.cache_type == "sqlite") || c.queue_type == "sqlite") {
    report(check_sqlite(c));
  }
  if ((c.cache_enabled && c.cache_type == "redis") || c.queue_type == "redis") {
    report(check_redis(c));
  }
  report(check_ffmpeg());

  // The test clips live in a private scratch directory, removed however doctor ends.
  std::optional<RemoveOnExit> scratch;
  try {
    scratch.emplace(make_temp_dir(std::filesystem::temp_directory_path(), "tgscribe-doctor-"));
  } catch (const Error&) {
  }
  for (const auto& engine : configured_engines(c)) {
    const std::string name = "engine " + engine;
    if (!c.runs_workers()) {
      report(skip(name, "BOT_ROLE=ingest transcribes nothing"));
    } else if (options.no_engine_requests && engine != "sphinx") {
      report(skip(name, "not called (--no-engine-requests)"));
    } else if (!scratch) {
      report(fail(name, "cannot create a temporary directory for the test clip"));
    } else {
      report(check_engine(c, engine, scratch->path()));
    }
  }

  std::printf("%s\n", summary_line(results).c_str());
  std::fflush(stdout);
  return exit_code(results);
}

}  // namespace tgscribe::app
