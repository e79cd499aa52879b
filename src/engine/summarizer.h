#pragma once
// Summaries of transcript text with a TextModel, in the transcript's language, keeping names
// and numbers and adding nothing. Text longer than the model's context is summarised in
// parts (map), then the parts' summaries are summarised together (reduce), again in parts if
// those are still too long. When the endpoint names a smaller context than configured
// (ContextTooLong), the rest is re-split to the learned limit and the work goes on.
#include <cstdint>
#include <functional>
#include <string>

#include "engine/text_model.h"

namespace tgscribe::engine {

struct SummaryRequest {
  std::string text;      // the transcript's text (transcript::Transcript::text())
  std::string language;  // ISO 639-1 of the transcript; "" or "auto": the text's own language
  std::function<bool()> cancelled;  // optional: polled between and during calls
  int64_t user_id = 0;              // passed to the model (usage accounting)
};

struct SummaryResult {
  std::string text;
  int64_t prompt_tokens = 0;  // summed over all calls, as the endpoint's usage reported them
  int64_t completion_tokens = 0;
  int calls = 0;      // chat-completion requests that were answered
  std::string model;  // the model that answered (the last call's)
};

struct SummarizerOptions {
  int answer_tokens = 1024;  // max_tokens of each call (lowered for small contexts)
  // Bounds, so nothing loops for ever: answered calls, map-reduce levels, and how often a
  // context-length refusal may shrink the parts.
  int max_calls = 64;
  int max_depth = 6;
  int max_shrinks = 4;
};

class Summarizer {
 public:
  explicit Summarizer(TextModel& model, SummarizerOptions options = {});
  // Throws tgscribe::Error: the model's errors (after its retries), kInvalidInput for empty
  // text, kClient when the text cannot be summarised within the bounds above (the context is
  // too small even for a part), kCancelled.
  SummaryResult summarize(const SummaryRequest& request);

 private:
  TextModel& model_;
  SummarizerOptions options_;
};

}  // namespace tgscribe::engine
