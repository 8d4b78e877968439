#include "gate/mrz.h"

#include "core/json.h"

namespace zg::gate {
namespace {

bool mrz_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<';
}

// A field with its trailing fillers removed and inner fillers as spaces.
std::string text_of(std::string_view field) {
  while (!field.empty() && field.back() == '<') field.remove_suffix(1);
  std::string out(field);
  for (char& c : out) {
    if (c == '<') c = ' ';
  }
  return out;
}

// Two-digit years: an expiry lies in 1970–2069; a birth date in the latest
// century that puts it no later than the expiry (a child's passport can
// expire before its holder turns 18, so "born after expiry" is impossible,
// but "born this century" is not).
std::optional<Date> yymmdd(std::string_view text, std::optional<int> not_after_year) {
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const int yy = (text[0] - '0') * 10 + (text[1] - '0');
  int year = 0;
  if (not_after_year) {
    year = 2000 + yy <= *not_after_year ? 2000 + yy : 1900 + yy;
  } else {
    year = yy < 70 ? 2000 + yy : 1900 + yy;
  }
  char iso[16];
  std::snprintf(iso, sizeof iso, "%04d-%.2s-%.2s", year, text.data() + 2, text.data() + 4);
  Result<Date> date = parse_date(iso);
  if (!date.is_ok()) return std::nullopt;
  return *date;
}

class Reader {
 public:
  explicit Reader(Mrz& mrz) : mrz_(mrz) {}

  // Verifies the check digit at `digit` over `covered`. A field of fillers
  // only may carry a filler as its check digit (ICAO 9303 part 3, 4.9).
  void check(const std::string& field, std::string_view covered, char digit) {
    MrzCheck c;
    c.field = field;
    c.found = digit;
    c.expected = mrz_check_digit(covered);
    const bool all_fillers = covered.find_first_not_of('<') == std::string_view::npos;
    c.valid = c.expected >= 0 && ((digit >= '0' && digit <= '9' && digit - '0' == c.expected) ||
                                  (digit == '<' && all_fillers));
    mrz_.checks.push_back(c);
  }
  void names(std::string_view field) {
    const size_t split = field.find("<<");
    mrz_.surname = text_of(field.substr(0, split));
    if (split != std::string_view::npos) mrz_.given_names = text_of(field.substr(split + 2));
  }
  void dates(std::string_view birth, std::string_view expiry) {
    mrz_.birth_date_text = std::string(birth);
    mrz_.expiry_date_text = std::string(expiry);
    mrz_.expiry_date = yymmdd(expiry, std::nullopt);
    mrz_.birth_date =
        yymmdd(birth, mrz_.expiry_date ? std::optional<int>(mrz_.expiry_date->year) : std::nullopt);
    if (!mrz_.birth_date)
      mrz_.problems.push_back("birth date " + std::string(birth) + " is not a date");
    if (!mrz_.expiry_date) {
      mrz_.problems.push_back("expiry date " + std::string(expiry) + " is not a date");
    }
  }
  void sex(char c) {
    if (c == 'M' || c == 'F') {
      mrz_.sex = c;
    } else if (c == '<' || c == 'X') {
      mrz_.sex = 'X';
    } else {
      mrz_.problems.push_back(std::string("sex \"") + c + "\" is not M, F or <");
    }
  }

 private:
  Mrz& mrz_;
};

// TD2 and TD3 share their layout but for the name's and the optional
// data's widths (`width` 36 or 44): line 1 is code, state and name; line
// 2 is number, nationality, dates and sex, optional data, then the
// composite check in its last place.
void read_td2_or_td3(const std::string& l1, const std::string& l2, size_t width, Mrz& m) {
  Reader r(m);
  std::string_view a(l1), b(l2);
  m.document_code = text_of(a.substr(0, 2));
  m.issuing_state = text_of(a.substr(2, 3));
  r.names(a.substr(5, width - 5));
  m.document_number = text_of(b.substr(0, 9));
  r.check("document_number", b.substr(0, 9), b[9]);
  m.nationality = text_of(b.substr(10, 3));
  r.dates(b.substr(13, 6), b.substr(21, 6));
  r.check("birth_date", b.substr(13, 6), b[19]);
  r.sex(b[20]);
  r.check("expiry_date", b.substr(21, 6), b[27]);
  // TD3's optional data (a personal number) has a check digit of its own.
  const bool td3 = width == 44;
  const size_t optional_width = td3 ? 14 : 7;
  m.optional_data = text_of(b.substr(28, optional_width));
  if (td3) r.check("optional_data", b.substr(28, 14), b[42]);
  const std::string composite = std::string(b.substr(0, 10)) + std::string(b.substr(13, 7)) +
                                std::string(b.substr(21, width - 22));
  r.check("composite", composite, b[width - 1]);
}

void read_td1(const std::string& l1, const std::string& l2, const std::string& l3, Mrz& m) {
  Reader r(m);
  std::string_view a(l1), b(l2), c(l3);
  m.document_code = text_of(a.substr(0, 2));
  m.issuing_state = text_of(a.substr(2, 3));
  if (a[14] == '<' && a[13] != '<') {
    // A number longer than 9: it runs on into the optional data, up to the
    // first filler, and its check digit is the last character before it.
    const std::string_view rest = a.substr(15, 15);
    const size_t end = rest.find('<');
    const std::string_view tail = rest.substr(0, end == std::string_view::npos ? rest.size() : end);
    if (tail.empty()) {
      r.check("document_number", a.substr(5, 9), '<');
      m.document_number = text_of(a.substr(5, 9));
    } else {
      const std::string number =
          std::string(a.substr(5, 9)) + std::string(tail.substr(0, tail.size() - 1));
      m.document_number = number;
      r.check("document_number", number, tail.back());
      m.optional_data = text_of(rest.substr(tail.size()));
    }
  } else {
    m.document_number = text_of(a.substr(5, 9));
    r.check("document_number", a.substr(5, 9), a[14]);
    m.optional_data = text_of(a.substr(15, 15));
  }
  r.dates(b.substr(0, 6), b.substr(8, 6));
  r.check("birth_date", b.substr(0, 6), b[6]);
  r.sex(b[7]);
  r.check("expiry_date", b.substr(8, 6), b[14]);
  m.nationality = text_of(b.substr(15, 3));
  m.optional_data_2 = text_of(b.substr(18, 11));
  const std::string composite = std::string(a.substr(5, 25)) + std::string(b.substr(0, 7)) +
                                std::string(b.substr(8, 7)) + std::string(b.substr(18, 11));
  r.check("composite", composite, b[29]);
  r.names(c);
}

}  // namespace

