#include "engine/journal_entry.h"

#include "core/json.h"

namespace zg {

std::string canonical_result(std::string_view result_json) {
  std::string out;
  // Results are JsonWriter's: only their members need sorting. Anything
  // else takes the general path.
  if (append_canonical_writer_json(out, result_json)) return out;
  JsonDocument doc;
  if (doc.parse(result_json).is_ok()) append_canonical_json(out, doc.root());
  return out;
}

JournalEntry make_journal_entry(uint64_t seq, std::string_view canonical_command,
                                std::string_view result_json, std::string_view pack_hash) {
  JournalEntry entry;
  entry.seq = seq;
  std::string& e = entry.entry;
  e.reserve(canonical_command.size() + result_json.size() + 128);
  e += "{\"command\":";
  e += canonical_command;
  e += ",\"pack\":";
  append_json_string(e, pack_hash);
  e += ",\"result\":";
  e += canonical_result(result_json);
  e += ",\"seq\":";
  e += std::to_string(seq);
  e += '}';
  entry.leaf_hash = leaf_hash(e);
  return entry;
}

Result<JournalRecord> check_journal_entry(const JournalEntry& entry) {
  const std::string where = "journal seq " + std::to_string(entry.seq);
  if (leaf_hash(entry.entry) != entry.leaf_hash) {
    return Result<JournalRecord>(ErrorCode::kCorruption, "",
                                 where + ": the stored hash does not match the entry");
  }
  JsonDocument doc;
  if (!doc.parse(entry.entry).is_ok() || !doc.root().is_object()) {
    return Result<JournalRecord>(ErrorCode::kCorruption, "", where + ": the entry is not JSON");
  }
  const JsonRef root = doc.root();
  const JsonRef command = root.get("command"), result = root.get("result");
  const JsonRef pack = root.get("pack"), seq = root.get("seq");
  if (!command.is_object() || !result.is_object() || !pack.is_string() || !seq.exists() ||
      seq.kind() != JsonKind::kNumber || seq.text() != std::to_string(entry.seq)) {
    return Result<JournalRecord>(ErrorCode::kCorruption, "",
                                 where + ": the entry lacks command, result, pack or its seq");
  }
  JournalRecord record;
  record.seq = entry.seq;
  append_canonical_json(record.command, command);
  append_canonical_json(record.result, result);
  record.pack = std::string(pack.text());
  return record;
}

}  // namespace zg
