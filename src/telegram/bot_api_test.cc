// The real client (CurlHttpClient) against the fake Bot API server over real HTTP.
#include "telegram/bot_api.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "common/sha256.h"
#include "http/curl_http_client.h"
#include "support/test_util.h"
#include "telegram/testing/fake_bot_api.h"

namespace tgscribe::telegram {
namespace {

using nlohmann::json;
using testing::FakeBotApi;
using testing::Fault;

std::string binary_content(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (auto& c : s) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 16);
  }
  return s;
}

class BotApiTest : public ::testing::Test {
 protected:
  BotApiOptions options() {
    BotApiOptions o;
    o.api_url = tg.url() + "/";  // a trailing slash must not matter
    o.token = tg.token();
    o.request_timeout = std::chrono::seconds(10);
    o.long_poll_margin = std::chrono::seconds(5);
    return o;
  }
  FakeBotApi tg;
  http::CurlHttpClient http;
  BotApi api{options(), http};
  tgscribe::testing::TempDir dir;
};

TEST_F(BotApiTest, GetMeIsAJsonPost) {
  User me = api.get_me();
  EXPECT_TRUE(me.is_bot);
  EXPECT_EQ(me.id, tg.bot_id());
  EXPECT_EQ(me.username, tg.bot_username());
  auto calls = tg.calls("getMe");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].content_type.rfind("application/json", 0), 0u);
}

TEST_F(BotApiTest, SendMessageWireShape) {
  SendMessageParams p;
  p.chat_id = -1001234567890;
  p.text = "héllo 👋";
  p.message_thread_id = 77;
  p.reply_to_message_id = 5;
  Message m = api.send_message(p);
  EXPECT_GT(m.message_id, 0);
  EXPECT_EQ(m.chat.id, p.chat_id);
  EXPECT_EQ(m.text, p.text);
  auto calls = tg.calls("sendMessage");
  ASSERT_EQ(calls.size(), 1u);
  const json& sent = calls[0].params;
  EXPECT_EQ(sent["chat_id"], p.chat_id);
  EXPECT_EQ(sent["text"], p.text);
  EXPECT_EQ(sent["message_thread_id"], 77);
  EXPECT_EQ(sent["reply_parameters"]["message_id"], 5);
  EXPECT_EQ(sent["reply_parameters"]["allow_sending_without_reply"], true);
  EXPECT_FALSE(sent.contains("parse_mode"));  // plain text unless asked
  EXPECT_EQ(sent["link_preview_options"]["is_disabled"], true);
  EXPECT_EQ(tg.chat_texts(p.chat_id), std::vector<std::string>{p.text});
}

TEST_F(BotApiTest, EditMessageTextAndNotModified) {
  Message m = api.send_message({.chat_id = 9, .text = "queued"});
  EditMessageTextParams e{.chat_id = 9, .message_id = m.message_id, .text = "downloading"};
  Message edited = api.edit_message_text(e);
  EXPECT_EQ(edited.message_id, m.message_id);
  EXPECT_EQ(tg.message_text(9, m.message_id), "downloading");
  try {
    api.edit_message_text(e);
    FAIL() << "identical edit accepted";
  } catch (const ApiError& err) {
    EXPECT_TRUE(err.is_not_modified());
    EXPECT_EQ(err.error_code(), 400);
    EXPECT_FALSE(err.retryable());
    EXPECT_EQ(err.method(), "editMessageText");
  }
}

