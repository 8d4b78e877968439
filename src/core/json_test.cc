#include "core/json.h"

#include <gtest/gtest.h>

namespace zg {
namespace {

TEST(JsonParse, ReadsCommands) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"id":"d1","n":12.50,"ok":true,"none":null,"items":[{"hs":"2204"}],
                          "esc":"a\"b\\c\u00e9\ud83d\ude00"})")
                  .is_ok());
  JsonRef root = doc.root();
  EXPECT_EQ(root.get("id").text(), "d1");
  EXPECT_EQ(root.get("n").kind(), JsonKind::kNumber);
  EXPECT_EQ(root.get("n").text(), "12.50");  // the literal, never a double
  EXPECT_TRUE(root.get("ok").as_bool());
  EXPECT_TRUE(root.get("none").is_null());
  EXPECT_FALSE(root.get("missing").exists());
  EXPECT_EQ(root.get("items").size(), 1u);
  EXPECT_EQ((*root.get("items").begin()).get("hs").text(), "2204");
  EXPECT_EQ(root.get("esc").text(), "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonParse, RefusesWithLineAndColumn) {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  const Case kCases[] = {
      {R"({"a":1,})", "line 1, column 8: expected a string key"},
      {R"({"a" 1})", "line 1, column 6: expected ':'"},
      {"{\"a\":1,\n\"b\":}", "line 2, column 5: expected a value"},
      {R"({"a":1,"a":2})", "line 1, column 8: duplicate key \"a\""},
      {R"({"a":01})", "line 1, column 7: expected ',' or '}'"},
      {R"({"a":"\x"})", "invalid escape"},
      {"{\"a\":\"\xC3\x28\"}", "invalid UTF-8"},
      {"{\"a\":\"\xED\xA0\x80\"}", "invalid UTF-8"},  // an encoded surrogate
      {R"({"a":"\ud800"})", "unpaired surrogate"},
      {"{\"a\":\"tab\there\"}", "control character"},
      {R"({"a":1} x)", "unexpected text after the JSON value"},
      {R"({"a":tru})", "invalid literal"},
      {"", "unexpected end of input"},
      {R"({"a":[1,2)", "unexpected end of input"},
      {R"({"a":-})", "expected a value"},
      {R"({"a":1.})", "expected a digit after the decimal point"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    JsonDocument doc;
    Status status = doc.parse(c.text);
    ASSERT_FALSE(status.is_ok());
    EXPECT_EQ(status.first().code, ErrorCode::kMalformedJson);
    EXPECT_NE(status.first().message.find(c.message), std::string::npos) << status.first().message;
  }
}

TEST(JsonParse, LimitsNesting) {
  std::string deep(kJsonDepthMax, '[');
  deep += std::string(kJsonDepthMax, ']');
  JsonDocument doc;
  EXPECT_TRUE(doc.parse(deep).is_ok());
  std::string deeper(kJsonDepthMax + 1, '[');
  deeper += std::string(kJsonDepthMax + 1, ']');
  Status status = doc.parse(deeper);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.first().message.find("nesting deeper than 64"), std::string::npos);
}

std::string canonical(std::string_view text) {
  JsonDocument doc;
  EXPECT_TRUE(doc.parse(text).is_ok()) << text;
  std::string out;
  append_canonical_json(out, doc.root());
  return out;
}

TEST(CanonicalJson, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(canonical(R"({ "b" : 1, "a" : [ true , null ] })"), R"({"a":[true,null],"b":1})");
  EXPECT_EQ(canonical(R"({"id":"x","at":"t"})"), canonical(R"({"at":"t","id":"x"})"));
  // RFC 8785 §3.2.2.3 numbers and §3.2.3 key order by UTF-16 code units.
  EXPECT_EQ(canonical("[1.0, 1e3, -0, 0.000001, 1e-7, 1e20, 1e21]"),
            "[1,1000,0,0.000001,1e-7,100000000000000000000,1e+21]");
  EXPECT_EQ(canonical("{\"\xEF\xAC\x81\":1,\"\xF0\x9F\x98\x80\":2}"),
            "{\"\xF0\x9F\x98\x80\":2,\"\xEF\xAC\x81\":1}");
  EXPECT_EQ(canonical(R"({"s":"a\u0001\n\"/"})"), R"({"s":"a\u0001\n\"/"})");
}

TEST(JsonWriter, WritesCompactJson) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("id", "d\"1").field("seq", int64_t{7}).field_money("duty", Money{140'000});
  w.key("items").begin_array().begin_object().field_bool("ok", false).end_object();
  w.null().end_array().end_object();
  EXPECT_EQ(out, R"({"id":"d\"1","seq":7,"duty":"1400.00","items":[{"ok":false},null]})");
}

TEST(JsonString, EscapesEverythingItMust) {
  std::string out;
  append_json_string(out, std::string_view("plain text longer than eight\x01\x1f\"\\\t", 33));
  EXPECT_EQ(out, "\"plain text longer than eight\\u0001\\u001f\\\"\\\\\\t\"");
}

