// zonegate risk labels --data DIR [--out FILE.csv]: the zone's inspected
// entry declarations as training rows (docs/risk.md), in the column format
// `zonegate risk train` reads, with Fraud 1 where the officer found a
// discrepancy and 0 where the goods were compliant. Each item is a row,
// built by risk::zone_row exactly as the engine builds the rows it scores,
// so a model trained on these meets the same features in the engine.
//
// Read from the journal (the record of what was declared and found), not
// from the state: nothing is replayed and nothing is written to DIR.

#include "cli/risk_labels.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "core/durable_file.h"
#include "core/json.h"
#include "core/time.h"
#include "durable/data_dir.h"
#include "engine/journal_entry.h"
#include "risk/zone_row.h"

namespace zg::cli {
namespace {

constexpr const char* kHeader =
    "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of "
    "Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of "
    "Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net "
    "Mass,Item Price,Fraud,Critical Fraud\n";

// An inspected-to-be declaration's rows, waiting for its finding.
struct Pending {
  std::vector<risk::DeclarationRow> rows;
};

int64_t fixed_of(JsonRef value, int scale) {
  Result<int64_t> n = parse_fixed(value.text(), scale, INT64_MAX / 100, true);
  return n.is_ok() ? *n : 0;
}

// The rows of an accepted entry declaration: its command says what was
// declared, its result what was assessed.
std::vector<risk::DeclarationRow> rows_of(JsonRef command, JsonRef result, std::string_view number,
                                          int offset_minutes) {
  std::vector<risk::DeclarationRow> rows;
  const Result<Timestamp> at = parse_rfc3339(command.get("at").text());
  if (!at.is_ok()) return rows;
  const std::string date = format_date(local_date(at->unix_seconds, offset_minutes));
  const JsonRef declared = command.get("items");
  const JsonRef assessed = result.get("items");
  std::vector<JsonRef> declared_items, assessed_items;
  for (JsonRef i : declared) declared_items.push_back(i);
  for (JsonRef i : assessed) assessed_items.push_back(i);
  if (declared_items.size() != assessed_items.size()) return rows;
  for (size_t i = 0; i < declared_items.size(); ++i) {
    const std::string id = std::string(number) + (i == 0 ? "" : "-" + std::to_string(i + 1));
    const std::string hs(assessed_items[i].get("hs").text());
    risk::ZoneItem z;
    z.id = id;
    z.date = date;
    z.channel = command.get("channel").text();
    z.movement = command.get("movement").text();
    z.purpose = command.get("purpose").text();
    z.currency = command.get("currency").text();
    z.declarant = command.get("declarant").text();
    z.hs = hs;
    z.origin = declared_items[i].get("origin").text();
    z.quantity_e4 = fixed_of(declared_items[i].get("quantity"), 4);
    z.customs_fen = fixed_of(assessed_items[i].get("customs_value"), 2);
    z.duty_fen = fixed_of(assessed_items[i].get("duty"), 2);
    rows.push_back(risk::zone_row(z));
  }
  return rows;
}

// Whether a row's texts can be cells of the dataset's files as its reader
// reads them (dataset.cc): at most 64 bytes, no comma, quote or line break.
// The engine validated them all, so this only guards the file.
bool writable(const risk::DeclarationRow& row) {
  const auto cell = [](const std::string& s) {
    return s.size() <= 64 && s.find_first_of(",\"\r\n\t") == std::string::npos;
  };
  if (!cell(row.id) || row.id.find(' ') != std::string::npos) return false;
  return std::all_of(row.categories.begin(), row.categories.end(), cell);
}

void append_row(std::string& out, const risk::DeclarationRow& r, int fraud) {
  const auto& c = r.categories;
  out += r.id + "," + r.date;
  for (risk::Category k :
       {risk::kOffice, risk::kProcessType, risk::kImportType, risk::kImportUse, risk::kPaymentType,
        risk::kTransport, risk::kDeclarant, risk::kImporter, risk::kSeller, risk::kCourier,
        risk::kHs6, risk::kDeparture, risk::kOrigin}) {
    out += "," + c[k];
  }
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, ",%.17g", r.tax_rate);
  out += numbers;
  out += "," + c[risk::kTaxType] + "," + c[risk::kOriginIndicator];
  std::snprintf(numbers, sizeof numbers, ",%.17g,%.17g,%d,%d\n", r.net_mass, r.item_price, fraud,
                fraud);
  out += numbers;
}

}  // namespace

