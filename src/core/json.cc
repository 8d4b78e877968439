#include "core/json.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/decimal.h"

namespace zg {
namespace {

// How many leading bytes of [p, p + n) need no escaping in a JSON string:
// not a control character, not '"' or '\\', and (when `stop_on_high`) ASCII.
// Sixteen bytes at a time where SSE2 is (every x86-64), else eight: strings
// are most of a command's bytes, but most of them are short, so the first
// step usually finds the end.
size_t plain_prefix(const char* p, size_t n, bool stop_on_high) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i below_space = _mm_set1_epi8(0x1F);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // max(byte, 0x1F) is 0x1F exactly when the byte (unsigned) is at most 0x1F.
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpeq_epi8(_mm_max_epu8(v, below_space), below_space));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (stop_on_high) mask |= static_cast<unsigned>(_mm_movemask_epi8(v));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    uint64_t special = has_zero(v ^ (kOnes * '"')) | has_zero(v ^ (kOnes * '\\')) |
                       ((v - kOnes * 0x20) & ~v & kHighs);  // bytes below 0x20
    if (stop_on_high) special |= v & kHighs;
    if (special != 0) break;
  }
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == '"' || c == '\\' || (stop_on_high && c >= 0x80)) break;
  }
  return i;
}

}  // namespace

size_t json_plain_run(std::string_view text, size_t pos) {
  return pos >= text.size() ? 0 : plain_prefix(text.data() + pos, text.size() - pos, false);
}

