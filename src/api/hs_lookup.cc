#include "api/hs_lookup.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/csv.h"
#include "core/json.h"
#include "core/time.h"

namespace zg::api {
namespace {

struct Heading {
  std::string code, description, lower;  // lower: the description in lower case
  int level = 0;
};

std::string lower_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The nomenclature, parsed once (C++ makes the first use thread-safe).
const std::vector<Heading>& nomenclature() {
  static const std::vector<Heading> headings = [] {
    std::vector<Heading> out;
    Result<CsvTable> table = parse_csv(hs_nomenclature_csv());
    if (!table.is_ok()) return out;
    const int code = table->column("hscode"), text = table->column("description"),
              level = table->column("level");
    if (code < 0 || text < 0 || level < 0) return out;
    for (const CsvRow& row : table->rows) {
      Heading h;
      h.code = row.cells[static_cast<size_t>(code)];
      h.description = row.cells[static_cast<size_t>(text)];
      h.lower = lower_case(h.description);
      h.level = std::atoi(row.cells[static_cast<size_t>(level)].c_str());
      if (h.level == 2 || h.level == 4 || h.level == 6) out.push_back(std::move(h));
    }
    std::sort(out.begin(), out.end(),
              [](const Heading& a, const Heading& b) { return a.code < b.code; });
    return out;
  }();
  return headings;
}

std::vector<std::string> words_of(std::string_view query) {
  std::vector<std::string> words;
  std::string word;
  for (char c : query) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// Whether `word` starts a word of `lower` ("wine" in "wine of fresh grapes",
// not in "swine"): what a person searching for goods means.
bool starts_a_word(const std::string& lower, const std::string& word) {
  for (size_t at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
    if (at == 0 || !std::isalnum(static_cast<unsigned char>(lower[at - 1]))) return true;
  }
  return false;
}

bool has_all(const std::string& lower, const std::vector<std::string>& words) {
  return std::all_of(words.begin(), words.end(),
                     [&](const std::string& w) { return starts_a_word(lower, w); });
}

// "2204.21", "2204 21 00": the digits, when the query is a code written
// with the usual dots and spaces; "" when it has anything else.
std::string code_of(std::string_view query) {
  std::string digits;
  for (char c : query) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != '.' && c != ' ') {
      return "";
    }
  }
  return digits;
}

}  // namespace

std::vector<HsMatch> hs_lookup(const PolicyVersion* version, std::string_view query, size_t limit) {
  std::vector<HsMatch> tariff, headings;
  const std::vector<std::string> words = words_of(query);
  if (words.empty()) return {};
  const std::string digits = code_of(query);
  const bool code = !digits.empty();
  if (code) query = digits;
  // Codes a heading match leads to: the tariff lines under it are matches too.
  std::vector<std::string> matched_codes;
  for (const Heading& h : nomenclature()) {
    const bool match =
        code ? h.code.starts_with(query) || std::string_view(query).starts_with(h.code)
             : has_all(h.lower, words);
    if (!match) continue;
    matched_codes.push_back(h.code);
    headings.push_back({h.code, h.description, h.level, "", false});
  }
  if (version != nullptr) {
    for (const auto& [hs, line] : version->tariff.lines()) {
      // A code matches the lines under it, and a longer code (10 digits)
      // its 8-digit line.
      bool match = code ? hs.starts_with(query) || query.starts_with(hs)
                        : has_all(lower_case(line.description), words);
      for (size_t i = 0; !match && !code && i < matched_codes.size(); ++i) {
        match = hs.starts_with(matched_codes[i]) && matched_codes[i].size() >= 4;
      }
      if (match) tariff.push_back({hs, line.description, 8, line.unit, true});
    }
  }
  std::sort(tariff.begin(), tariff.end(),
            [](const HsMatch& a, const HsMatch& b) { return a.code < b.code; });
  std::vector<HsMatch> out;
  for (std::vector<HsMatch>* list : {&tariff, &headings}) {
    for (HsMatch& m : *list) {
      if (out.size() >= limit) return out;
      out.push_back(std::move(m));
    }
  }
  return out;
}

HttpResponse hs_view(const PolicyVersion* version, std::string_view query, size_t limit) {
  std::string body;
  JsonWriter w(body);
  w.begin_object().field("query", query);
  if (version != nullptr) w.field("version", format_date(version->effective_from));
  w.key("items").begin_array();
  for (const HsMatch& m : hs_lookup(version, query, limit)) {
    w.begin_object().field("hs", m.code).field("description", m.description);
    w.field("level", static_cast<int64_t>(m.level)).field_bool("in_tariff", m.in_tariff);
    if (!m.unit.empty()) w.field("unit", m.unit);
    w.end_object();
  }
  w.end_array().field_bool("nomenclature", !nomenclature().empty()).end_object();
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

}  // namespace zg::api
