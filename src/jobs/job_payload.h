#pragma once
// What the bot stores in store::Job::payload: everything a worker (possibly another process,
// after a restart) needs to do the job and answer in the right place, in the user's language.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "telegram/types.h"

namespace tgscribe::jobs {

struct JobPayload {
  int64_t chat_id = 0;
  bool group = false;                // say whose message it was
  std::optional<int64_t> thread_id;  // forum topic to answer in
  int64_t reply_to_message_id = 0;   // the media message
  int64_t user_id = 0;               // requester (for /forget and the per-user limit)
  std::string requester_name;        // display name, for groups
  std::string user_lang = "en";      // bot texts: "en" | "id"
  std::string language;              // transcription language: "" / "auto" / ISO 639-1
  telegram::MediaRef media;
  int64_t media_owner_id = 0;  // author of the media message (groups)
  std::string media_owner_name;
  // An action job (jobs/actions.h) on the transcript of `media`: "summary", "translate",
  // "subtitles"; "" for a transcript job. Absent from payloads written before actions.
  std::string action;
  std::string target_language;  // "translate": ISO 639-1 code of the wanted language
  std::string source_job;       // the transcript job the action was asked from ("" = none)
  // The chat's choices (/formats, /timestamps, /speakers), read when the job is admitted, so
  // a restart or another instance delivers what the chat had asked for then. Absent from
  // older payloads: the defaults.
  std::optional<std::vector<std::string>> formats;  // nullopt: OUTPUT_FORMATS; empty: none
  bool timestamps = false;
  bool speakers = false;
};

std::string to_json(const JobPayload& p);
// Throws std::runtime_error on a payload that is not ours (corrupt row): the job fails.
JobPayload payload_from_json(const std::string& json);

// "3f2a…" style short id shown to users and in logs: the first 8 hex digits.
std::string short_id(const std::string& job_id);

}  // namespace tgscribe::jobs