size_t utf8_sequence_length(std::string_view text, size_t pos) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const size_t left = text.size() - pos;
  const unsigned char c = b(0);
  const auto cont = [&](size_t i) { return i < left && (b(i) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

bool is_valid_utf8(std::string_view text) {
  for (size_t i = plain_prefix(text.data(), text.size(), true); i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    const size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string_view json_kind_name(JsonKind kind) {
  switch (kind) {
    case JsonKind::kNull: return "null";
    case JsonKind::kFalse:
    case JsonKind::kTrue: return "a boolean";
    case JsonKind::kNumber: return "a number";
    case JsonKind::kString: return "a string";
    case JsonKind::kArray: return "an array";
    case JsonKind::kObject: return "an object";
  }
  std::abort();
}

// ---- JsonRef ---------------------------------------------------------------

JsonRef JsonRef::get(std::string_view key) const {
  if (!is_object()) return {};
  for (uint32_t i = doc_->node(index_).first_child; i != JsonDocument::kNone;
       i = doc_->node(i).next) {
    const auto& n = doc_->node(i);
    if (n.key_length != key.size()) continue;
    // Keys are a few bytes: a loop, not a call to memcmp.
    const char* k = doc_->slice(n.key_offset, n.key_length).data();
    size_t j = 0;
    while (j < key.size() && k[j] == key[j]) ++j;
    if (j == key.size()) return JsonRef(doc_, i);
  }
  return {};
}

JsonRef::Iterator& JsonRef::Iterator::operator++() {
  index_ = doc_->node(index_).next;
  return *this;
}

JsonRef::Iterator JsonRef::begin() const {
  if (!exists()) return Iterator(doc_, JsonDocument::kNone);
  return Iterator(doc_, doc_->node(index_).first_child);
}
JsonRef::Iterator JsonRef::end() const {
  return Iterator(doc_, JsonDocument::kNone);
}

// ---- parser ----------------------------------------------------------------

class JsonParser {
 public:
  JsonParser(JsonDocument& doc, std::string_view text) : doc_(doc), text_(text) {}

  Status run() {
    doc_.nodes_.clear();
    doc_.strings_.clear();
    skip_space();
    if (!parse_value(0)) return error_;
    skip_space();
    if (pos_ != text_.size()) {
      fail("unexpected text after the JSON value");
      return error_;
    }
    return Status::ok();
  }

 private:
  bool fail(std::string what) {
    if (error_.is_ok()) {
      size_t line = 1, column = 1;
      for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
        if (text_[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      error_ = Status(
          ErrorCode::kMalformedJson, "",
          "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what);
    }
    return false;
  }

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  uint32_t add_node(JsonKind kind) {
    doc_.nodes_.push_back(JsonDocument::Node{kind});
    return static_cast<uint32_t>(doc_.nodes_.size() - 1);
  }

  bool parse_value(int depth) {
    if (pos_ >= text_.size()) return fail("unexpected end of input, expected a value");
    switch (text_[pos_]) {
      case '{': return parse_object(depth + 1);
      case '[': return parse_array(depth + 1);
      case '"': {
        const uint32_t index = add_node(JsonKind::kString);
        uint32_t offset = 0, length = 0;
        if (!parse_string(offset, length)) return false;
        doc_.nodes_[index].text_offset = offset;
        doc_.nodes_[index].text_length = length;
        return true;
      }
      case 't': return parse_literal("true", JsonKind::kTrue);
      case 'f': return parse_literal("false", JsonKind::kFalse);
      case 'n': return parse_literal("null", JsonKind::kNull);
      default: return parse_number();
    }
  }

  bool parse_literal(std::string_view word, JsonKind kind) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    add_node(kind);
    return true;
  }

  bool parse_number() {
    const size_t start = pos_;
    const auto digit = [&] {
      return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9';
    };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (!digit()) return fail("expected a value");
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digit()) return fail("expected a digit after the decimal point");
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digit()) return fail("expected a digit in the exponent");
      while (digit()) ++pos_;
    }
    const uint32_t index = add_node(JsonKind::kNumber);
    doc_.nodes_[index].text_offset = static_cast<uint32_t>(doc_.strings_.size());
    doc_.nodes_[index].text_length = static_cast<uint32_t>(pos_ - start);
    doc_.strings_.append(text_.substr(start, pos_ - start));
    return true;
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool read_hex4(uint32_t& out) {
    if (pos_ + 4 > text_.size()) return fail("truncated \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const int v = hex_value(text_[pos_ + static_cast<size_t>(i)]);
      if (v < 0) return fail("invalid \\u escape");
      out = out * 16 + static_cast<uint32_t>(v);
    }
    pos_ += 4;
    return true;
  }

  void append_utf8(uint32_t cp) {
    std::string& s = doc_.strings_;
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Length of a valid UTF-8 sequence starting at pos_, or 0.
  size_t utf8_length() const { return utf8_sequence_length(text_, pos_); }

  bool parse_string(uint32_t& offset, uint32_t& length) {
    ++pos_;  // opening quote
    offset = static_cast<uint32_t>(doc_.strings_.size());
    for (;;) {
      // Copy a run of plain ASCII in one go: the common case.
      const size_t run_start = pos_;
      pos_ += plain_prefix(text_.data() + pos_, text_.size() - pos_, /*stop_on_high=*/true);
      doc_.strings_.append(text_.substr(run_start, pos_ - run_start));
      if (pos_ >= text_.size()) return fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c < 0x20) return fail("control character in a string");
      if (c >= 0x80) {
        const size_t n = utf8_length();
        if (n == 0) return fail("invalid UTF-8 in a string");
        doc_.strings_.append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      // Backslash escape.
      ++pos_;
      if (pos_ >= text_.size()) return fail("unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"': doc_.strings_.push_back('"'); break;
        case '\\': doc_.strings_.push_back('\\'); break;
        case '/': doc_.strings_.push_back('/'); break;
        case 'b': doc_.strings_.push_back('\b'); break;
        case 'f': doc_.strings_.push_back('\f'); break;
        case 'n': doc_.strings_.push_back('\n'); break;
        case 'r': doc_.strings_.push_back('\r'); break;
        case 't': doc_.strings_.push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          if (!read_hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("unpaired surrogate in a \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (text_.substr(pos_, 2) != "\\u") return fail("unpaired surrogate in a \\u escape");
            pos_ += 2;
            if (!read_hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("unpaired surrogate in a \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(cp);
          break;
        }
        default: --pos_; return fail("invalid escape in a string");
      }
    }
    length = static_cast<uint32_t>(doc_.strings_.size() - offset);
    return true;
  }

  bool parse_array(int depth) {
    if (depth > kJsonDepthMax) return fail("nesting deeper than " + std::to_string(kJsonDepthMax));
    const uint32_t index = add_node(JsonKind::kArray);
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    uint32_t previous = JsonDocument::kNone;
    uint32_t count = 0;
    for (;;) {
      skip_space();
      const uint32_t child = static_cast<uint32_t>(doc_.nodes_.size());
      if (!parse_value(depth)) return false;
      link(index, previous, child);
      previous = child;
      ++count;
      skip_space();
      if (pos_ >= text_.size()) return fail("unexpected end of input, expected ',' or ']'");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        break;
      }
      return fail("expected ',' or ']'");
    }
    doc_.nodes_[index].child_count = count;
    return true;
  }

  void link(uint32_t parent, uint32_t previous, uint32_t child) {
    if (previous == JsonDocument::kNone) {
      doc_.nodes_[parent].first_child = child;
    } else {
      doc_.nodes_[previous].next = child;
    }
  }

  bool parse_object(int depth) {
    if (depth > kJsonDepthMax) return fail("nesting deeper than " + std::to_string(kJsonDepthMax));
    const uint32_t index = add_node(JsonKind::kObject);
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    uint32_t previous = JsonDocument::kNone;
    uint32_t count = 0;
    for (;;) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a string key");
      uint32_t key_offset = 0, key_length = 0;
      const size_t key_pos = pos_;
      if (!parse_string(key_offset, key_length)) return false;
      const std::string_view key = doc_.slice(key_offset, key_length);
      for (uint32_t i = doc_.nodes_[index].first_child; i != JsonDocument::kNone;
           i = doc_.nodes_[i].next) {
        if (doc_.slice(doc_.nodes_[i].key_offset, doc_.nodes_[i].key_length) == key) {
          pos_ = key_pos;
          return fail("duplicate key \"" + std::string(key) + "\"");
        }
      }
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      skip_space();
      const uint32_t child = static_cast<uint32_t>(doc_.nodes_.size());
      if (!parse_value(depth)) return false;
      doc_.nodes_[child].key_offset = key_offset;
      doc_.nodes_[child].key_length = key_length;
      link(index, previous, child);
      previous = child;
      ++count;
      skip_space();
      if (pos_ >= text_.size()) return fail("unexpected end of input, expected ',' or '}'");
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == '}') {
        ++pos_;
        break;
      }
      return fail("expected ',' or '}'");
    }
    doc_.nodes_[index].child_count = count;
    return true;
  }

  JsonDocument& doc_;
  std::string_view text_;
  size_t pos_ = 0;
  Status error_;
};

Status JsonDocument::parse(std::string_view text) {
  if (text.size() >= UINT32_MAX / 2) {
    return Status(ErrorCode::kMalformedJson, "", "the JSON text is too large");
  }
  JsonParser parser(*this, text);
  Status status = parser.run();
  if (!status.is_ok()) {
    nodes_.clear();
    strings_.clear();
  }
  return status;
}

// ---- writing ---------------------------------------------------------------

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0;;) {
    // Plain ASCII, eight bytes at a time, up to the next byte to look at.
    i += plain_prefix(s.data() + i, s.size() - i, /*stop_on_high=*/true);
    if (i >= s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8_sequence_length(s, i);
      if (n > 0) {
        i += n;
        continue;
      }
      // Text that is not UTF-8 (from outside: a path, a header) is written
      // as U+FFFD (its bytes, as RFC 8785 writes characters), so what we
      // write is always JSON.
      out.append(s.substr(run, i - run));
      out.append("\xEF\xBF\xBD");
      run = ++i;
      continue;
    }
    out.append(s.substr(run, i - run));
    run = ++i;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.substr(run));
  out.push_back('"');
}

namespace {

// RFC 8785 §3.2.2.3: numbers as ECMAScript's Number.prototype.toString.
void append_canonical_number(std::string& out, std::string_view literal) {
  const double value = std::strtod(std::string(literal).c_str(), nullptr);
  if (value == 0) {
    out.push_back('0');
    return;
  }
  if (!std::isfinite(value)) {  // beyond double range: keep the literal
    out.append(literal);
    return;
  }
  char digits[32];
  // Shortest round-trip digits in scientific form: d.ddde±x.
  auto [end, ec] =
      std::to_chars(digits, digits + sizeof digits, std::abs(value), std::chars_format::scientific);
  std::string_view sci(digits, static_cast<size_t>(end - digits));
  const size_t e = sci.find('e');
  std::string mantissa;
  for (char c : sci.substr(0, e)) {
    if (c != '.') mantissa.push_back(c);
  }
  const int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  const int k = static_cast<int>(mantissa.size());
  const int n = exponent + 1;  // decimal point position
  if (value < 0) out.push_back('-');
  if (k <= n && n <= 21) {
    out.append(mantissa);
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(mantissa.substr(0, static_cast<size_t>(n)));
    out.push_back('.');
    out.append(mantissa.substr(static_cast<size_t>(n)));
  } else if (-6 < n && n <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-n), '0');
    out.append(mantissa);
  } else {
    out.push_back(mantissa[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(mantissa.substr(1));
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out.append(std::to_string(std::abs(n - 1)));
  }
}

// UTF-16 code unit order for keys (RFC 8785 §3.2.3). For UTF-8 text this
// equals byte order except that code points above U+FFFF (surrogates,
// 0xD800..) sort before U+E000..U+FFFF.
bool utf16_less(std::string_view a, std::string_view b) {
  const auto unit = [](std::string_view s, size_t& i) -> uint32_t {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      return c;
    }
    if (c < 0xE0) {
      i += 2;
      return 0x80;  // two-byte sequences: U+0080..U+07FF, order kept by the bytes
    }
    if (c < 0xF0) {
      i += 3;
      return c == 0xEE || c == 0xEF ? 0xE000 : 0x0800;
    }
    i += 4;
    return 0xD800;
  };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const size_t i0 = i, j0 = j;
    const uint32_t ua = unit(a, i), ub = unit(b, j);
    if (ua != ub) return ua < ub;
    const std::string_view ca = a.substr(i0, i - i0), cb = b.substr(j0, j - j0);
    if (ca != cb) return ca < cb;  // same class: UTF-8 byte order is code point order
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

bool json_key_less(std::string_view a, std::string_view b) {
  return utf16_less(a, b);
}

void append_canonical_json(std::string& out, JsonRef value) {
  switch (value.kind()) {
    case JsonKind::kNull: out.append("null"); return;
    case JsonKind::kTrue: out.append("true"); return;
    case JsonKind::kFalse: out.append("false"); return;
    case JsonKind::kNumber: append_canonical_number(out, value.text()); return;
    case JsonKind::kString: append_json_string(out, value.text()); return;
    case JsonKind::kArray: {
      out.push_back('[');
      bool first = true;
      for (JsonRef element : value) {
        if (!first) out.push_back(',');
        first = false;
        append_canonical_json(out, element);
      }
      out.push_back(']');
      return;
    }
    case JsonKind::kObject: {
      JsonRef members[32];
      std::vector<JsonRef> many;
      JsonRef* sorted = members;
      const uint32_t count = value.size();
      if (count > 32) {
        many.resize(count);
        sorted = many.data();
      }
      uint32_t k = 0;
      for (JsonRef member : value) sorted[k++] = member;
      std::sort(sorted, sorted + count,
                [](const JsonRef& a, const JsonRef& b) { return utf16_less(a.key(), b.key()); });
      out.push_back('{');
      for (uint32_t i = 0; i < count; ++i) {
        if (i > 0) out.push_back(',');
        append_json_string(out, sorted[i].key());
        out.push_back(':');
        append_canonical_json(out, sorted[i]);
      }
      out.push_back('}');
      return;
    }
  }
}

void append_canonical_json_with(std::string& out, JsonRef object, std::string_view key,
                                const std::string_view* string_value) {
  std::vector<JsonRef> sorted;
  sorted.reserve(object.size());
  for (JsonRef member : object) {
    if (member.key() != key) sorted.push_back(member);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const JsonRef& a, const JsonRef& b) { return utf16_less(a.key(), b.key()); });
  bool pending = string_value != nullptr;  // the changed member, not yet written
  bool first = true;
  out.push_back('{');
  const auto separate = [&] {
    if (!first) out.push_back(',');
    first = false;
  };
  for (const JsonRef& member : sorted) {
    if (pending && utf16_less(key, member.key())) {
      separate();
      append_json_string(out, key);
      out.push_back(':');
      append_json_string(out, *string_value);
      pending = false;
    }
    separate();
    append_json_string(out, member.key());
    out.push_back(':');
    append_canonical_json(out, member);
  }
  if (pending) {
    separate();
    append_json_string(out, key);
    out.push_back(':');
    append_json_string(out, *string_value);
  }
  out.push_back('}');
}

namespace {

// "0", "-12", "7": what JsonWriter::number writes, and ECMAScript would too.
bool is_canonical_integer(std::string_view token) {
  if (!token.empty() && token.front() == '-') token.remove_prefix(1);
  if (token.empty() || token.size() > 15) return false;  // beyond 2^53 needs the general path
  if (token.size() > 1 && token.front() == '0') return false;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Reorders the members of JsonWriter output; see append_canonical_writer_json.
// Writes straight into `out`; an object whose members came out of order is
// rewritten in place from a scratch copy, so the common case (members
// written in order) copies each byte once and allocates nothing.
class WriterJsonSorter {
 public:
  explicit WriterJsonSorter(std::string_view text) : text_(text) {}

  bool run(std::string& out) {
    if (!value(out, 0)) return false;
    return pos_ == text_.size();
  }

 private:
  // One member as written to `out`: `"key":value`, from begin to end.
  struct Member {
    std::string_view key;  // without quotes; ASCII, so byte order is UTF-16 order
    size_t begin;
    size_t end;
  };

  bool value(std::string& out, int depth) {
    if (pos_ >= text_.size() || depth > kJsonDepthMax) return false;
    const char c = text_[pos_];
    if (c == '{') return object(out, depth + 1);
    if (c == '[') return array(out, depth + 1);
    const size_t start = pos_;
    if (c == '"') {
      if (!skip_string()) return false;
    } else {
      // true, false, null or an integer (already canonical): copied as written.
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
             text_[pos_] != ']') {
        ++pos_;
      }
      const std::string_view token = text_.substr(start, pos_ - start);
      if (token != "true" && token != "false" && token != "null" && !is_canonical_integer(token)) {
        return false;
      }
    }
    out.append(text_.substr(start, pos_ - start));
    return true;
  }

  bool skip_string() {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      pos_ += plain_prefix(text_.data() + pos_, text_.size() - pos_, false);
      if (pos_ >= text_.size()) return false;
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\') ++pos_;  // an escape: skip what it escapes
      // (else a control character, which is skipped as any other byte)
    }
    return false;
  }

  bool array(std::string& out, int depth) {
    ++pos_;
    out.push_back('[');
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      out.push_back(']');
      return true;
    }
    for (;;) {
      if (!value(out, depth)) return false;
      if (pos_ >= text_.size()) return false;
      if (text_[pos_] == ']') {
        ++pos_;
        out.push_back(']');
        return true;
      }
      if (text_[pos_] != ',') return false;
      ++pos_;
      out.push_back(',');
    }
  }

  bool object(std::string& out, int depth) {
    ++pos_;
    out.push_back('{');
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      out.push_back('}');
      return true;
    }
    // This object's members are members_[first..]; nested objects use the
    // stack above them and are done with it before the next member.
    const size_t first = members_.size();
    bool in_order = true;
    for (;;) {
      if (pos_ >= text_.size() || text_[pos_] != '"') return false;
      const size_t key_start = pos_ + 1;
      if (!skip_string()) return false;
      const std::string_view key = text_.substr(key_start, pos_ - 1 - key_start);
      for (char k : key) {
        if (static_cast<unsigned char>(k) >= 0x80 || k == '\\') return false;
      }
      if (pos_ >= text_.size() || text_[pos_] != ':') return false;
      ++pos_;
      if (members_.size() > first) {
        const int order = key_order(members_.back().key, key);
        if (order == 0) return false;  // a duplicate key
        if (order > 0) in_order = false;
      }
      const size_t begin = out.size();
      out.push_back('"');
      out.append(key);
      out.append("\":", 2);
      if (!value(out, depth)) return false;
      members_.push_back(Member{key, begin, out.size()});
      if (pos_ >= text_.size()) return false;
      if (text_[pos_] == '}') {
        ++pos_;
        break;
      }
      if (text_[pos_] != ',') return false;
      ++pos_;
      out.push_back(',');
    }
    const bool sorted = in_order || rewrite_sorted(out, first);
    members_.resize(first);
    if (!sorted) return false;
    out.push_back('}');
    return true;
  }

  // <0, 0 or >0 as `a` sorts before, as or after `b`. Keys are short: a
  // loop beats a call to memcmp.
  static int key_order(std::string_view a, std::string_view b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i])
        return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
  }

  // Rewrites the members from members_[first] on in key order; false on a
  // duplicate key.
  bool rewrite_sorted(std::string& out, size_t first) {
    const auto begin = members_.begin() + static_cast<std::ptrdiff_t>(first);
    const size_t region = members_[first].begin;
    scratch_.assign(out, region, out.size() - region);
    std::sort(begin, members_.end(),
              [](const Member& a, const Member& b) { return key_order(a.key, b.key) < 0; });
    out.resize(region);
    for (auto it = begin; it != members_.end(); ++it) {
      if (it != begin) {
        if (it->key == (it - 1)->key) return false;
        out.push_back(',');
      }
      out.append(scratch_, it->begin - region, it->end - it->begin);
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<Member> members_;
  std::string scratch_;
};

}  // namespace

bool append_canonical_writer_json(std::string& out, std::string_view text) {
  const size_t size = out.size();
  out.reserve(size + text.size());
  WriterJsonSorter sorter(text);
  if (sorter.run(out)) return true;
  out.resize(size);
  return false;
}

void JsonWriter::before_value() {
  if (need_comma_) out_.push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  assert(plain_prefix(k.data(), k.size(), true) == k.size());
  out_.push_back('"');
  out_.append(k);
  out_.append("\":", 2);
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::string(std::string_view s) {
  before_value();
  append_json_string(out_, s);
  return *this;
}
JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_.append(json);
  return *this;
}
JsonWriter& JsonWriter::number(int64_t n) {
  before_value();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out_.append(buf, end);
  return *this;
}
JsonWriter& JsonWriter::fixed_string(int64_t units, int scale) {
  before_value();
  out_.push_back('"');
  append_fixed(out_, units, scale);
  out_.push_back('"');
  return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
  before_value();
  out_.append(b ? "true" : "false");
  return *this;
}
JsonWriter& JsonWriter::null() {
  before_value();
  out_.append("null");
  return *this;
}

}  // namespace zg
