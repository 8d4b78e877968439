#include "risk/zone_row.h"

namespace zg::risk {

DeclarationRow zone_row(const ZoneItem& item) {
  DeclarationRow row;
  row.id = std::string(item.id);
  row.date = std::string(item.date);
  std::array<std::string, kCategoryCount>& c = row.categories;
  c[kOffice] = item.channel;
  c[kProcessType] = item.movement;
  c[kImportType] = item.purpose;
  c[kPaymentType] = item.currency;
  c[kDeclarant] = item.declarant;
  c[kImporter] = item.declarant;  // the declarant imports for itself
  c[kHs6] = item.hs.substr(0, 6);
  c[kOrigin] = item.origin;
  c[kHs2] = item.hs.substr(0, 2);
  c[kHs4] = item.hs.substr(0, 4);
  // The tax at stake as the dataset states it: the duty as a percentage of
  // the customs value (what was assessed, so preferential and zero-tariff
  // treatment count).
  // Specific duties on goods declared cheap can pass 1,000 %: held at the
  // bound the dataset's reader enforces (dataset.cc), so exported rows read.
  const double rate = item.customs_fen > 0 ? static_cast<double>(item.duty_fen) * 100.0 /
                                                 static_cast<double>(item.customs_fen)
                                           : 0.0;
  row.tax_rate = std::min(rate, 1000.0);
  row.net_mass = static_cast<double>(item.quantity_e4) / 10'000.0;
  row.item_price = static_cast<double>(item.customs_fen) / 100.0;
  return row;
}

bool scored_movement(std::string_view movement) {
  return movement == "first_line_entry" || movement == "second_line_entry";
}

}  // namespace zg::risk
