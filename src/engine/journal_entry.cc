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

namespace {

// The end of the JSON value starting at `pos` in canonical text: strings
// are skipped with their escapes, brackets counted outside strings.
size_t value_end(std::string_view text, size_t pos) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = pos; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (depth == 0 && (c == ',' || c == '}' || c == ']')) {
      return i;  // the end of a number or literal
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return depth == 0 && !in_string ? text.size() : std::string_view::npos;
}

// Takes `"name":<value>` at `pos` (after an optional ','); the value's text.
bool take_member(std::string_view text, size_t& pos, std::string_view name,
                 std::string_view& value) {
  if (pos < text.size() && text[pos] == ',') ++pos;
  const std::string prefix = "\"" + std::string(name) + "\":";
  if (text.substr(pos, prefix.size()) != prefix) return false;
  pos += prefix.size();
  const size_t end = value_end(text, pos);
  if (end == std::string_view::npos || end <= pos) return false;
  value = text.substr(pos, end - pos);
  pos = end;
  return true;
}

}  // namespace

Result<JournalRecord> check_journal_entry(const JournalEntry& entry) {
  const std::string where = "journal seq " + std::to_string(entry.seq);
  if (leaf_hash(entry.entry) != entry.leaf_hash) {
    return Result<JournalRecord>(ErrorCode::kCorruption, "",
                                 where + ": the stored hash does not match the entry");
  }
  // The entry is canonical JSON with its four members in order (it was
  // written so and its hash holds), so its parts are slices of it.
  const std::string_view text = entry.entry;
  std::string_view command, pack, result, seq;
  size_t pos = 1;
  const bool shaped = text.size() > 2 && text.front() == '{' && text.back() == '}' &&
                      take_member(text, pos, "command", command) &&
                      take_member(text, pos, "pack", pack) &&
                      take_member(text, pos, "result", result) &&
                      take_member(text, pos, "seq", seq) && pos == text.size() - 1;
  if (!shaped || command.front() != '{' || result.front() != '{' || pack.size() < 2 ||
      pack.front() != '"' || seq != std::to_string(entry.seq)) {
    return Result<JournalRecord>(ErrorCode::kCorruption, "",
                                 where + ": the entry lacks command, result, pack or its seq");
  }
  JournalRecord record;
  record.seq = entry.seq;
  record.command = std::string(command);
  record.result = std::string(result);
  record.pack = std::string(pack.substr(1, pack.size() - 2));
  return record;
}

}  // namespace zg
