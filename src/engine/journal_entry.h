// Journal entries: what the durable engine records for each accepted command.
//
// An entry is canonical JSON (RFC 8785) with four members, in this order:
//   {"command":<the command, canonical>,"pack":"<pack hash>","result":<the
//    result, canonical>,"seq":<sequence number>}
// and its leaf hash is SHA-256(0x00 || entry) (RFC 6962), so the audit log
// can hash the journal into a Merkle tree as it is.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/journal_store.h"

namespace zg {

// `canonical_command` must already be canonical; `result_json` is made so.
JournalEntry make_journal_entry(uint64_t seq, std::string_view canonical_command,
                                std::string_view result_json, std::string_view pack_hash);

// The parts of a stored entry, checked: the leaf hash matches the bytes, the
// JSON has the four members, and its seq is the row's. Errors: corruption,
// naming the sequence number.
struct JournalRecord {
  uint64_t seq = 0;
  std::string command;  // canonical JSON
  std::string result;   // canonical JSON
  std::string pack;     // pack hash, hex
};
Result<JournalRecord> check_journal_entry(const JournalEntry& entry);
// The same parts as views into `entry.entry`, copying nothing (replay's
// reading thread, where every row passes through).
struct JournalRecordView {
  uint64_t seq = 0;
  std::string_view command;
  std::string_view result;
  std::string_view pack;
};
Result<JournalRecordView> check_journal_entry_in_place(const JournalEntry& entry);

// The canonical form of a result line (for comparing a replayed result with
// the recorded one).
std::string canonical_result(std::string_view result_json);
void append_canonical_result(std::string& out, std::string_view result_json);

}  // namespace zg