TEST_F(BotApiTest, SendDocumentStreamsTheFileAsMultipart) {
  std::string content = binary_content(300'000);
  auto path = dir / "tmp_upload.bin";
  tgscribe::testing::write_file(path, content);
  SendDocumentParams p;
  p.chat_id = 321;
  p.file = path;
  p.file_name = "meeting.srt";
  p.mime_type = "application/x-subrip";
  p.caption = std::string(2000, 'x') + "tail";
  p.message_thread_id = 4;
  p.reply_to_message_id = 8;
  Message m = api.send_document(p);
  EXPECT_GT(m.message_id, 0);
  auto calls = tg.calls("sendDocument");
  ASSERT_EQ(calls.size(), 1u);
  const auto& c = calls[0];
  EXPECT_EQ(c.content_type.rfind("multipart/form-data", 0), 0u);
  ASSERT_TRUE(c.files.count("document"));
  EXPECT_EQ(c.files.at("document").filename, "meeting.srt");
  EXPECT_EQ(c.files.at("document").content_type, "application/x-subrip");
  EXPECT_EQ(c.files.at("document").content, content);
  EXPECT_EQ(c.chat_id(), 321);
  EXPECT_EQ(c.thread_id(), 4);
  EXPECT_EQ(c.reply_to(), 8);
  EXPECT_EQ(c.params["caption"].get<std::string>().size(), 1024u);  // cut to the caption limit
}

TEST_F(BotApiTest, SendDocumentDefaultsToTheFilesOwnName) {
  auto path = dir / "notes.txt";
  tgscribe::testing::write_file(path, "text");
  api.send_document({.chat_id = 1, .file = path});
  auto c = tg.calls("sendDocument").at(0);
  EXPECT_EQ(c.files.at("document").filename, "notes.txt");
  EXPECT_FALSE(c.params.contains("caption"));
}

TEST_F(BotApiTest, SmallMethodsWireShapes) {
  api.send_chat_action(5, "typing", 12);
  api.set_my_commands({{"start", "Start"}, {"lang", "Bahasa"}}, "id");
  api.delete_webhook();
  api.set_webhook({.url = "https://example.org/hook",
                   .secret_token = "s3cr3t_-",
                   .max_connections = 10,
                   .allowed_updates = {"message"}});
  tg.set_chat_member_status(-100, 7, "administrator");
  EXPECT_TRUE(api.get_chat_member(-100, 7).is_admin());
  EXPECT_FALSE(api.get_chat_member(-100, 8).is_admin());

  auto action = tg.calls("sendChatAction").at(0).params;
  EXPECT_EQ(action["chat_id"], 5);
  EXPECT_EQ(action["action"], "typing");
  EXPECT_EQ(action["message_thread_id"], 12);
  auto cmds = tg.calls("setMyCommands").at(0).params;
  EXPECT_EQ(cmds["language_code"], "id");
  ASSERT_EQ(cmds["commands"].size(), 2u);
  EXPECT_EQ(cmds["commands"][1]["command"], "lang");
  EXPECT_EQ(cmds["commands"][1]["description"], "Bahasa");
  EXPECT_EQ(tg.calls("deleteWebhook").at(0).params["drop_pending_updates"], false);
  auto hook = tg.calls("setWebhook").at(0).params;
  EXPECT_EQ(hook["url"], "https://example.org/hook");
  EXPECT_EQ(hook["secret_token"], "s3cr3t_-");
  EXPECT_EQ(hook["max_connections"], 10);
  EXPECT_EQ(hook["allowed_updates"], json::array({"message"}));
  EXPECT_EQ(hook["drop_pending_updates"], false);
  EXPECT_EQ(tg.webhook_url(), "https://example.org/hook");
  auto member = tg.calls("getChatMember").at(0).params;
  EXPECT_EQ(member["chat_id"], -100);
  EXPECT_EQ(member["user_id"], 7);
}

TEST_F(BotApiTest, SetMyCommandsWithoutLanguageOmitsIt) {
  api.set_my_commands({{"help", "Help"}});
  EXPECT_FALSE(tg.calls("setMyCommands").at(0).params.contains("language_code"));
}

TEST_F(BotApiTest, GetUpdatesLongPollsAndHonoursOffset) {
  auto first = tg.push_text({.chat_id = 1}, "one");
  auto second = tg.push_text({.chat_id = 1}, "two");
  GetUpdatesParams p;
  p.timeout_s = 1;
  p.limit = 1;
  p.allowed_updates = {"message", "edited_message"};
  auto updates = api.get_updates(p);
  ASSERT_EQ(updates.size(), 1u);  // limit honoured
  EXPECT_EQ(updates[0]["update_id"], first.update_id);
  auto sent = tg.calls("getUpdates").at(0).params;
  EXPECT_EQ(sent["timeout"], 1);
  EXPECT_EQ(sent["limit"], 1);
  EXPECT_EQ(sent["allowed_updates"], json::array({"message", "edited_message"}));
  EXPECT_FALSE(sent.contains("offset"));

  p.offset = first.update_id + 1;
  p.limit = 100;
  updates = api.get_updates(p);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["update_id"], second.update_id);
  auto parsed = parse_update(updates[0]);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->message->text, "two");

  p.offset = second.update_id + 1;
  EXPECT_TRUE(api.get_updates(p).empty());  // the long poll ends empty-handed
  EXPECT_EQ(tg.pending_updates(), 0u);
}

