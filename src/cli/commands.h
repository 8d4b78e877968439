// The zonegate subcommands. Each takes the arguments after its name and
// returns the process exit code: 0 success, 1 a negative answer (an invalid
// identifier, a pack with errors), 2 a usage or I/O error.
#pragma once

#include <string_view>
#include <vector>

// A command's file whose helpers go by the same names as another's (its
// Options, usage, parse...) keeps them in a namespace of its own,
// zg::cli::NAME_cmd, and its entry point below takes them in with a
// using-directive: a unity build (ZG_UNITY) compiles the files as one,
// where an anonymous namespace would be shared by them all.
namespace zg::cli {

using Args = std::vector<std::string_view>;

int run_command(const Args& args);
int book_command(const Args& args);
int policy_command(const Args& args);
int id_command(const Args& args);
int replay_command(const Args& args);
int verify_command(const Args& args);
int snapshot_command(const Args& args);
int declarations_command(const Args& args);
int taxes_command(const Args& args);
int gates_command(const Args& args);
int token_command(const Args& args);
int serve_command(const Args& args);
int mrz_command(const Args& args);
int demo_command(const Args& args);
int audit_command(const Args& args);
int exchange_command(const Args& args);
int risk_command(const Args& args);
int simulate_command(const Args& args);
int shards_command(const Args& args);
int simtest_command(const Args& args);

// `--store` with its shard named after the pack's zone id when it is a
// PostgreSQL URL that names none (cli/pack_shard.cc).
std::string store_named_by_pack(const std::string& store, const std::string& pack_dir);

}  // namespace zg::cli
