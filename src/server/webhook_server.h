#pragma once
// The Telegram webhook endpoint. Everything that can be decided from the request line and the
// headers (path, method, secret, declared size) is decided before a byte of the body is read;
// a rejected request never reaches the bot, and its connection is closed so an unread body can
// never be mistaken for the next request on a reused connection.
//
//   wrong path 404 · not POST 405 · missing/wrong secret 401 · no length 411 · too large 413
//   body not a JSON object 400 · on_update false or throws 500 (Telegram redelivers) · else 200
//
// Before that, the connection gate (connection_gate.h) keeps slow and greedy clients off the
// request threads: heads over 16 KiB or 100 lines 431, a head not done in 10 s 408, a body not
// read in 30 s cut off, connections per address capped at 2 × (max_connections + 4).
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "config/config.h"
#include "server/http_runner.h"
#include "server/listen_address.h"

namespace tgscribe::server {

struct WebhookOptions {
  ListenAddress listen{"0.0.0.0", 8443};
  std::string path = "/";  // requests to any other path get 404
  std::string secret;      // empty: no check (start() warns loudly)
  int64_t max_body_bytes = 4'000'000;
  int max_connections = 40;  // Telegram's max_connections; sizes the thread pool
  HttpLimits limits;         // threads and connections per address are derived from max_connections

  // WEBHOOK_LISTEN, the path of WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_MAX_BODY_BYTES,
  // WEBHOOK_MAX_CONNECTIONS. Throws tgscribe::Error(kInvalidInput) on a bad listen address.
  static WebhookOptions from_config(const config::Config& config);
};

// The bot's intake. Called concurrently from the server's threads with one parsed update (a
// JSON object). Returns true only once the update is durably recorded: the 200 that follows
// tells Telegram it may forget the update. false or an exception gives 500, and Telegram sends
// the update again later, so the intake must also ignore update_ids it has already seen.
using UpdateHandler = std::function<bool(const nlohmann::json& update)>;

class WebhookServer {
 public:
  WebhookServer(WebhookOptions options, UpdateHandler on_update);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Binds and serves in the background; throws tgscribe::Error naming the address on failure.
  void start();
  // Stops accepting and waits for requests in flight (their on_update calls complete). Call it
  // before the intake behind on_update is torn down.
  void stop();
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgscribe::server
