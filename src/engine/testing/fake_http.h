#pragma once
// Pieces both fake engine servers share: looking at the uploaded audio like the real service
// would (real media, probed) and writing a FakeReply as an HTTP answer.
#include <httplib.h>

#include <string>

#include "engine/testing/fake_reply.h"

namespace tgscribe::engine::testing {

// Fills size, sha256, duration_s and codec of `request` from the uploaded bytes (probed with
// the real demuxers through a temporary file); duration_s stays -1 when it is not media.
// `min_silence_s`: a quieter stretch at least this long separates two spans of speech;
// negative: speech is not looked for (nothing decoded, only probed).
void inspect_audio(const std::string& bytes, FakeRequest& request, double min_silence_s = 1.0);

// Writes an error/drop reply (or a transcript reply with `json_body`) into `res`, after the
// reply's delay. Sets request.status.
void write_reply(const FakeReply& reply, const std::string& json_body, httplib::Response& res,
                 FakeRequest& request);

// {"error":{"message":...}} in OpenAI's shape; Deepgram's shape is {"err_code","err_msg"}.
std::string openai_error_body(const std::string& message, const std::string& type);

}  // namespace tgscribe::engine::testing
