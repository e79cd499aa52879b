#include "pipeline/chunk_scheduler.h"

#include <algorithm>
#include <chrono>

#include "common/error.h"

namespace tgscribe::pipeline {
namespace {
// Waits re-check cancellation this often: a /cancel stops the decoder within this.
constexpr auto kPoll = std::chrono::milliseconds(200);
}  // namespace

ChunkScheduler::ChunkScheduler(Options options) : o_(std::move(options)) {
  o_.encode_workers = std::max(1, o_.encode_workers);
  o_.send_workers = std::max(1, o_.send_workers);
  o_.max_in_flight = std::max(1, o_.max_in_flight);
  if (o_.max_unencoded <= 0 || o_.max_unencoded > o_.max_in_flight) {
    o_.max_unencoded = o_.max_in_flight;
  }
  try {
    for (int i = 0; i < o_.encode_workers; ++i) threads_.emplace_back([this] { encode_loop(); });
    for (int i = 0; i < o_.send_workers; ++i) threads_.emplace_back([this] { send_loop(); });
  } catch (...) {
    stop_and_join();
    throw;
  }
}

ChunkScheduler::~ChunkScheduler() { stop_and_join(); }

void ChunkScheduler::stop_and_join() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    if (!error_) stopped_ = stopped_ || submitted_ > done_.size();
    if (stopped_) {
      to_encode_.clear();
      to_send_.clear();
    }
  }
  changed_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void ChunkScheduler::fail(std::exception_ptr e) {
  if (!error_) error_ = e;
  stopped_ = true;
  to_encode_.clear();
  to_send_.clear();
  changed_.notify_all();
}

void ChunkScheduler::check_locked() {
  if (!stopped_ && o_.cancelled && o_.cancelled()) {
    fail(std::make_exception_ptr(Error(ErrorKind::kCancelled, "cancelled")));
  }
  if (stopped_) {
    if (error_) std::rethrow_exception(error_);
    throw Error(ErrorKind::kCancelled, "cancelled");
  }
}

bool ChunkScheduler::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

size_t ChunkScheduler::submitted() const {
  std::lock_guard lock(mutex_);
  return submitted_;
}

size_t ChunkScheduler::peak_in_flight() const {
  std::lock_guard lock(mutex_);
  return peak_in_flight_;
}

void ChunkScheduler::submit(ChunkWork work) {
  std::unique_lock lock(mutex_);
  while (true) {
    check_locked();
    if (in_flight_ < static_cast<size_t>(o_.max_in_flight) &&
        unencoded_ < static_cast<size_t>(o_.max_unencoded)) {
      break;
    }
    changed_.wait_for(lock, kPoll);
  }
  ++in_flight_;
  ++unencoded_;
  peak_in_flight_ = std::max(peak_in_flight_, in_flight_);
  to_encode_.emplace(submitted_++, std::move(work));
  changed_.notify_all();
}

void ChunkScheduler::encode_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopped_) return;
    if (to_encode_.empty()) {
      if (closing_) return;
      changed_.wait_for(lock, kPoll);
      if (!stopped_ && o_.cancelled && o_.cancelled()) {
        fail(std::make_exception_ptr(Error(ErrorKind::kCancelled, "cancelled")));
      }
      continue;
    }
    auto node = to_encode_.extract(to_encode_.begin());
    lock.unlock();
    std::exception_ptr error;
    try {
      node.mapped().encode();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error) {
      fail(error);
      return;
    }
    --unencoded_;
    if (stopped_) return;
    to_send_.insert(std::move(node));
    changed_.notify_all();
  }
}

void ChunkScheduler::send_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopped_) return;
    if (to_send_.empty()) {
      // Nothing can arrive any more once closing and every chunk is encoded or sent.
      if (closing_ && to_encode_.empty() && in_flight_ == 0) return;
      changed_.wait_for(lock, kPoll);
      continue;
    }
    auto node = to_send_.extract(to_send_.begin());
    const size_t index = node.key();
    lock.unlock();
    std::exception_ptr error;
    transcript::Chunk result;
    try {
      result = node.mapped().send();
    } catch (...) {
      error = std::current_exception();
    }
    // The work (and what its closures hold: PCM, temp files) goes before the slot is freed.
    node = {};
    lock.lock();
    if (error) {
      fail(error);
      return;
    }
    done_.emplace(index, std::move(result));
    --in_flight_;
    changed_.notify_all();
  }
}

std::vector<transcript::Chunk> ChunkScheduler::finish() {
  std::exception_ptr error;
  {
    std::unique_lock lock(mutex_);
    closing_ = true;
    changed_.notify_all();
    while (true) {
      try {
        check_locked();
      } catch (...) {
        error = std::current_exception();
        break;
      }
      if (done_.size() == submitted_) break;
      changed_.wait_for(lock, kPoll);
    }
  }
  // Whatever happened, no worker outlives this call: they use the caller's job state.
  stop_and_join();
  if (error) std::rethrow_exception(error);
  std::vector<transcript::Chunk> out;
  out.reserve(done_.size());
  for (auto& [i, c] : done_) out.push_back(std::move(c));
  return out;
}

}  // namespace tgscribe::pipeline
