#include "app/transcribe_subcommand.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/redact.h"
#include "common/strings.h"
#include "engine/engine_factory.h"
#include "pipeline/result_cache.h"
#include "pipeline/transcription_service.h"
#include "store/store_factory.h"
#include "transcript/writers.h"

namespace tgscribe::app {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> formats_of(const TranscribeOptions& o) {
  auto list = split_list(to_lower(o.formats_text));
  if (list.empty()) list.push_back("txt");
  return list;
}

void say(const std::string& line) { std::fprintf(stderr, "tgscribe: %s\n", redact(line).c_str()); }

}  // namespace

std::vector<std::string> validate_transcribe_options(const TranscribeOptions& options) {
  std::vector<std::string> errors;
  for (const auto& f : split_list(to_lower(options.formats_text))) {
    if (!transcript::parse_format(f)) {
      errors.push_back("--format: unknown format \"" + f + "\" (txt, srt, vtt, json)");
    }
  }
  if (!options.formats_text.empty() && split_list(options.formats_text).empty()) {
    errors.push_back("--format: empty list (txt, srt, vtt, json)");
  }
  if (!options.output_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options.output_dir, ec);
    if (!fs::is_directory(options.output_dir)) {
      errors.push_back("--output-dir: cannot create directory \"" + options.output_dir + "\"");
    } else if (access(options.output_dir.c_str(), W_OK) != 0) {
      errors.push_back("--output-dir: \"" + options.output_dir + "\" is not writable");
    }
  }
  return errors;
}

std::string speakers_problem(const config::Config& config, const TranscribeOptions& options) {
  if (!options.speakers) return "";
  // The chain as the bot's /speakers sees it: labels come when any engine of it can give
  // them (a fallback may answer without them, as in the bot).
  std::vector<pipeline::EngineId> engines = pipeline::configured_engines(config);
  if (std::any_of(engines.begin(), engines.end(), pipeline::can_diarize)) return "";
  std::string names;
  for (const auto& e : engines) names += (names.empty() ? "" : ", ") + e.name;
  return "--speakers: none of the engines (" + (names.empty() ? std::string("none") : names) +
         ") tells speakers apart; deepgram does (-e deepgram with DEEPGRAM_API_KEY)";
}

int run_transcribe(const config::Config& config, const TranscribeOptions& options) {
  auto formats = formats_of(options);
  std::vector<std::shared_ptr<engine::Transcriber>> chain;
  try {
    chain = engine::make_engine_chain(config);
  } catch (const std::exception& e) {
    say(std::string("config: ") + e.what());
    return 2;
  }
  std::unique_ptr<store::TranscriptCache> cache;
  if (!options.no_cache && config.cache_enabled) {
    try {
      // The CLI runs no jobs: only the cache is opened for real, the queue stays in memory.
      config::Config cache_only = config;
      cache_only.queue_type = "memory";
      cache = store::make_stores(cache_only).cache;
    } catch (const std::exception& e) {
      // The cache is an optimisation: a CLI run still works without it.
      say(std::string("cache unavailable, continuing without it: ") + e.what());
    }
  }
  pipeline::TranscriptionService service(config, chain, cache.get());
  const bool interactive = isatty(STDERR_FILENO);
  const bool many = options.files.size() > 1;
  int worst = 0;
  auto worse = [&](int code) {
    if (code == 4 || (code == 3 && worst == 0)) worst = code;
  };

  for (const auto& file : options.files) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      say(file + ": rejected: no such file");
      worse(3);
      continue;
    }
    if (fs::is_directory(file, ec)) {
      say(file + ": rejected: is a directory");
      worse(3);
      continue;
    }
    pipeline::Request request;
    request.path = file;
    request.filename = fs::path(file).filename().string();
    request.language = config.language;
    request.translate = options.translate;
    request.diarize = options.speakers;
    request.use_cache = cache != nullptr;
    if (interactive) {
      request.progress = [&](const pipeline::Progress& p) {
        std::fprintf(stderr, "\r%s: %s %3d%%", file.c_str(), p.stage.c_str(),
                     static_cast<int>(p.fraction * 100));
        std::fflush(stderr);
      };
    }
    pipeline::Result result;
    try {
      result = service.transcribe(request);
      if (interactive) std::fprintf(stderr, "\r\033[K");
    } catch (const Error& e) {
      if (interactive) std::fprintf(stderr, "\r\033[K");
      if (auto reason = e.reject_reason()) {
        say(file + ": rejected: " + to_string(*reason) + (e.what()[0] ? ": " : "") + e.what());
        worse(3);
        continue;
      }
      if (e.kind() == ErrorKind::kInternal) throw;
      say(file + ": transcription failed: " + e.what());
      worse(4);
      continue;
    }
    std::string display = request.filename;
    if (!options.output_dir.empty()) {
      std::string stem = file_stem(request.filename);
      for (const auto& fmt : formats) {
        fs::path out = fs::path(options.output_dir) / (stem + "." + fmt);
        std::ofstream os(out, std::ios::binary | std::ios::trunc);
        os << transcript::render(*transcript::parse_format(fmt), result.transcript, display);
        if (!os) {
          say(out.string() + ": cannot write");
          worse(4);
        }
      }
      if (interactive) std::fprintf(stderr, "%s: done\n", file.c_str());
    } else {
      if (many) std::printf("==> %s <==\n", file.c_str());
      for (const auto& fmt : formats) {
        std::string text =
            transcript::render(*transcript::parse_format(fmt), result.transcript, display);
        if (!text.empty() && text.back() != '\n') text.push_back('\n');
        std::fputs(text.c_str(), stdout);
      }
      if (many) std::printf("\n");
      std::fflush(stdout);
    }
  }
  if (std::ferror(stdout)) return worst > 0 ? worst : 1;
  return worst;
}

}  // namespace tgscribe::app
