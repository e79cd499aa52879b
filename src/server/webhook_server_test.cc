#include "server/webhook_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/metrics.h"
#include "support/loopback_client.h"

namespace tgscribe::server {
namespace {

using tgscribe::testing::connect_loopback;

constexpr const char* kPath = "/tg/hook";
constexpr const char* kSecret = "s3cret_Token-1";
constexpr int64_t kCap = 2000;

// The bot's intake as the server sees it: records every update it is handed.
class RecordingIntake {
 public:
  bool operator()(const nlohmann::json& update) {
    std::lock_guard lock(mutex_);
    updates_.push_back(update);
    if (throw_) throw std::runtime_error("queue is down");
    return accept_;
  }
  void set_accept(bool accept) { accept_ = accept; }
  void set_throw(bool t) { throw_ = t; }
  std::vector<nlohmann::json> updates() {
    std::lock_guard lock(mutex_);
    return updates_;
  }
  size_t count() { return updates().size(); }

 private:
  std::mutex mutex_;
  std::vector<nlohmann::json> updates_;
  std::atomic<bool> accept_{true};
  std::atomic<bool> throw_{false};
};

WebhookOptions test_options() {
  WebhookOptions o;
  o.listen = {"127.0.0.1", 0};
  o.path = kPath;
  o.secret = kSecret;
  o.max_body_bytes = kCap;
  o.max_connections = 8;
  return o;
}

double counter(const std::string& name, const metrics::Labels& labels) {
  return metrics::Registry::global().counter_value(name, labels);
}

// Reads one response whose body is empty (the webhook's 200): up to the blank line.
std::string read_response_head(int fd) {
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos && recv(fd, &c, 1, 0) == 1) head += c;
  return head;
}

// Sends raw bytes on one connection and returns everything the server sends until it closes
// (or 10 s pass): shows whether the server closed the connection and how many answers it gave.
// `later` is sent after a pause, so it arrives after the server has handled `bytes`.
std::string raw_exchange(int port, const std::string& bytes, const std::string& later = {}) {
  int fd = connect_loopback(port, "127.0.0.1", 10);
  if (fd < 0) return "connect failed";
  (void)!send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (!later.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (void)!send(fd, later.data(), later.size(), MSG_NOSIGNAL);
  }
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, n);
  close(fd);
  return out;
}

size_t count_occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

std::string raw_post(const std::string& path, const std::string& secret, const std::string& body) {
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!secret.empty()) req += "X-Telegram-Bot-Api-Secret-Token: " + secret + "\r\n";
  req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
  return req;
}

class WebhookServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<WebhookServer>(
        test_options(), [this](const nlohmann::json& u) { return intake_(u); });
    server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  httplib::Result post(const std::string& body, const std::string& secret = kSecret,
                       const std::string& path = kPath) {
    httplib::Headers headers;
    if (!secret.empty()) headers.emplace("X-Telegram-Bot-Api-Secret-Token", secret);
    return client_->Post(path.c_str(), headers, body, "application/json");
  }

  RecordingIntake intake_;
  std::unique_ptr<WebhookServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WebhookServerTest, ValidUpdateReachesIntakeAndGets200) {
  double before = counter("updates_total", {{"source", "webhook"}});
  auto res = post(R"({"update_id": 42, "message": {"text": "hi"}})");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  auto seen = intake_.updates();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["update_id"], 42);
  EXPECT_EQ(seen[0]["message"]["text"], "hi");
  EXPECT_EQ(counter("updates_total", {{"source", "webhook"}}), before + 1);
}

