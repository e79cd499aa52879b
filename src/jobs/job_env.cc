#include "jobs/job_env.h"

#include <algorithm>

namespace tgscribe::jobs {

bool is_admin_user(const config::Config& config, int64_t user_id) {
  const auto& ids = config.admin_user_ids;
  return std::find(ids.begin(), ids.end(), user_id) != ids.end();
}

}  // namespace tgscribe::jobs
