#pragma once
// A fake OpenAI-compatible chat-completions server (Groq, OpenAI, Ollama, llama.cpp's server)
// on 127.0.0.1, for tests of the text-model layer (engine/text_model.h) and of the actions
// built on it (summaries, translations).
//
// It speaks the real wire format: POST <any prefix>/chat/completions (so both
// "http://127.0.0.1:N/v1" and Groq-style "http://127.0.0.1:N/openai/v1" base URLs work) with
// {model, messages:[{role,content}], max_tokens, temperature}; answers
// {id, object:"chat.completion", created, model, choices:[{index, message:{role, content},
// finish_reason}], usage:{prompt_tokens, completion_tokens, total_tokens}}. It checks what the
// real services check: `Authorization: Bearer <key>` when a key is set (401 with OpenAI's error
// JSON {"error":{"message","type","code"}} otherwise), a well-formed body, and the context
// limit: prompt tokens (estimate_tokens below) + max_tokens over `context_tokens` is answered
// with 400 and OpenAI's real context-length error ("This model's maximum context length is N
// tokens. However, you requested M tokens (P in the messages, C in the completion). ...",
// code "context_length_exceeded").
//
// Answers are scripted (script_next, FIFO), else from a responder callback, else the default
// answer (default_answer below), which is derived from the prompt so tests can check what was
// sent. Every request is recorded for assertions.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/chat_completions_client.h"

namespace tgscribe::engine::testing {

struct ChatMessage {
  std::string role;
  std::string content;
};

// One request as the fake received and checked it.
struct ChatRequest {
  std::string path;           // "/v1/chat/completions"
  std::string authorization;  // the Authorization header as sent
  std::string model;
  std::vector<ChatMessage> messages;
  int64_t max_tokens = 0;  // 0: not sent (the fake then reserves nothing for the answer)
  std::optional<double> temperature;
  int64_t prompt_tokens = 0;          // the fake's estimate (estimate_tokens)
  std::vector<std::string> problems;  // what the real service would have refused
  int status = 0;                     // what the fake answered (0: dropped)

  // The content of the last message with `role` ("" when none).
  std::string last(const std::string& role) const;
};

struct ChatReply {
  enum class Kind { kAnswer, kStatus, kDrop };
  Kind kind = Kind::kAnswer;
  std::string text;  // kAnswer: the assistant's content
  std::string finish_reason = "stop";
  int status = 200;
  std::string body;  // kStatus: the error body ("" = an OpenAI-style "scripted failure")
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds delay{0};  // answer slowly

  static ChatReply answer(std::string text, std::string finish_reason = "stop");
  // An error answer; retry_after fills the Retry-After header when not empty.
  static ChatReply error(int status, std::string retry_after = "", std::string body = "");
  // 429 with Retry-After (whole seconds) and Groq/OpenAI's rate-limit error body.
  static ChatReply rate_limited(int retry_after_s);
  // Closes the connection before the body.
  static ChatReply drop();
  ChatReply& after(std::chrono::milliseconds d) {
    delay = d;
    return *this;
  }
};

struct FakeChatOptions {
  std::string api_key = "test-llm-key";  // empty: no Authorization expected (self-hosted)
  // The model's context (prompt + max_tokens) in the fake's token estimate; 0 = no limit.
  int64_t context_tokens = 8192;
  std::string model;  // reported in answers; "" = echo the requested model
};

// The fake's token count of a prompt, close to what OpenAI documents for its tokenizers:
// about 4 bytes of UTF-8 per token, rounded up per message, plus 4 tokens of framing per
// message and 3 priming the answer. Clients should estimate more conservatively than this.
int64_t estimate_tokens(const std::vector<ChatMessage>& messages);
int64_t estimate_tokens(const std::string& text);  // one text, no framing: ceil(bytes / 4)

// What an unscripted request gets:
// - when the last user message is numbered lines ("[1] text", one per line): the same lines
//   as "[n] T(<text>)" — a stand-in translation that keeps the numbering;
// - else "SUMMARY(<the first 8 words of the last user message>)".
std::string default_answer(const ChatRequest& request);

class FakeChatCompletions {
 public:
  using Responder = std::function<ChatReply(const ChatRequest&)>;

  explicit FakeChatCompletions(FakeChatOptions options = {});
  ~FakeChatCompletions();
  FakeChatCompletions(const FakeChatCompletions&) = delete;
  FakeChatCompletions& operator=(const FakeChatCompletions&) = delete;

  void start();
  // Base URL to configure (LLM_API_URL): "http://127.0.0.1:<port>/v1". Any prefix before
  // /chat/completions is served, e.g. url_with_prefix("/openai/v1") as Groq's.
  std::string url() const;
  std::string url_with_prefix(const std::string& prefix) const;
  // Client settings that reach this fake with the key it expects: Groq's Llama 3.1 8B with a
  // `context_tokens` context and a 5 s timeout.
  ChatCompletionsSettings settings(int64_t context_tokens) const;

  std::vector<ChatRequest> requests() const;
  void clear_requests();
  // Queues the answer for the next valid request (FIFO); checks (auth, context) come first.
  void script_next(ChatReply reply);
  // Answers unscripted valid requests; null restores default_answer.
  void set_responder(Responder responder);
  // Changes the context limit from now on (0 = none).
  void set_context_tokens(int64_t tokens);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::engine::testing
