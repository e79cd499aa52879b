#pragma once
// Upload planning, a pure function: how a probed file reaches one engine. In order of
// preference: (1) the original bytes, when the engine accepts the format and it fits (a
// Telegram voice note is never re-encoded); (2) one re-encode to 16 kHz mono Opus at the
// highest bitrate <= 32 kbit/s (and <= AUDIO_TARGET_BITRATE) that fits with a safety margin,
// never below what keeps speech intelligible; (3) chunks cut at silences, each fitting.
// Leading/trailing silence is not sent when re-encoding, and long silences are skipped when
// chunking; every piece keeps its start time in the original so timestamps stay true.
#include <cstdint>
#include <string>
#include <vector>

#include "media/audio_encoder.h"
#include "media/media_info.h"
#include "media/silence.h"
#include "media/upload_format.h"

namespace tgscribe::media {

// What one engine takes (mapped from the engine's caps by the caller; media knows no engines).
struct UploadTarget {
  bool uploads = true;  // false: an embedded engine decodes the file itself; always pass through
  int64_t max_upload_bytes = 25'000'000;
  std::vector<std::string> accepted_extensions;  // lower case, no dot; empty: anything
  double min_billed_s = 0;
};

// The user's AUDIO_* bounds and the planner's own constants.
struct PlannerOptions {
  int64_t compression_threshold_bytes = 30'000'000;  // AUDIO_COMPRESSION_THRESHOLD_MB
  int bitrate_cap = 96000;                           // AUDIO_TARGET_BITRATE (an upper bound)
  // Telegram's own voice notes are ~30 kbit/s Opus; measured (bench/opus_settings_bench.cc),
  // 32 kbit/s had the lowest WER of 12/16/24/32 on the LibriVox clips, with 12-24 kbit/s 4-9 pp
  // worse on average: the saving in bytes is not worth words. See EncodeOptions::complexity.
  int default_bitrate = 32000;
  int min_bitrate = 12000;                   // below this, 16 kHz Opus speech loses words
  int sample_rate = 16000;                   // AUDIO_TARGET_SAMPLE_RATE
  int channels = 1;                          // AUDIO_TARGET_CHANNELS
  bool use_flac = false;                     // FLAC instead of Opus, only when configured
  double safety_margin = 0.05;               // uploads stay this fraction below the engine's limit
  int64_t fixed_overhead_bytes = 16 * 1024;  // headers, multipart framing
  double overlap_s = 1.0;                    // shared by neighbouring chunks
  // Longer audio is chunked even when it would fit: chunks run in parallel, and one failed
  // request does not cost the whole recording.
  double max_single_upload_s = 3600;
  double trim_pad_s = 0.3;  // silence kept around speech
};

// kRemux: the same Opus packets in another container (remux_audio(source, out,
// plan.encode.container)), for a voice note going to an engine that does not take Ogg. Its
// `pieces` (the whole file) and `encode` also describe a valid re-encode, for callers that
// treat it like kReencode.
enum class PlanKind { kPassThrough, kRemux, kReencode, kChunks };
const char* to_string(PlanKind kind);

struct UploadPiece {
  double start_s = 0;  // in the original's timeline: add to the engine's times
  double end_s = 0;    // < 0: to the end (only when the duration is unknown)
};

struct UploadPlan {
  PlanKind kind = PlanKind::kPassThrough;
  UploadFormat format;   // name extension and Content-Type of what is uploaded
  EncodeOptions encode;  // kReencode/kChunks: codec, container, bitrate (start/end per piece);
                         // kRemux: the container
  std::vector<UploadPiece> pieces;    // kReencode: one; kChunks: several; kPassThrough: none
  int64_t estimated_piece_bytes = 0;  // largest piece, as planned
  bool empty = false;                 // all silence: nothing worth sending
  std::string reason;                 // one line for logs
};

UploadPlan plan_upload(const MediaInfo& info, const UploadTarget& target,
                       const PlannerOptions& options, const std::vector<Interval>& silences = {});

// The encoding a re-encode or chunk for this engine uses (codec, container, bitrate; the
// encoder's own settings otherwise), and the longest audio one upload of it may hold.
EncodeOptions upload_encoding(const UploadTarget& target, const PlannerOptions& options);
double max_upload_seconds(const EncodeOptions& encode, const UploadTarget& target,
                          const PlannerOptions& options);

// Planned size in bytes of `seconds` of audio encoded with `encode` (payload + container).
int64_t estimate_encoded_bytes(const EncodeOptions& encode, double seconds,
                               const PlannerOptions& options);

}  // namespace tgscribe::media
