#include "risk/dataset.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <tuple>
#include <unordered_set>

#include "core/csv.h"
#include "core/time.h"

namespace zg::risk {
namespace {

constexpr std::array<std::string_view, kCategoryCount> kCategoryNames = {
    "office",    "process_type", "import_type",      "import_use", "payment_type", "transport",
    "declarant", "importer",     "seller",           "courier",    "hs6",          "departure",
    "origin",    "tax_type",     "origin_indicator", "hs2",        "hs4"};

// The file's columns and where each goes.
struct Column {
  std::string_view name;
  int category = -1;  // a Category, or -1
  bool required = true;
};
constexpr Column kColumns[] = {
    {"Declaration ID"},
    {"Date"},
    {"Office ID", kOffice},
    {"Process Type", kProcessType},
    {"Import Type", kImportType},
    {"Import Use", kImportUse},
    {"Payment Type", kPaymentType},
    {"Mode of Transport", kTransport},
    {"Declarant ID", kDeclarant},
    {"Importer ID", kImporter},
    {"Seller ID", kSeller},
    {"Courier ID", kCourier},
    {"HS6 Code", -1, false},
    {"HS10 Code", -1, false},
    {"Country of Departure", kDeparture},
    {"Country of Origin", kOrigin},
    {"Tax Rate"},
    {"Tax Type", kTaxType},
    {"Country of Origin Indicator", kOriginIndicator},
    {"Net Mass"},
    {"Item Price"},
    {"Fraud", -1, false},
    {"Critical Fraud", -1, false},
};

std::optional<double> number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string_view category_name(Category c) {
  return kCategoryNames[static_cast<size_t>(c)];
}

std::string hs6_of(std::string_view code, bool ten_digits) {
  if (code.empty() || code.find_first_not_of("0123456789") != std::string_view::npos) return "";
  const size_t width = ten_digits ? 10 : 6;
  if (code.size() > width) return "";
  std::string padded(width - code.size(), '0');
  padded.append(code);
  return padded.substr(0, 6);
}

Result<Dataset> read_declarations(std::string_view text, bool need_labels) {
  Result<CsvTable> table = parse_csv(text);
  if (!table.is_ok()) return table.status();
  const auto fail = [](std::string message) {
    return Result<Dataset>(ErrorCode::kInvalidField, "", std::move(message));
  };
  // Where each known column is, and no unknown ones.
  std::array<int, std::size(kColumns)> at{};
  at.fill(-1);
  for (size_t i = 0; i < table->header.size(); ++i) {
    bool known = false;
    for (size_t k = 0; k < std::size(kColumns); ++k) {
      if (table->header[i] == kColumns[k].name) {
        at[k] = static_cast<int>(i);
        known = true;
      }
    }
    if (!known) return fail("unknown column \"" + table->header[i] + "\"");
  }
  for (size_t k = 0; k < std::size(kColumns); ++k) {
    if (kColumns[k].required && at[k] < 0) {
      return fail("the column \"" + std::string(kColumns[k].name) + "\" is missing");
    }
  }
  const int hs6 = table->column("HS6 Code"), hs10 = table->column("HS10 Code");
  if ((hs6 < 0) == (hs10 < 0))
    return fail("give one of the columns \"HS6 Code\" and \"HS10 Code\"");
  const int fraud = table->column("Fraud");
  if (need_labels && fraud < 0) return fail("the column \"Fraud\" (the label, 0 or 1) is missing");

  Dataset data;
  std::unordered_set<std::string> ids;
  data.labelled = fraud >= 0;
  data.rows.reserve(table->rows.size());
  for (const CsvRow& row : table->rows) {
    const auto where = [&](std::string_view column) {
      return "line " + std::to_string(row.line) + ", " + std::string(column) + ": ";
    };
    DeclarationRow d;
    d.id = row.cells[static_cast<size_t>(table->column("Declaration ID"))];
    // Ids are printed back as CSV cells, unquoted: one short word.
    if (d.id.empty() || d.id.size() > 64 || d.id.find_first_of(",\"\r\n\t ") != std::string::npos) {
      return fail(where("Declaration ID") + "\"" + d.id.substr(0, 64) +
                  "\" is not an id (1 to 64 bytes, no comma, quote, space or line break)");
    }
    if (!ids.insert(d.id).second) return fail(where("Declaration ID") + d.id + " is given twice");
    d.date = row.cells[static_cast<size_t>(table->column("Date"))];
    if (!parse_date(d.date).is_ok()) {
      return fail(where("Date") + "\"" + d.date.substr(0, 32) + "\" is not a date (YYYY-MM-DD)");
    }
    for (size_t k = 0; k < std::size(kColumns); ++k) {
      if (kColumns[k].category < 0) continue;
      const std::string& cell = row.cells[static_cast<size_t>(at[k])];
      // Codes and ids are one line of text (a model file keeps them a line each).
      if (cell.size() > 64 || cell.find_first_of("\t\r\n") != std::string::npos) {
        return fail(where(kColumns[k].name) +
                    "not a code: over 64 bytes or holds a tab or line break");
      }
      d.categories[static_cast<size_t>(kColumns[k].category)] = cell;
    }
    const std::string& code = row.cells[static_cast<size_t>(hs6 >= 0 ? hs6 : hs10)];
    d.categories[kHs6] = hs6_of(code, hs6 < 0);
    if (d.categories[kHs6].empty()) {
      return fail(where(hs6 >= 0 ? "HS6 Code" : "HS10 Code") + "\"" + code +
                  "\" is not an HS code of digits");
    }
    d.categories[kHs2] = d.categories[kHs6].substr(0, 2);
    d.categories[kHs4] = d.categories[kHs6].substr(0, 4);
    // Bounded, so products and ratios stay finite.
    for (const auto& [name, target, most] :
         {std::tuple{"Tax Rate", &d.tax_rate, 1e3}, std::tuple{"Net Mass", &d.net_mass, 1e15},
          std::tuple{"Item Price", &d.item_price, 1e15}}) {
      const std::string& cell = row.cells[static_cast<size_t>(table->column(name))];
      const std::optional<double> value = number(cell);
      if (!value || *value < 0 || *value > most) {
        return fail(where(name) + "\"" + cell.substr(0, 32) + "\" is not a number from 0 to " +
                    (most == 1e3 ? std::string("1000") : std::string("10^15")));
      }
      *target = *value;
    }
    if (fraud >= 0) {
      const std::string& label = row.cells[static_cast<size_t>(fraud)];
      if (label != "0" && label != "1") {
        return fail(where("Fraud") + "the label is \"" + label + "\", not 0 or 1");
      }
      d.fraud = label == "1" ? 1 : 0;
    }
    data.rows.push_back(std::move(d));
  }
  return data;
}

}  // namespace zg::risk