namespace zg {
namespace {

// The scan for a string's end finds each byte that ends a plain run, at any
// position: in the first sixteen, past them, and in the last few (where
// the wide steps give way to narrow ones).
TEST(JsonPlainRun, StopsAtTheFirstByteThatNeedsEscaping) {
  for (const char special : {'"', '\\', '\x00', '\x1f', '\n'}) {
    for (size_t at = 0; at < 40; ++at) {
      std::string text(40, 'a');
      text[at] = special;
      EXPECT_EQ(json_plain_run(text, 0), at) << int(special) << " at " << at;
      if (at >= 3) {
        EXPECT_EQ(json_plain_run(text, 3), at - 3);
      }
    }
  }
  std::string plain(37, ' ');  // 0x20 is plain, as are bytes from 0x80
  plain[20] = '\x7f';
  plain[30] = static_cast<char>(0xE2);
  EXPECT_EQ(json_plain_run(plain, 0), plain.size());
  EXPECT_EQ(json_plain_run(plain, plain.size()), 0u);
  // Bytes from 0x80 are the UTF-8 check's to judge: is_valid_utf8 stops
  // its plain scan at the first, wherever it is.
  for (size_t at = 0; at < 40; ++at) {
    std::string text(40, 'a');
    text[at] = static_cast<char>(0xC3);  // a lead byte without its follower
    EXPECT_FALSE(is_valid_utf8(text)) << at;
    text[at] = 'b';
    EXPECT_TRUE(is_valid_utf8(text));
  }
}

// The fast canonical form of JsonWriter's output equals the general one.
TEST(CanonicalWriterJson, EqualsTheGeneralFormForWriterOutput) {
  std::string text;
  JsonWriter w(text);
  w.begin_object().field("id", "d\"1\n").field("seq", int64_t{-7}).field_money("duty", Money{5});
  w.key("items").begin_array().begin_object().field_bool("ok", false).field("b", "x");
  w.key("a").null().end_object().end_array();
  w.key("z").begin_object().end_object().key("e").begin_array().end_array();
  w.key("nested").begin_object().key("y").begin_array().number(1).number(2).end_array();
  w.field("x", "\xC3\xA9").end_object().end_object();
  std::string fast;
  ASSERT_TRUE(append_canonical_writer_json(fast, text));
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(text).is_ok());
  std::string general;
  append_canonical_json(general, doc.root());
  EXPECT_EQ(fast, general);
  EXPECT_EQ(fast.substr(0, 20), R"({"duty":"0.05","e":[)");
}

// Members out of order are rewritten in place, at every depth; members in
// order are copied as they are.
TEST(CanonicalWriterJson, ReordersMembersAtEveryDepth) {
  const struct {
    std::string_view text, canonical;
  } cases[] = {
      {R"({"a":1,"b":2})", R"({"a":1,"b":2})"},
      {R"({"b":2,"a":1})", R"({"a":1,"b":2})"},
      {R"({"z":{"y":[{"d":1,"c":{"f":2,"e":3}}],"x":"\"}"},"a":null})",
       R"({"a":null,"z":{"x":"\"}","y":[{"c":{"e":3,"f":2},"d":1}]}})"},
      {R"({"c":3,"b":2,"a":1,"d":[]})", R"({"a":1,"b":2,"c":3,"d":[]})"},
      {R"([{"b":1,"a":2},{"a":3}])", R"([{"a":2,"b":1},{"a":3}])"},
  };
  for (const auto& c : cases) {
    std::string out = "<";
    ASSERT_TRUE(append_canonical_writer_json(out, c.text)) << c.text;
    EXPECT_EQ(out, "<" + std::string(c.canonical)) << c.text;
  }
}

TEST(CanonicalWriterJson, RefusesOtherShapes) {
  for (std::string_view text :
       {R"({"a": 1})", R"({"a":1.5})", R"({"a":1,"a":2})", R"({"b":1,"a":2,"b":3})",
        R"({"a":{"c":1,"b":2,"c":3}})", "{\"a\"", R"([1,2)", R"({"\u00e9":1})", "", R"({"a":1e5})",
        R"({"a":01})", R"({"a":nul})"}) {
    std::string out = "unchanged";
    EXPECT_FALSE(append_canonical_writer_json(out, text)) << text;
    EXPECT_EQ(out, "unchanged");
  }
}

}  // namespace
}  // namespace zg

// Text from outside (a path, a header) may not be UTF-8; what we write is
// always JSON all the same.
TEST(JsonString, InvalidUtf8IsWrittenAsReplacementCharacters) {
#define R "\xEF\xBF\xBD"  // U+FFFD, as UTF-8
  const struct {
    std::string in, out;
  } cases[] = {
      {"plain", "\"plain\""},
      {"\xC3\xA9t\xC3\xA9", "\"\xC3\xA9t\xC3\xA9\""},      // valid two-byte sequences kept
      {"\xC0\xAE", "\"" R R "\""},                         // overlong '.'
      {"a\xC3(", "\"a" R "(\""},                           // cut short
      {"\xED\xA0\x80", "\"" R R R "\""},                   // a surrogate
      {"\xF4\x90\x80\x80", "\"" R R R R "\""},             // beyond U+10FFFF
      {"\xFF\xFE\"\n", "\"" R R "\\\"\\n\""},              // and escapes after it
      {"\xF0\x9F\x98\x80 ok", "\"\xF0\x9F\x98\x80 ok\""},  // four bytes kept
      {"\xE4\xB8\xAD\xE6\x96\x87 and a long ASCII tail",
       "\"\xE4\xB8\xAD\xE6\x96\x87 and a long ASCII tail\""},
  };

  for (const auto& c : cases) {
    std::string out;
    append_json_string(out, c.in);
    EXPECT_EQ(out, c.out);
    JsonDocument doc;
    EXPECT_TRUE(doc.parse(out).is_ok()) << out;
    EXPECT_EQ(is_valid_utf8(c.in), out.find(R) == std::string::npos) << out;
    EXPECT_TRUE(is_valid_utf8(out)) << out;
  }
#undef R
}

}  // namespace
}  // namespace zg
