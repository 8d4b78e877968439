// zonegate declarations and zonegate taxes: the read models of a data
// directory (rebuilt by replaying its journal), as JSON Lines.
//
//   zonegate declarations --data DIR [--declarant USCC] [--from DATE] [--to DATE]
//   zonegate taxes --data DIR [--from DATE] [--to DATE]
//   zonegate gates --data DIR [--from DATE] [--to DATE] [--by hour|day|hour_of_day]
#include <cstdio>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "core/json.h"
#include "durable/data_dir.h"
#include "engine/book_json.h"
#include "engine/gate_figures.h"
#include "engine/handlers.h"

namespace zg::cli {
namespace {

struct QueryOptions {
  std::string data;
  std::string declarant;
  Date from{0, 1, 1};
  Date to{9999, 12, 31};
  CrossingsBy by = CrossingsBy::kHour;  // gates only
};

// Parses the options; prints what is wrong and returns false on bad input.
bool parse_query(const Args& args, bool with_declarant, QueryOptions& options,
                 bool with_by = false) {
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    const std::string_view key = args[i];
    const std::string value(args[i + 1]);
    if (key == "--data") {
      options.data = value;
    } else if (key == "--declarant" && with_declarant) {
      options.declarant = value;
    } else if (key == "--from" || key == "--to") {
      Result<Date> date = parse_date(value);
      if (!date.is_ok()) {
        std::fprintf(stderr, "zonegate: %s: %s\n", std::string(key).c_str(),
                     date.status().first().message.c_str());
        return false;
      }
      (key == "--from" ? options.from : options.to) = *date;
    } else if (key == "--by" && with_by) {
      if (!parse_crossings_by(value, options.by)) {
        std::fprintf(stderr, "zonegate: --by must be hour, day or hour_of_day, not %s\n",
                     value.c_str());
        return false;
      }
    } else {
      std::fprintf(stderr, "zonegate: unknown option %s\n", std::string(key).c_str());
      return false;
    }
  }
  return args.size() % 2 == 0 && !options.data.empty();
}

}  // namespace

int declarations_command(const Args& args) {
  QueryOptions options;
  if (!parse_query(args, true, options)) {
    std::fputs(
        "usage: zonegate declarations --data DIR [--declarant USCC] [--from DATE] [--to DATE]\n",
        stderr);
    return 2;
  }
  std::unique_ptr<DataDir> dir;
  Result<DataDir::Replayed> replayed = open_and_replay(options.data, false, dir, true);
  if (!replayed.is_ok()) return report(replayed.status());
  if (replayed->engine == nullptr) return 0;  // an empty journal has no declarations
  const Engine& engine = *replayed->engine;
  const ZoneState& state = engine.state();
  std::vector<uint64_t> all;
  const std::vector<uint64_t>* seqs = &all;
  if (!options.declarant.empty()) {
    const Enterprise* enterprise = state.enterprise(options.declarant);
    if (enterprise == nullptr) {
      std::fprintf(stderr, "zonegate: enterprise %s is not registered\n",
                   options.declarant.c_str());
      return 1;
    }
    auto it = state.declarations_by_declarant.find(enterprise);
    if (it == state.declarations_by_declarant.end()) return 0;
    seqs = &it->second;
  } else {
    for (const DeclarationRecord& d : state.declarations) {
      if (d.seq != 0) all.push_back(d.seq);
    }
  }
  std::string line;
  for (uint64_t seq : *seqs) {
    const DeclarationRecord& d = *state.declarations.find(seq);
    if (d.date < options.from || options.to < d.date) continue;
    line.clear();
    JsonWriter w(line);
    w.begin_object();
    write_declaration_summary(w, d);
    w.end_object();
    std::puts(line.c_str());
  }
  return 0;
}

int taxes_command(const Args& args) {
  QueryOptions options;
  if (!parse_query(args, false, options)) {
    std::fputs("usage: zonegate taxes --data DIR [--from DATE] [--to DATE]\n", stderr);
    return 2;
  }
  std::unique_ptr<DataDir> dir;
  Result<DataDir::Replayed> replayed = open_and_replay(options.data, false, dir, true);
  if (!replayed.is_ok()) return report(replayed.status());
  TaxTotals total;
  std::string line;
  if (replayed->engine != nullptr) {
    for (const auto& [date, day] : replayed->engine->state().taxes_by_day) {
      if (date < options.from || options.to < date) continue;
      total.add(day);
      line.clear();
      JsonWriter w(line);
      w.begin_object().field("date", format_date(date)).field("count", day.count);
      write_tax_totals(w, day);
      w.end_object();
      std::puts(line.c_str());
    }
  }
  line.clear();
  JsonWriter w(line);
  w.begin_object().field("date", "total").field("count", total.count);
  write_tax_totals(w, total);
  w.end_object();
  std::puts(line.c_str());
  return 0;
}

int gates_command(const Args& args) {
  QueryOptions options;
  if (!parse_query(args, false, options, true)) {
    std::fputs(
        "usage: zonegate gates --data DIR [--from DATE] [--to DATE] [--by hour|day|hour_of_day]\n",
        stderr);
    return 2;
  }
  std::unique_ptr<DataDir> dir;
  Result<DataDir::Replayed> replayed = open_and_replay(options.data, false, dir, true);
  if (!replayed.is_ok()) return report(replayed.status());
  ZoneState empty;
  const Engine* engine = replayed->engine.get();
  const ZoneState& state = engine != nullptr ? engine->state() : empty;
  const int offset = engine != nullptr ? engine->pack().utc_offset_minutes : 0;
  std::printf(
      "%s\n",
      gate_figures_json(state, offset, FigureRange{options.from, options.to, options.by}).c_str());
  return 0;
}

}  // namespace zg::cli
