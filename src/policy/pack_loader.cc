#include "policy/pack_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "core/country.h"
#include "core/csv.h"
#include "core/currency.h"
#include "core/identifiers.h"
#include "policy/version_reader.h"

namespace zg {
namespace pack_detail {

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

void check_table_keys(const toml::table& table, const std::vector<std::string_view>& keys,
                      const std::string& where, const std::string& file, Problems& problems) {
  for (const auto& [key, value] : table) {
    if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
      problems.add(file, value,
                   "unknown key " + where + "." + std::string(key.str()) + " (a typo?)");
    }
  }
}

}  // namespace pack_detail

using namespace pack_detail;

// [risk]: the lanes and what selects into them (risk_settings.cc).
void load_risk_selection(VersionReader& reader, PolicyVersion& version);

namespace {

// A cell of a CSV row that must parse as a rate (up to 6 decimals), or is
// empty when `optional`.
bool rate_cell(const CsvRow& row, int column, std::string_view name, bool optional,
               const std::string& file, Problems& problems, Rate& out) {
  const std::string& text = row.cells[static_cast<size_t>(column)];
  if (text.empty()) {
    if (optional) return true;
    problems.add(file, row.line, std::string(name) + " is empty");
    return false;
  }
  Result<int64_t> parsed = parse_fixed(text, kRateScale, kRatePpmMax, false);
  if (!parsed.is_ok()) {
    problems.add(file, row.line, std::string(name) + ": " + parsed.status().first().message);
    return false;
  }
  out.ppm = *parsed;
  return true;
}

// The required columns of a CSV file, by name; missing ones are problems.
bool find_columns(const CsvTable& table, std::initializer_list<std::string_view> names,
                  const std::string& file, Problems& problems, std::vector<int>& out) {
  bool ok = true;
  for (std::string_view name : names) {
    const int column = table.column(name);
    if (column < 0) {
      problems.add(file, 1, "missing column \"" + std::string(name) + "\"");
      ok = false;
    }
    out.push_back(column);
  }
  return ok;
}

Result<CsvTable> parse_csv_for(std::string_view text, const std::string& file) {
  Result<CsvTable> table = parse_csv(text);
  if (!table.is_ok()) {
    // parse_csv says "line N: what"; make that "file:N" and "what".
    Problems problems;
    for (const Error& e : table.status().errors()) {
      const std::string& m = e.message;
      const size_t colon = m.find(": ");
      if (m.rfind("line ", 0) == 0 && colon != std::string::npos) {
        problems.add(file + ":" + m.substr(5, colon - 5), m.substr(colon + 2));
      } else {
        problems.add(file, m);
      }
    }
    return problems.status();
  }
  return table;
}

}  // namespace

