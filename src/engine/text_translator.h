#pragma once
// Translation of a transcript with a TextModel, segment by segment, so the translation keeps
// the original timings (its .srt lines up with the media like the original's).
//
// Segments are sent as numbered lines ("[1] text"), as many per request as fit the model's
// context with room for the answer, and the numbered answer is parsed back. Models sometimes
// merge two lines into one or leave one out; per batch:
//  - a missing line whose neighbour before it (else after it) answered with about as much text
//    as both sources would need (at the batch's own length ratio: the lower median over its
//    answered lines) was merged: that answer's words are shared out over the merged segments
//    in proportion to their source lengths;
//  - other missing lines were dropped: they are asked for again once, on their own; a line
//    still missing keeps its original text (visible, not silently empty).
// The same bounds as the summarizer apply: context-length refusals re-batch to the learned
// limit, a bounded number of times; the number of requests is bounded.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "engine/text_model.h"
#include "transcript/transcript.h"

namespace tgscribe::engine {

struct TranslationRequest {
  const transcript::Transcript* source = nullptr;  // required
  std::string target_language;                     // ISO 639-1 ("en", "id", ...)
  std::function<bool()> cancelled;                 // optional
  int64_t user_id = 0;
};

struct TranslationResult {
  transcript::Transcript transcript;  // language = target; segments and timings of the source
  int64_t prompt_tokens = 0;          // summed over all calls (the endpoint's usage)
  int64_t completion_tokens = 0;
  int calls = 0;
  std::string model;
  int merged_lines = 0;   // lines the model merged into a neighbour (shared out)
  int reasked_lines = 0;  // lines asked for again
  int untranslated = 0;   // lines left in the original language
};

struct TranslatorOptions {
  int max_lines_per_batch = 60;  // small models lose count in longer lists
  int max_answer_tokens = 8192;  // below the output caps of the usual models
  int max_calls = 200;
  int max_shrinks = 4;
};

class TextTranslator {
 public:
  explicit TextTranslator(TextModel& model, TranslatorOptions options = {});
  // Throws tgscribe::Error: kInvalidInput (no source, target not an ISO 639-1 code), the
  // model's errors after its retries, kClient when a segment cannot fit the context or the
  // bounds are exceeded, kCancelled. A source already in the target language is returned
  // as it is, without a call.
  TranslationResult translate(const TranslationRequest& request);

 private:
  TextModel& model_;
  TranslatorOptions options_;
};

// Parses "[n] text" answer lines (also "n. text", "n) text", "n: text"); a line without a
// number continues the previous one. Exposed for tests: number -> text.
std::map<int, std::string> parse_numbered_lines(const std::string& answer);

}  // namespace tgscribe::engine
