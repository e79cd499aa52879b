#pragma once
// The one interface for a text model (an OpenAI-compatible chat-completions endpoint: Groq,
// OpenAI, or a self-hosted server such as Ollama or llama.cpp's server). Summaries and
// translations of transcript text are built on it (engine/summarizer.h,
// engine/text_translator.h), so they can be tested against any implementation.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"

namespace tgscribe::engine {

struct ChatTurn {
  std::string role;  // "system" | "user" | "assistant"
  std::string content;
};

struct CompletionRequest {
  std::vector<ChatTurn> messages;
  int max_tokens = 1024;  // the answer's budget; the prompt must fit context_tokens() - this
  double temperature = 0.2;
  std::function<bool()> cancelled;  // optional: polled while waiting
  int64_t user_id = 0;              // whose action this serves (usage accounting)
};

struct Completion {
  std::string text;
  int64_t prompt_tokens = 0;  // as the endpoint's `usage` reported them
  int64_t completion_tokens = 0;
  std::string model;  // the model that answered
};

// Thrown (kind kClient) when the endpoint refused a prompt as longer than the model's context.
// `limit_tokens` is the limit the error named ("maximum context length is N tokens"), 0 when
// it named none; the model has already lowered context_tokens() to it.
class ContextTooLong : public Error {
 public:
  ContextTooLong(const std::string& message, int64_t limit_tokens)
      : Error(ErrorKind::kClient, message), limit_tokens_(limit_tokens) {}
  int64_t limit_tokens() const { return limit_tokens_; }

 private:
  int64_t limit_tokens_;
};

class TextModel {
 public:
  virtual ~TextModel() = default;
  virtual const std::string& provider() const = 0;  // "groq", "openai", "custom"
  virtual const std::string& model() const = 0;
  // Tokens the model can take (prompt + answer): LLM_CONTEXT_TOKENS, lowered when the endpoint
  // names a smaller limit.
  virtual int64_t context_tokens() const = 0;
  // Throws tgscribe::Error (the kind decides retries), ContextTooLong.
  virtual Completion complete(const CompletionRequest& request) = 0;
};

}  // namespace tgscribe::engine