Status load_tariff_csv(std::string_view text, const std::string& file, TariffSchedule& out) {
  Result<CsvTable> table = parse_csv_for(text, file);
  if (!table.is_ok()) return table.status();
  Problems problems;
  std::vector<int> col;
  if (!find_columns(*table,
                    {"hs", "description", "unit", "duty_kind", "duty_rate", "duty_specific",
                     "vat_rate", "ct_kind", "ct_rate", "ct_specific", "export_refund_rate"},
                    file, problems, col)) {
    return problems.status();
  }
  for (const CsvRow& row : table->rows) {
    const auto cell = [&](size_t i) -> const std::string& {
      return row.cells[static_cast<size_t>(col[i])];
    };
    TariffLine line;
    line.hs = cell(0);
    line.description = cell(1);
    line.unit = cell(2);
    Status hs = validate_hs_code(line.hs);
    if (!hs.is_ok()) problems.add(file, row.line, "hs: " + hs.first().message);
    if (out.find(line.hs) != nullptr && out.find(line.hs)->hs == line.hs) {
      problems.add(file, row.line, "hs " + line.hs + " appears twice");
    }
    if (line.unit.empty()) problems.add(file, row.line, "unit is empty");
    bool ok = true;
    const std::string& duty_kind = cell(3);
    if (duty_kind == "ad_valorem") {
      line.duty_kind = DutyKind::kAdValorem;
      ok &= rate_cell(row, col[4], "duty_rate", false, file, problems, line.duty_rate);
    } else if (duty_kind == "specific") {
      line.duty_kind = DutyKind::kSpecific;
      ok &= rate_cell(row, col[5], "duty_specific", false, file, problems, line.duty_specific);
    } else if (duty_kind == "compound") {
      line.duty_kind = DutyKind::kCompound;
      ok &= rate_cell(row, col[4], "duty_rate", false, file, problems, line.duty_rate);
      ok &= rate_cell(row, col[5], "duty_specific", false, file, problems, line.duty_specific);
    } else {
      problems.add(file, row.line,
                   "duty_kind \"" + duty_kind + "\" is not ad_valorem, specific or compound");
    }
    ok &= rate_cell(row, col[6], "vat_rate", false, file, problems, line.vat_rate);
    const std::string& ct_kind = cell(7);
    if (ct_kind == "none" || ct_kind.empty()) {
      line.ct_kind = ExciseKind::kNone;
    } else if (ct_kind == "ad_valorem") {
      line.ct_kind = ExciseKind::kAdValorem;
      ok &= rate_cell(row, col[8], "ct_rate", false, file, problems, line.ct_rate);
    } else if (ct_kind == "specific") {
      line.ct_kind = ExciseKind::kSpecific;
      ok &= rate_cell(row, col[9], "ct_specific", false, file, problems, line.ct_specific);
    } else if (ct_kind == "compound") {
      line.ct_kind = ExciseKind::kCompound;
      ok &= rate_cell(row, col[8], "ct_rate", false, file, problems, line.ct_rate);
      ok &= rate_cell(row, col[9], "ct_specific", false, file, problems, line.ct_specific);
    } else {
      problems.add(file, row.line,
                   "ct_kind \"" + ct_kind + "\" is not none, ad_valorem, specific or compound");
    }
    ok &= rate_cell(row, col[10], "export_refund_rate", true, file, problems,
                    line.export_refund_rate);
    for (const auto& [name, rate, cap] :
         {std::tuple{"vat_rate", line.vat_rate, kPpmPerUnit},
          std::tuple{"export_refund_rate", line.export_refund_rate, kPpmPerUnit},
          std::tuple{"duty_rate", line.duty_rate, 10 * kPpmPerUnit}}) {
      if (rate.ppm > cap) {
        problems.add(file, row.line,
                     std::string(name) + " " + format_rate(rate) + " is above " +
                         format_rate(Rate{cap}) + " (rates are fractions: 13 % is 0.13)");
      }
    }
    if (line.ct_rate.ppm >= kPpmPerUnit) {
      problems.add(file, row.line,
                   "ct_rate must be below 1 (the composite price divides by 1 - rate)");
    }
    if (ok) out.add(std::move(line));
  }
  return problems.status();
}

Status load_fx_csv(std::string_view text, const std::string& file, ExchangeRates& out) {
  Result<CsvTable> table = parse_csv_for(text, file);
  if (!table.is_ok()) return table.status();
  Problems problems;
  std::vector<int> col;
  if (!find_columns(*table, {"month", "currency", "cny_per_unit"}, file, problems, col)) {
    return problems.status();
  }
  for (const CsvRow& row : table->rows) {
    const std::string& month_text = row.cells[static_cast<size_t>(col[0])];
    const std::string& currency = row.cells[static_cast<size_t>(col[1])];
    Result<Month> month = parse_month(month_text);
    if (!month.is_ok()) {
      problems.add(file, row.line, "month: " + month.status().first().message);
      continue;
    }
    if (find_currency(currency) == nullptr) {
      problems.add(file, row.line, "currency \"" + currency + "\" is not an ISO 4217 code");
      continue;
    }
    Rate rate;
    if (!rate_cell(row, col[2], "cny_per_unit", false, file, problems, rate)) continue;
    if (rate.ppm == 0) {
      problems.add(file, row.line, "cny_per_unit must be positive");
      continue;
    }
    if (out.find(currency, *month)) {
      problems.add(file, row.line, currency + " " + month_text + " appears twice");
      continue;
    }
    out.set(currency, *month, rate);
  }
  return problems.status();
}

