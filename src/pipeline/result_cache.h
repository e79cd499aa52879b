#pragma once
// The cache half of "never the same work twice", shared by the CLI, the bot's workers and an
// instance without engines (ingest only), so all of them name a transcript the same way:
//  - content keys come from the configured engine chain (TRANSCRIBER, then
//    TRANSCRIBER_FALLBACK), not from engine objects, so a file-key hit needs no engine;
//  - a transcript is stored under the key of the engine that produced it: a fallback's
//    transcript is not passed off as the primary engine's;
//  - the cache is an optimisation: when it fails, lookups miss and writes are skipped (logged
//    and counted in tgscribe_cache_errors_total{op}); the job goes on.
// Thread-safe when the TranscriptCache is.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "store/transcript_cache.h"
#include "transcript/transcript.h"

namespace tgscribe::pipeline {

// An engine as cache keys name it: its name and the model it is configured with.
struct EngineId {
  std::string name;
  std::string model;
  bool operator==(const EngineId&) const = default;
};

// The chain engine::make_engine_chain() builds from `config` (auto resolved, duplicates
// dropped), primary first. Names no engine answers to are left out.
std::vector<EngineId> configured_engines(const config::Config& config);

// The language as engines and keys take it: lower case, "" for auto-detection.
std::string normalized_language(const std::string& language);

// Whether the engine tells speakers apart when asked (TranscribeOptions::diarize): only
// Deepgram does. The bot's /speakers checks the configured chain with it.
bool can_diarize(const EngineId& engine);

class ResultCache {
 public:
  // `cache` may be null: every lookup misses, every write is dropped.
  ResultCache(const config::Config& config, store::TranscriptCache* cache);
  // Over an explicit chain, for engines not built from the configuration (tests' fakes).
  ResultCache(std::vector<EngineId> engines, store::TranscriptCache* cache);

  bool enabled() const { return cache_ != nullptr; }
  const std::vector<EngineId>& engines() const { return engines_; }

  // "sha256|engine|model|language|task", as store::make_content_key always wrote it, plus
  // "|diarize" for a diarized transcript of an engine that can diarize. Other engines ignore
  // `diarize`, so their key is the plain one: what they make is the same either way.
  static std::string content_key(const std::string& sha256, const EngineId& engine,
                                 const std::string& language, bool translate, bool diarize = false);
  // The primary engine's key: the one identical work coalesces on (the bare hash when the
  // chain names no known engine).
  std::string primary_key(const std::string& sha256, const std::string& language, bool translate,
                          bool diarize = false) const;

  // Telegram's file_unique_id -> content hash -> transcript, under each engine's key in chain
  // order. No download needed. An empty id misses. A diarized request takes only diarized
  // transcripts of engines that can diarize; a plain one takes a diarized transcript too
  // (speaker labels are shown only to chats that asked for them), plain first.
  std::optional<transcript::Transcript> lookup_file(const std::string& file_unique_id,
                                                    const std::string& language,
                                                    bool translate = false, bool diarize = false);
  std::optional<transcript::Transcript> lookup_content(const std::string& sha256,
                                                       const std::string& language,
                                                       bool translate = false,
                                                       bool diarize = false);
  void remember_file(const std::string& file_unique_id, const std::string& sha256, int64_t user_id);
  // Under the key of `producer`, the engine that made `t`.
  void store(const std::string& sha256, const transcript::Transcript& t, const EngineId& producer,
             const std::string& language, bool translate, int64_t user_id, bool diarize = false);

 private:
  void failed(const char* op, const std::exception& e) const;

  std::vector<EngineId> engines_;
  store::TranscriptCache* cache_;
};

}  // namespace tgscribe::pipeline
