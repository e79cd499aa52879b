#pragma once
#include <string_view>

namespace tgscribe::server {

// True when `given` equals `expected`, in time that depends on neither the secret's content nor
// its length: both sides are hashed to fixed-size digests first, which are then compared
// without an early exit. A plain == would let a remote caller find the webhook secret one
// character at a time by timing 401 answers.
bool secret_equals(std::string_view expected, std::string_view given);

}  // namespace tgscribe::server
