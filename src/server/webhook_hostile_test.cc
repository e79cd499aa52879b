// The webhook listener against clients that try to exhaust it: slow heads (slowloris), endless
// and oversized heads, too many connections from one address, bodies that never finish. The
// attackers come from other loopback addresses (127.0.0.0/8 is all local on Linux), so the
// per-address cap does not also shut out the legitimate client on 127.0.0.1.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "server/webhook_server.h"
#include "support/loopback_client.h"

namespace tgscribe::server {
namespace {

using tgscribe::testing::connect_loopback;

constexpr const char* kPath = "/tg/hook";
constexpr const char* kSecret = "s3cret_Token-1";

class CountingIntake {
 public:
  bool operator()(const nlohmann::json&) {
    count_++;
    return true;
  }
  int count() const { return count_; }

 private:
  std::atomic<int> count_{0};
};

bool send_all(int fd, const std::string& bytes) {
  return send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

// Everything the server sends until it closes the connection, or `seconds` pass, or (when given)
// `enough` has arrived; `closed` tells whether it closed (a reset counts as closed).
std::string read_until_closed(int fd, int seconds, bool& closed, const std::string& enough = "") {
  std::string out;
  closed = false;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  char buf[4096];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      closed = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
    if (!enough.empty() && out.find(enough) != std::string::npos) break;
  }
  return out;
}

std::string head_start() {
  return std::string("POST ") + kPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
}

std::string update_request(int id) {
  std::string body = "{\"update_id\": " + std::to_string(id) + "}";
  return head_start() + "X-Telegram-Bot-Api-Secret-Token: " + kSecret +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

WebhookOptions options() {
  WebhookOptions o;
  o.listen = {"127.0.0.1", 0};
  o.path = kPath;
  o.secret = kSecret;
  o.max_connections = 8;  // 12 threads, 24 connections per address
  return o;
}

// A legitimate update from 127.0.0.1, with a generous deadline: on a server whose threads are
// all held by slow clients it never gets an answer while they keep trickling.
httplib::Result post_update(int port, int id) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(10, 0);
  client.set_read_timeout(10, 0);
  return client.Post(kPath, {{"X-Telegram-Bot-Api-Secret-Token", kSecret}},
                     "{\"update_id\": " + std::to_string(id) + "}", "application/json");
}

// 100 clients, each from its own address (so no per-address cap helps), trickle their heads a
// byte at a time, and one client streams header lines without end; Telegram's update is still
// answered at once, because waiting for a head costs no request thread.
TEST(WebhookHostile, SlowAndEndlessHeadsDoNotStopTelegramsRequests) {
  CountingIntake intake;
  WebhookServer server(options(), [&](const nlohmann::json& u) { return intake(u); });
  server.start();

  std::vector<int> slow;
  for (int i = 0; i < 100; ++i) {
    std::string source = "127.0.1." + std::to_string(i + 1);
    int fd = connect_loopback(server.port(), source.c_str());
    ASSERT_GE(fd, 0) << source;
    slow.push_back(fd);
  }
  std::atomic<bool> done{false};
  std::thread dripper([&] {
    std::string head = head_start() + "X-Pad: ";
    for (size_t i = 0; !done; ++i) {
      for (int fd : slow) {
        char c = i < head.size() ? head[i] : 'a';
        (void)!send(fd, &c, 1, MSG_NOSIGNAL);
      }
      for (int k = 0; k < 20 && !done; ++k)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  std::atomic<bool> endless_cut{false};
  std::thread endless([&] {
    int fd = connect_loopback(server.port(), "127.0.0.3");
    if (fd < 0) return;
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (send_all(fd, head_start())) {
      // 256 MB at most, so the test ends even if the server never cuts it off.
      for (int i = 0; i < (256 << 20) / 16 && !done; ++i) {
        if (!send_all(fd, "X-More: header\r\n")) {
          endless_cut = true;
          break;
        }
      }
    }
    close(fd);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the attack take hold

  std::vector<std::string> answers;
  for (int id = 1; id <= 3; ++id) {
    auto res = post_update(server.port(), id);
    answers.push_back(res ? std::to_string(res->status) : httplib::to_string(res.error()));
  }
  endless.join();
  done = true;
  dripper.join();
  for (int fd : slow) close(fd);

  EXPECT_EQ(answers, (std::vector<std::string>{"200", "200", "200"}));
  EXPECT_EQ(intake.count(), 3);
  EXPECT_TRUE(endless_cut) << "the endless header stream was never cut off";
}

TEST(WebhookHostile, HeadOverTheByteCapIs431AndNotProcessed) {
  CountingIntake intake;
  WebhookServer server(options(), [&](const nlohmann::json& u) { return intake(u); });
  server.start();
  double before = metrics::Registry::global().counter_value(
      "http_connections_refused_total", {{"server", "webhook"}, {"reason", "head_too_large"}});
  int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  // One header of 20 KB, then an otherwise valid update.
  std::string request = update_request(1);
  request.insert(head_start().size(), "X-Big: " + std::string(20 * 1024, 'b') + "\r\n");
  (void)!send_all(fd, request);
  bool closed;
  std::string answer = read_until_closed(fd, 10, closed);
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer;
  EXPECT_TRUE(closed);
  EXPECT_EQ(intake.count(), 0);
  EXPECT_EQ(
      metrics::Registry::global().counter_value(
          "http_connections_refused_total", {{"server", "webhook"}, {"reason", "head_too_large"}}),
      before + 1);
}

TEST(WebhookHostile, TooManyHeaderLinesIs431AndNotProcessed) {
  CountingIntake intake;
  WebhookServer server(options(), [&](const nlohmann::json& u) { return intake(u); });
  server.start();
  int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  // 200 short headers: 3 KB in all, under the byte cap, over the line cap.
  std::string many;
  for (int i = 0; i < 200; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  std::string request = update_request(1);
  request.insert(head_start().size(), many);
  (void)!send_all(fd, request);
  bool closed;
  std::string answer = read_until_closed(fd, 10, closed);
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer;
  EXPECT_EQ(intake.count(), 0);
}

TEST(WebhookHostile, HeadThatDoesNotFinishInTimeIs408) {
  CountingIntake intake;
  auto o = options();
  o.limits.head_timeout_s = 1;
  WebhookServer server(o, [&](const nlohmann::json& u) { return intake(u); });
  server.start();
  int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  (void)!send_all(fd, head_start());  // and nothing more
  bool closed;
  std::string answer = read_until_closed(fd, 15, closed);
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  EXPECT_TRUE(closed);
  EXPECT_EQ(intake.count(), 0);
}

// An authenticated client that trickles its body (one byte well within every read timeout) is
// cut off at the body deadline.
TEST(WebhookHostile, BodyThatDoesNotFinishInTimeIsCutOff) {
  CountingIntake intake;
  auto o = options();
  o.limits.body_timeout_s = 1;
  WebhookServer server(o, [&](const nlohmann::json& u) { return intake(u); });
  server.start();
  int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  std::string head = head_start() + "X-Telegram-Bot-Api-Secret-Token: " + kSecret +
                     "\r\nContent-Length: 1000\r\n\r\n{\"update_id\": 1, \"pad\": \"";
  ASSERT_TRUE(send_all(fd, head));
  std::atomic<bool> done{false};
  std::atomic<bool> cut{false};
  std::thread dripper([&] {
    for (int i = 0; i < 200 && !done; ++i) {  // up to 20 s
      if (!send_all(fd, "a")) {
        cut = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  bool closed;
  std::string answer = read_until_closed(fd, 15, closed);
  done = true;
  dripper.join();
  close(fd);
  EXPECT_TRUE(closed) << "the server kept reading a body trickled past its deadline";
  EXPECT_EQ(intake.count(), 0);
}

TEST(WebhookHostile, ConnectionsPerAddressAreCapped) {
  CountingIntake intake;
  WebhookServer server(options(), [&](const nlohmann::json& u) { return intake(u); });
  server.start();
  constexpr int kCap = 24;  // 2 × (max_connections 8 + 4)
  std::vector<int> fds;
  for (int i = 0; i < kCap + 3; ++i) {
    int fd = connect_loopback(server.port(), "127.0.0.2");
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
  }
  // The connections over the cap are closed without a word...
  for (int i = kCap; i < kCap + 3; ++i) {
    bool closed;
    std::string answer = read_until_closed(fds[i], 10, closed);
    EXPECT_TRUE(closed) << "connection " << i << " over the cap was kept";
    EXPECT_EQ(answer, "");
  }
  // ...while those within it are still open and served.
  for (int i = 0; i < kCap; ++i) {
    pollfd p{fds[i], POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 0), 0) << "connection " << i << " within the cap was closed";
  }
  ASSERT_TRUE(send_all(fds[0], update_request(7)));
  bool closed;
  std::string answer = read_until_closed(fds[0], 10, closed, "\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  // Another address is not affected.
  auto res = post_update(server.port(), 8);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  // Closing one frees its slot.
  for (int i = 0; i < kCap; ++i) close(fds[i]);
  fds.clear();
  bool freed = false;
  for (int attempt = 0; attempt < 100 && !freed; ++attempt) {
    int fd = connect_loopback(server.port(), "127.0.0.2");
    ASSERT_GE(fd, 0);
    if (send_all(fd, update_request(100 + attempt))) {
      std::string a = read_until_closed(fd, 10, closed, "\r\n\r\n");
      freed = a.rfind("HTTP/1.1 200", 0) == 0;
    }
    close(fd);
    if (!freed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(freed);
  for (int fd : fds) close(fd);
}

// Requests pipelined on one connection (the next head arrives with the previous body) are all
// answered, each through the gate.
TEST(WebhookHostile, PipelinedRequestsAreAllAnswered) {
  CountingIntake intake;
  WebhookServer server(options(), [&](const nlohmann::json& u) { return intake(u); });
  server.start();
  int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, update_request(1) + update_request(2) + update_request(3)));
  std::string answers;
  char buf[4096];
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  size_t n200 = 0;
  while (n200 < 3 && std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answers.append(buf, static_cast<size_t>(n));
    n200 = 0;
    for (size_t pos = answers.find("HTTP/1.1 200"); pos != std::string::npos;
         pos = answers.find("HTTP/1.1 200", pos + 1))
      ++n200;
  }
  close(fd);
  EXPECT_EQ(n200, 3u) << answers;
  EXPECT_EQ(intake.count(), 3);
}

// The raw client these tests attack with (tests/support/loopback_client.h): it connects from the
// loopback address asked for, so the server's per-address limits see separate hosts.
TEST(LoopbackClient, ConnectsFromTheSourceAddressAsked) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  // Bound but not listening: nothing accepts, so a connection is refused.
  EXPECT_EQ(connect_loopback(port), -1);
  EXPECT_EQ(connect_loopback(port, "not an address"), -1);

  ASSERT_EQ(listen(listener, 4), 0);
  int fd = connect_loopback(port, "127.0.3.9", 5);
  ASSERT_GE(fd, 0);
  sockaddr_in peer{};
  len = sizeof peer;
  int accepted = accept(listener, reinterpret_cast<sockaddr*>(&peer), &len);
  ASSERT_GE(accepted, 0);
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  EXPECT_STREQ(text, "127.0.3.9");
  close(accepted);
  close(fd);
  close(listener);
}

}  // namespace
}  // namespace tgscribe::server
