// The shipped env file (/etc/tgscribe/tgscribe.env of the Debian package, also
// deploy/env.example for docker compose) must list every option of the loader's table,
// commented out at its true default, under a line that says what it does. An operator reads
// that file, not the source: an option missing there is an option nobody finds.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "config/config_loader.h"
#include "support/test_util.h"

namespace tgscribe::config {
namespace {

// Keys in the file that are not tgscribe options: docker-compose.yml reads them for the local
// Bot API server container.
const std::set<std::string> kComposeOnlyKeys = {"TELEGRAM_API_ID", "TELEGRAM_API_HASH"};

struct EnvLine {
  int lineno = 0;
  bool commented = false;  // "#NAME=value": shown at its default, not set
  std::string value;
  std::string comment_above;  // the "# ..." line right above, which says what the option does
};

struct EnvFile {
  std::map<std::string, EnvLine> options;
  std::vector<std::string> problems;
};

EnvFile parse_env_file(const std::string& text) {
  static const std::regex option_re(R"(^(#?)([A-Z][A-Z0-9_]*)=(.*)$)");
  EnvFile out;
  std::istringstream in(text);
  std::string line;
  std::string previous;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::smatch m;
    if (std::regex_match(line, m, option_re)) {
      std::string name = m[2];
      if (out.options.count(name)) {
        out.problems.push_back("line " + std::to_string(lineno) + ": " + name +
                               " appears a second time");
      }
      bool prev_is_comment = previous.rfind("# ", 0) == 0 && previous.size() > 2;
      out.options[name] =
          EnvLine{lineno, m[1].length() > 0, m[3], prev_is_comment ? previous.substr(2) : ""};
    }
    previous = line;
  }
  return out;
}

std::string what_to_add(const OptionSpec& spec) {
  return "  # <what " + spec.name + " does, in one line>\n  #" + spec.name + "=" +
         spec.default_value + "\n";
}

class ShippedEnvFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedEnvFile, ListsEveryOptionAtItsDefaultWithItsMeaning) {
  const std::string rel = GetParam();
  const auto path = std::filesystem::path(TGSCRIBE_SOURCE_DIR) / rel;
  if (!std::filesystem::exists(path)) {
    if (rel == "packaging/debian/tgscribe.env") FAIL() << rel << " is missing";
    GTEST_SKIP() << rel << " does not exist";
  }
  const auto package = std::filesystem::path(TGSCRIBE_SOURCE_DIR) / "packaging/debian/tgscribe.env";
  if (rel != "packaging/debian/tgscribe.env" && std::filesystem::exists(package) &&
      std::filesystem::equivalent(path, package)) {
    GTEST_SKIP() << rel << " is a link to packaging/debian/tgscribe.env, checked already";
  }
  const EnvFile file = parse_env_file(testing::read_file(path.string()));
  for (const auto& p : file.problems) ADD_FAILURE() << rel << ": " << p;

  for (const auto& spec : option_specs()) {
    auto it = file.options.find(spec.name);
    if (it == file.options.end()) {
      ADD_FAILURE() << rel << " has no line for " << spec.name
                    << ", an option of src/config/config_loader.cc. Every option must be in "
                       "the env file operators edit (deploy/env.example links to it); add, in the "
                       "section it belongs to:\n"
                    << what_to_add(spec);
      continue;
    }
    const EnvLine& l = it->second;
    if (l.commented && l.value != spec.default_value) {
      ADD_FAILURE() << rel << ":" << l.lineno << ": #" << spec.name << "=" << l.value
                    << " claims a default, but the default in src/config/config_loader.cc is \""
                    << spec.default_value << "\"; write #" << spec.name << "="
                    << spec.default_value;
    }
    if (l.comment_above.empty()) {
      ADD_FAILURE() << rel << ":" << l.lineno << ": " << spec.name
                    << " needs a comment line right above it saying what it does:\n"
                    << what_to_add(spec);
    }
    // The value written there must be one the loader accepts.
    Config scratch;
    if (auto err = spec.apply(scratch, l.value)) {
      ADD_FAILURE() << rel << ":" << l.lineno << ": " << spec.name << "=" << l.value << ": "
                    << *err;
    }
  }

  std::set<std::string> known;
  for (const auto& spec : option_specs()) known.insert(spec.name);
  for (const auto& [name, l] : file.options) {
    if (!known.count(name) && !kComposeOnlyKeys.count(name)) {
      ADD_FAILURE() << rel << ":" << l.lineno << ": " << name
                    << " is not an option of src/config/config_loader.cc (renamed or removed?)";
    }
  }
}

// Both files must stay readable by tgscribe's own .env parser (ENV_FILE=...), which is how
// `tgscribe doctor` and `tgscribe config` read the service's configuration.
TEST_P(ShippedEnvFile, ParsesAsAnEnvFile) {
  const auto path = std::filesystem::path(TGSCRIBE_SOURCE_DIR) / GetParam();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << GetParam() << " does not exist";
  std::vector<std::string> errors;
  auto values = parse_dotenv(testing::read_file(path.string()), &errors);
  for (const auto& e : errors) ADD_FAILURE() << GetParam() << ": " << e;
  // The lines that are set: the token to fill in and the service's data directory.
  EXPECT_EQ(values.count("TELEGRAM_BOT_TOKEN"), 1u);
  EXPECT_EQ(values["DATA_DIR"], "/var/lib/tgscribe");
}

INSTANTIATE_TEST_SUITE_P(EnvFiles, ShippedEnvFile,
                         ::testing::Values("packaging/debian/tgscribe.env", "deploy/env.example"),
                         [](const auto& info) {
                           return info.param == "deploy/env.example" ? std::string("DeployExample")
                                                                     : std::string("Package");
                         });

}  // namespace
}  // namespace tgscribe::config
