// The read models as JSON, for every door (`zonegate book`, `declarations`,
// `taxes`, and the HTTP API's views): an enterprise's account book, a
// declaration's summary, tax totals.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "core/json.h"
#include "engine/state.h"

namespace zg {

// `state` names the declarations behind lots and postings (a posting's seq
// is the command that made it).
std::string write_book_json(const Enterprise& enterprise, const Book& book, const ZoneState& state);
// The same text in pieces: written to `out`, and handed to `flush` (which
// empties it) whenever it holds at least `piece_bytes`, so that a book of
// a million lines is never held whole (the state hash reads it so). What
// is left at the end stays in `out`.
void write_book_json(const Enterprise& enterprise, const Book& book, const ZoneState& state,
                     std::string& out, size_t piece_bytes,
                     const std::function<void(std::string&)>& flush);

// The members customs_value, duty, consumption_tax, vat and refund.
void write_tax_totals(JsonWriter& w, const TaxTotals& totals);

// A declaration's members: number, seq, date, declarant, movement, lane,
// release and its tax totals.
void write_declaration_summary(JsonWriter& w, const DeclarationRecord& d);

}  // namespace zg
