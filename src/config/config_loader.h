#pragma once
// Loads Config from command-line overrides > environment > .env file > defaults, and
// validates it, collecting every problem so the user fixes them all in one go.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace tgscribe::config {

struct OptionSpec {
  // Parses `value` into the config; returns an error message (without the name) or nullopt.
  using Apply = std::function<std::optional<std::string>(Config&, const std::string&)>;
  // The option's value in a config, as text apply() reads back to the same value.
  using Show = std::function<std::string(const Config&)>;

  std::string name;  // environment variable
  // As text, shown by `tgscribe config`: show(Config{}), so a default is written only once,
  // as the member's initialiser in config.h.
  std::string default_value;
  bool secret = false;  // masked when printed
  Apply apply;
  Show show;
};

// Every option, in documentation order.
const std::vector<OptionSpec>& option_specs();

struct Effective {
  std::string value;
  std::string source;  // "flag", "env", ".env", "default"
};

struct LoadResult {
  Config config;
  std::vector<std::string> errors;             // one line per problem, naming the option
  std::map<std::string, Effective> effective;  // by option name
};

// Every secret met (tokens, keys, the webhook secret, a password in REDIS_URL) is registered
// with register_secret() as it is parsed, so no later log line or error can show it.
// `flags` are overrides from the command line keyed by option name (e.g. TRANSCRIBER).
// `env` is the process environment. The .env file is ENV_FILE (from flags/env) or
// `default_env_file` when it exists; a missing ENV_FILE is an error, a missing default is not.
LoadResult load_config(const std::map<std::string, std::string>& flags,
                       const std::map<std::string, std::string>& env,
                       const std::string& default_env_file = ".env");

// The process environment as a map.
std::map<std::string, std::string> process_env();

// Parses .env text: KEY=VALUE lines, optional `export `, # comments, single or double quotes
// (double quotes understand \n \" \\). Errors name the line.
std::map<std::string, std::string> parse_dotenv(const std::string& text,
                                                std::vector<std::string>* errors);

// `tgscribe config` output: one "NAME=value  (source)" line per option, secrets masked.
std::string render_config(const LoadResult& result);

// Checks that need the whole config (engine keys present, etc.). Called by load_config.
void validate(const Config& c, std::vector<std::string>& errors);

}  // namespace tgscribe::config
