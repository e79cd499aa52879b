#pragma once
// This instance's name in worker ids and outbox leases. It is kept in DATA_DIR/instance-id, so
// a restarted instance knows which running jobs were its own (and resumes them at once), while
// two instances with their own DATA_DIR never share a name.
#include <string>

namespace tgscribe::jobs {

// "<hostname>-<8 hex digits>", created on first use. Falls back to "<hostname>-<pid>" when
// DATA_DIR cannot be written (then orphans wait for their lease instead).
std::string instance_id(const std::string& data_dir);

}  // namespace tgscribe::jobs
