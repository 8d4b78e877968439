// Loading a full official tariff: about 9,000 lines must load well under a
// second. The baseline is the CSV parse alone, in the same process.
#include <benchmark/benchmark.h>

#include <string>

#include "core/csv.h"
#include "policy/pack_loader.h"

namespace zg {
namespace {

// 9,000 synthetic lines in the shape of cn-tariff-sample.csv, with every
// duty and consumption-tax form.
std::string tariff_text(int line_count) {
  std::string text =
      "hs,description,unit,duty_kind,duty_rate,duty_specific,vat_rate,ct_kind,ct_rate,"
      "ct_specific,export_refund_rate,note\n";
  const char* forms[] = {
      "ad_valorem,0.08,,0.13,none,,,0.13",
      "specific,,1.30,0.09,none,,,0.09",
      "compound,0.03,9728.00,0.13,ad_valorem,0.15,,0.13",
      "ad_valorem,0.05,,0.13,compound,0.20,0.912,0.13",
  };
  for (int i = 0; i < line_count; ++i) {
    char hs[16];
    std::snprintf(hs, sizeof hs, "%02d%06d", 1 + i % 97 == 77 ? 78 : 1 + i % 97, i);
    text += hs;
    text += ",\"Goods of line ";
    text += std::to_string(i);
    text += ", other\",kg,";
    text += forms[i % 4];
    text += ",\n";
  }
  return text;
}

void BM_Baseline_ParseCsv9000(benchmark::State& state) {
  const std::string text = tariff_text(9'000);
  for (auto _ : state) {
    Result<CsvTable> table = parse_csv(text);
    benchmark::DoNotOptimize(table);
  }
}
BENCHMARK(BM_Baseline_ParseCsv9000)->Unit(benchmark::kMillisecond);

void BM_LoadTariff9000(benchmark::State& state) {
  const std::string text = tariff_text(9'000);
  for (auto _ : state) {
    TariffSchedule schedule;
    Status status = load_tariff_csv(text, "tariff.csv", schedule);
    if (!status.is_ok()) state.SkipWithError(status.first().message.c_str());
    benchmark::DoNotOptimize(schedule);
  }
}
BENCHMARK(BM_LoadTariff9000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zg

BENCHMARK_MAIN();
