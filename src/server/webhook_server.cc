#include "server/webhook_server.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include "common/metrics.h"
#include "server/secret_compare.h"

namespace tgscribe::server {

// Outside the anonymous namespace: WebhookServer::Impl holds one (see -Wsubobject-linkage
// under the unity build).
namespace webhook_detail {
// Unauthenticated senders must not be able to flood the log: one line per reason per window,
// with the number of lines left out since the last one.
class LogThrottle {
 public:
  void warn(const std::string& reason, const std::string& line) {
    auto now = std::chrono::steady_clock::now();
    size_t skipped;
    {
      std::lock_guard lock(mutex_);
      auto& s = state_[reason];
      if (s.last.time_since_epoch().count() != 0 && now - s.last < std::chrono::seconds(10)) {
        s.skipped++;
        return;
      }
      skipped = s.skipped;
      s = {now, 0};
    }
    if (skipped)
      spdlog::warn("{} ({} similar lines suppressed)", line, skipped);
    else
      spdlog::warn("{}", line);
  }

 private:
  struct State {
    std::chrono::steady_clock::time_point last;
    size_t skipped = 0;
  };
  std::mutex mutex_;
  std::map<std::string, State> state_;
};
}  // namespace webhook_detail
using webhook_detail::LogThrottle;

namespace {

constexpr const char* kSecretHeader = "X-Telegram-Bot-Api-Secret-Token";

struct Reject {
  int status;
  const char* reason;  // metric label and log word
  const char* message;
};

const Reject kNotFound{404, "path", "not found\n"};
const Reject kMethod{405, "method", "method not allowed\n"};
const Reject kSecret{401, "secret", "unauthorized\n"};
const Reject kNoLength{411, "length", "length required\n"};
const Reject kBadLength{400, "length", "bad content-length\n"};
const Reject kTooLarge{413, "too_large", "payload too large\n"};
const Reject kTruncated{400, "truncated", "incomplete body\n"};

void count_response(int status) {
  metrics::Registry::global().counter_add("webhook_requests_total",
                                          {{"code", std::to_string(status)}});
}

std::optional<uint64_t> parse_length(const std::string& text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string update_id_text(const nlohmann::json& update) {
  auto it = update.find("update_id");
  return it == update.end() ? "(no update_id)" : it->dump();
}

}  // namespace

WebhookOptions WebhookOptions::from_config(const config::Config& config) {
  WebhookOptions o;
  o.listen = parse_listen_address(config.webhook_listen);
  o.path = url_path(config.webhook_url);
  o.secret = config.webhook_secret;
  o.max_body_bytes = config.webhook_max_body_bytes;
  o.max_connections = config.webhook_max_connections;
  return o;
}

struct WebhookServer::Impl {
  WebhookOptions options;
  UpdateHandler on_update;
  HttpRunner runner;
  LogThrottle throttle;

  Impl(WebhookOptions o, UpdateHandler h)
      : options(std::move(o)), on_update(std::move(h)), runner("webhook", limits_for(options)) {
    auto& registry = metrics::Registry::global();
    registry.describe("updates_total", "counter", "Telegram updates received, by source");
    registry.describe("webhook_requests_total", "counter", "Webhook HTTP answers, by status code");
    registry.describe("webhook_rejected_total", "counter",
                      "Webhook requests refused before reaching the bot, by reason");
    install_routes();
  }

  static HttpLimits limits_for(const WebhookOptions& o) {
    HttpLimits l = o.limits;
    // One thread per live connection: Telegram opens up to max_connections of them, and a few
    // spare threads keep health probes and rejected clients from queueing behind it.
    l.threads = std::max(1, o.max_connections) + 4;
    // Telegram never opens more than max_connections at once (behind a reverse proxy, all come
    // from the proxy's address); twice the thread count leaves room for connections it dropped
    // that are not yet seen closed here, and for proxies that pool a few more. A client over
    // it is cut off: one address cannot take every descriptor.
    l.max_connections_per_address = 2 * l.threads;
    l.max_connections = std::max(l.max_connections, 4 * l.threads);
    return l;
  }

  // Everything decidable from the headers, in an order that leaks nothing: the secret is
  // checked before the size, so unauthenticated callers learn nothing about the limits.
  std::optional<Reject> precheck(const httplib::Request& req) const {
    if (req.path != options.path) return kNotFound;
    if (req.method != "POST") return kMethod;
    if (!options.secret.empty() &&
        (!req.has_header(kSecretHeader) ||
         !secret_equals(options.secret, req.get_header_value(kSecretHeader)))) {
      return kSecret;
    }
    if (req.has_header("Content-Length")) {
      auto length = parse_length(req.get_header_value("Content-Length"));
      if (!length) return kBadLength;
      if (*length > static_cast<uint64_t>(options.max_body_bytes)) return kTooLarge;
    } else if (req.get_header_value("Transfer-Encoding").find("chunked") == std::string::npos) {
      return kNoLength;
    }
    return std::nullopt;
  }