TEST_F(BotApiTest, DownloadStreamsAndHashesWhileBytesArrive) {
  std::string content = binary_content(3'000'000);
  auto f = tg.add_file(content, "talk.ogg");
  Sha256 hasher;
  int64_t seen = 0;
  int chunks = 0;
  auto dest = dir / "download.ogg";
  int64_t n = api.download_file(f.file_id, dest, [&](std::string_view chunk) {
    hasher.update(chunk);
    seen += static_cast<int64_t>(chunk.size());
    ++chunks;
    return true;
  });
  EXPECT_EQ(n, static_cast<int64_t>(content.size()));
  EXPECT_EQ(seen, n);
  EXPECT_GT(chunks, 1);  // streamed, not one buffer
  EXPECT_EQ(hasher.hex_digest(), Sha256::of(content));
  EXPECT_EQ(sha256_file(dest.string()), Sha256::of(content));
  EXPECT_EQ(tg.downloads(), 1);
  EXPECT_EQ(tg.calls("getFile").at(0).params["file_id"], f.file_id);
}

TEST_F(BotApiTest, AbortedDownloadLeavesNoPartialFile) {
  auto f = tg.add_file(binary_content(2'000'000));
  auto dest = dir / "partial.bin";
  try {
    api.download_file(f.file_id, dest, [](std::string_view) { return false; });
    FAIL() << "abort ignored";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_FALSE(std::filesystem::exists(dest));
}

TEST_F(BotApiTest, DroppedDownloadIsARetryableError) {
  auto f = tg.add_file(binary_content(100'000));
  tg.fail_next("file", 1, Fault::kDrop);
  auto dest = dir / "dropped.bin";
  try {
    api.download_file(f.file_id, dest);
    FAIL() << "dropped connection not reported";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.retryable()) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dest));
  EXPECT_EQ(api.download_file(f.file_id, dest), 100'000);  // and the retry works
}

TEST_F(BotApiTest, StalledDownloadIsARetryableTimeout) {
  auto f = tg.add_file(binary_content(100'000));
  tg.stall_next_downloads(1, 4096);
  auto o = options();
  o.transfers.stall = {.min_bytes_per_s = 1000, .window = std::chrono::milliseconds(500)};
  BotApi stall_aware(o, http);
  auto dest = dir / "stalled.bin";
  try {
    stall_aware.download_file(f.file_id, dest);
    FAIL() << "a stalled download succeeded";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTimeout) << e.what();
    EXPECT_TRUE(e.retryable());
  }
  EXPECT_FALSE(std::filesystem::exists(dest));
  EXPECT_EQ(stall_aware.download_file(f.file_id, dest), 100'000);  // the retry works
}

TEST_F(BotApiTest, CancelReachesADownloadWhileNoByteArrives) {
  auto f = tg.add_file(binary_content(100'000));
  tg.stall_next_downloads(1, 4096);
  std::atomic<int64_t> got{0};
  std::atomic<bool> cancel{false};
  auto dest = dir / "cancelled.bin";
  std::thread canceller([&] {
    tgscribe::testing::eventually([&] { return got.load() >= 4096; });
    cancel = true;  // the download is stalled now: no chunk will come to say so
  });
  try {
    api.download_file(f.file_id, dest, [&](std::string_view chunk) {
      got += static_cast<int64_t>(chunk.size());
      return !cancel.load();
    });
    ADD_FAILURE() << "cancel ignored";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled) << e.what();
  }
  canceller.join();
  EXPECT_FALSE(std::filesystem::exists(dest));
}

TEST_F(BotApiTest, FileTooBigIsRecognisable) {
  auto f = tg.add_file_of_size(25'000'000);
  try {
    api.get_file(f.file_id);
    FAIL() << "no error for a 25 MB file";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.is_file_too_big());
    EXPECT_FALSE(e.retryable());
  }
  tg.set_download_limit(30'000'000);
  EXPECT_EQ(api.get_file(f.file_id).file_size, 25'000'000);
}

TEST_F(BotApiTest, LocalModeReadsTheAbsolutePathFromDisk) {
  std::string content = binary_content(2'500'000);
  auto src = dir / "server_files" / "voice" / "file_9.oga";
  std::filesystem::create_directories(src.parent_path());
  tgscribe::testing::write_file(src, content);
  auto f = tg.add_local_file(src);
  tg.set_download_limit(1'000);  // the 20 MB cap does not apply to a local server

  BotApiOptions o = options();
  o.local_mode = true;
  BotApi local(o, http);
  File file = local.get_file(f.file_id);
  EXPECT_EQ(file.file_path, src.string());
  Sha256 hasher;
  auto dest = dir / "copy.oga";
  EXPECT_EQ(local.download(file, dest,
                           [&](std::string_view c) {
                             hasher.update(c);
                             return true;
                           }),
            static_cast<int64_t>(content.size()));
  EXPECT_EQ(hasher.hex_digest(), Sha256::of(content));
  EXPECT_EQ(tgscribe::testing::read_file(dest), content);
  EXPECT_EQ(tg.downloads(), 0);  // nothing over HTTP
}

TEST_F(BotApiTest, LocalModeMissingFileExplainsTheSharedVolume) {
  BotApiOptions o = options();
  o.local_mode = true;
  BotApi local(o, http);
  File f{"id", "uid", 10, "/nonexistent/telegram-bot-api/file.oga"};
  try {
    local.download(f, dir / "x");
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_NE(std::string(e.what()).find("shared"), std::string::npos) << e.what();
  }
  // Without local mode, an absolute path that is not on our disk says what to configure.
  try {
    api.download(f, dir / "y");
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_NE(std::string(e.what()).find("TELEGRAM_LOCAL_MODE"), std::string::npos) << e.what();
  }
}

TEST_F(BotApiTest, LocalModeWithRelativePathFallsBackToHttp) {
  // TELEGRAM_LOCAL_MODE=true against a server started without --local still works.
  BotApiOptions o = options();
  o.local_mode = true;
  BotApi local(o, http);
  auto f = tg.add_file("abc");
  EXPECT_EQ(local.download_file(f.file_id, dir / "z"), 3);
  EXPECT_EQ(tg.downloads(), 1);
}

TEST_F(BotApiTest, ErrorsCarryTelegramsParameters) {
  tg.fail_next("sendMessage", 1, Fault::kRateLimit, 3);
  try {
    api.send_message({.chat_id = 1, .text = "x"});
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    EXPECT_EQ(e.error_code(), 429);
    EXPECT_EQ(e.retry_after(), std::chrono::seconds(3));
  }
  tg.migrate_chat(-55, -1005555555555);
  try {
    api.send_message({.chat_id = -55, .text = "x"});
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.migrate_to_chat_id(), -1005555555555);
    EXPECT_EQ(e.error_code(), 400);
  }
  tg.fail_next("sendMessage", 1, Fault::kServerError);
  try {
    api.send_message({.chat_id = 1, .text = "x"});
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
    EXPECT_EQ(e.error_code(), 502);
  }
  tg.fail_next("sendMessage", 1, Fault::kDrop);
  try {
    api.send_message({.chat_id = 1, .text = "x"});
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.retryable()) << e.what();
  }
  tg.fail_next_with("sendMessage", 1, 403, "Forbidden: bot was blocked by the user");
  try {
    api.send_message({.chat_id = 1, .text = "x"});
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.is_forbidden());
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("blocked by the user"), std::string::npos);
  }
  EXPECT_NO_THROW(api.send_message({.chat_id = 1, .text = "x"}));  // faults were one-shot
}

TEST_F(BotApiTest, TokenNeverAppearsInErrors) {
  auto check = [&](const std::function<void()>& fn) {
    try {
      fn();
      ADD_FAILURE() << "expected an error";
    } catch (const ApiError& e) {
      std::string text = std::string(e.what()) + " " + e.description();
      EXPECT_EQ(text.find(tg.token()), std::string::npos) << text;
      EXPECT_EQ(text.find(tg.token().substr(tg.token().find(':') + 1)), std::string::npos) << text;
    }
  };
  // Wrong token: 401, an auth problem.
  BotApiOptions bad = options();
  bad.token = "987654321:WRONG_token_abcdefghijklmnop";
  BotApi wrong(bad, http);
  try {
    wrong.get_me();
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    EXPECT_EQ(std::string(e.what()).find(bad.token), std::string::npos);
  }
  // Connection refused: the URL (with the token) must not leak through curl's message.
  BotApiOptions dead = options();
  dead.api_url = "http://127.0.0.1:" + std::to_string(tgscribe::testing::free_port());
  BotApi nowhere(dead, http);
  check([&] { nowhere.get_me(); });
  check([&] { nowhere.download({"f", "u", 1, "voice/x.oga"}, dir / "d"); });
  tg.fail_next("getMe", 1, Fault::kDrop);
  check([&] { api.get_me(); });
  check([&] { api.download({"f", "u", 1, "voice/missing.oga"}, dir / "d"); });  // 404
}

TEST_F(BotApiTest, UnknownMethodIsAClientError) {
  try {
    api.call("noSuchMethod", json::object());
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.error_code(), 404);
    EXPECT_EQ(e.kind(), ErrorKind::kClient);
  }
}

