// A zone declaration's item as a row of the learned score's column format
// (dataset.h), so a model trained on the dataset's columns — or on the
// zone's own inspected declarations (`zonegate risk labels`) — can score
// the zone's declarations in the engine. The engine and the export build
// rows with this one function, so a model meets in the engine exactly the
// rows it was trained on.
//
// The zone's declarations have only some of the dataset's columns: the
// others are left empty, which the encoder treats as a value never seen
// (the overall fraud rate). See docs/risk.md for the mapping.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "risk/dataset.h"

namespace zg::risk {

struct ZoneItem {
  std::string_view id;         // the declaration's number, "-<line>" after the first item
  std::string_view date;       // its local date, YYYY-MM-DD
  std::string_view channel;    // the channel it names, or ""
  std::string_view movement;   // "first_line_entry" ...
  std::string_view purpose;    // "trade" ...
  std::string_view currency;   // of the declared values
  std::string_view declarant;  // USCC
  std::string_view hs, origin;
  int64_t quantity_e4 = 0;
  int64_t customs_fen = 0;  // the item's customs value, CNY
  int64_t duty_fen = 0;     // the duty assessed on it, CNY
};

DeclarationRow zone_row(const ZoneItem& item);

// The movements the score judges: goods entering (the dataset is of import
// declarations).
bool scored_movement(std::string_view movement);

}  // namespace zg::risk
