#include "server/secret_compare.h"

#include <string>

#include "common/sha256.h"

namespace tgscribe::server {

bool secret_equals(std::string_view expected, std::string_view given) {
  std::string a = Sha256::of(expected);
  std::string b = Sha256::of(given);
  // Both digests have the same length; volatile keeps the compiler from adding an early exit.
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace tgscribe::server