Status load_hs_list_csv(std::string_view text, const std::string& file, HsList& out) {
  Result<CsvTable> table = parse_csv_for(text, file);
  if (!table.is_ok()) return table.status();
  Problems problems;
  std::vector<int> col;
  if (!find_columns(*table, {"prefix", "effect", "note"}, file, problems, col)) {
    return problems.status();
  }
  for (const CsvRow& row : table->rows) {
    HsList::Entry entry;
    entry.prefix = row.cells[static_cast<size_t>(col[0])];
    const std::string& effect = row.cells[static_cast<size_t>(col[1])];
    entry.note = row.cells[static_cast<size_t>(col[2])];
    Status prefix = validate_hs_prefix(entry.prefix);
    if (!prefix.is_ok()) {
      problems.add(file, row.line, "prefix: " + prefix.first().message);
      continue;
    }
    if (effect != "include" && effect != "exclude") {
      problems.add(file, row.line, "effect \"" + effect + "\" is not include or exclude");
      continue;
    }
    entry.include = effect == "include";
    if (out.match(entry.prefix) != nullptr && out.match(entry.prefix)->prefix == entry.prefix) {
      problems.add(file, row.line, "prefix " + entry.prefix + " appears twice");
      continue;
    }
    out.add(std::move(entry));
  }
  return problems.status();
}

namespace {

void load_list(VersionReader& reader, std::string_view key, HsList& list) {
  list.set_name(std::string(key));
  std::string text, display;
  if (!reader.file_text("lists", key, false, text, display)) return;
  reader.problems().merge(load_hs_list_csv(text, display, list));
}

void load_channels(VersionReader& reader, PolicyVersion& version) {
  const toml::node* node = reader.root().get("channels");
  if (node == nullptr) return;
  const toml::array* channels = node->as_array();
  if (channels == nullptr) {
    reader.problems().add(reader.file(), *node, "channels must be [[channels]] entries");
    return;
  }
  for (const toml::node& n : *channels) {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
      reader.problems().add(reader.file(), n, "each [[channels]] entry must be a table");
      continue;
    }
    Channel channel;
    channel.id = (*t)["id"].value_or(std::string());
    channel.name = (*t)["name"].value_or(std::string());
    channel.line = static_cast<int>((*t)["line"].value_or(int64_t{0}));
    if (channel.id.empty()) reader.problems().add(reader.file(), n, "a channel needs an id");
    if (channel.line != 1 && channel.line != 2) {
      reader.problems().add(reader.file(), n, "channel " + channel.id + ": line must be 1 or 2");
    }
    if (const toml::array* list = (*t)["movements"].as_array()) {
      for (const toml::node& e : *list) {
        const std::string movement = e.value_or(std::string());
        if (movement_crossing_line(movement) != channel.line) {
          reader.problems().add(reader.file(), e,
                                "channel " + channel.id + ": movement \"" + movement +
                                    "\" is not one that crosses line " +
                                    std::to_string(channel.line));
        }
        channel.movements.push_back(movement);
      }
    } else if ((*t).contains("movements")) {
      reader.problems().add(reader.file(), n,
                            "channel " + channel.id + ": movements must be a list of movements");
    }
    for (const char* key : {"directions", "kinds"}) {
      const toml::array* list = (*t)[key].as_array();
      auto& target = std::string_view(key) == "directions" ? channel.directions : channel.kinds;
      if (list != nullptr) {
        for (const toml::node& e : *list) target.push_back(e.value_or(std::string()));
      }
      if (target.empty()) {
        reader.problems().add(reader.file(), n,
                              "channel " + channel.id + ": " + key + " must be a non-empty list");
      }
    }
    for (const std::string& k : channel.kinds) {
      if (k != "cargo" && k != "vehicle" && k != "traveller") {
        reader.problems().add(
            reader.file(), n,
            "channel " + channel.id + ": kind \"" + k + "\" is not cargo, vehicle or traveller");
      }
    }
    for (const std::string& d : channel.directions) {
      if (d != "in" && d != "out") {
        reader.problems().add(
            reader.file(), n,
            "channel " + channel.id + ": direction \"" + d + "\" is not in or out");
      }
    }
    if (version.find_channel(channel.id) != nullptr) {
      reader.problems().add(reader.file(), n, "channel " + channel.id + " appears twice");
    }
    version.channels.push_back(std::move(channel));
  }
}

