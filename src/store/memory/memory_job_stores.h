#pragma once
// The memory job stores (QUEUE_TYPE=memory, and tests): updates, queue and outbox over one
// shared state, so admit() and finish() are atomic as in the durable backends.
#include "common/clock.h"
#include "store/job_stores.h"
#include "store/queue_policy.h"

namespace tgscribe::store {

JobStores make_memory_job_stores(Clock& clock, QueueOptions options = {});

}  // namespace tgscribe::store