  // Answers and closes the connection. cpp-httplib 0.11 has no "close after this response"
  // switch for handlers; a content provider that reports failure after writing the whole body
  // makes it drop the connection, which is what we need whenever the body was left unread.
  void reject(const httplib::Request& req, httplib::Response& res, const Reject& r) {
    metrics::Registry::global().counter_add("webhook_rejected_total", {{"reason", r.reason}});
    count_response(r.status);
    if (r.status != 404 && r.status != 405) {
      throttle.warn(r.reason, fmt::format("webhook: refused {} {} from {} with {} ({})", req.method,
                                          req.path, req.remote_addr, r.status, r.reason));
    } else {
      spdlog::debug("webhook: {} {} from {} -> {}", req.method, req.path, req.remote_addr,
                    r.status);
    }
    res.status = r.status;
    if (r.status == 405) res.set_header("Allow", "POST");
    res.set_header("Connection", "close");
    std::string body = r.message;
    res.set_content_provider(body.size(), "text/plain",
                             [body](size_t offset, size_t length, httplib::DataSink& sink) {
                               sink.write(body.data() + offset, length);
                               return false;  // see above: close after the answer
                             });
  }

  void reply(httplib::Response& res, int status, const std::string& text) {
    count_response(status);
    res.status = status;
    res.set_content(text, "text/plain");
  }

  void install_routes() {
    auto& http = runner.http();
    // Clients that send "Expect: 100-continue" (curl does above 1 MB) are refused before they
    // send the body at all.
    http.set_expect_100_continue_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          if (auto r = precheck(req)) {
            reject(req, res, *r);
            return r->status;
          }
          return 100;
        });
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (auto r = precheck(req)) {
        reject(req, res, *r);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    // Only requests that passed precheck get here. The body is read by hand so the cap also
    // holds for chunked and compressed bodies (the receiver sees decompressed bytes).
    http.Post(".*", [this](const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& content_reader) {
      handle_update(req, res, content_reader);
    });
    http.set_exception_handler(
        [this](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            spdlog::error("webhook: handler failed: {}", ex.what());
          } catch (...) {
            spdlog::error("webhook: handler failed with a non-standard exception");
          }
          reply(res, 500, "internal error\n");
        });
  }

  void handle_update(const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& content_reader) {
    std::string body;
    bool too_large = false;
    bool complete = content_reader([&](const char* data, size_t size) {
      if (body.size() + size > static_cast<size_t>(options.max_body_bytes)) {
        too_large = true;
        return false;
      }
      body.append(data, size);
      return true;
    });
    if (too_large) return reject(req, res, kTooLarge);
    if (!complete) return reject(req, res, kTruncated);

    nlohmann::json update;
    try {
      update = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception& e) {
      spdlog::warn("webhook: malformed JSON from {} ({} bytes): {}", req.remote_addr, body.size(),
                   e.what());
      metrics::Registry::global().counter_add("webhook_rejected_total", {{"reason", "malformed"}});
      return reply(res, 400, "malformed JSON\n");
    }
    if (!update.is_object()) {
      spdlog::warn("webhook: update from {} is a JSON {}, not an object", req.remote_addr,
                   update.type_name());
      metrics::Registry::global().counter_add("webhook_rejected_total", {{"reason", "malformed"}});
      return reply(res, 400, "update must be a JSON object\n");
    }

    metrics::Registry::global().counter_add("updates_total", {{"source", "webhook"}});
    bool accepted = false;
    try {
      accepted = on_update(update);
    } catch (const std::exception& e) {
      spdlog::error("webhook: intake failed for update {}: {}", update_id_text(update), e.what());
    }
    if (!accepted) {
      metrics::Registry::global().counter_add("webhook_rejected_total",
                                              {{"reason", "intake_failed"}});
      return reply(res, 500, "not accepted, retry later\n");
    }
    reply(res, 200, "");
  }
};

WebhookServer::WebhookServer(WebhookOptions options, UpdateHandler on_update)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(on_update))) {}

WebhookServer::~WebhookServer() { stop(); }

void WebhookServer::start() {
  if (impl_->options.secret.empty()) {
    spdlog::warn(
        "webhook: WEBHOOK_SECRET is empty, so anyone who learns the webhook URL can post "
        "updates; set it (1-256 chars of A-Z a-z 0-9 _ -)");
  }
  impl_->runner.start(impl_->options.listen);
  spdlog::info("webhook: accepting POST {} (body cap {} bytes, {} connections)",
               impl_->options.path, impl_->options.max_body_bytes, impl_->options.max_connections);
}

void WebhookServer::stop() { impl_->runner.stop(); }

int WebhookServer::port() const { return impl_->runner.port(); }

}  // namespace tgscribe::server
