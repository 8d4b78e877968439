// zonegate: the command-line door to the customs engine.
//
// Subcommands (see README.md and docs/api.md):
//   zonegate run --pack DIR [--data DIR] [--stats] FILE.jsonl|-
//   zonegate book --pack DIR FILE.jsonl|- USCC
//   zonegate book --data DIR USCC
//   zonegate replay --data DIR
//   zonegate verify --data DIR
//   zonegate snapshot --data DIR
//   zonegate declarations --data DIR [--declarant USCC] [--from DATE] [--to DATE]
//   zonegate taxes --data DIR [--from DATE] [--to DATE]
//   zonegate gates --data DIR [--from DATE] [--to DATE]
//   zonegate token create|list|revoke --data DIR ...
//   zonegate serve --pack DIR --data DIR [--listen HOST:PORT] | serve --demo
//   zonegate shards --store postgresql://... | --data DIR [--json]
//   zonegate policy check DIR
//   zonegate id check uscc|resident-id|hs|container VALUE
//   zonegate mrz parse < LINES
//   zonegate version
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace {

void print_usage(std::FILE* out) {
  std::fputs(
      "usage: zonegate <command> [options]\n"
      "\n"
      "  run --pack DIR [--data DIR [--store URL]] [--stats] FILE.jsonl|-\n"
      "                                           apply commands, print one result per line;\n"
      "                                           with --data, durably (journal, restart);\n"
      "                                           --store postgresql://USER@HOST:PORT/DB puts\n"
      "                                           a new directory's journal in PostgreSQL\n"
      "  book --pack DIR FILE.jsonl|- USCC        print an enterprise's account book after FILE\n"
      "  book --data DIR USCC                     ... as the data directory has it\n"
      "  replay --data DIR                        rebuild the zone from its journal, check "
      "results\n"
      "  verify --data DIR                        check every hash, sequence and book\n"
      "  snapshot --data DIR                      write a snapshot (restarts replay only the "
      "rest)\n"
      "  declarations --data DIR [--declarant USCC] [--from DATE] [--to DATE]\n"
      "                                           declarations with their totals (JSON Lines)\n"
      "  taxes --data DIR [--from DATE] [--to DATE]\n"
      "                                           taxes assessed per day, and their total\n"
      "  gates --data DIR [--from DATE] [--to DATE] [--by hour|day|hour_of_day]\n"
      "                                           gate figures: crossings per channel and hour,\n"
      "                                           travellers cleared, time release\n"
      "  audit sth|prove|consistency --data DIR ...  the Merkle log: tree heads and proofs\n"
      "  audit verify-inclusion|verify-consistency|verify-tree-head ...  offline checks\n"
      "  exchange keygen|seal|open ...              sealed envelopes for partners\n"
      "  risk train|score|evaluate|simulate ...     the learned risk score (docs/risk.md)\n"
      "  demo gates prepare|day|check ...         a Hengqin day at the gates (docs/gates.md)\n"
      "  simulate --data DIR [--day DATE] [--scale S] [--seed N]\n"
      "                                           a believable Hengqin day into a zone "
      "(docs/web.md)\n"
      "  token create --data DIR --role R [--uscc U] [--days N] [--note TEXT]\n"
      "  token list --data DIR | token revoke --data DIR ID\n"
      "                                           bearer tokens for the server\n"
      "  serve --pack DIR --data DIR [--listen HOST:PORT] [options]\n"
      "  serve --demo [--data DIR] [--listen HOST:PORT]\n"
      "                                           the HTTP API (docs/api.md)\n"
      "  shards --store postgresql://... | --data DIR [--json]\n"
      "                                           PostgreSQL shards: owner, epoch, nodes' lag\n"
      "  simtest [--seeds N] [--from S] [--steps K] | --seed S\n"
      "                                           deterministic simulation: faults, invariants\n"
      "                                           (docs/reliability.md)\n"
      "  policy check DIR                         check a policy pack, print a summary or errors\n"
      "  id check uscc|resident-id|hs|container VALUE\n"
      "                                           validate an identifier (container: ISO 6346)\n"
      "  mrz parse < LINES                        read an ICAO 9303 MRZ (TD1/TD2/TD3) as JSON\n"
      "  version                                  print the version\n",
      out);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    print_usage(args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string_view command = args[0];
  args.erase(args.begin());
  if (command == "run") return zg::cli::run_command(args);
  if (command == "book") return zg::cli::book_command(args);
  if (command == "policy") return zg::cli::policy_command(args);
  if (command == "id") return zg::cli::id_command(args);
  if (command == "replay") return zg::cli::replay_command(args);
  if (command == "verify") return zg::cli::verify_command(args);
  if (command == "snapshot") return zg::cli::snapshot_command(args);
  if (command == "declarations") return zg::cli::declarations_command(args);
  if (command == "taxes") return zg::cli::taxes_command(args);
  if (command == "gates") return zg::cli::gates_command(args);
  if (command == "demo") return zg::cli::demo_command(args);
  if (command == "audit") return zg::cli::audit_command(args);
  if (command == "exchange") return zg::cli::exchange_command(args);
  if (command == "risk") return zg::cli::risk_command(args);
  if (command == "simulate") return zg::cli::simulate_command(args);
  if (command == "shards") return zg::cli::shards_command(args);
  if (command == "simtest") return zg::cli::simtest_command(args);
  if (command == "token") return zg::cli::token_command(args);
  if (command == "serve") return zg::cli::serve_command(args);
  if (command == "mrz") return zg::cli::mrz_command(args);
  if (command == "version" || command == "--version") {
    std::puts("zonegate 0.1.0");
    return 0;
  }
  std::fprintf(stderr, "zonegate: unknown command \"%.*s\"\n\n", static_cast<int>(command.size()),
               command.data());
  print_usage(stderr);
  return 2;
}