// A spy in front of the real client: sees the requests exactly as they leave.
class SpyHttp : public http::HttpClient {
 public:
  http::Response send(const http::Request& r) override {
    {
      std::lock_guard lock(mu);
      seen.push_back({r.method, r.url, r.timeout});
    }
    return inner.send(r);
  }
  struct Seen {
    std::string method, url;
    std::chrono::milliseconds timeout;
  };
  std::mutex mu;
  std::vector<Seen> seen;
  http::CurlHttpClient inner;
};

TEST(BotApiRequests, EveryMethodIsAPostToBotTokenMethod) {
  FakeBotApi tg;
  SpyHttp spy;
  BotApiOptions o;
  o.api_url = tg.url();
  o.token = tg.token();
  o.request_timeout = std::chrono::seconds(7);
  o.long_poll_margin = std::chrono::seconds(5);
  BotApi api(o, spy);
  api.get_me();
  api.get_updates({.timeout_s = 1});
  api.delete_webhook();
  auto f = tg.add_file("x");
  api.download_file(f.file_id, tgscribe::testing::TempDir().path() / "f");
  ASSERT_EQ(spy.seen.size(), 5u);
  EXPECT_EQ(spy.seen[0].method, "POST");
  EXPECT_EQ(spy.seen[0].url, tg.url() + "/bot" + tg.token() + "/getMe");
  EXPECT_EQ(spy.seen[0].timeout, std::chrono::seconds(7));
  EXPECT_EQ(spy.seen[1].url, tg.url() + "/bot" + tg.token() + "/getUpdates");
  // The HTTP timeout outlasts the long poll, so an empty poll is never a client timeout.
  EXPECT_EQ(spy.seen[1].timeout, std::chrono::seconds(1 + 5));
  EXPECT_EQ(spy.seen[2].method, "POST");
  EXPECT_EQ(spy.seen[3].url, tg.url() + "/bot" + tg.token() + "/getFile");
  EXPECT_EQ(spy.seen[4].method, "GET");
  EXPECT_EQ(spy.seen[4].url, tg.url() + "/file/bot" + tg.token() + "/" + f.file_path);
}