// [[exchange.profiles]]: what each partner may receive (docs/exchange.md).
void load_sharing_profiles(VersionReader& reader, PolicyVersion& version) {
  const toml::node* node = reader.node("exchange", "profiles");
  if (node == nullptr) return;
  const toml::array* profiles = node->as_array();
  if (profiles == nullptr) {
    reader.problems().add(reader.file(), *node,
                          "exchange.profiles must be [[exchange.profiles]] entries");
    return;
  }
  const auto valid_name = [](std::string_view s, std::string_view alphabet) {
    return !s.empty() && s.size() <= 64 && s.find_first_not_of(alphabet) == std::string_view::npos;
  };
  constexpr std::string_view kPartnerAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
  constexpr std::string_view kFieldAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789_.";
  for (const toml::node& n : *profiles) {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
      reader.problems().add(reader.file(), n, "each [[exchange.profiles]] entry must be a table");
      continue;
    }
    check_table_keys(*t, {"partner", "kind", "fields"}, "exchange.profiles", reader.file(),
                     reader.problems());
    SharingProfile profile;
    profile.partner = (*t)["partner"].value_or(std::string());
    profile.kind = (*t)["kind"].value_or(std::string());
    const std::string where = "exchange.profiles " + profile.partner + "/" + profile.kind;
    if (!valid_name(profile.partner, kPartnerAlphabet)) {
      reader.problems().add(reader.file(), n,
                            where + ": partner is 1 to 64 characters of A-Z, 0-9, '-', '_', '.'");
    }
    if (profile.kind != "declaration_summary" && profile.kind != "joint_inspection" &&
        profile.kind != "tree_head") {
      reader.problems().add(reader.file(), n,
                            where + ": kind \"" + profile.kind +
                                "\" is not declaration_summary, joint_inspection or tree_head");
    }
    const toml::array* fields = (*t)["fields"].as_array();
    if (fields == nullptr || fields->empty()) {
      reader.problems().add(reader.file(), n, where + ": fields must be a non-empty list");
    } else {
      for (const toml::node& e : *fields) {
        const std::string field = e.value_or(std::string());
        // Paths of lowercase names joined by dots ("items.hs").
        if (!valid_name(field, kFieldAlphabet) || field.front() == '.' || field.back() == '.' ||
            field.find("..") != std::string::npos) {
          reader.problems().add(
              reader.file(), e,
              where + ": field \"" + field + "\" is not a path of lowercase names (\"items.hs\")");
        }
        profile.fields.push_back(field);
      }
    }
    for (const SharingProfile& other : version.sharing_profiles) {
      if (other.partner == profile.partner && other.kind == profile.kind) {
        reader.problems().add(reader.file(), n, where + " is given twice");
      }
    }
    version.sharing_profiles.push_back(std::move(profile));
  }
}

