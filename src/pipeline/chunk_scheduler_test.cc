#include "pipeline/chunk_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>

#include "common/error.h"
#include "transcript/chunk_merge.h"

namespace tgscribe::pipeline {
namespace {
using namespace std::chrono_literals;

transcript::Chunk chunk(size_t i) {
  transcript::Chunk c;
  c.offset = 10.0 * static_cast<double>(i);
  c.duration = 10;
  c.transcript.segments.push_back({0, 5, "chunk " + std::to_string(i)});
  return c;
}

// A gate tests open by hand: no timing assumptions.
class Gate {
 public:
  void open() {
    std::lock_guard lock(m_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits until open (a deadline so that a broken scheduler fails the test, not hangs it).
  bool wait() {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, 20s, [&] { return open_; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(ChunkScheduler, MergesInOrderWhateverOrderChunksFinishIn) {
  ChunkScheduler::Options o;
  o.encode_workers = 2;
  o.send_workers = 4;
  o.max_in_flight = 6;
  ChunkScheduler s(o);
  // Chunk 0's answer is held until the last chunk has been answered: they finish backwards.
  Gate last_sent;
  const size_t n = 5;
  for (size_t i = 0; i < n; ++i) {
    ChunkWork w;
    w.encode = [] {};
    w.send = [i, n, &last_sent] {
      if (i == 0) {
        EXPECT_TRUE(last_sent.wait());
      }
      if (i == n - 1) last_sent.open();
      return chunk(i);
    };
    s.submit(std::move(w));
  }
  auto chunks = s.finish();
  ASSERT_EQ(chunks.size(), n);
  auto merged = transcript::merge_chunks(chunks);
  ASSERT_EQ(merged.segments.size(), n);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(merged.segments[i].text, "chunk " + std::to_string(i));
  EXPECT_DOUBLE_EQ(merged.segments[3].start, 30);
}

TEST(ChunkScheduler, SubmitBlocksWhileTooManyChunksAreInFlight) {
  ChunkScheduler::Options o;
  o.encode_workers = 1;
  o.send_workers = 1;
  o.max_in_flight = 2;
  ChunkScheduler s(o);
  Gate release;
  std::atomic<int> sends{0};
  auto work = [&](size_t i) {
    ChunkWork w;
    w.encode = [] {};
    w.send = [&, i] {
      ++sends;
      EXPECT_TRUE(release.wait());
      return chunk(i);
    };
    return w;
  };
  s.submit(work(0));
  s.submit(work(1));
  // A third chunk must wait: two are in flight and none can finish until released.
  auto third = std::async(std::launch::async, [&] { s.submit(work(2)); });
  EXPECT_EQ(third.wait_for(300ms), std::future_status::timeout);
  EXPECT_EQ(s.submitted(), 2u);
  release.open();
  third.get();
  EXPECT_EQ(s.finish().size(), 3u);
  EXPECT_LE(s.peak_in_flight(), 2u);
  EXPECT_EQ(sends.load(), 3);
}

TEST(ChunkScheduler, PcmWaitingForACoreIsBoundedSeparately) {
  ChunkScheduler::Options o;
  o.encode_workers = 1;
  o.send_workers = 1;
  o.max_in_flight = 10;
  o.max_unencoded = 1;  // one chunk of PCM at a time
  ChunkScheduler s(o);
  Gate encoded;
  ChunkWork slow;
  slow.encode = [&] { EXPECT_TRUE(encoded.wait()); };
  slow.send = [] { return chunk(0); };
  s.submit(std::move(slow));
  auto second = std::async(std::launch::async, [&] {
    ChunkWork w;
    w.encode = [] {};
    w.send = [] { return chunk(1); };
    s.submit(std::move(w));
  });
  EXPECT_EQ(second.wait_for(300ms), std::future_status::timeout);
  encoded.open();
  second.get();
  EXPECT_EQ(s.finish().size(), 2u);
}

TEST(ChunkScheduler, AFailedChunkStopsTheRestAndIsRethrown) {
  ChunkScheduler::Options o;
  o.encode_workers = 1;
  o.send_workers = 1;
  o.max_in_flight = 2;
  ChunkScheduler s(o);
  std::atomic<int> sent{0};
  bool submit_failed = false;
  for (size_t i = 0; i < 20 && !submit_failed; ++i) {
    ChunkWork w;
    w.encode = [] {};
    w.send = [&, i] {
      ++sent;
      if (i == 1) throw Error(ErrorKind::kServer, "engine said no to chunk 1");
      return chunk(i);
    };
    try {
      s.submit(std::move(w));
    } catch (const Error& e) {
      // Once failed, the producer is told at its next submit: it stops decoding.
      EXPECT_EQ(e.kind(), ErrorKind::kServer);
      submit_failed = true;
    }
  }
  try {
    s.finish();
    FAIL() << "finish() must rethrow the chunk's failure";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
    EXPECT_NE(std::string(e.what()).find("chunk 1"), std::string::npos);
  }
  EXPECT_TRUE(s.stopped());
  EXPECT_LT(sent.load(), 20);  // the rest was never sent
}

TEST(ChunkScheduler, AFailedEncodeFailsTheJob) {
  ChunkScheduler s({});
  ChunkWork w;
  w.encode = [] { throw std::runtime_error("disk full"); };
  w.send = [] {
    ADD_FAILURE() << "a chunk that failed to encode is not sent";
    return transcript::Chunk{};
  };
  s.submit(std::move(w));
  EXPECT_THROW(s.finish(), std::runtime_error);
}

TEST(ChunkScheduler, CancellationStopsEncodingAndSending) {
  std::atomic<bool> cancelled{false};
  ChunkScheduler::Options o;
  o.encode_workers = 1;
  o.send_workers = 1;
  o.max_in_flight = 3;
  o.cancelled = [&] { return cancelled.load(); };
  ChunkScheduler s(o);
  Gate encoding;
  std::atomic<bool> saw_stop{false};
  std::atomic<int> sent{0};
  ChunkWork first;
  first.encode = [&] {
    encoding.open();
    // A long encode polls for a stop, as media::encode_pcm does through its cancelled().
    for (int i = 0; i < 2000 && !s.stopped(); ++i) std::this_thread::sleep_for(10ms);
    saw_stop = s.stopped();
  };
  first.send = [&] {
    ++sent;
    return chunk(0);
  };
  s.submit(std::move(first));
  ChunkWork second;
  second.encode = [] {};
  second.send = [&] {
    ++sent;
    return chunk(1);
  };
  s.submit(std::move(second));
  ASSERT_TRUE(encoding.wait());
  cancelled = true;  // /cancel
  try {
    s.finish();
    FAIL() << "a cancelled job has no transcript";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_TRUE(saw_stop.load());
  EXPECT_EQ(sent.load(), 0);
  ChunkWork late;
  late.encode = [] {};
  late.send = [] { return transcript::Chunk{}; };
  EXPECT_THROW(s.submit(std::move(late)), Error);
}

TEST(ChunkScheduler, DroppedWorkReleasesWhatItHolds) {
  // A job that throws before finish() (the decoder found corrupt data) leaves no chunk alive.
  auto held = std::make_shared<int>(1);
  std::weak_ptr<int> watch = held;
  {
    ChunkScheduler::Options o;
    o.encode_workers = 1;
    o.send_workers = 1;
    ChunkScheduler s(o);
    Gate go;
    ChunkWork blocker;
    blocker.encode = [&] { EXPECT_TRUE(go.wait()); };
    blocker.send = [] { return chunk(0); };
    s.submit(std::move(blocker));
    ChunkWork w;
    w.encode = [held] {};
    w.send = [held] { return chunk(1); };
    held.reset();
    s.submit(std::move(w));
    go.open();
  }  // destroyed without finish()
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace tgscribe::pipeline
