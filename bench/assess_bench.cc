// Assessment speed: one declaration item through treatment and taxes.
//
// BM_Baseline_ConvertToCny is the in-process baseline (one currency
// conversion); report the others as a ratio to it, since machines are noisy.
#include <benchmark/benchmark.h>

#include "assess/taxes.h"
#include "assess/treatment.h"

namespace zg {
namespace {

TariffLine wine_line() {
  TariffLine line;
  line.hs = "22042100";
  line.unit = "L";
  line.duty_kind = DutyKind::kAdValorem;
  line.duty_rate = Rate{140'000};
  line.vat_rate = Rate{130'000};
  line.ct_kind = ExciseKind::kAdValorem;
  line.ct_rate = Rate{100'000};
  line.export_refund_rate = Rate{130'000};
  return line;
}

TariffLine whisky_line() {  // compound CT: the most arithmetic
  TariffLine line = wine_line();
  line.hs = "22083000";
  line.duty_rate = Rate{50'000};
  line.ct_kind = ExciseKind::kCompound;
  line.ct_rate = Rate{200'000};
  line.ct_specific = Rate{912'000};
  return line;
}

void BM_Baseline_ConvertToCny(benchmark::State& state) {
  int64_t amount = 123'456;
  for (auto _ : state) {
    benchmark::DoNotOptimize(amount);
    Money m = convert_to_cny(amount, 2, Rate{7'108'500});
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Baseline_ConvertToCny);

// One item leaving for the mainland from bonded stock: treatment, then duty,
// CT and VAT with the declaration-level waiver.
void assess_one(benchmark::State& state, const TariffLine& line, GoodsStatus status) {
  PolicyVersion policy;
  policy.id = "bench@2024-03-01";
  EnterpriseFacts enterprise{true, true, false, true, true};
  HeldGoods held;
  held.status = status;
  held.hs = line.hs;
  held.value = Money{700'000};
  held.foreign_content = Money{500'000};
  held.domestic_content = Money{200'000};
  ItemFacts facts;
  facts.movement = Movement::kSecondLineExit;
  facts.purpose = Purpose::kTrade;
  facts.purpose_text = "trade";
  facts.tariff = &line;
  facts.quantity = Quantity{750'000};
  facts.date = Date{2024, 5, 7};
  facts.declarant = &enterprise;
  facts.held = &held;
  for (auto _ : state) {
    facts.declared_value = convert_to_cny(1'000'000, 2, Rate{7'108'500});
    Result<ItemTreatment> treatment = treat_item(facts, policy);
    const ImportTaxLine tax_line{&line, treatment->customs_value, facts.quantity,
                                 treatment->duty_exempt};
    ImportTaxes taxes;
    assess_import_taxes(std::span(&tax_line, 1), policy, std::span(&taxes, 1));
    benchmark::DoNotOptimize(taxes);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AssessItem_BondedWine(benchmark::State& state) {
  const TariffLine line = wine_line();
  assess_one(state, line, GoodsStatus::kBonded);
}
BENCHMARK(BM_AssessItem_BondedWine);

void BM_AssessItem_BondedWhiskyCompound(benchmark::State& state) {
  const TariffLine line = whisky_line();
  assess_one(state, line, GoodsStatus::kBonded);
}
BENCHMARK(BM_AssessItem_BondedWhiskyCompound);

void BM_AssessItem_ProducedValueAdded(benchmark::State& state) {
  const TariffLine line = wine_line();
  assess_one(state, line, GoodsStatus::kProduced);
}
BENCHMARK(BM_AssessItem_ProducedValueAdded);

}  // namespace
}  // namespace zg

BENCHMARK_MAIN();