// [gates], [travellers], [vehicles]: what gate decisions go by.
void load_gate_settings(VersionReader& reader, GateSettings& gates) {
  const auto share = [&](const char* section, const char* key, Rate& rate) {
    rate.ppm = reader.fixed(section, key, kRateScale, rate.ppm);
    if (rate.ppm > kPpmPerUnit) {
      reader.problems().add(reader.file(), *reader.node(section, key),
                            std::string(section) + "." + key + " must be between 0 and 1");
    }
  };
  share("gates", "weight_tolerance", gates.weight_tolerance);
  share("gates", "biometric_threshold", gates.biometric_threshold);
  const auto count = [&](const char* section, const char* key, int& value, int min, int max) {
    const int64_t n = reader.integer(section, key, value);
    if (n < min || n > max) {
      reader.problems().add(reader.file(), *reader.node(section, key),
                            std::string(section) + "." + key + " must be from " +
                                std::to_string(min) + " to " + std::to_string(max));
      return;
    }
    value = static_cast<int>(n);
  };
  count("travellers", "min_age", gates.traveller_min_age, 0, 120);
  count("travellers", "max_valid_days", gates.traveller_max_valid_days, 1, 36'600);
  gates.traveller_categories = reader.strings("travellers", "categories", {});
  for (const std::string& category : gates.traveller_categories) {
    if (category.empty() || category.size() > 40 ||
        category.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789") != std::string::npos) {
      reader.problems().add(reader.file(), *reader.node("travellers", "categories"),
                            "travellers.categories: \"" + category +
                                "\" is not a snake_case word of up to 40 characters");
    }
  }
  count("vehicles", "monthly_permit_quota", gates.monthly_permit_quota, 0, 1'000'000);
  count("vehicles", "max_drivers", gates.permit_max_drivers, 1, 10);
  count("vehicles", "max_permit_months", gates.permit_max_months, 1, 120);
}

// [at_window]: role = { past_seconds = N, future_seconds = N }.
void load_at_windows(VersionReader& reader, PolicyVersion& version) {
  const toml::table* section = reader.root()["at_window"].as_table();
  if (section == nullptr) return;
  for (const auto& [role, entry] : *section) {
    // (a named reference: clang 14 cannot capture a structured binding)
    const toml::node& value = entry;
    const toml::table* t = value.as_table();
    const std::string where = "at_window." + std::string(role.str());
    const auto seconds = [&](const char* key) -> int64_t {
      const std::optional<int64_t> n = t == nullptr ? std::nullopt : (*t)[key].value<int64_t>();
      if (!n || *n < 0) {
        reader.problems().add(reader.file(), value,
                              where + "." + key + " must be a whole number of seconds, 0 or more");
        return 0;
      }
      return *n;
    };
    AtWindow window{seconds("past_seconds"), seconds("future_seconds")};
    if (t != nullptr) {
      for (const auto& [key, unused] : *t) {
        if (key != "past_seconds" && key != "future_seconds") {
          reader.problems().add(
              reader.file(), value,
              "unknown key " + where + "." + std::string(key.str()) + " (a typo?)");
        }
      }
    }
    version.at_windows.emplace(std::string(role.str()), window);
  }
}

void load_supervision(VersionReader& reader, PolicyVersion& version) {
  version.supervision_years_default =
      static_cast<int>(reader.integer("depreciation", "default_years", 3));
  if (version.supervision_years_default <= 0) {
    reader.problems().add(reader.file(), *reader.node("depreciation", "default_years"),
                          "depreciation.default_years must be at least 1");
  }
  const toml::table* section = reader.root()["depreciation"].as_table();
  if (section == nullptr) return;
  const toml::node* periods_node = section->get("periods");
  if (periods_node == nullptr) return;
  const toml::array* periods = periods_node->as_array();
  if (periods == nullptr) {
    reader.problems().add(reader.file(), *periods_node,
                          "depreciation.periods must be a list of { chapters, years }");
    return;
  }
  for (const toml::node& n : *periods) {
    const toml::table* t = n.as_table();
    SupervisionPeriod period;
    if (t != nullptr) {
      period.years = static_cast<int>((*t)["years"].value_or(int64_t{0}));
      if (const toml::array* chapters = (*t)["chapters"].as_array()) {
        for (const toml::node& c : *chapters) period.chapters.push_back(c.value_or(std::string()));
      }
    }
    bool chapters_ok = !period.chapters.empty();
    for (const std::string& c : period.chapters) {
      chapters_ok =
          chapters_ok && c.size() == 2 && c[0] >= '0' && c[0] <= '9' && c[1] >= '0' && c[1] <= '9';
    }
    if (t == nullptr || period.years <= 0 || !chapters_ok) {
      reader.problems().add(
          reader.file(), n,
          "each depreciation.periods entry needs chapters (two-digit strings) and years > 0");
      continue;
    }
    version.supervision_periods.push_back(std::move(period));
  }
}

// The keys a policy.toml may hold, by section: anything else is a typo that
// would silently leave a default in force, so it is an error.
struct SectionKeys {
  std::string_view section;
  std::vector<std::string_view> keys;
};
const std::vector<SectionKeys> kVersionSchema = {
    {"tariff", {"schedule", "exchange_rates"}},
    {"lists",
     {"prohibited", "licence_required", "first_line_exempt", "first_line_taxable",
      "refund_negative"}},
    {"first_line", {"model", "exempt_requires_approved_importer", "exempt_purposes"}},
    {"thresholds", {"tax_waiver_cny", "waived_duty_in_vat_base"}},
    {"value_added",
     {"threshold", "formula", "no_foreign_input_duty_free", "requires_encouraged_industry",
      "applies_to_sales_to_individuals", "non_qualifying_duty_basis"}},
    {"depreciation", {"default_years", "periods"}},
    {"exempt_exit", {"basis"}},
    {"transfer", {"vat"}},
    {"second_line_entry", {"refund"}},
    {"risk",
     {"default_lane", "licensed_goods_lane", "seed", "random", "minimum_random", "capacity",
      "capacity_burst", "unit_value", "score", "criteria"}},
    {"at_window", {"enterprise", "officer", "gate", "auditor", "admin"}},
    {"channels", {"id", "name", "line", "directions", "kinds", "movements"}},
    {"gates", {"weight_tolerance", "biometric_threshold"}},
    {"travellers", {"min_age", "categories", "max_valid_days"}},
    {"vehicles", {"monthly_permit_quota", "max_drivers", "max_permit_months"}},
    {"exchange", {"window_seconds", "profiles"}},
};
const std::vector<SectionKeys> kPackSchema = {
    {"zone", {"id", "name", "utc_offset", "declaration_prefix"}},
    {"versions", {"effective_from", "path"}},
};

void check_known_keys(const toml::table& root, const std::vector<SectionKeys>& schema,
                      const std::string& file, Problems& problems) {
  for (const auto& [key, value] : root) {
    const SectionKeys* section = nullptr;
    for (const SectionKeys& s : schema) {
      if (s.section == key.str()) section = &s;
    }
    if (section == nullptr) {
      problems.add(file, value, "unknown section [" + std::string(key.str()) + "]");
      continue;
    }
    if (const toml::table* table = value.as_table()) {
      check_table_keys(*table, section->keys, std::string(key.str()), file, problems);
    } else if (const toml::array* array = value.as_array()) {
      for (const toml::node& element : *array) {
        if (const toml::table* entry = element.as_table()) {
          check_table_keys(*entry, section->keys, std::string(key.str()), file, problems);
        }
      }
    }
  }
}

std::unique_ptr<PolicyVersion> load_version(const fs::path& dir, Date effective_from,
                                            Problems& problems) {
  auto version = std::make_unique<PolicyVersion>();
  version->effective_from = effective_from;
  version->directory = dir.string();
  const fs::path policy_path = dir / "policy.toml";
  const std::string file = policy_path.lexically_normal().string();
  if (!fs::is_regular_file(policy_path)) {
    problems.add(file, "missing: each version's directory holds policy.toml");
    return version;
  }
  toml::table root;
  try {
    root = toml::parse_file(policy_path.string());
  } catch (const toml::parse_error& e) {
    problems.add(file, static_cast<int>(e.source().begin.line), std::string(e.description()));
    return version;
  }
  check_known_keys(root, kVersionSchema, file, problems);
  VersionReader reader(dir, file, root, problems);

  std::string text, display;
  if (reader.file_text("tariff", "schedule", true, text, display)) {
    problems.merge(load_tariff_csv(text, display, version->tariff));
  }
  if (reader.file_text("tariff", "exchange_rates", true, text, display)) {
    problems.merge(load_fx_csv(text, display, version->exchange_rates));
  }
  load_list(reader, "prohibited", version->prohibited);
  load_list(reader, "licence_required", version->licence_required);
  load_list(reader, "first_line_exempt", version->first_line_exempt);
  load_list(reader, "first_line_taxable", version->first_line_taxable);
  load_list(reader, "refund_negative", version->refund_negative);

  const std::string model = reader.string("first_line", "model", "positive_list");
  if (model == "positive_list") {
    version->first_line_model = FirstLineModel::kPositiveList;
  } else if (model == "negative_list") {
    version->first_line_model = FirstLineModel::kNegativeList;
  } else {
    problems.add(file, *reader.node("first_line", "model"),
                 "first_line.model \"" + model + "\" is not positive_list or negative_list");
  }
  version->exempt_requires_approved_importer =
      reader.boolean("first_line", "exempt_requires_approved_importer", true);
  version->exempt_purposes =
      reader.strings("first_line", "exempt_purposes", version->exempt_purposes);

  version->tax_waiver_threshold.fen =
      reader.fixed("thresholds", "tax_waiver_cny", kMoneyScale, version->tax_waiver_threshold.fen);
  version->waived_duty_in_vat_base = reader.boolean("thresholds", "waived_duty_in_vat_base", false);
  version->value_added_threshold.ppm =
      reader.fixed("value_added", "threshold", kRateScale, version->value_added_threshold.ppm);
  const std::string formula = reader.string("value_added", "formula", "(S-M-D)/(M+D)");
  if (formula == "(S-M-D)/(M+D)") {
    version->value_added_formula = ValueAddedFormula::kOverMaterials;
  } else if (formula == "(S-M)/M") {
    version->value_added_formula = ValueAddedFormula::kOverForeign;
  } else if (formula == "(S-M)/S") {
    version->value_added_formula = ValueAddedFormula::kOverSale;
  } else {
    problems.add(
        file, *reader.node("value_added", "formula"),
        "value_added.formula \"" + formula + "\" is not one of (S-M-D)/(M+D), (S-M)/M, (S-M)/S");
  }
  version->no_foreign_input_duty_free =
      reader.boolean("value_added", "no_foreign_input_duty_free", true);
  version->value_added_requires_encouraged_industry =
      reader.boolean("value_added", "requires_encouraged_industry", false);
  version->value_added_applies_to_sales_to_individuals =
      reader.boolean("value_added", "applies_to_sales_to_individuals", true);
  const std::string basis =
      reader.string("value_added", "non_qualifying_duty_basis", "actual_state");
  if (basis != "actual_state") {
    // Selective taxation (duty on the foreign materials) needs the materials'
    // own tariff lines in the books; until then only the default is accepted.
    problems.add(
        file, *reader.node("value_added", "non_qualifying_duty_basis"),
        "value_added.non_qualifying_duty_basis \"" + basis + "\": only actual_state is supported");
  }

  load_supervision(reader, *version);

  const std::string transfer_vat = reader.string("transfer", "vat", "exempt");
  if (transfer_vat == "exempt") {
    version->transfer_vat = TransferVat::kExempt;
  } else if (transfer_vat == "taxable") {
    version->transfer_vat = TransferVat::kTaxable;
  } else {
    problems.add(file, *reader.node("transfer", "vat"),
                 "transfer.vat \"" + transfer_vat + "\" is not exempt or taxable");
  }
  version->refund_on_second_line_entry = reader.boolean("second_line_entry", "refund", true);

  load_risk_selection(reader, *version);
  load_channels(reader, *version);
  load_gate_settings(reader, version->gates);
  version->exchange_window_seconds = reader.integer("exchange", "window_seconds", 300);
  if (version->exchange_window_seconds < 1 || version->exchange_window_seconds > 86'400) {
    problems.add(file, *reader.node("exchange", "window_seconds"),
                 "exchange.window_seconds must be from 1 to 86400");
  }
  load_sharing_profiles(reader, *version);
  load_at_windows(reader, *version);
  if (version->first_line_model == FirstLineModel::kNegativeList &&
      version->first_line_taxable.size() == 0) {
    problems.add(file,
                 "first_line.model is negative_list, so [lists] first_line_taxable must name a "
                 "list with entries");
  }
  for (const std::string& purpose : version->exempt_purposes) {
    if (purpose != "own_use" && purpose != "processing" && purpose != "trade" &&
        purpose != "logistics") {
      problems.add(file, *reader.node("first_line", "exempt_purposes"),
                   "first_line.exempt_purposes: \"" + purpose +
                       "\" is not own_use, processing, trade or logistics");
    }
  }
  const std::string exit_basis = reader.string("exempt_exit", "basis", "depreciated_entry_value");
  if (exit_basis == "depreciated_entry_value") {
    version->exempt_exit_basis = ExemptExitBasis::kDepreciatedEntryValue;
  } else if (exit_basis == "declared_value") {
    version->exempt_exit_basis = ExemptExitBasis::kDeclaredValue;
  } else {
    problems.add(file, *reader.node("exempt_exit", "basis"),
                 "exempt_exit.basis \"" + exit_basis +
                     "\" is not depreciated_entry_value or declared_value");
  }
  if (version->tariff.size() == 0 && problems.empty()) {
    problems.add(file, "the tariff schedule has no lines");
  }
  return version;
}

Result<int> parse_utc_offset(std::string_view text) {
  // "+08:00" or "-03:30"
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') {
    return Result<int>(ErrorCode::kPolicyInvalid, "", "utc_offset must look like +08:00");
  }
  const auto digits = [&](size_t i) {
    return (text[i] >= '0' && text[i] <= '9' && text[i + 1] >= '0' && text[i + 1] <= '9')
               ? (text[i] - '0') * 10 + (text[i + 1] - '0')
               : -1;
  };
  const int hours = digits(1), minutes = digits(4);
  if (hours < 0 || hours > 14 || minutes < 0 || minutes > 59) {
    return Result<int>(ErrorCode::kPolicyInvalid, "", "utc_offset must look like +08:00");
  }
  const int total = hours * 60 + minutes;
  return text[0] == '-' ? -total : total;
}

}  // namespace

