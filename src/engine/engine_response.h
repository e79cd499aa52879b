#pragma once
// What the HTTP engines (Deepgram, the OpenAI-compatible transcribers, the chat completions
// client) share around one request: the upload check before it, and the handling of its answer.
// A non-2xx status becomes the tgscribe::Error whose kind decides retries (with the server's
// Retry-After), a 2xx body is parsed with errors that name the request, and the endpoint's own
// error message is read out of a body when it helps the operator.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "engine/transcriber.h"
#include "http/http_client.h"
#include "transcript/transcript.h"

namespace tgscribe::engine {

// The size of `audio`'s file; kInvalidInput "<engine>: ..." when it cannot be read or is over
// `caps`' upload limit (the planner should have cut it: no request could pass).
int64_t checked_upload_size(const AudioFile& audio, const EngineCaps& caps);

// The Error for a non-2xx answer, from http::status_error: kind by status, Retry-After from
// the headers, "<what>: HTTP <status> <reason>" without the body (it may echo our input).
Error response_error(const http::Response& response, std::string_view what);

// Throws response_error() unless the status is 2xx.
void throw_unless_2xx(const http::Response& response, std::string_view what);

// parse(response.body); an Error it throws comes out with the same kind and "<what>: " before
// its message, so a log line says which request got the unreadable answer.
template <class Parse>
auto parse_answer(const http::Response& response, std::string_view what, Parse&& parse)
    -> decltype(parse(response.body)) {
  try {
    return std::forward<Parse>(parse)(response.body);
  } catch (const Error& e) {
    throw Error(e.kind(), std::string(what) + ": " + e.what());
  }
}

// The endpoint's own error message ({"error":{"message"}} in OpenAI's shape, {"error":"..."} or
// {"message":"..."} in self-hosted servers), cut to 300 bytes at a character boundary and
// redacted: errors reach logs and users. "" when the body names none.
std::string endpoint_message(const std::string& body);

// What every transcriber fills in the same way once the answer is parsed: the language the
// caller asked for when the engine named none, the file's duration when the answer had none,
// and the file's progress as done.
void finish_transcript(transcript::Transcript& t, const AudioFile& audio,
                       const TranscribeOptions& options);

}  // namespace tgscribe::engine
