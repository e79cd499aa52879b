#include "media/upload_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tgscribe::media {
namespace {

// Container framing per second of 20 ms Opus packets: Ogg pages (~27 bytes + lacing per page
// of ~1 s) and WebM SimpleBlocks (~8 bytes per packet, plus clusters). Measured in tests.
double container_bytes_per_s(Container c) {
  switch (c) {
    case Container::kOgg:
      return 150;
    case Container::kWebm:
      return 450;
    case Container::kFlac:
      return 50;
  }
  return 500;
}

// FLAC of 16-bit speech typically keeps ~60% of the PCM size; plan for 75%.
constexpr double kFlacRatio = 0.75;

bool accepts(const UploadTarget& t, const std::string& ext) {
  return t.accepted_extensions.empty() ||
         std::find(t.accepted_extensions.begin(), t.accepted_extensions.end(), ext) !=
             t.accepted_extensions.end();
}

int64_t usable_bytes(const UploadTarget& t, const PlannerOptions& o) {
  return static_cast<int64_t>(static_cast<double>(t.max_upload_bytes) * (1 - o.safety_margin));
}

EncodeOptions choose_encoding(const UploadTarget& t, const PlannerOptions& o) {
  EncodeOptions e;
  e.sample_rate = o.sample_rate;
  e.channels = o.channels;
  if (o.use_flac && accepts(t, "flac")) {
    e.codec = AudioCodec::kFlac;
    e.container = Container::kFlac;
    return e;
  }
  e.codec = AudioCodec::kOpus;
  // Opus only runs at these rates; 16 kHz is what speech engines resample to anyway.
  if (e.sample_rate != 8000 && e.sample_rate != 12000 && e.sample_rate != 24000 &&
      e.sample_rate != 48000) {
    e.sample_rate = 16000;
  }
  e.channels = std::clamp(e.channels, 1, 2);
  e.container = accepts(t, "ogg") || !accepts(t, "webm") ? Container::kOgg : Container::kWebm;
  e.bitrate = std::max(6000, std::min(o.default_bitrate, o.bitrate_cap));
  return e;
}

// Longest audio that fits in `bytes` with this encoding.
double fit_seconds(const EncodeOptions& e, int64_t bytes, const PlannerOptions& o) {
  const double per_s =
      static_cast<double>(estimate_encoded_bytes(e, 1000, o) - estimate_encoded_bytes(e, 0, o)) /
      1000;
  return static_cast<double>(bytes - o.fixed_overhead_bytes) / per_s;
}

}  // namespace

const char* to_string(PlanKind kind) {
  switch (kind) {
    case PlanKind::kPassThrough:
      return "pass-through";
    case PlanKind::kRemux:
      return "remux";
    case PlanKind::kReencode:
      return "re-encode";
    case PlanKind::kChunks:
      return "chunks";
  }
  return "?";
}

EncodeOptions upload_encoding(const UploadTarget& target, const PlannerOptions& options) {
  return choose_encoding(target, options);
}

double max_upload_seconds(const EncodeOptions& encode, const UploadTarget& target,
                          const PlannerOptions& options) {
  return std::min(options.max_single_upload_s,
                  std::floor(fit_seconds(encode, usable_bytes(target, options), options)));
}

int64_t estimate_encoded_bytes(const EncodeOptions& e, double seconds, const PlannerOptions& o) {
  double per_s;
  if (e.codec == AudioCodec::kFlac) {
    per_s = e.sample_rate * e.channels * 2 * kFlacRatio;
  } else {
    per_s = e.bitrate / 8.0;
  }
  per_s += container_bytes_per_s(e.container);
  return o.fixed_overhead_bytes + static_cast<int64_t>(std::ceil(per_s * seconds));
}

