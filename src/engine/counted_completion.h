#pragma once
// One chat-completion call of a job that takes several (a summary in parts, a translation in
// batches): the call budget checked before it, and the answer's usage added to the job's
// result after it, so the job reports what it cost in calls and tokens.
#include <string>
#include <string_view>

#include "common/error.h"
#include "engine/text_model.h"

namespace tgscribe::engine {

// Sends `request` to `model` and adds the answer to `usage` (a SummaryResult,
// TranslationResult...: calls, prompt_tokens, completion_tokens, model). Refuses (kClient,
// not retryable) a call once `usage.calls` reached `max_calls`: "<job> would take more than
// <max_calls> requests". An answer without a model name counts as the model's own.
template <class Usage>
Completion counted_completion(TextModel& model, const CompletionRequest& request, Usage& usage,
                              int max_calls, std::string_view job) {
  if (usage.calls >= max_calls) {
    throw Error(ErrorKind::kClient, std::string(job) + " would take more than " +
                                        std::to_string(max_calls) + " requests");
  }
  Completion c = model.complete(request);
  ++usage.calls;
  usage.prompt_tokens += c.prompt_tokens;
  usage.completion_tokens += c.completion_tokens;
  usage.model = c.model.empty() ? model.model() : c.model;
  return c;
}

}  // namespace tgscribe::engine