int risk_labels(const std::string& data, const std::string& out_path) {
  Result<std::unique_ptr<DataDir>> dir = DataDir::open(data, false);
  if (!dir.is_ok()) {
    std::fprintf(stderr, "zonegate risk labels: %s\n", dir.status().first().message.c_str());
    return 2;
  }
  std::map<std::string, Pending> waiting;  // declared, by number
  std::string csv = kHeader;
  size_t labelled = 0, frauds = 0;
  std::map<std::string, int> offsets;  // utc offset by pack hash
  const Status read = (*dir)->journal().read(1, [&](const JournalEntry& entry) -> Status {
    Result<JournalRecord> record = check_journal_entry(entry);
    if (!record.is_ok()) return record.status();
    JsonDocument command, result;
    if (!command.parse(record->command).is_ok() || !result.parse(record->result).is_ok()) {
      return Status(ErrorCode::kCorruption, "",
                    "journal entry " + std::to_string(entry.seq) + " is not JSON");
    }
    const JsonRef c = command.root(), r = result.root();
    if (r.get("status").text() != "accepted") return Status::ok();
    const std::string_view type = c.get("type").text();
    if (type == "declare" && risk::scored_movement(c.get("movement").text()) &&
        r.get("release").text() == "held") {
      auto offset = offsets.find(record->pack);
      if (offset == offsets.end()) {
        Result<const PolicyPack*> pack = (*dir)->pack(record->pack);
        if (!pack.is_ok()) return pack.status();
        offset = offsets.emplace(record->pack, (*pack)->utc_offset_minutes).first;
      }
      const std::string number(r.get("declaration").text());
      std::vector<risk::DeclarationRow> rows = rows_of(c, r, number, offset->second);
      for (const risk::DeclarationRow& row : rows) {
        if (!writable(row)) {
          return Status(ErrorCode::kInvalidField, "",
                        "journal entry " + std::to_string(entry.seq) + ": " + number +
                            " has a value that cannot be a cell of the training file");
        }
      }
      waiting[number].rows = std::move(rows);
    } else if (type == "release") {
      waiting.erase(std::string(c.get("declaration").text()));  // released unexamined
    } else if (type == "inspection_result") {
      auto it = waiting.find(std::string(c.get("declaration").text()));
      if (it == waiting.end()) return Status::ok();  // not an entry
      const int fraud = c.get("finding").text() == "discrepancy" ? 1 : 0;
      for (const risk::DeclarationRow& row : it->second.rows) append_row(csv, row, fraud);
      ++labelled;
      frauds += static_cast<size_t>(fraud);
      waiting.erase(it);
    }
    return Status::ok();
  });
  if (!read.is_ok()) {
    std::fprintf(stderr, "zonegate risk labels: %s\n", read.first().message.c_str());
    return read.first().code == ErrorCode::kIoError ? 2 : 1;
  }
  if (out_path.empty()) {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  } else if (Status s = write_file_durably(out_path, csv, 0644, Replace::kAllowed); !s.is_ok()) {
    std::fprintf(stderr, "zonegate risk labels: %s\n", s.first().message.c_str());
    return 2;
  }
  std::fprintf(stderr, "%zu inspected declarations, %zu with a discrepancy; %zu still held\n",
               labelled, frauds, waiting.size());
  return 0;
}

}  // namespace zg::cli