// A broken server (or a proxy in the way) must produce ApiErrors, never another exception.
TEST(BotApiRobustness, OddAnswersBecomeApiErrors) {
  httplib::Server server;
  std::vector<std::pair<int, std::string>> answers = {
      {200, R"({"ok":"yes","result":{}})"},
      {200, "[]"},
      {200, "<html>captive portal</html>"},
      {200, R"({"ok":true,"result":"not a message"})"},
      {200, R"({"ok":true,"result":{"message_id":"x"}})"},
      {200, R"({"ok":false,"error_code":"400","description":5,"parameters":[]})"},
      {500, R"({"ok":false})"},
      {200, R"({"ok":true})"},
  };
  std::atomic<size_t> i{0};
  server.Post(R"(/bot.*)", [&](const httplib::Request&, httplib::Response& res) {
    auto [status, body] = answers[i++ % answers.size()];
    res.status = status;
    res.set_content(body, "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  {  // the client (and its keep-alive connections) goes before the server stops
    http::CurlHttpClient http;
    BotApiOptions o;
    o.api_url = "http://127.0.0.1:" + std::to_string(port);
    o.token = "42:abcdefghijklmnopqrstuvwxyz";
    BotApi api(o, http);
    for (size_t k = 0; k < answers.size(); ++k) {
      try {
        api.send_message({.chat_id = 1, .text = "x"});
        ADD_FAILURE() << "accepted: " << answers[k].second;
      } catch (const ApiError& e) {
        EXPECT_FALSE(std::string(e.what()).empty());
      } catch (const std::exception& e) {
        ADD_FAILURE() << "non-ApiError for " << answers[k].second << ": " << e.what();
      }
    }
  }
  server.set_keep_alive_timeout(1);
  server.stop();
  t.join();
}

}  // namespace
}  // namespace tgscribe::telegram
