// zonegate token: issue, list and revoke the server's bearer tokens (api/tokens.h).
//
//   zonegate token create --data DIR --role R [--uscc U] [--days N] [--note TEXT]
//   zonegate token list --data DIR
//   zonegate token revoke --data DIR ID
//
// The tokens live in DIR/tokens.db beside the journal; a running `zonegate serve` on DIR
// accepts a new token at once and stops accepting a revoked one within seconds.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>

#include "api/tokens.h"
#include "cli/clock.h"
#include "cli/commands.h"
#include "core/time.h"
#include "durable/data_dir.h"

namespace zg::cli {
namespace token_cmd {  // this command's own names (commands.h says why)
namespace {

constexpr int64_t kDefaultDays = 90;
constexpr int64_t kMaxDays = 3650;
constexpr int64_t kSecondsPerDay = 86400;

constexpr const char* kUsage =
    "usage: zonegate token create --data DIR --role R [--uscc U] [--days N] [--note TEXT]\n"
    "       zonegate token list --data DIR\n"
    "       zonegate token revoke --data DIR ID\n"
    "roles: enterprise (needs --uscc), officer, gate, auditor, admin; --days 1..3650, "
    "default 90\n";

int usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

// Every message of this command starts the same way, so scripts and people see whose it is.
void complain(const std::string& message) {
  std::fprintf(stderr, "zonegate token: %s\n", message.c_str());
}

int report(const Status& status, int exit_code) {
  for (const Error& e : status.errors()) {
    complain(e.field.empty() ? e.message : e.field + ": " + e.message);
  }
  return exit_code;
}

struct Options {
  std::optional<std::string> data;
  std::optional<std::string> role;
  std::optional<std::string> uscc;
  std::optional<std::string> days;
  std::optional<std::string> note;
  std::vector<std::string_view> positional;

