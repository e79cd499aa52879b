#pragma once
// The operator's view (JobAdmin) of the memory job stores: for the typed suite only, since
// nothing outside the bot's process can reach them.
#include <memory>

#include "store/job_admin.h"
#include "store/memory/memory_job_state.h"

namespace tgscribe::store {

class MemoryJobAdmin : public JobAdmin {
 public:
  explicit MemoryJobAdmin(std::shared_ptr<MemoryJobState> state) : state_(std::move(state)) {}

  std::vector<Job> list(const JobListQuery& query) override;
  RetryResult retry(const std::string& job_id, const std::vector<std::string>& keep) override;
  CancelResult cancel(const std::string& job_id, const std::vector<OutboxEntry>& messages) override;
  PurgeResult purge(std::chrono::milliseconds older_than) override;

 private:
  std::shared_ptr<MemoryJobState> state_;
};

}  // namespace tgscribe::store