std::string_view mrz_format_name(MrzFormat format) {
  switch (format) {
    case MrzFormat::kTd1: return "TD1";
    case MrzFormat::kTd2: return "TD2";
    case MrzFormat::kTd3: return "TD3";
  }
  return "TD3";
}

int mrz_check_digit(std::string_view field) {
  static constexpr int kWeights[3] = {7, 3, 1};
  int sum = 0;
  for (size_t i = 0; i < field.size(); ++i) {
    const char c = field[i];
    int value = 0;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      value = c - 'A' + 10;
    } else if (c != '<') {
      return -1;
    }
    sum += value * kWeights[i % 3];
  }
  return sum % 10;
}

bool Mrz::valid() const {
  if (!problems.empty() || checks.empty()) return false;
  for (const MrzCheck& c : checks) {
    if (!c.valid) return false;
  }
  return true;
}

Result<Mrz> parse_mrz(const std::vector<std::string>& lines) {
  Mrz m;
  const size_t n = lines.size();
  const size_t width = n == 0 ? 0 : lines[0].size();
  for (const std::string& line : lines) {
    if (line.size() != width) {
      return Status(ErrorCode::kInvalidField, "",
                    "the MRZ's lines differ in length (" + std::to_string(width) + " and " +
                        std::to_string(line.size()) +
                        "); TD1 is 3 lines of 30, TD2 2 of 36, "
                        "TD3 2 of 44");
    }
  }
  if (n == 3 && width == 30) {
    m.format = MrzFormat::kTd1;
  } else if (n == 2 && width == 36) {
    m.format = MrzFormat::kTd2;
  } else if (n == 2 && width == 44) {
    m.format = MrzFormat::kTd3;
  } else {
    return Status(ErrorCode::kInvalidField, "",
                  "an MRZ of " + std::to_string(n) + " line(s) of " + std::to_string(width) +
                      " characters is no ICAO 9303 format: TD1 is 3 lines of 30, TD2 2 of 36, "
                      "TD3 2 of 44");
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < width; ++k) {
      if (!mrz_char(lines[i][k])) {
        m.problems.push_back("line " + std::to_string(i + 1) + ", character " +
                             std::to_string(k + 1) + " is not A-Z, 0-9 or <");
      }
    }
  }
  if (m.format == MrzFormat::kTd1) {
    read_td1(lines[0], lines[1], lines[2], m);
  } else {
    read_td2_or_td3(lines[0], lines[1], width, m);
  }
  return m;
}

std::string mrz_json(const Mrz& m) {
  std::string out;
  JsonWriter w(out);
  const auto date = [&](std::string_view key, const std::optional<Date>& d) {
    w.key(key);
    if (d) {
      w.string(format_date(*d));
    } else {
      w.null();
    }
  };
  w.begin_object()
      .field("format", mrz_format_name(m.format))
      .field_bool("valid", m.valid())
      .field("document_code", m.document_code)
      .field("issuing_state", m.issuing_state)
      .field("surname", m.surname)
      .field("given_names", m.given_names)
      .field("document_number", m.document_number)
      .field("nationality", m.nationality);
  date("birth_date", m.birth_date);
  w.field("sex", std::string(1, m.sex));
  date("expiry_date", m.expiry_date);
  w.field("optional_data", m.optional_data);
  if (m.format == MrzFormat::kTd1) w.field("optional_data_2", m.optional_data_2);
  w.key("checks").begin_object();
  for (const MrzCheck& c : m.checks) {
    w.key(c.field)
        .begin_object()
        .field("found", std::string(1, c.found))
        .field("expected", static_cast<int64_t>(c.expected))
        .field_bool("valid", c.valid)
        .end_object();
  }
  w.end_object().key("problems").begin_array();
  for (const std::string& p : m.problems) w.string(p);
  w.end_array().end_object();
  return out;
}

}  // namespace zg::gate
