#include "engine/journal_entry.h"

#include <charconv>

#include "core/json.h"

namespace zg {

void append_canonical_result(std::string& out, std::string_view result_json) {
  // Results are JsonWriter's: only their members need sorting. Anything
  // else takes the general path.
  if (append_canonical_writer_json(out, result_json)) return;
  JsonDocument doc;
  if (doc.parse(result_json).is_ok()) append_canonical_json(out, doc.root());
}

std::string canonical_result(std::string_view result_json) {
  std::string out;
  append_canonical_result(out, result_json);
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
  append_canonical_result(e, result_json);
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
  for (size_t i = pos; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      // A string: on to its closing quote, over the plain runs in one step
      // each (strings are most of an entry's bytes).
      for (++i;; ++i) {
        i += json_plain_run(text, i);
        if (i >= text.size()) return std::string_view::npos;
        if (text[i] == '"') break;
        if (text[i] == '\\') ++i;  // an escape: skip what it escapes
      }
      if (depth == 0) return i + 1;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (depth == 0 && (c == ',' || c == '}' || c == ']')) {
      return i;  // the end of a number or literal
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return depth == 0 ? text.size() : std::string_view::npos;
}

// Takes `"name":<value>` at `pos` (after an optional ','); the value's text.
// `member` is the name quoted with its colon: "\"name\":".
bool take_member(std::string_view text, size_t& pos, std::string_view member,
                 std::string_view& value) {
  if (pos < text.size() && text[pos] == ',') ++pos;
  if (text.substr(pos, member.size()) != member) return false;
  pos += member.size();
  const size_t end = value_end(text, pos);
  if (end == std::string_view::npos || end <= pos) return false;
  value = text.substr(pos, end - pos);
  pos = end;
  return true;
}

}  // namespace

Result<JournalRecordView> check_journal_entry_in_place(const JournalEntry& entry) {
  const auto corrupt = [&](std::string_view what) {
    std::string message = "journal seq " + std::to_string(entry.seq);
    message.append(what);
    return Result<JournalRecordView>(ErrorCode::kCorruption, "", std::move(message));
  };
  if (leaf_hash(entry.entry) != entry.leaf_hash) {
    return corrupt(": the stored hash does not match the entry");
  }
  // The entry is canonical JSON with its four members in order (it was
  // written so and its hash holds), so its parts are slices of it.
  const std::string_view text = entry.entry;
  std::string_view command, pack, result, seq;
  size_t pos = 1;
  const bool shaped = text.size() > 2 && text.front() == '{' && text.back() == '}' &&
                      take_member(text, pos, "\"command\":", command) &&
                      take_member(text, pos, "\"pack\":", pack) &&
                      take_member(text, pos, "\"result\":", result) &&
                      take_member(text, pos, "\"seq\":", seq) && pos == text.size() - 1;
  char seq_text[24];  // to_chars, not snprintf: this runs for every row a replay reads
  const char* seq_end = std::to_chars(seq_text, seq_text + sizeof seq_text, entry.seq).ptr;
  if (!shaped || command.front() != '{' || result.front() != '{' || pack.size() < 2 ||
      pack.front() != '"' || seq != std::string_view(seq_text, seq_end)) {
    return corrupt(": the entry lacks command, result, pack or its seq");
  }
  return JournalRecordView{entry.seq, command, result, pack.substr(1, pack.size() - 2)};
}

Result<JournalRecord> check_journal_entry(const JournalEntry& entry) {
  Result<JournalRecordView> view = check_journal_entry_in_place(entry);
  if (!view.is_ok()) return view.status();
  return JournalRecord{view->seq, std::string(view->command), std::string(view->result),
                       std::string(view->pack)};
}

}  // namespace zg
