// [risk]: the lanes and what selects declarations into them (docs/risk.md).
// Every setting is checked as the pack loads: a criterion that could never
// match, a share outside 0..1 or a lane that is not one is an error, so a
// pack that loads selects as its author meant.

#include <memory>
#include <string>

#include "core/country.h"
#include "core/identifiers.h"
#include "policy/policy.h"
#include "policy/version_reader.h"
#include "risk/model.h"

namespace zg {

using namespace pack_detail;

namespace {

bool is_lane(std::string_view lane) {
  return lane == "green" || lane == "blue" || lane == "yellow" || lane == "red";
}

// A share "0" to "1", in parts per million; false (a problem added) otherwise.
bool share_ppm(VersionReader& reader, const toml::node& n, const std::string& where, int64_t& out) {
  const std::optional<std::string> text = n.value<std::string>();
  Result<int64_t> share = text ? parse_fixed(*text, 6, 1'000'000, false)
                               : Result<int64_t>(ErrorCode::kInvalidField, "", "");
  if (!share.is_ok() || *share < 0 || *share > 1'000'000) {
    reader.problems().add(reader.file(), n, where + " must be a share from \"0\" to \"1\"");
    return false;
  }
  out = *share;
  return true;
}

// { red = "0.02", yellow = "0.03" } at `node`.
LaneShares lane_shares(VersionReader& reader, const toml::node& node, const std::string& where) {
  LaneShares shares;
  const toml::table* t = node.as_table();
  if (t == nullptr) {
    reader.problems().add(reader.file(), node,
                          where + " must be { red = \"0.02\", yellow = \"0.03\" }");
    return shares;
  }
  check_table_keys(*t, {"red", "yellow"}, where, reader.file(), reader.problems());
  for (const auto& [key, target] :
       {std::pair{"red", &shares.red_ppm}, std::pair{"yellow", &shares.yellow_ppm}}) {
    if (const toml::node* n = t->get(key)) share_ppm(reader, *n, where + "." + key, *target);
  }
  if (shares.red_ppm + shares.yellow_ppm > 1'000'000) {
    reader.problems().add(reader.file(), node, where + ": red and yellow add up to over 1");
  }
  return shares;
}

void load_random(VersionReader& reader, RiskSettings& risk) {
  if (const toml::node* node = reader.node("risk", "minimum_random")) {
    risk.minimum_random = lane_shares(reader, *node, "risk.minimum_random");
  }
  if (const toml::node* node = reader.node("risk", "capacity")) {
    risk.capacity = lane_shares(reader, *node, "risk.capacity");
  }
  risk.capacity_burst = reader.integer("risk", "capacity_burst", risk.capacity_burst);
  if (risk.capacity_burst < 1 || risk.capacity_burst > 1'000'000) {
    reader.problems().add(reader.file(), *reader.node("risk", "capacity_burst"),
                          "risk.capacity_burst must be from 1 to 1000000 selections");
  }
  if (const toml::node* node = reader.node("risk", "random")) {
    const toml::table* grades = node->as_table();
    if (grades == nullptr) {
      reader.problems().add(reader.file(), *node,
                            "risk.random must be a table of credit grades: "
                            "{ general = { red = \"0.02\", yellow = \"0.03\" } }");
      return;
    }
    for (const auto& [grade, value] : *grades) {
      const std::string where = "risk.random." + std::string(grade.str());
      if (grade != "advanced" && grade != "general" && grade != "dishonest") {
        reader.problems().add(reader.file(), value,
                              where + ": the credit grades are advanced, general and dishonest");
        continue;
      }
      risk.random[std::string(grade.str())] = lane_shares(reader, value, where);
    }
  }
  for (const char* grade : {"advanced", "general", "dishonest"}) {
    const RandomRates rates = risk.random_for(grade);
    if (rates.red_ppm + rates.yellow_ppm > 1'000'000) {
      reader.problems().add(reader.file(), std::string("risk.random.") + grade +
                                               " with risk.minimum_random adds up to over 1");
    }
  }
  if (risk.draws() && risk.seed.empty()) {
    reader.problems().add(reader.file(),
                          "risk.seed is needed for random selection (the draws come from it)");
  }
}

void load_unit_value(VersionReader& reader, RiskSettings& risk) {
  const toml::node* node = reader.node("risk", "unit_value");
  if (node == nullptr) return;
  const toml::table* t = node->as_table();
  const std::string form =
      "risk.unit_value must be { lane = \"yellow\", factor = \"3\", history = 50, minimum = 10 }";
  if (t == nullptr) {
    reader.problems().add(reader.file(), *node, form);
    return;
  }
  check_table_keys(*t, {"lane", "factor", "history", "minimum", "by"}, "risk.unit_value",
                   reader.file(), reader.problems());
  UnitValueCheck& check = risk.unit_value;
  if (const toml::node* by = t->get("by")) {
    const std::optional<std::string> text = by->value<std::string>();
    if (text && (*text == "goods" || *text == "article")) {
      check.by_article = *text == "article";
    } else {
      reader.problems().add(reader.file(), *by,
                            "risk.unit_value.by must be \"goods\" (HS code, origin and unit) or "
                            "\"article\" (the same, and the article's code as declared)");
    }
  }
  check.lane = (*t)["lane"].value_or(std::string());
  if (!is_lane(check.lane)) {
    reader.problems().add(reader.file(), *node,
                          "risk.unit_value.lane \"" + check.lane +
                              "\" is not green, blue, "
                              "yellow or red");
  }
  const std::optional<std::string> factor = (*t)["factor"].value<std::string>();
  Result<int64_t> ppm = factor ? parse_fixed(*factor, 6, 1'000'000'000'000, false)
                               : Result<int64_t>(ErrorCode::kInvalidField, "", "");
  if (!ppm.is_ok() || *ppm <= 1'000'000) {
    reader.problems().add(reader.file(), *node,
                          "risk.unit_value.factor must be a decimal string over \"1\", e.g. "
                          "\"3\" (flagged above 3 × the median or below a third of it)");
  } else {
    check.factor_ppm = *ppm;
  }
  for (const auto& [key, target] :
       {std::pair{"history", &check.history}, std::pair{"minimum", &check.minimum}}) {
    if (const toml::node* v = t->get(key)) {
      if (std::optional<int64_t> count = v->value<int64_t>()) {
        *target = *count;
      } else {
        reader.problems().add(reader.file(), *v,
                              std::string("risk.unit_value.") + key + " must be a count");
      }
    }
  }
  if (check.history < 3 || check.history > 1000) {
    reader.problems().add(reader.file(), *node, "risk.unit_value.history must be from 3 to 1000");
  }
  if (check.minimum < 3 || check.minimum > check.history) {
    reader.problems().add(reader.file(), *node,
                          "risk.unit_value.minimum must be from 3 to the history's length");
  }
}

// score = { model = "risk.model", lane = "red", threshold = "0.5" }: the
// learned score, from a model file in the version's directory (so it is
// part of the pack, and of its hash).
void load_score(VersionReader& reader, RiskSettings& risk) {
  const toml::node* node = reader.node("risk", "score");
  if (node == nullptr) return;
  const toml::table* t = node->as_table();
  if (t == nullptr) {
    reader.problems().add(
        reader.file(), *node,
        "risk.score must be { model = \"risk.model\", lane = \"red\", threshold = \"0.5\" }");
    return;
  }
  check_table_keys(*t, {"model", "lane", "threshold"}, "risk.score", reader.file(),
                   reader.problems());
  ScoreSetting& score = risk.score;
  score.lane = (*t)["lane"].value_or(std::string());
  if (!is_lane(score.lane)) {
    reader.problems().add(
        reader.file(), *node,
        "risk.score.lane \"" + score.lane + "\" is not green, blue, yellow or red");
  }
  if (const toml::node* n = t->get("threshold"); n == nullptr) {
    reader.problems().add(reader.file(), *node, "risk.score.threshold is missing (\"0.5\")");
  } else {
    share_ppm(reader, *n, "risk.score.threshold", score.threshold_ppm);
  }
  score.file = (*t)["model"].value_or(std::string());
  std::string text, display;
  if (score.file.empty()) {
    reader.problems().add(reader.file(), *node, "risk.score.model must name the model's file");
    return;
  }
  if (!VersionReader::inside_version(score.file)) {
    reader.problems().add(reader.file(), *node,
                          "risk.score.model must name a file inside the version's directory "
                          "(it is part of the pack and of its hash)");
    return;
  }
  if (!reader.read_relative(score.file, text, display)) {
    reader.problems().add(reader.file(), *node, "cannot read " + display);
    return;
  }
  Result<risk::Model> model = risk::Model::parse(text);
  if (!model.is_ok()) {
    reader.problems().add(display, model.status().first().message);
    return;
  }
  score.model = std::make_shared<const risk::Model>(std::move(model).value());
}

// An amount in CNY ("100000.00"), in fen; a problem when it is not one.
int64_t amount(VersionReader& reader, const toml::node& n, const std::string& where) {
  const std::optional<std::string> text = n.value<std::string>();
  Result<int64_t> fen = text ? parse_fixed(*text, 2, kAmountMinorMax, false)
                             : Result<int64_t>(ErrorCode::kInvalidField, "", "");
  if (!fen.is_ok() || *fen < 0) {
    reader.problems().add(reader.file(), n,
                          where + " must be an amount in CNY, e.g. \"100000.00\"");
    return -1;
  }
  return *fen;
}

// The lists of a criterion: each must be able to match — HS prefixes
// (tariff codes have 8 digits), country codes as items carry them, USCCs,
// movement names.
void load_lists(VersionReader& reader, const toml::table& t, const std::string& where,
                RiskCriterion& c) {
  for (const auto& [key, list] :
       {std::pair{"hs", &c.hs}, std::pair{"origins", &c.origins},
        std::pair{"declarants", &c.declarants}, std::pair{"movements", &c.movements}}) {
    const toml::node* v = t.get(key);
    if (v == nullptr) continue;
    const toml::array* a = v->as_array();
    if (a == nullptr || a->empty()) {
      reader.problems().add(reader.file(), *v, where + ": " + key + " must be a non-empty list");
      continue;
    }
    for (const toml::node& e : *a) {
      const std::string s = e.value_or(std::string());
      const std::string_view k = key;
      const bool ok = k == "hs"           ? validate_hs_prefix(s).is_ok() && s.size() <= 8
                      : k == "origins"    ? is_country(s)
                      : k == "declarants" ? validate_uscc(s).is_ok()
                                          : movement_crossing_line(s) != 0 || s == "transfer" ||
                                                s == "sale_to_individual";
      if (!ok) {
        reader.problems().add(reader.file(), e, where + ": \"" + s + "\" is not one of its " + key);
      }
      list->push_back(s);
    }
  }
}

void load_criterion(VersionReader& reader, const toml::node& n, RiskSettings& risk) {
  const toml::table* t = n.as_table();
  if (t == nullptr) {
    reader.problems().add(reader.file(), n, "each [[risk.criteria]] entry must be a table");
    return;
  }
  check_table_keys(*t,
                   {"id", "lane", "hs", "origins", "declarants", "movements", "value_from",
                    "value_below", "first_time", "discrepancies", "capped"},
                   "risk.criteria", reader.file(), reader.problems());
  RiskCriterion c;
  c.id = (*t)["id"].value_or(std::string());
  c.lane = (*t)["lane"].value_or(std::string());
  const std::string where = "risk.criteria " + c.id;
  if (c.id.empty() || c.id.size() > 64 || c.id.find_first_of(" \t\r\n/") != std::string::npos) {
    reader.problems().add(reader.file(), n,
                          "a criterion needs an id (1 to 64 bytes, no spaces or slashes)");
  }
  if (!is_lane(c.lane)) {
    reader.problems().add(reader.file(), n,
                          where + ": lane \"" + c.lane + "\" is not green, blue, yellow or red");
  }
  load_lists(reader, *t, where, c);
  if (const toml::node* v = t->get("value_from"))
    c.value_from = amount(reader, *v, where + ": value_from");
  if (const toml::node* v = t->get("value_below")) {
    c.value_below = amount(reader, *v, where + ": value_below");
  }
  if (c.value_from >= 0 && c.value_below >= 0 && c.value_below <= c.value_from) {
    reader.problems().add(reader.file(), n, where + ": value_below must be above value_from");
  }
  const auto flag = [&](const char* key, bool& out) {
    if (const toml::node* v = t->get(key)) {
      if (std::optional<bool> b = v->value<bool>()) {
        out = *b;
      } else {
        reader.problems().add(reader.file(), *v, where + ": " + key + " must be true or false");
      }
    }
  };
  flag("first_time", c.first_time);
  flag("capped", c.capped);
  if (const toml::node* v = t->get("discrepancies")) {
    const std::optional<int64_t> count = v->value<int64_t>();
    if (!count || *count < 1 || *count > 1'000'000) {
      reader.problems().add(reader.file(), *v,
                            where +
                                ": discrepancies must be a count from 1 (the declarant had "
                                "at least that many found)");
    } else {
      c.discrepancies = *count;
    }
  }
  if (c.hs.empty() && c.origins.empty() && c.declarants.empty() && c.movements.empty() &&
      c.value_from < 0 && c.value_below < 0 && !c.first_time && c.discrepancies == 0) {
    reader.problems().add(reader.file(), n,
                          where +
                              ": give at least one condition (hs, origins, declarants, "
                              "movements, value_from, value_below, first_time, "
                              "discrepancies)");
  }
  for (const RiskCriterion& other : risk.criteria) {
    if (other.id == c.id) reader.problems().add(reader.file(), n, where + " is given twice");
  }
  risk.criteria.push_back(std::move(c));
}

}  // namespace

void load_risk_selection(VersionReader& reader, PolicyVersion& version) {
  RiskSettings& risk = version.risk;
  risk.default_lane = reader.string("risk", "default_lane", "green");
  risk.licensed_goods_lane = reader.string("risk", "licensed_goods_lane", "");
  for (const char* key : {"default_lane", "licensed_goods_lane"}) {
    const std::string& lane =
        key == std::string_view("default_lane") ? risk.default_lane : risk.licensed_goods_lane;
    if (reader.node("risk", key) != nullptr && !is_lane(lane)) {
      reader.problems().add(
          reader.file(), *reader.node("risk", key),
          "risk." + std::string(key) + " \"" + lane + "\" is not green, yellow, red or blue");
    }
  }
  risk.seed = reader.string("risk", "seed", "");
  load_random(reader, risk);
  load_unit_value(reader, risk);
  load_score(reader, risk);
  const toml::node* node = reader.node("risk", "criteria");
  if (node == nullptr) return;
  const toml::array* criteria = node->as_array();
  if (criteria == nullptr) {
    reader.problems().add(reader.file(), *node, "risk.criteria must be [[risk.criteria]] entries");
    return;
  }
  for (const toml::node& n : *criteria) load_criterion(reader, n, risk);
}

}  // namespace zg
