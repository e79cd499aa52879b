#pragma once
// Transcript <-> JSON: the `-f json` output format (contract) and the cache's storage format.
#include <string>
#include <string_view>

#include "transcript/transcript.h"

namespace tgscribe::transcript {

// {"file","language","duration","engine","text","segments":[{"start","end","text","words"?}]}
// `file` is written only when non-empty. Valid UTF-8 out even for invalid UTF-8 in.
std::string to_json(const Transcript& t, const std::string& file = {}, bool pretty = true);
// Inverse of to_json (also restores model and quality fields). Throws std::runtime_error.
Transcript from_json(std::string_view json);

}  // namespace tgscribe::transcript