UploadPlan plan_upload(const MediaInfo& info, const UploadTarget& target,
                       const PlannerOptions& options, const std::vector<Interval>& silences) {
  UploadPlan plan;
  const UploadFormat original = upload_format(info);
  const int64_t usable = usable_bytes(target, options);

  const Interval span = speech_span(silences, info.duration_s, options.trim_pad_s);
  // Nothing but silence: sending it only invites invented text.
  plan.empty = info.duration_s > 0 && !silences.empty() && span.length() <= 0;
  if (!target.uploads) {
    plan.format = original;
    plan.reason = "engine decodes the file itself";
    return plan;
  }
  const bool fits = info.size_bytes <= usable;
  if (is_ogg_opus(info) && accepts(target, "ogg") && fits) {
    plan.format = original;  // .oga voice notes go as .ogg: same bytes, a name engines take
    plan.reason = "voice note (Opus in Ogg): sent as it is";
    return plan;
  }
  if (is_ogg_opus(info) && !accepts(target, "ogg") && accepts(target, "webm") &&
      info.size_bytes +
              static_cast<int64_t>(info.duration_s * container_bytes_per_s(Container::kWebm)) <=
          usable) {
    plan.kind = PlanKind::kRemux;
    // Also a valid whole-file re-encode, so a caller that treats kRemux like kReencode still
    // sends the right thing (at a small quality cost).
    plan.encode = choose_encoding(target, options);
    plan.encode.container = Container::kWebm;
    plan.pieces.push_back({0, info.duration_s});
    plan.estimated_piece_bytes = info.size_bytes;
    plan.format = upload_format(AudioCodec::kOpus, Container::kWebm);
    plan.reason = "voice note: same Opus, in WebM";
    return plan;
  }
  if (accepts(target, original.extension) && fits &&
      info.size_bytes <= options.compression_threshold_bytes &&
      info.duration_s <= options.max_single_upload_s) {
    plan.format = original;
    plan.reason =
        fmt::format("{} accepted and fits ({:.1f} MB)", original.extension, info.size_bytes / 1e6);
    return plan;
  }

  EncodeOptions enc = choose_encoding(target, options);
  plan.format = upload_format(enc.codec, enc.container);
  if (info.duration_s <= 0) {
    // Duration unknown (rare: the probe found none): one re-encode of everything.
    plan.kind = PlanKind::kReencode;
    plan.encode = enc;
    plan.pieces.push_back({0, -1});
    plan.reason = "duration unknown: re-encode whole";
    return plan;
  }
  if (plan.empty || span.length() <= 0) {
    plan.kind = PlanKind::kReencode;
    plan.encode = enc;
    plan.empty = true;
    plan.reason = "only silence";
    return plan;
  }
  const double seconds = span.length();

  if (seconds <= options.max_single_upload_s) {
    EncodeOptions single = enc;
    bool ok;
    if (single.codec == AudioCodec::kOpus) {
      // Highest whole kbit/s <= the default and the cap that fits; not below the floor.
      const double budget_per_s =
          static_cast<double>(usable - options.fixed_overhead_bytes) / seconds -
          container_bytes_per_s(single.container);
      const int fit = static_cast<int>(std::floor(budget_per_s * 8 / 1000)) * 1000;
      ok = fit >= std::min(options.min_bitrate, single.bitrate);
      single.bitrate = std::min(single.bitrate, fit);
    } else {
      ok = estimate_encoded_bytes(single, seconds, options) <= usable;
    }
    if (ok) {
      plan.kind = PlanKind::kReencode;
      plan.encode = single;
      plan.pieces.push_back({span.start_s, span.end_s});
      plan.estimated_piece_bytes = estimate_encoded_bytes(single, seconds, options);
      plan.reason = single.codec == AudioCodec::kFlac
                        ? std::string("re-encode to flac")
                        : fmt::format("re-encode to opus at {} kbit/s", single.bitrate / 1000);
      return plan;
    }
  }

  ChunkOptions chunking;
  chunking.max_chunk_s =
      std::min(options.max_single_upload_s, std::floor(fit_seconds(enc, usable, options)));
  chunking.overlap_s = options.overlap_s;
  chunking.min_chunk_s = target.min_billed_s;
  chunking.pad_s = options.trim_pad_s;
  if (chunking.max_chunk_s <= options.overlap_s + 1) {
    // The limit is absurdly small for this bitrate: fall back to the floor bitrate.
    enc.bitrate = std::max(6000, std::min(options.min_bitrate, options.bitrate_cap));
    chunking.max_chunk_s =
        std::min(options.max_single_upload_s, std::floor(fit_seconds(enc, usable, options)));
    if (chunking.max_chunk_s <= options.overlap_s + 1) {
      throw std::invalid_argument("upload limit too small for any audio chunk");
    }
  }
  plan.kind = PlanKind::kChunks;
  plan.encode = enc;
  for (const auto& c : chunk_at_silences(span, silences, chunking)) {
    plan.pieces.push_back({c.start_s, c.end_s});
    plan.estimated_piece_bytes =
        std::max(plan.estimated_piece_bytes, estimate_encoded_bytes(enc, c.length(), options));
  }
  plan.reason = fmt::format("{} chunks of at most {:.0f} s, {} {} kbit/s", plan.pieces.size(),
                            chunking.max_chunk_s, to_string(enc.codec), enc.bitrate / 1000);
  return plan;
}

}  // namespace tgscribe::media
