#pragma once
// The work of an action job (jobs/actions.h): a summary, a translation or subtitles of a
// transcript, run by JobRunner under the job's claim, delivered through the outbox like a
// transcript (the caller writes the returned entries with the fenced finish).
//
//   1. the source transcript: the file-key cache (no download), else the media is downloaded
//      and goes through the pipeline (its content cache, or the engines again when it expired);
//   2. the action, its result cached by (content hash, action, target language, model), so a
//      repeated action costs nothing:
//        summary      the text model's summary, in the transcript's language
//        translate    English through the engine's /audio/translations endpoint when it has
//                     one (the pipeline, cached under the content key with task "translate"),
//                     else — and for every other language — the text model, segment by
//                     segment so the .srt keeps the original timings
//        subtitles    the .srt of the transcript, for chats whose formats do not include it
//   3. the entries: the summary as message(s); a translation with the outputs of a transcript
//      (message, files); the .srt as a document. All reply to the message the action was
//      asked on.
//
// LLM tokens are booked per user in the usage ledger (engine "llm:<provider>"; the series
// tgscribe_llm_tokens_total is the chat-completions client's); engine translations are booked
// by the metered engines as any request (audio seconds, billing).
#include <functional>
#include <string>
#include <vector>

#include "jobs/actions.h"
#include "jobs/job_env.h"
#include "jobs/job_payload.h"
#include "jobs/transcript_messages.h"
#include "pipeline/transcription_service.h"
#include "store/job.h"
#include "store/outbox.h"

namespace tgscribe::jobs {

// What the action needs from the job runner's own steps, so the download and the source
// transcript go the same way (progress, cancel checks, failpoints) as a transcript job's.
struct ActionSteps {
  // Downloads the job's media (once); returns its path and sets sha256.
  std::function<std::filesystem::path(std::string* sha256)> download;
  // The transcript of the downloaded media through the pipeline (download first).
  std::function<pipeline::Result()> transcribe;
  std::function<bool()> cancelled;
  std::function<void(const std::string&)> status;  // a progress line for the status message
};

class ActionRunner {
 public:
  ActionRunner(JobEnv& env, const TranscriptMessages& messages);

  // The outbox entries of the action's result (the caller adds the status edit and finishes
  // the job). Throws tgscribe::Error like the pipeline (its kind decides a retry).
  std::vector<store::OutboxEntry> run(const store::Job& job, const JobPayload& p,
                                      const ActionSteps& steps);

 private:
  struct Source;
  Source source_transcript(const JobPayload& p, const ActionSteps& steps);
  std::string summary(const Source& src, const JobPayload& p, const ActionSteps& steps);
  transcript::Transcript translation(Source& src, const JobPayload& p, const ActionSteps& steps);

  JobEnv& env_;
  const TranscriptMessages& messages_;
};

// The cache key of an action's result: "<sha256>|action:<name>|<model>|<language>". The model
// is part of it: another model's summary is another summary.
std::string action_cache_key(const std::string& sha256, ActionKind kind, const std::string& model,
                             const std::string& language);

}  // namespace tgscribe::jobs
