#pragma once
// A chat's choices (/formats, /timestamps, /speakers) applied to a finished transcript: which
// files go with it and how its text reads. The choices come from the job's payload, where
// admission copied them, never from the settings store at delivery time: a job delivers what
// the chat had asked for when it asked, also after a restart or on another instance.
#include <string>
#include <vector>

#include "config/config.h"
#include "jobs/job_payload.h"
#include "transcript/transcript.h"
#include "transcript/writers.h"

namespace tgscribe::jobs {

// The files to send: the chat's list ("none" = empty) or OUTPUT_FORMATS.
std::vector<std::string> chat_formats(const JobPayload& p, const config::Config& config);

// The transcript as the chat sees it: speaker fields removed unless it asked for speakers (a
// diarized transcript may come from the cache for a chat that did not ask).
transcript::Transcript shown_transcript(const JobPayload& p, const transcript::Transcript& t);

// Time marks as asked, speakers named in the reader's language ("Speaker" / "Pembicara").
transcript::TextOptions text_options(const JobPayload& p);

// The message text (trimmed): the segments as one block, as always; paragraphs with "[mm:ss]"
// marks and "Speaker N:" at each change of speaker when the chat asked for them.
std::string message_body(const JobPayload& p, const transcript::Transcript& shown);

}  // namespace tgscribe::jobs