Result<PolicyPack> load_policy_pack(const std::string& directory) {
  const fs::path dir(directory);
  const fs::path pack_path = dir / "pack.toml";
  const std::string file = pack_path.lexically_normal().string();
  Problems problems;
  if (!fs::is_directory(dir)) {
    problems.add(directory, "not a directory");
    return problems.status();
  }
  toml::table root;
  try {
    root = toml::parse_file(pack_path.string());
  } catch (const toml::parse_error& e) {
    if (!fs::exists(pack_path)) {
      problems.add(file, "missing: a pack directory holds pack.toml");
    } else {
      problems.add(file, static_cast<int>(e.source().begin.line), std::string(e.description()));
    }
    return problems.status();
  }
  check_known_keys(root, kPackSchema, file, problems);
  PolicyPack pack;
  // id and utc_offset are required (a wrong clock would move every date);
  // name defaults to the id and declaration_prefix to "ZG".
  const auto zone_string = [&](std::string_view key, std::string& out) {
    const toml::node* n = root["zone"][key].node();
    if (n == nullptr) {
      // A key with a default (name, declaration_prefix) is never missing.
      if (out.empty() && key != "name")
        problems.add(file, "[zone] " + std::string(key) + " is missing");
    } else if (auto v = n->value<std::string>(); v && !v->empty()) {
      out = *v;
    } else {
      problems.add(file, *n, "[zone] " + std::string(key) + " must be a non-empty string");
    }
  };
  std::string offset_text;
  zone_string("id", pack.zone_id);
  pack.zone_name = pack.zone_id;
  zone_string("name", pack.zone_name);
  zone_string("utc_offset", offset_text);
  pack.declaration_prefix = "ZG";
  zone_string("declaration_prefix", pack.declaration_prefix);
  if (!offset_text.empty()) {
    Result<int> offset = parse_utc_offset(offset_text);
    if (offset.is_ok()) {
      pack.utc_offset_minutes = *offset;
    } else {
      problems.add(file, *root["zone"]["utc_offset"].node(),
                   "[zone] " + offset.status().first().message);
    }
  }
  const toml::array* versions = root["versions"].as_array();
  if (versions == nullptr || versions->empty()) {
    problems.add(file, "no [[versions]]: a pack needs at least one effective-dated version");
    return problems.status();
  }
  for (const toml::node& n : *versions) {
    const toml::table* t = n.as_table();
    const toml::node* from_node = t ? t->get("effective_from") : nullptr;
    const std::string from = from_node ? from_node->value_or(std::string()) : std::string();
    const std::string path = t ? (*t)["path"].value_or(from) : std::string();
    if (from_node == nullptr || !from_node->is_string()) {
      problems.add(file, from_node ? *from_node : n,
                   from_node ? "effective_from must be a quoted date, e.g. \"2024-03-01\""
                             : "each [[versions]] needs effective_from");
      continue;
    }
    Result<Date> date = parse_date(from);
    if (!date.is_ok()) {
      problems.add(file, *from_node, "effective_from: " + date.status().first().message);
      continue;
    }
    if (!pack.versions.empty() && !(pack.versions.back()->effective_from < *date)) {
      problems.add(file, n, "versions must be listed in increasing effective_from order");
      continue;
    }
    auto version = load_version(dir / path, *date, problems);
    version->id = pack.zone_id + "@" + from;
    pack.versions.push_back(std::move(version));
  }
  if (!problems.empty()) return problems.status();
  return pack;
}

}  // namespace zg
