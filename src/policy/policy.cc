#include "policy/policy.h"

#include <algorithm>
#include <cstdlib>

namespace zg {

void TariffSchedule::add(TariffLine line) {
  std::string key = line.hs;
  lines_.insert_or_assign(std::move(key), std::move(line));
}

const TariffLine* TariffSchedule::find(std::string_view hs) const {
  // Heterogeneous lookup would avoid this copy; codes are short enough for SSO.
  auto it = lines_.find(hs);
  if (it != lines_.end()) return &it->second;
  if (hs.size() == 10) {
    it = lines_.find(hs.substr(0, 8));
    if (it != lines_.end()) return &it->second;
  }
  return nullptr;
}

void HsList::add(Entry entry) {
  std::string key = entry.prefix;
  entries_.insert_or_assign(std::move(key), std::move(entry));
}

const HsList::Entry* HsList::match(std::string_view hs) const {
  if (entries_.empty()) return nullptr;
  for (size_t length = std::min<size_t>(hs.size(), 10); length >= 2; length -= 2) {
    auto it = entries_.find(hs.substr(0, length));
    if (it != entries_.end()) return &it->second;
  }
  return nullptr;
}

uint64_t ExchangeRates::key(std::string_view currency, Month month) {
  uint64_t k = 0;
  for (char c : currency.substr(0, 3)) k = (k << 8) | static_cast<unsigned char>(c);
  return (k << 24) | static_cast<uint64_t>(month.year * 12 + month.month);
}

void ExchangeRates::set(std::string_view currency, Month month, Rate cny_per_unit) {
  rates_[key(currency, month)] = cny_per_unit;
}

void ExchangeRates::for_each(
    const std::function<void(std::string_view currency, Month, Rate)>& visit) const {
  for (const auto& [k, rate] : rates_) {
    const int months = static_cast<int>(k & 0xFFFFFF);  // year * 12 + month
    char currency[3];
    for (int i = 0; i < 3; ++i) currency[i] = static_cast<char>((k >> (24 + 8 * (2 - i))) & 0xFF);
    visit(std::string_view(currency, 3), Month{(months - 1) / 12, (months - 1) % 12 + 1}, rate);
  }
}

std::optional<Rate> ExchangeRates::find(std::string_view currency, Month month) const {
  auto it = rates_.find(key(currency, month));
  if (it == rates_.end()) return std::nullopt;
  return it->second;
}

std::string_view value_added_formula_text(ValueAddedFormula formula) {
  switch (formula) {
    case ValueAddedFormula::kOverMaterials: return "(S-M-D)/(M+D)";
    case ValueAddedFormula::kOverForeign: return "(S-M)/M";
    case ValueAddedFormula::kOverSale: return "(S-M)/S";
  }
  std::abort();
}

int PolicyVersion::supervision_years(std::string_view hs) const {
  const std::string_view chapter = hs.substr(0, 2);
  for (const SupervisionPeriod& period : supervision_periods) {
    for (const std::string& c : period.chapters) {
      if (c == chapter) return period.years;
    }
  }
  return supervision_years_default;
}

const Channel* PolicyVersion::find_channel(std::string_view channel_id) const {
  for (const Channel& channel : channels) {
    if (channel.id == channel_id) return &channel;
  }
  return nullptr;
}

namespace {
bool listed(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}
}  // namespace

bool Channel::serves_kind(std::string_view kind) const {
  return listed(kinds, kind);
}
bool Channel::serves_direction(std::string_view direction) const {
  return listed(directions, direction);
}
bool Channel::serves_movement(std::string_view movement) const {
  return movements.empty() || listed(movements, movement);
}

RandomRates RiskSettings::random_for(std::string_view grade) const {
  RandomRates rates;
  if (auto it = random.find(grade); it != random.end()) rates = it->second;
  rates.red_ppm = std::max(rates.red_ppm, minimum_random.red_ppm);
  rates.yellow_ppm = std::max(rates.yellow_ppm, minimum_random.yellow_ppm);
  return rates;
}

bool RiskSettings::draws() const {
  if (minimum_random.red_ppm > 0 || minimum_random.yellow_ppm > 0) return true;
  for (const auto& [grade, rates] : random) {
    if (rates.red_ppm > 0 || rates.yellow_ppm > 0) return true;
  }
  return false;
}

const PolicyVersion* PolicyPack::in_force(Date local) const {
  const PolicyVersion* found = nullptr;
  for (const auto& version : versions) {
    if (version->effective_from <= local) found = version.get();
  }
  return found;
}

}  // namespace zg
