#pragma once
// Why a media input was refused. It lives here, beside the error kinds, and not in media/:
// callers above the pipeline (the job runner, the CLI) turn a refusal into the user's message
// or exit code 3 from tgscribe::Error alone, without knowing the media module.
namespace tgscribe {

enum class RejectReason {
  kEmpty,        // zero bytes
  kNotMedia,     // no demuxer recognises it
  kNoAudio,      // a container without an audio stream
  kCorrupt,      // truncated or undecodable
  kTooLong,      // duration over MAX_DURATION_S
  kTooLarge,     // size over MAX_FILE_SIZE_MB
  kBlocked,      // playlist, concat, image sequence, protocol reference...: never opened
  kUnsupported,  // recognised, but no decoder for the codec
};

// The words the CLI prints after "rejected: ".
const char* to_string(RejectReason reason);

}  // namespace tgscribe