  std::optional<std::string>* slot(std::string_view name) {
    if (name == "--data") return &data;
    if (name == "--role") return &role;
    if (name == "--uscc") return &uscc;
    if (name == "--days") return &days;
    if (name == "--note") return &note;
    return nullptr;
  }
};

// Reads "--name VALUE" pairs (only those `allowed`, each at most once) and positional
// arguments after the subcommand's name. Says what is wrong and returns false on bad input.
bool parse_options(const Args& args, std::initializer_list<std::string_view> allowed,
                   Options& options) {
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      options.positional.push_back(arg);
      continue;
    }
    std::optional<std::string>* slot = options.slot(arg);
    if (slot == nullptr || std::find(allowed.begin(), allowed.end(), arg) == allowed.end()) {
      complain("unknown option " + std::string(arg));
      return false;
    }
    if (i + 1 >= args.size()) {
      complain(std::string(arg) + " needs a value");
      return false;
    }
    if (slot->has_value()) {
      complain(std::string(arg) + " is given twice");
      return false;
    }
    *slot = std::string(args[++i]);
  }
  if (!options.data) {
    complain("--data DIR is required");
    return false;
  }
  return true;
}

std::string utc_time(int64_t unix_seconds) {
  std::string text = format_rfc3339(Timestamp{unix_seconds, 0});  // ends "+00:00"
  text.resize(text.size() - 6);
  return text + "Z";
}

// Tokens belong to a data directory the server runs on; refusing any other directory
// keeps a mistyped path from growing a stray tokens.db that no server will ever read.
Result<std::unique_ptr<api::TokenStore>> open_store(const std::string& dir) {
  if (!holds_journal(dir)) {  // journal.db, or the PostgreSQL shard it names in DIR/store
    return Result<std::unique_ptr<api::TokenStore>>(
        ErrorCode::kIoError, "",
        dir +
            " is not a Zonegate data directory (no journal.db or store); start zonegate serve "
            "or zonegate run --data on it first");
  }
  return api::TokenStore::open(dir);
}

std::optional<int64_t> parse_days(const std::optional<std::string>& text) {
  if (!text) return kDefaultDays;
  int64_t days = 0;
  const char* end = text->data() + text->size();
  const auto [stop, error] = std::from_chars(text->data(), end, days);
  if (error != std::errc() || stop != end || days < 1 || days > kMaxDays) return std::nullopt;
  return days;
}

int create(const Args& args) {
  Options options;
  if (!parse_options(args, {"--data", "--role", "--uscc", "--days", "--note"}, options)) {
    return usage();
  }
  if (!options.positional.empty() || !options.role) return usage();
  const std::optional<api::Role> role = api::parse_role(*options.role);
  if (!role) {
    complain("unknown role " + *options.role + " (enterprise, officer, gate, auditor, admin)");
    return 2;
  }
  const std::optional<int64_t> days = parse_days(options.days);
  if (!days) {
    complain("--days is a whole number of days from 1 to " + std::to_string(kMaxDays));
    return 2;
  }
  auto store = open_store(*options.data);
  if (!store.is_ok()) return report(store.status(), 2);
  Result<api::CreatedToken> token =
      (*store)->create(*role, options.uscc.value_or(""), unix_now(), *days * kSecondsPerDay,
                       options.note.value_or(""));
  if (!token.is_ok()) return report(token.status(), 2);
  const api::Principal& principal = token->principal;
  std::printf("id: %s\n", principal.token_id.c_str());
  std::printf("role: %s\n", std::string(api::role_name(principal.role)).c_str());
  if (principal.role == api::Role::kEnterprise) std::printf("uscc: %s\n", principal.uscc.c_str());
  std::printf("expires: %s\n", utc_time(principal.expires_at).c_str());
  // Last and alone on its line, so a script can take it with `tail -n 1`.
  std::printf("%s\n", token->secret.c_str());
  return 0;
}

// The state column: revoked (and when), expired, or active.
std::string state_of(const api::TokenInfo& token, int64_t now) {
  if (token.revoked_at) return "revoked " + utc_time(*token.revoked_at);
  if (now >= token.principal.expires_at) return "expired";
  return "active";
}

int list(const Args& args) {
  Options options;
  if (!parse_options(args, {"--data"}, options) || !options.positional.empty()) return usage();
  auto store = open_store(*options.data);
  if (!store.is_ok()) return report(store.status(), 2);
  Result<std::vector<api::TokenInfo>> tokens = (*store)->list();
  if (!tokens.is_ok()) return report(tokens.status(), 2);
  const int64_t now = unix_now();
  // Tab-separated: id, role, uscc or -, created, expires, state, note. Never a secret.
  for (const api::TokenInfo& token : *tokens) {
    const api::Principal& principal = token.principal;
    std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", principal.token_id.c_str(),
                std::string(api::role_name(principal.role)).c_str(),
                principal.uscc.empty() ? "-" : principal.uscc.c_str(),
                utc_time(token.created_at).c_str(), utc_time(principal.expires_at).c_str(),
                state_of(token, now).c_str(), token.note.c_str());
  }
  return 0;
}

int revoke(const Args& args) {
  Options options;
  if (!parse_options(args, {"--data"}, options) || options.positional.size() != 1) return usage();
  const std::string_view id = options.positional.front();
  auto store = open_store(*options.data);
  if (!store.is_ok()) return report(store.status(), 2);
  Status status = (*store)->revoke(id, unix_now());
  if (!status.is_ok()) {
    // No such token is an answer, not a failure of the command.
    return report(status, status.first().code == ErrorCode::kInvalidField ? 1 : 2);
  }
  std::printf("revoked %s\n", std::string(id).c_str());
  return 0;
}

}  // namespace
}  // namespace token_cmd

int token_command(const Args& args) {
  using namespace token_cmd;
  if (args.empty()) return usage();
  const std::string_view subcommand = args[0];
  if (subcommand == "create") return create(args);
  if (subcommand == "list") return list(args);
  if (subcommand == "revoke") return revoke(args);
  if (subcommand == "--help" || subcommand == "-h" || subcommand == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  complain("unknown subcommand " + std::string(subcommand));
  return usage();
}

}  // namespace zg::cli
