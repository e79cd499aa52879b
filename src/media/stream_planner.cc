#include "media/stream_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tgscribe::media {

StreamPlan plan_stream(const MediaInfo& info, const UploadTarget& target,
                       const PlannerOptions& planner, const UploadPlan& one_shot,
                       const StreamOptions& options) {
  StreamPlan plan;
  const double d = info.duration_s;
  if (!target.uploads || one_shot.empty || d < options.min_duration_s || d <= 0) {
    plan.reason = "one-shot plan";
    return plan;
  }
  plan.encode = upload_encoding(target, planner);
  plan.format = upload_format(plan.encode.codec, plan.encode.container);
  const double fit = max_upload_seconds(plan.encode, target, planner);

  CutterOptions& c = plan.cutter;
  c.sample_rate = plan.encode.sample_rate;
  c.channels = plan.encode.channels;
  c.skip_silence = options.skip_silence;
  c.min_s = target.min_billed_s;
  c.overlap_s = planner.overlap_s;
  c.pad_s = planner.trim_pad_s;
  // Sent audio per chunk: the recording spread over max_requests, never so short that the
  // billed minimum or per-request overhead dominates, never over what one upload holds. A
  // chunk may grow to 1.5x its target while waiting for a pause (bounded PCM in memory).
  const double floor_s = std::max(options.min_chunk_s, 3 * target.min_billed_s);
  c.max_s = std::max(floor_s + c.overlap_s + 1, std::min(fit, 3600.0));
  c.target_s = std::clamp(d / std::max(1, options.max_requests), floor_s, c.max_s / 1.5);
  c.max_s = std::min(c.max_s, c.target_s * 1.5);
  c.first_target_s = std::min(c.target_s, std::max(options.first_chunk_s, floor_s));
  c.total_s = d;

  const bool must_convert =
      one_shot.kind == PlanKind::kReencode || one_shot.kind == PlanKind::kChunks;
  if (must_convert) {
    plan.decision = StreamDecision::kYes;
    plan.reason = "long media to convert: decoded once, chunks encoded and sent in parallel";
  } else if (d >= options.always_split_s) {
    plan.decision = StreamDecision::kYes;
    plan.reason = "long media: chunks in parallel are faster than one request";
  } else if (options.skip_silence) {
    plan.decision = StreamDecision::kIfSilent;
    plan.reason = "fits as it is; re-encoded only if long silences are worth leaving out";
  } else {
    plan.reason = "one-shot plan";
    return plan;
  }
  plan.reason +=
      fmt::format(" (chunks of ~{:.0f} s, first {:.0f} s, at most {:.0f} s{})", c.target_s,
                  c.first_target_s, c.max_s, c.skip_silence ? ", long silences left out" : "");
  return plan;
}

double skippable_s(const std::vector<Interval>& silences, const CutterOptions& cutter) {
  const double min_len = std::max(cutter.skip_min_s, 2 * cutter.pad_s + cutter.window_s);
  double total = 0;
  for (const auto& s : silences) {
    if (s.length() >= min_len) total += s.length() - 2 * cutter.pad_s;
  }
  return total;
}

}  // namespace tgscribe::media
