#pragma once
// The two stages of a long recording's chunks, overlapped: chunks are encoded on a pool of
// encode workers (all cores) while the ones already encoded are sent to the engine by a pool
// of send workers (its concurrency limit), lowest index first. The producer (the decoder)
// blocks in submit() while `max_in_flight` chunks are submitted and not yet sent, so the PCM
// and temp files alive at once stay bounded. The first failure (or cancellation) stops
// everything: queued chunks are dropped, running stages are asked to give up through
// stopped(), and finish() rethrows it once every worker has returned.
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "transcript/chunk_merge.h"

namespace tgscribe::pipeline {

struct ChunkWork {
  std::function<void()> encode;             // on an encode worker
  std::function<transcript::Chunk()> send;  // on a send worker, after encode returned
};

class ChunkScheduler {
 public:
  struct Options {
    int encode_workers = 1;
    int send_workers = 1;
    int max_in_flight = 4;  // submitted and not yet sent (or failed)
    // Submitted and not yet encoded: the chunks whose PCM is in memory (the big ones; an
    // encoded chunk waiting for the engine is a small file). 0: max_in_flight.
    int max_unencoded = 0;
    std::function<bool()> cancelled;  // optional: polled while waiting; true stops all
  };
  explicit ChunkScheduler(Options options);
  ~ChunkScheduler();  // stops and joins (a job that throws before finish() leaves nothing)
  ChunkScheduler(const ChunkScheduler&) = delete;
  ChunkScheduler& operator=(const ChunkScheduler&) = delete;

  // Chunk `submitted()` in media order. Blocks while max_in_flight are in flight; throws the
  // first failure (Error(kCancelled) when cancelled) instead of queueing once stopped.
  void submit(ChunkWork work);
  // Waits for every submitted chunk; the transcripts in submission order, or the first failure
  // (rethrown once every worker has returned).
  std::vector<transcript::Chunk> finish();

  bool stopped() const;
  size_t submitted() const;
  // Most chunks in flight at once so far (tests: the bound holds).
  size_t peak_in_flight() const;

 private:
  void encode_loop();
  void send_loop();
  void fail(std::exception_ptr e);  // mutex_ held
  void check_locked();              // mutex_ held: throws if stopped
  void stop_and_join();

  Options o_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<size_t, ChunkWork> to_encode_;  // by index: the lowest first
  std::map<size_t, ChunkWork> to_send_;
  std::map<size_t, transcript::Chunk> done_;
  size_t submitted_ = 0;
  size_t in_flight_ = 0;
  size_t unencoded_ = 0;
  size_t peak_in_flight_ = 0;
  bool closing_ = false;  // finish() called: workers exit when the queues run dry
  bool stopped_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> threads_;
};

}  // namespace tgscribe::pipeline
