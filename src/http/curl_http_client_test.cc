#include "http/curl_http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "common/error.h"
#include "common/redact.h"
#include "http/testing/local_server.h"
#include "support/test_util.h"

namespace tgscribe::http {
namespace {

using tgscribe::testing::TempDir;
using tgscribe::testing::write_file;

class CurlHttpClientTest : public ::testing::Test {
 protected:
  testing::LocalServer fake;
  CurlHttpClient client;
};

ErrorKind kind_of(CurlHttpClient& client, const Request& req) {
  try {
    client.send(req);
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no error thrown";
  return ErrorKind::kInternal;
}

TEST_F(CurlHttpClientTest, GetReturnsStatusBodyAndLowerCasedHeaders) {
  fake.server().Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Custom-Thing", "42");
    res.set_content("hi " + req.get_header_value("X-Who"), "text/plain");
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/hello";
  req.headers.emplace_back("X-Who", "you");
  Response res = client.send(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "hi you");
  EXPECT_EQ(res.header("x-custom-thing").value_or(""), "42");
  EXPECT_EQ(res.header("X-Custom-Thing").value_or(""), "42");
  EXPECT_FALSE(res.header("missing").has_value());
}

TEST_F(CurlHttpClientTest, ErrorStatusesAreReturnedNotThrown) {
  fake.server().Get("/busy", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "7");
    res.set_content("slow down", "text/plain");
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/busy";
  Response res = client.send(req);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(res.body, "slow down");
  EXPECT_EQ(res.header("retry-after").value_or(""), "7");
}

TEST_F(CurlHttpClientTest, PostsInMemoryBody) {
  std::string got_body, got_type;
  fake.server().Post("/json", [&](const httplib::Request& req, httplib::Response& res) {
    got_body = req.body;
    got_type = req.get_header_value("Content-Type");
    res.set_content("{}", "application/json");
  });
  fake.start();
  Request req;
  req.method = "POST";
  req.url = fake.url() + "/json";
  req.body = R"({"a":1})";
  req.headers.emplace_back("Content-Type", "application/json");
  EXPECT_EQ(client.send(req).status, 200);
  EXPECT_EQ(got_body, R"({"a":1})");
  EXPECT_EQ(got_type, "application/json");
}

TEST_F(CurlHttpClientTest, StreamsRawBodyFromFile) {
  TempDir dir;
  std::string content(3'000'000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>((i * 7919) % 251);
  write_file(dir / "audio.bin", content);
  std::string got_body, got_type;
  fake.server().Post("/listen", [&](const httplib::Request& req, httplib::Response& res) {
    got_body = req.body;
    got_type = req.get_header_value("Content-Type");
    res.set_content("ok", "text/plain");
  });
  fake.start();
  Request req;
  req.method = "POST";
  req.url = fake.url() + "/listen";
  req.body_file = dir / "audio.bin";
  req.headers.emplace_back("Content-Type", "audio/ogg");
  EXPECT_EQ(client.send(req).status, 200);
  EXPECT_EQ(got_type, "audio/ogg");
  EXPECT_EQ(got_body.size(), content.size());
  EXPECT_TRUE(got_body == content);
}

TEST_F(CurlHttpClientTest, StreamsMultipartFileFromDisk) {
  TempDir dir;
  std::string content(1'500'000, 'x');
  content[10] = '\0';
  write_file(dir / "voice.oga", content);
  httplib::MultipartFormData file, model;
  fake.server().Post("/upload", [&](const httplib::Request& req, httplib::Response& res) {
    file = req.get_file_value("file");
    model = req.get_file_value("model");
    res.set_content("ok", "text/plain");
  });
  fake.start();
  Request req;
  req.method = "POST";
  req.url = fake.url() + "/upload";
  req.multipart.push_back({.name = "model", .value = "whisper"});
  req.multipart.push_back({.name = "file",
                           .file = dir / "voice.oga",
                           .filename = "voice.ogg",
                           .content_type = "audio/ogg"});
  EXPECT_EQ(client.send(req).status, 200);
  EXPECT_EQ(model.content, "whisper");
  EXPECT_EQ(file.filename, "voice.ogg");
  EXPECT_EQ(file.content_type, "audio/ogg");
  EXPECT_TRUE(file.content == content);
}

TEST_F(CurlHttpClientTest, MissingUploadFileIsInvalidInput) {
  fake.start();
  Request req;
  req.method = "POST";
  req.url = fake.url() + "/upload";
  req.body_file = "/nonexistent/file.ogg";
  EXPECT_EQ(kind_of(client, req), ErrorKind::kInvalidInput);
}

TEST_F(CurlHttpClientTest, StreamsDownloadThroughOnBody) {
  std::string big(4'000'000, 'a');
  for (size_t i = 0; i < big.size(); i += 1000) big[i] = 'b';
  fake.server().Get("/file", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(big, "application/octet-stream");
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/file";
  std::string received;
  int chunks = 0;
  req.on_body = [&](std::string_view chunk) {
    received.append(chunk);
    ++chunks;
    return true;
  };
  Response res = client.send(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.body.empty());
  EXPECT_TRUE(received == big);
  EXPECT_GT(chunks, 1);
}

TEST_F(CurlHttpClientTest, OnBodyIsNotUsedForErrorAnswers) {
  fake.server().Get("/gone", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content("not here", "text/plain");
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/gone";
  bool called = false;
  req.on_body = [&](std::string_view) { return called = true; };
  Response res = client.send(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, "not here");
  EXPECT_FALSE(called);
}

TEST_F(CurlHttpClientTest, ReceiverCanStopADownload) {
  fake.server().Get("/file", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(2'000'000, 'z'), "application/octet-stream");
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/file";
  req.on_body = [](std::string_view) { return false; };
  EXPECT_EQ(kind_of(client, req), ErrorKind::kCancelled);
}

TEST_F(CurlHttpClientTest, MaxBodyBytesIsEnforced) {
  fake.server().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(100'000, 'z'), "text/plain");
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/big";
  req.max_body_bytes = 10'000;
  EXPECT_EQ(kind_of(client, req), ErrorKind::kClient);
  req.max_body_bytes = 100'000;
  EXPECT_EQ(client.send(req).body.size(), 100'000u);
}

TEST_F(CurlHttpClientTest, RefusedConnectionIsNetworkError) {
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(tgscribe::testing::free_port()) + "/x";
  EXPECT_EQ(kind_of(client, req), ErrorKind::kNetwork);
}

TEST_F(CurlHttpClientTest, SlowServerIsTimeout) {
  fake.server().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content("late", "text/plain");
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/slow";
  req.timeout = std::chrono::milliseconds(200);
  EXPECT_EQ(kind_of(client, req), ErrorKind::kTimeout);
}

TEST_F(CurlHttpClientTest, OnlyHttpProtocolsAreAllowed) {
  Request req;
  req.url = "file:///etc/hostname";
  EXPECT_EQ(kind_of(client, req), ErrorKind::kInvalidInput);
  req.url = "gopher://127.0.0.1/x";
  EXPECT_EQ(kind_of(client, req), ErrorKind::kInvalidInput);
}

TEST_F(CurlHttpClientTest, TokensInUrlsNeverReachErrorMessages) {
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(tgscribe::testing::free_port()) +
            "/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ/getMe";
  try {
    client.send(req);
    FAIL() << "expected a network error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_EQ(message.find("ABCDEFGHIJKLMNOP"), std::string::npos) << message;
    EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
  }
}

TEST_F(CurlHttpClientTest, ReusesConnections) {
  std::mutex mu;
  std::set<int> ports;
  fake.server().Get("/ping", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    ports.insert(req.remote_port);
    res.set_content("pong", "text/plain");
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/ping";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.send(req).body, "pong");
  EXPECT_EQ(ports.size(), 1u) << "each request opened a new connection";
}

TEST_F(CurlHttpClientTest, IsSafeToUseFromManyThreads) {
  std::atomic<int> served{0};
  fake.server().Post("/echo", [&](const httplib::Request& req, httplib::Response& res) {
    ++served;
    res.set_content(req.body, "text/plain");
  });
  fake.start();
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        Request req;
        req.method = "POST";
        req.url = fake.url() + "/echo";
        req.body = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (client.send(req).body == req.body) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 60);
  EXPECT_EQ(served.load(), 60);
}

// libcurl reads the proxy from the environment unless CURLOPT_PROXY is set; make sure the
// client keeps it that way (Telegram is only reachable through a proxy in some countries).
TEST_F(CurlHttpClientTest, HonoursProxyFromEnvironment) {
  std::string seen_target, seen_host;
  fake.server().Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    seen_target = req.target;
    seen_host = req.get_header_value("Host");
    res.set_content("via proxy", "text/plain");
  });
  fake.start();
  ::setenv("http_proxy", fake.url().c_str(), 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  Request req;
  req.url = "http://upstream.invalid/path";
  Response res;
  try {
    res = client.send(req);
  } catch (...) {
    ::unsetenv("http_proxy");
    throw;
  }
  ::unsetenv("http_proxy");
  EXPECT_EQ(res.body, "via proxy");
  EXPECT_EQ(seen_host, "upstream.invalid");
}

// --- interruptible waits -------------------------------------------------------------------

// A door the fake server's handlers wait behind (a long poll, a stalled body), opened by the
// test or at teardown so the server can stop.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  // Waits until open or `d` passed; true when open.
  bool wait_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, d, [&] { return open_; });
  }
  void arrive() {
    {
      std::lock_guard lock(mu_);
      ++arrived_;
    }
    cv_.notify_all();
  }
  bool wait_arrivals(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int arrived_ = 0;
};

class InterruptibleTransferTest : public ::testing::Test {
 protected:
  ~InterruptibleTransferTest() override { gate.open(); }  // before the server stops

  // A handler that answers only when the gate opens (at most 60 s): a long poll.
  void serve_silence() {
    fake.server().Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      gate.arrive();
      gate.wait_for(std::chrono::seconds(60));
      res.set_content("late", "text/plain");
    });
  }

  Gate gate;  // first: destroyed after the server
  testing::LocalServer fake;
  CurlHttpClient client;
};

// Sends `req` on a thread; the error kind it ended with (kInternal: it did not fail).
std::future<ErrorKind> send_async(CurlHttpClient& client, const Request& req) {
  return std::async(std::launch::async, [&client, req] {
    try {
      client.send(req);
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::kInternal;
  });
}

TEST_F(InterruptibleTransferTest, CancelledFlagStopsATransferWhereNoByteMoves) {
  serve_silence();
  fake.start();
  std::atomic<bool> stop{false};
  Request req;
  req.url = fake.url() + "/hang";
  req.timeout = std::chrono::seconds(120);
  req.cancelled = [&] { return stop.load(); };
  auto result = send_async(client, req);
  ASSERT_TRUE(gate.wait_arrivals(1));
  stop = true;
  // Without the flag the request would wait for the gate (60 s) and then succeed.
  ASSERT_EQ(result.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(result.get(), ErrorKind::kCancelled);
}

TEST_F(InterruptibleTransferTest, AbortAllStopsTransfersInFlightAndRefusesNewOnes) {
  serve_silence();
  fake.start();
  Request req;
  req.url = fake.url() + "/hang";
  req.timeout = std::chrono::seconds(120);
  auto first = send_async(client, req);
  auto second = send_async(client, req);
  ASSERT_TRUE(gate.wait_arrivals(2));
  EXPECT_FALSE(client.aborted());
  client.abort_all();
  ASSERT_EQ(first.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  ASSERT_EQ(second.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  // A timeout (the deadline passed), so that callers keep the work for the next start.
  EXPECT_EQ(first.get(), ErrorKind::kTimeout);
  EXPECT_EQ(second.get(), ErrorKind::kTimeout);
  EXPECT_TRUE(client.aborted());
  EXPECT_EQ(kind_of(client, req), ErrorKind::kTimeout);
}

TEST_F(InterruptibleTransferTest, DownloadThatStallsMidBodyIsATimeout) {
  fake.server().Get("/stall", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(1'000'000, "application/octet-stream",
                             [this](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset > 0) {
                                 gate.wait_for(std::chrono::seconds(60));
                                 return false;
                               }
                               sink.write(std::string(2000, 'x').data(), 2000);
                               return true;
                             });
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/stall";
  req.timeout = std::chrono::seconds(120);
  req.stall = {.min_bytes_per_s = 1000, .window = std::chrono::milliseconds(500)};
  int64_t got = 0;
  req.on_body = [&](std::string_view chunk) {
    got += static_cast<int64_t>(chunk.size());
    return true;
  };
  try {
    client.send(req);
    FAIL() << "a stalled download succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTimeout) << e.what();
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("stalled"), std::string::npos) << e.what();
  }
  EXPECT_EQ(got, 2000);
}

TEST_F(InterruptibleTransferTest, ServerWorkingOnAnUploadIsNotAStall) {
  fake.server().Post("/think", [this](const httplib::Request& req, httplib::Response& res) {
    gate.wait_for(std::chrono::milliseconds(1500));  // an engine transcribing
    res.set_content(std::to_string(req.body.size()), "text/plain");
  });
  fake.start();
  Request req;
  req.method = "POST";
  req.url = fake.url() + "/think";
  req.body = std::string(20'000, 'a');
  req.headers.emplace_back("Content-Type", "application/octet-stream");
  req.stall = {.min_bytes_per_s = 1000, .window = std::chrono::milliseconds(300)};
  Response res = client.send(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "20000");
}

TEST_F(InterruptibleTransferTest, SlowButSteadyDownloadIsNotAStall) {
  fake.server().Get("/trickle", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/octet-stream",
                                     [n = 0](size_t, httplib::DataSink& sink) mutable {
                                       if (n++ == 20) {
                                         sink.done();
                                         return true;
                                       }
                                       std::this_thread::sleep_for(std::chrono::milliseconds(50));
                                       sink.write(std::string(400, 't').data(), 400);
                                       return true;
                                     });
  });
  fake.start();
  Request req;
  req.url = fake.url() + "/trickle";
  // ~8 KB/s against a limit of 1 KB/s over 400 ms.
  req.stall = {.min_bytes_per_s = 1000, .window = std::chrono::milliseconds(400)};
  EXPECT_EQ(client.send(req).body.size(), 8000u);
}

TEST(TransferLimits, DeadlineGrowsWithTheSize) {
  TransferLimits limits;
  EXPECT_EQ(limits.deadline_for(0), std::chrono::seconds(60));
  EXPECT_EQ(limits.deadline_for(100'000'000), std::chrono::seconds(60 + 1000));
  limits.min_rate_bytes_per_s = 0;
  EXPECT_EQ(limits.deadline_for(100'000'000), std::chrono::seconds(60));
}

}  // namespace
}  // namespace tgscribe::http
