#pragma once
// In-process admission (QUEUE_TYPE=memory): nothing survives a restart.
#include <memory>

#include "store/memory/memory_job_state.h"
#include "store/update_log.h"

namespace tgscribe::store {

class MemoryUpdateLog : public UpdateLog {
 public:
  explicit MemoryUpdateLog(std::shared_ptr<MemoryJobState> state) : state_(std::move(state)) {}

  AdmitResult admit(const Admission& admission) override;
  bool seen(int64_t update_id) override;
  bool healthy() override { return true; }

 private:
  std::shared_ptr<MemoryJobState> state_;
};

}  // namespace tgscribe::store
