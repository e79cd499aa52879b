#include "app/cli.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "app/bot_subcommand.h"
#include "app/doctor_subcommand.h"
#include "app/jobs_subcommand.h"
#include "app/transcribe_subcommand.h"
#include "common/log.h"
#include "common/redact.h"
#include "config/config_loader.h"

#ifndef TGSCRIBE_VERSION
#define TGSCRIBE_VERSION "dev"
#endif

namespace tgscribe::app {
namespace {

// Loads the configuration with the given flag overrides; prints every problem and returns
// nullopt on errors (the caller exits 2).
std::optional<config::LoadResult> load(const std::map<std::string, std::string>& flags) {
  auto result = config::load_config(flags, config::process_env());
  if (!result.errors.empty()) {
    for (const auto& e : result.errors) std::fprintf(stderr, "tgscribe: config: %s\n", e.c_str());
    return std::nullopt;
  }
  return result;
}

}  // namespace

int run_cli(int argc, char** argv) {
  // A closed stdout (e.g. `| head`) must give an exit code, not a signal death.
  signal(SIGPIPE, SIG_IGN);
  init_logging("warn");

  CLI::App cli{"tgscribe: transcribe voice notes, audio and video (Telegram bot and CLI)",
               "tgscribe"};
  cli.require_subcommand(1);
  cli.set_help_all_flag("--help-all", "Show help for every subcommand");

  auto* bot = cli.add_subcommand("bot", "Run the Telegram bot (polling or webhook, from config)");

  TranscribeOptions topts;
  auto* tr = cli.add_subcommand("transcribe", "Transcribe local media files");
  tr->add_option("files", topts.files, "Media files")->required();
  tr->add_option("-o,--output-dir", topts.output_dir, "Write DIR/<stem>.<fmt> for every format");
  tr->add_option("-f,--format", topts.formats_text, "Comma list of txt,srt,vtt,json (default txt)");
  tr->add_option("-e,--engine", topts.engine, "auto|groq|openai|deepgram|sphinx");
  tr->add_option("-l,--language", topts.language, "ISO 639-1 code or \"auto\"");
  tr->add_flag("--no-cache", topts.no_cache, "Neither read nor write the transcript cache");
  tr->add_flag("--translate", topts.translate, "Translate to English (engines that support it)");
  tr->add_flag("--speakers", topts.speakers,
               "Label who speaks (\"Speaker 1: ...\"; engines that can tell speakers apart)");

  auto* cfg = cli.add_subcommand("config", "Print the effective configuration and validate it");
  auto* ver = cli.add_subcommand("version", "Print the version");
  JobsSubcommand jobs(cli);
  DoctorOptions dopts;
  auto* doc = cli.add_subcommand(
      "doctor", "Check config, token, engines, stores, disk; one line per check; 0 if all pass");
  doc->add_flag("--no-engine-requests", dopts.no_engine_requests,
                "Do not send each engine its 1-second test request (which costs a little)");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tgscribe: %s\n", e.what());
    std::fprintf(stderr, "Run 'tgscribe --help' for usage.\n");
    return 2;
  }

  try {
    if (ver->parsed()) {
      std::printf("tgscribe %s\n", TGSCRIBE_VERSION);
      return 0;
    }
    if (cfg->parsed()) {
      auto result = config::load_config({}, config::process_env());
      std::fputs(config::render_config(result).c_str(), stdout);
      for (const auto& e : result.errors) std::fprintf(stderr, "tgscribe: config: %s\n", e.c_str());
      return result.errors.empty() ? 0 : 2;
    }
    if (jobs.parsed()) return jobs.run();
    if (doc->parsed()) return run_doctor(config::load_config({}, config::process_env()), dopts);
    if (tr->parsed()) {
      std::map<std::string, std::string> flags;
      std::vector<std::string> usage_errors = validate_transcribe_options(topts);
      if (!topts.engine.empty()) flags["TRANSCRIBER"] = topts.engine;
      if (!topts.language.empty()) flags["LANGUAGE"] = topts.language;
      auto loaded = config::load_config(flags, config::process_env());
      for (auto& e : loaded.errors) {
        // Name the flag the user typed when the bad value came from it.
        if (e.rfind("TRANSCRIBER:", 0) == 0 && !topts.engine.empty()) e = "--engine" + e.substr(11);
        if (e.rfind("LANGUAGE:", 0) == 0 && !topts.language.empty()) e = "--language" + e.substr(8);
        usage_errors.push_back(e);
      }
      if (auto problem = speakers_problem(loaded.config, topts); !problem.empty()) {
        usage_errors.push_back(problem);
      }
      if (!usage_errors.empty()) {
        for (const auto& e : usage_errors) std::fprintf(stderr, "tgscribe: %s\n", e.c_str());
        return 2;
      }
      init_logging(loaded.config.log_level == "info" ? "warn" : loaded.config.log_level,
                   loaded.config.log_file, loaded.config.log_format);
      return run_transcribe(loaded.config, topts);
    }
    if (bot->parsed()) {
      auto loaded = load(std::map<std::string, std::string>{});
      if (!loaded) return 2;
      if (loaded->config.telegram_bot_token.empty()) {
        std::fprintf(stderr, "tgscribe: config: TELEGRAM_BOT_TOKEN: required for `bot`\n");
        return 2;
      }
      init_logging(loaded->config.log_level, loaded->config.log_file, loaded->config.log_format);
      return run_bot(loaded->config);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tgscribe: internal error: %s\n", redact(e.what()).c_str());
    return 1;
  }
  return 2;
}

}  // namespace tgscribe::app
