// Declarations for risk targeting, read from the column format of
// ../shared/data/customs-declarations/ (synthetic import declarations with
// fraud labels): one row per declaration, its parties, goods, values and,
// when inspected, whether it was a fraud.
//
// The reader is strict: an unknown column, a missing one, a value that is
// not a number where one is needed, or a label other than 0 or 1 is an error
// naming the line and the column.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zg::risk {

// The categorical columns, in a fixed order (features and model files use it).
enum Category : int {
  kOffice,
  kProcessType,
  kImportType,
  kImportUse,
  kPaymentType,
  kTransport,
  kDeclarant,
  kImporter,
  kSeller,
  kCourier,
  kHs6,
  kDeparture,
  kOrigin,
  kTaxType,
  kOriginIndicator,
  kHs2,  // derived from the HS code
  kHs4,
  kCategoryCount
};
std::string_view category_name(Category c);

struct DeclarationRow {
  std::string id;
  std::string date;  // YYYY-MM-DD
  std::array<std::string, kCategoryCount> categories;
  double tax_rate = 0;  // percent
  double net_mass = 0;
  double item_price = 0;
  int fraud = -1;  // 0 or 1; -1 when the file has no label
  // What is at stake: the tax on the item, Item Price × Tax Rate (percent).
  double revenue() const { return item_price * tax_rate / 100.0; }
};

struct Dataset {
  std::vector<DeclarationRow> rows;
  bool labelled = false;  // the file has a Fraud column
};

// Reads a declarations file. `need_labels`: the Fraud column is required
// (training, evaluation). An HS10 Code column (10 digits, a leading zero
// sometimes dropped) may stand in for HS6 Code.
Result<Dataset> read_declarations(std::string_view text, bool need_labels);

// The HS code as six digits: left-padded (a dropped leading zero), an HS10
// code cut to its first six. Empty when it is not digits.
std::string hs6_of(std::string_view code, bool ten_digits);

}  // namespace zg::risk
