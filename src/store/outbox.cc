#include "store/outbox.h"

#include <stdexcept>

namespace tgscribe::store {

const char* to_string(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kDropped:
      return "dropped";
  }
  return "unknown";
}

OutboxState outbox_state_from_string(const std::string& s) {
  if (s == "pending") return OutboxState::kPending;
  if (s == "sent") return OutboxState::kSent;
  if (s == "dropped") return OutboxState::kDropped;
  throw std::invalid_argument("unknown outbox state: " + s);
}

}  // namespace tgscribe::store