TEST_F(WebhookServerTest, MissingSecretIs401AndNotProcessed) {
  double before = counter("webhook_rejected_total", {{"reason", "secret"}});
  auto res = post(R"({"update_id": 1})", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(intake_.count(), 0u);
  EXPECT_EQ(counter("webhook_rejected_total", {{"reason", "secret"}}), before + 1);
}

TEST_F(WebhookServerTest, WrongSecretIs401AndNotProcessed) {
  for (const char* wrong : {"s3cret_Token-2", "s3cret_Token-", "s3cret_Token-11", "x"}) {
    auto res = post(R"({"update_id": 1})", wrong);
    ASSERT_TRUE(res) << wrong;
    EXPECT_EQ(res->status, 401) << wrong;
  }
  EXPECT_EQ(intake_.count(), 0u);
}

TEST_F(WebhookServerTest, OversizedBodyIs413AndNotProcessed) {
  std::string big = R"({"update_id": 1, "pad": ")" + std::string(kCap, 'a') + R"("})";
  auto res = post(big);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(intake_.count(), 0u);
}

TEST_F(WebhookServerTest, BodyExactlyAtTheCapIsAccepted) {
  std::string prefix = R"({"update_id": 5, "pad": ")";
  std::string body = prefix + std::string(kCap - prefix.size() - 2, 'a') + R"("})";
  ASSERT_EQ(body.size(), static_cast<size_t>(kCap));
  auto res = post(body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(intake_.count(), 1u);
}

TEST_F(WebhookServerTest, OversizedChunkedBodyIs413) {
  // No Content-Length: the cap must hold on the bytes actually read.
  httplib::Headers headers{{"X-Telegram-Bot-Api-Secret-Token", kSecret}};
  auto res = client_->Post(
      kPath, headers,
      [](size_t offset, httplib::DataSink& sink) {
        if (offset == 0) sink.os << R"({"update_id": 1, "pad": ")";
        std::string piece(500, 'a');
        sink.write(piece.data(), piece.size());
        if (offset > 5 * kCap) sink.done();
        return true;
      },
      "application/json");
  // The server may close while the client still sends; either way nothing is processed.
  if (res) {
    EXPECT_EQ(res->status, 413);
  }
  EXPECT_EQ(intake_.count(), 0u);
}

