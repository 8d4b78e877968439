// JSON for commands and results.
//
// JsonDocument parses one JSON text into a flat node array (no allocation per
// node once the document is reused), keeps numbers as their literal text so
// nothing is ever rounded through a double, refuses duplicate keys, invalid
// UTF-8 and nesting deeper than kJsonDepthMax, and reports the line and column
// of the first problem. JsonWriter builds compact JSON text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/status.h"

namespace zg {

inline constexpr int kJsonDepthMax = 64;

enum class JsonKind : uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };

std::string_view json_kind_name(JsonKind kind);  // "a string", "an object" ... for messages

class JsonDocument;

// A read-only view of one node; cheap to copy. A missing member is a
// JsonRef for which exists() is false.
class JsonRef {
 public:
  JsonRef() = default;
  JsonRef(const JsonDocument* doc, uint32_t index) : doc_(doc), index_(index) {}

  bool exists() const { return doc_ != nullptr; }
  JsonKind kind() const;
  bool is_string() const { return exists() && kind() == JsonKind::kString; }
  bool is_object() const { return exists() && kind() == JsonKind::kObject; }
  bool is_array() const { return exists() && kind() == JsonKind::kArray; }
  bool is_bool() const {
    return exists() && (kind() == JsonKind::kTrue || kind() == JsonKind::kFalse);
  }
  bool is_null() const { return exists() && kind() == JsonKind::kNull; }
  bool as_bool() const { return kind() == JsonKind::kTrue; }
  // A string's content (unescaped) or a number's literal text; "" for a
  // missing member.
  std::string_view text() const;
  // This member's key, when the node is an object member.
  std::string_view key() const;
  // Object member by key (linear: commands have few keys).
  JsonRef get(std::string_view key) const;
  uint32_t size() const;  // members or elements

  class Iterator {
   public:
    Iterator(const JsonDocument* doc, uint32_t index) : doc_(doc), index_(index) {}
    JsonRef operator*() const { return JsonRef(doc_, index_); }
    Iterator& operator++();
    bool operator!=(const Iterator& other) const { return index_ != other.index_; }

   private:
    const JsonDocument* doc_;
    uint32_t index_;
  };
  Iterator begin() const;  // children of an array or object
  Iterator end() const;

 private:
  const JsonDocument* doc_ = nullptr;
  uint32_t index_ = 0;
};

class JsonDocument {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Parses `text` (which must outlive nothing: strings are copied). On error,
  // the status is malformed_json with a message "line L, column C: what"
  // (lines and columns within `text`, from 1; columns count bytes).
  Status parse(std::string_view text);
  JsonRef root() const { return JsonRef(this, 0); }

  struct Node {
    JsonKind kind;
    uint32_t next = kNone;         // next sibling
    uint32_t first_child = kNone;  // arrays and objects
    uint32_t child_count = 0;
    uint32_t key_offset = 0, key_length = 0;  // in strings_
    uint32_t text_offset = 0, text_length = 0;
  };
  const Node& node(uint32_t index) const { return nodes_[index]; }
  // (Offsets and lengths come from the parser: in range.)
  std::string_view slice(uint32_t offset, uint32_t length) const {
    return std::string_view(strings_.data() + offset, length);
  }

 private:
  friend class JsonParser;
  std::vector<Node> nodes_;
  std::string strings_;  // unescaped keys and strings, number literals
};

// The accessors every command's handling calls many times, inline.
inline JsonKind JsonRef::kind() const {
  return doc_->node(index_).kind;
}
inline std::string_view JsonRef::text() const {
  // A missing member reads as "": callers compare texts without first
  // asking whether the member exists (an envelope's "v", say).
  if (doc_ == nullptr) return {};
  const auto& n = doc_->node(index_);
  return doc_->slice(n.text_offset, n.text_length);
}
inline std::string_view JsonRef::key() const {
  const auto& n = doc_->node(index_);
  return doc_->slice(n.key_offset, n.key_length);
}
inline uint32_t JsonRef::size() const {
  return exists() ? doc_->node(index_).child_count : 0;
}

// Canonical JSON (RFC 8785 JCS) of a node: members sorted by their keys'
// UTF-16 code units, no insignificant whitespace, minimal string escapes.
// Numbers are written as their literal text normalised per ECMAScript.
void append_canonical_json(std::string& out, JsonRef value);

// Whether key `a` sorts before `b` in canonical JSON (UTF-16 code units).
bool json_key_less(std::string_view a, std::string_view b);

// The canonical form of an object with one top-level member changed: the
// member `key` left out, or (with a `string_value`) set to that string.
// How the HTTP door stamps "received_at" on a command, and how a command's
// identity is taken without it.
void append_canonical_json_with(std::string& out, JsonRef object, std::string_view key,
                                const std::string_view* string_value);

// The canonical form of JSON text that JsonWriter wrote (no whitespace,
// minimal escapes, integer numbers, ASCII keys): only the members need
// sorting, so values are copied as they are, without decoding them. False
// (and `out` unchanged) when `text` is not of that shape; use
// append_canonical_json on a parsed document then. `text` must not view
// `out` (the output is written while the text is read).
bool append_canonical_writer_json(std::string& out, std::string_view text);

// How many bytes of `text` from `pos` on can stand in a JSON string as they
// are: not '"', not '\\', not a control character (eight bytes a step).
size_t json_plain_run(std::string_view text, size_t pos);

// Appends `s` as a JSON string literal, with quotes and escapes.
// Invalid UTF-8 in `s` is written as U+FFFD: the output is always JSON.
void append_json_string(std::string& out, std::string_view s);

// The length of the valid UTF-8 sequence at text[pos] (1 to 4), or 0 for
// bytes that are not one: overlong forms, surrogates, beyond U+10FFFF,
// cut short.
size_t utf8_sequence_length(std::string_view text, size_t pos);
bool is_valid_utf8(std::string_view text);

// Compact JSON building, in document order. The caller nests correctly;
// commas are placed automatically.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // `k` is written as is: keys are Zonegate's own snake_case names, which
  // never need escaping (checked in debug builds).
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view s);
  JsonWriter& raw(std::string_view json);  // an already-encoded value
  JsonWriter& number(int64_t n);
  // A fixed-point amount as a decimal string ("1234.50"), with no temporary.
  JsonWriter& fixed_string(int64_t units, int scale);
  JsonWriter& boolean(bool b);
  JsonWriter& null();
  // key + value in one call, the common case.
  JsonWriter& field(std::string_view k, std::string_view s) { return key(k).string(s); }
  JsonWriter& field(std::string_view k, const char* s) { return key(k).string(s); }
  JsonWriter& field(std::string_view k, int64_t n) { return key(k).number(n); }
  JsonWriter& field_bool(std::string_view k, bool b) { return key(k).boolean(b); }
  // The string, or null when it is empty (an absent USCC, no next page).
  JsonWriter& field_or_null(std::string_view k, std::string_view s) {
    key(k);
    return s.empty() ? null() : string(s);
  }
  JsonWriter& field_money(std::string_view k, Money m) {
    return key(k).fixed_string(m.fen, kMoneyScale);
  }

 private:
  void before_value();
  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace zg
