#pragma once
// "host:port" listen addresses as written in WEBHOOK_LISTEN / HTTP_LISTEN.
#include <string>
#include <string_view>

namespace tgscribe::server {

struct ListenAddress {
  std::string host;  // "0.0.0.0", "127.0.0.1", "::" ... (IPv6 without brackets)
  int port = 0;      // 0: any free port (tests)

  // "host:port" again, with brackets around IPv6 hosts: for log lines and errors.
  std::string to_string() const;
};

// Parses "host:port", "[v6]:port" or ":port" (= all IPv4 interfaces). Throws
// tgscribe::Error(kInvalidInput) naming the text when it is not an address.
ListenAddress parse_listen_address(std::string_view text);

// The path part of a webhook URL ("https://h.example/tg/hook?x=1" -> "/tg/hook"), with %XX
// escapes decoded; "/" when the URL has none. Telegram POSTs to exactly this path.
std::string url_path(std::string_view url);

}  // namespace tgscribe::server