TEST_F(WebhookServerTest, SmallChunkedBodyIsAccepted) {
  httplib::Headers headers{{"X-Telegram-Bot-Api-Secret-Token", kSecret}};
  auto res = client_->Post(
      kPath, headers,
      [](size_t, httplib::DataSink& sink) {
        sink.os << R"({"update_id": 9})";
        sink.done();
        return true;
      },
      "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  auto seen = intake_.updates();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["update_id"], 9);
}

TEST_F(WebhookServerTest, SecretIsCheckedBeforeSize) {
  std::string big(kCap * 2, 'a');
  auto res = post(big, "wrong");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(WebhookServerTest, MalformedJsonIs400) {
  double before = counter("webhook_rejected_total", {{"reason", "malformed"}});
  for (const char* bad : {"{not json", "", "[1, 2]", "\"text\"", "{\"update_id\": 1} trailing"}) {
    auto res = post(bad);
    ASSERT_TRUE(res) << bad;
    EXPECT_EQ(res->status, 400) << bad;
  }
  EXPECT_EQ(intake_.count(), 0u);
  EXPECT_EQ(counter("webhook_rejected_total", {{"reason", "malformed"}}), before + 5);
}

TEST_F(WebhookServerTest, IntakeRefusalIs500SoTelegramRetries) {
  intake_.set_accept(false);
  auto res = post(R"({"update_id": 7})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  intake_.set_accept(true);
  intake_.set_throw(true);
  res = post(R"({"update_id": 7})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  intake_.set_throw(false);
  res = post(R"({"update_id": 7})");  // the redelivery
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(intake_.count(), 3u);
}

TEST_F(WebhookServerTest, WrongPathIs404AndWrongMethodIs405) {
  auto res = post(R"({"update_id": 1})", kSecret, "/other");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = post(R"({"update_id": 1})", kSecret, "/tg/hook/extra");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = client_->Get(kPath);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST");
  res = client_->Put(kPath, R"({"update_id": 1})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(intake_.count(), 0u);
}

TEST_F(WebhookServerTest, MissingLengthIs411) {
  std::string req = std::string("POST ") + kPath +
                    " HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: " + kSecret +
                    "\r\n\r\n";
  std::string answer = raw_exchange(server_->port(), req);
  EXPECT_EQ(answer.rfind("HTTP/1.1 411", 0), 0u) << answer;
  EXPECT_EQ(intake_.count(), 0u);
}

TEST_F(WebhookServerTest, GarbageLengthIs400) {
  std::string req = std::string("POST ") + kPath +
                    " HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n"
                    "X-Telegram-Bot-Api-Secret-Token: " +
                    kSecret + "\r\n\r\n{}";
  std::string answer = raw_exchange(server_->port(), req);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_EQ(intake_.count(), 0u);
}

TEST_F(WebhookServerTest, RejectedRequestsBodyIsNeverReadAsAnotherRequest) {
  // The unauthenticated request's body is itself a well-formed, authenticated request. If the
  // server left the body in the connection and kept reading, it would process it. The body
  // comes after a pause, as it would from a slow client, so the server has answered already.
  std::string smuggled = raw_post(kPath, kSecret, R"({"update_id": 666})");
  for (const std::string& path : {std::string(kPath), std::string("/elsewhere")}) {
    std::string request = raw_post(path, "", smuggled);
    std::string head = request.substr(0, request.size() - smuggled.size());
    std::string answer = raw_exchange(server_->port(), head, smuggled);
    EXPECT_EQ(count_occurrences(answer, "HTTP/1.1 "), 1u) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  }
  EXPECT_EQ(intake_.count(), 0u);
}

TEST_F(WebhookServerTest, AcceptedRequestsKeepTheConnection) {
  // Two updates one after the other on one connection (as Telegram reuses its connections).
  int fd = connect_loopback(server_->port(), "127.0.0.1", 10);
  ASSERT_GE(fd, 0);
  for (int id : {1, 2}) {
    std::string req = raw_post(kPath, kSecret, "{\"update_id\": " + std::to_string(id) + "}");
    ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    std::string head = read_response_head(fd);
    EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
    EXPECT_EQ(head.find("Connection: close"), std::string::npos) << head;
  }
  close(fd);
  EXPECT_EQ(intake_.count(), 2u);
}

TEST_F(WebhookServerTest, ExpectContinueClientsAreRefusedBeforeSendingTheBody) {
  std::string req = std::string("POST ") + kPath +
                    " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                    "Content-Length: 5000000\r\n\r\n";
  std::string answer = raw_exchange(server_->port(), req);
  EXPECT_EQ(answer.rfind("HTTP/1.1 401", 0), 0u) << answer;
  EXPECT_EQ(answer.find("100 Continue"), std::string::npos) << answer;
}

TEST_F(WebhookServerTest, StopReturnsWithAnIdleConnectionOpenAndRefusesAfterwards) {
  // An idle keep-alive connection must not keep stop() from returning.
  httplib::Client idle("127.0.0.1", server_->port());
  idle.set_keep_alive(true);
  auto res = idle.Post(kPath, {{"X-Telegram-Bot-Api-Secret-Token", kSecret}}, R"({"update_id": 1})",
                       "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  server_->stop();
  httplib::Client fresh("127.0.0.1", server_->port());
  EXPECT_FALSE(fresh.Get("/"));
}

// A client that trickles its request must not hold stop(), and with it the graceful shutdown.
TEST_F(WebhookServerTest, StopCutsAClientThatTricklesItsRequest) {
  int fd = connect_loopback(server_->port(), "127.0.0.1", 10);
  ASSERT_GE(fd, 0);
  std::atomic<bool> stop_dripping{false};
  std::atomic<int> dripped{0};
  std::atomic<bool> client_gave_up{false};
  std::thread dripper([&] {
    std::string head = std::string("POST ") + kPath + " HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    (void)!send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    // Each byte comes well within the server's read timeout, for up to 30 s.
    for (int i = 0; i < 300 && !stop_dripping; ++i) {
      if (send(fd, "a", 1, MSG_NOSIGNAL) != 1) break;
      dripped++;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    client_gave_up = true;
  });
  while (dripped < 3 && !client_gave_up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  server_->stop();
  bool stopped_while_client_still_sending = !client_gave_up;
  stop_dripping = true;
  dripper.join();
  close(fd);
  EXPECT_TRUE(stopped_while_client_still_sending);
  EXPECT_EQ(intake_.count(), 0u);
}

TEST(WebhookServer, NoSecretConfiguredAcceptsWithoutHeader) {
  RecordingIntake intake;
  auto options = test_options();
  options.secret.clear();
  WebhookServer server(options, [&](const nlohmann::json& u) { return intake(u); });
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Post(kPath, R"({"update_id": 3})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(intake.count(), 1u);
}

TEST(WebhookServer, PercentEncodedWebhookPathMatches) {
  RecordingIntake intake;
  config::Config c;
  c.webhook_url = "https://bot.example.com/tg/a%2Db%20c";
  c.webhook_listen = "127.0.0.1:0";
  WebhookServer server(WebhookOptions::from_config(c),
                       [&](const nlohmann::json& u) { return intake(u); });
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Post("/tg/a-b%20c", R"({"update_id": 3})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(intake.count(), 1u);
}

TEST(WebhookServer, BindFailureNamesTheAddress) {
  RecordingIntake intake;
  WebhookServer first(test_options(), [&](const nlohmann::json& u) { return intake(u); });
  first.start();
  auto options = test_options();
  options.listen.port = first.port();
  WebhookServer second(options, [&](const nlohmann::json& u) { return intake(u); });
  try {
    second.start();
    FAIL() << "second server bound a port in use";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
  }
}

TEST(WebhookServer, OptionsFromConfig) {
  config::Config c;
  c.webhook_url = "https://bot.example.com:8443/tg/abc?x=1";
  c.webhook_secret = "sec";
  c.webhook_listen = "127.0.0.1:8443";
  c.webhook_max_body_bytes = 1234;
  c.webhook_max_connections = 17;
  auto o = WebhookOptions::from_config(c);
  EXPECT_EQ(o.path, "/tg/abc");
  EXPECT_EQ(o.secret, "sec");
  EXPECT_EQ(o.listen.to_string(), "127.0.0.1:8443");
  EXPECT_EQ(o.max_body_bytes, 1234);
  EXPECT_EQ(o.max_connections, 17);
}

// 2,000 updates from 50 concurrent keep-alive connections: every one reaches the intake
// exactly once and is answered 200.
TEST(WebhookServerLoad, TwoThousandUpdatesFromFiftyConnectionsEachCountedOnce) {
  constexpr int kClients = 50;
  constexpr int kPerClient = 40;
  std::mutex mutex;
  std::map<int64_t, int> seen;
  auto options = test_options();
  options.max_connections = kClients;
  WebhookServer server(options, [&](const nlohmann::json& u) {
    std::lock_guard lock(mutex);
    seen[u.at("update_id").get<int64_t>()]++;
    return true;
  });
  server.start();

  std::atomic<int> ok{0}, failed{0};
  std::vector<std::string> errors;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_keep_alive(true);
      client.set_read_timeout(30, 0);
      httplib::Headers headers{{"X-Telegram-Bot-Api-Secret-Token", kSecret}};
      for (int i = 0; i < kPerClient; ++i) {
        int64_t id = c * 1000 + i;
        nlohmann::json update = {{"update_id", id}, {"message", {{"text", "load"}}}};
        auto res = client.Post(kPath, headers, update.dump(), "application/json");
        if (res && res->status == 200) {
          ok++;
        } else {
          failed++;
          std::lock_guard lock(mutex);
          errors.push_back(res ? "status " + std::to_string(res->status)
                               : "error " + httplib::to_string(res.error()));
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  server.stop();

  EXPECT_EQ(ok.load(), kClients * kPerClient);
  EXPECT_EQ(failed.load(), 0) << "first: " << (errors.empty() ? "" : errors.front());
  ASSERT_EQ(seen.size(), static_cast<size_t>(kClients * kPerClient));
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << "update " << id;
}

}  // namespace
}  // namespace tgscribe::server
