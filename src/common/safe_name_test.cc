#include "common/safe_name.h"

#include <gtest/gtest.h>

namespace tgscribe {
namespace {

// Valid UTF-8 by a strict decode: what Telegram and file systems will be handed.
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

TEST(SafeName, OrdinaryNamesPassUnchanged) {
  EXPECT_EQ(safe_file_name("meeting.ogg"), "meeting.ogg");
  EXPECT_EQ(safe_file_name("Встреча 12.05.mp3"), "Встреча 12.05.mp3");
  EXPECT_EQ(safe_file_name("report.final.OGG"), "report.final.OGG");
  EXPECT_EQ(safe_name_part("会議の録音"), "会議の録音");
}

TEST(SafeName, PathTraversalKeepsOnlyTheLastComponent) {
  EXPECT_EQ(safe_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(safe_file_name("..\\..\\windows\\win.ini"), "win.ini");
  EXPECT_EQ(safe_file_name("/abs/path/x.wav"), "x.wav");
  EXPECT_EQ(safe_file_name(".."), "file");
  EXPECT_EQ(safe_file_name("."), "file");
  EXPECT_EQ(safe_file_name("../"), "file");
  EXPECT_EQ(safe_file_name(".hidden"), "hidden");
  EXPECT_EQ(safe_name_part("../../etc/passwd"), "passwd");
}

TEST(SafeName, ControlAndFormatCharactersAreDropped) {
  EXPECT_EQ(safe_file_name(std::string("a\0b.ogg", 7)), "ab.ogg");
  EXPECT_EQ(safe_file_name("line\nbreak\r\t.ogg"), "linebreak.ogg");
  EXPECT_EQ(safe_file_name("del\x7f.ogg"), "del.ogg");
  EXPECT_EQ(safe_file_name("c1\xc2\x85.ogg"), "c1.ogg");  // U+0085 NEL
  // U+202E RIGHT-TO-LEFT OVERRIDE would show "invoice\u202Egpj.exe" as "invoiceexe.jpg".
  EXPECT_EQ(safe_file_name("invoice\xe2\x80\xae"
                           "gpj.exe"),
            "invoicegpj.exe");
  EXPECT_EQ(safe_file_name("\x1b[31mred.ogg"), "[31mred.ogg");
}

TEST(SafeName, InvalidUtf8IsDropped) {
  EXPECT_EQ(safe_file_name("a\xff\xfe"
                           "b.ogg"),
            "ab.ogg");
  EXPECT_EQ(safe_file_name("cut\xd0.ogg"), "cut.ogg");          // sequence cut short
  EXPECT_EQ(safe_file_name("over\xc0\xaf.ogg"), "over.ogg");    // overlong '/'
  EXPECT_EQ(safe_file_name("sur\xed\xa0\x80.ogg"), "sur.ogg");  // UTF-16 surrogate
  EXPECT_TRUE(valid_utf8(safe_file_name("\x80\x80\xe2\x82")));
}

TEST(SafeName, CutInBytesOnACharacterBoundary) {
  // 'я' is 2 bytes, '€' 3, '😀' 4: at every offset the cut lands between characters.
  for (const std::string ch : {"я", "€", "😀"}) {
    for (size_t lead = 0; lead < 4; ++lead) {
      std::string name = std::string(lead, 'x');
      while (name.size() < 400) name += ch;
      std::string stem = safe_name_part(name);
      EXPECT_LE(stem.size(), kSafeStemBytes);
      EXPECT_GT(stem.size(), kSafeStemBytes - ch.size());
      EXPECT_TRUE(valid_utf8(stem)) << ch << " lead " << lead;
      std::string file = safe_file_name(name + ".ogg");
      EXPECT_EQ(file.substr(file.size() - 4), ".ogg");
      EXPECT_LE(file.size(), kSafeStemBytes + 4);
      EXPECT_TRUE(valid_utf8(file));
    }
  }
}

TEST(SafeName, TenKilobyteNames) {
  std::string name;
  while (name.size() < 10 * 1024) name += "ü/..\\\x01名";
  std::string out = safe_file_name(name + ".mp3");
  EXPECT_LE(out.size(), kSafeStemBytes + 4);
  EXPECT_TRUE(valid_utf8(out));
  EXPECT_EQ(out.find('/'), std::string::npos);
  EXPECT_EQ(out.find('\\'), std::string::npos);
  std::string plain(10 * 1024, 'a');
  EXPECT_EQ(safe_file_name(plain + ".wav"), std::string(kSafeStemBytes, 'a') + ".wav");
}

TEST(SafeName, OddExtensionsAreNotKept) {
  // Too long, or not plain: treated as part of the stem (and cleaned with it).
  EXPECT_EQ(safe_file_name("a." + std::string(40, 'x')), "a." + std::string(40, 'x'));
  EXPECT_EQ(safe_file_name("a.o g"), "a.o g");
  std::string long_ext = "a." + std::string(400, 'x');
  EXPECT_LE(safe_file_name(long_ext).size(), kSafeStemBytes);
}

TEST(SafeName, Utf8Prefix) {
  EXPECT_EQ(utf8_prefix("abc", 10), "abc");
  EXPECT_EQ(utf8_prefix("ab€", 4), "ab");
  EXPECT_EQ(utf8_prefix("ab€", 5), "ab€");
  EXPECT_EQ(utf8_prefix("😀", 3), "");
}

}  // namespace
}  // namespace tgscribe
