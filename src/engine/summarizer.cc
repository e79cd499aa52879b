#include "engine/summarizer.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "common/strings.h"
#include "engine/counted_completion.h"
#include "engine/language_codes.h"
#include "engine/token_estimate.h"

namespace tgscribe::engine {
namespace {

// Below this many tokens for the text of one call, summarising in parts stops making sense.
constexpr int64_t kMinTextTokens = 128;

enum class Piece { kWhole, kPart, kCombine };

std::string language_clause(const std::string& language) {
  std::string code = language == "auto" ? "" : to_iso639_1(language);
  std::string name = language_name(code);
  if (name.empty()) return "in the language the transcript is written in";
  return "in " + name + " (" + code + "), the language of the transcript";
}

std::string system_prompt(Piece kind, int index, int count, const std::string& language) {
  std::string what;
  switch (kind) {
    case Piece::kWhole:
      what = "Write a concise summary of the transcript the user sends";
      break;
    case Piece::kPart:
      what = "The user sends part " + std::to_string(index) + " of " + std::to_string(count) +
             " of a longer transcript (or of summaries of its parts). Summarise this part only; "
             "the parts' summaries are combined later. Write the summary";
      break;
    case Piece::kCombine:
      what =
          "The user sends the summaries of consecutive parts of one transcript, in order. "
          "Combine them into one concise summary of the whole transcript, without repeating "
          "yourself. Write it";
      break;
  }
  return "You summarise transcripts of voice messages, calls and meetings. " + what + ", " +
         language_clause(language) +
         ". Keep names, numbers, dates and amounts exactly as they are in the text. Do not add "
         "anything the text does not say, and do not comment on the text or on this task. "
         "Answer with the summary only: a short paragraph, or a few bullet points when the "
         "text covers several topics.";
}

class Run {
 public:
  Run(TextModel& model, const SummarizerOptions& options, const SummaryRequest& request)
      : model_(model), options_(options), request_(request) {}

  std::string condense(const std::string& text, Piece kind, int index, int count, int depth) {
    if (depth > options_.max_depth) {
      throw Error(ErrorKind::kClient, "text too long to summarise within " +
                                          std::to_string(options_.max_depth) + " levels");
    }
    for (;;) {
      check_cancelled();
      const std::string system = system_prompt(kind, index, count, request_.language);
      const int64_t budget = text_budget(system);
      if (budget < kMinTextTokens) {
        throw Error(ErrorKind::kClient, "the text model's context (" +
                                            std::to_string(model_.context_tokens()) +
                                            " tokens) is too small to summarise in parts");
      }
      if (estimate_tokens(text) <= budget) {
        const int64_t context_before = model_.context_tokens();
        try {
          return call(system, text);
        } catch (const ContextTooLong&) {
          shrink(context_before);
          continue;  // re-measured against the learned limit: fits now, or is split below
        }
      }
      // Map: each part on its own (itself split again should the context shrink meanwhile).
      const auto parts = split_to_fit(text, budget);
      std::string joined;
      for (size_t i = 0; i < parts.size(); ++i) {
        std::string s = condense(parts[i], Piece::kPart, static_cast<int>(i + 1),
                                 static_cast<int>(parts.size()), depth + 1);
        joined += (joined.empty() ? "" : "\n\n") + s;
      }
      // Reduce: the parts' summaries together, in parts again if they are still too long.
      return condense(joined, Piece::kCombine, 0, 0, depth + 1);
    }
  }

  SummaryResult& result() { return result_; }

 private:
  int64_t context() const {
    return static_cast<int64_t>(static_cast<double>(model_.context_tokens()) * scale_);
  }

  // The answer's budget: the configured one, but at most a quarter of the context so that a
  // part's text is always at least twice its summary (each reduce level shrinks the text).
  int answer_tokens() const {
    int64_t quarter = context() / 4;
    return static_cast<int>(
        std::max<int64_t>(16, std::min<int64_t>(options_.answer_tokens, quarter)));
  }

  int64_t text_budget(const std::string& system) const {
    const int64_t framing =
        estimate_prompt_tokens({{"system", system}, {"user", ""}});  // all but the text
    return context() - answer_tokens() - framing;
  }

  void check_cancelled() const {
    if (request_.cancelled && request_.cancelled()) {
      throw Error(ErrorKind::kCancelled, "cancelled");
    }
  }

  // Called while a ContextTooLong is being handled: rethrows it when out of shrinks.
  void shrink(int64_t context_before) {
    if (++shrinks_ > options_.max_shrinks) throw;
    // The limit the endpoint named is not below the one measured against (or it named none):
    // its tokenizer counts more than our estimate, so measure more tightly from now on.
    if (model_.context_tokens() >= context_before) scale_ *= 0.7;
  }

  std::string call(const std::string& system, const std::string& text) {
    Completion c = counted_completion(model_,
                                      {.messages = {{"system", system}, {"user", text}},
                                       .max_tokens = answer_tokens(),
                                       .temperature = 0.2,
                                       .cancelled = request_.cancelled,
                                       .user_id = request_.user_id},
                                      result_, options_.max_calls, "summary");
    std::string out = trim(c.text);
    // An empty answer is the endpoint's failure, not a summary: retryable like a 5xx.
    if (out.empty()) throw Error(ErrorKind::kServer, model_.provider() + ": empty summary");
    return out;
  }

  TextModel& model_;
  const SummarizerOptions& options_;
  const SummaryRequest& request_;
  SummaryResult result_;
  double scale_ = 1.0;
  int shrinks_ = 0;
};

}  // namespace

Summarizer::Summarizer(TextModel& model, SummarizerOptions options)
    : model_(model), options_(options) {}

SummaryResult Summarizer::summarize(const SummaryRequest& request) {
  const std::string text = trim(request.text);
  if (text.empty()) throw Error(ErrorKind::kInvalidInput, "nothing to summarise");
  Run run(model_, options_, request);
  std::string summary = run.condense(text, Piece::kWhole, 0, 0, 0);
  SummaryResult result = std::move(run.result());
  result.text = std::move(summary);
  return result;
}

}  // namespace tgscribe::engine
