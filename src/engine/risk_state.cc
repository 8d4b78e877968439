#include "engine/risk_state.h"

#include <algorithm>
#include <utility>

namespace zg {

void RiskState::UnitValues::trim(size_t capacity) {
  if (recent.size() != capacity && next != 0) {
    std::rotate(recent.begin(), recent.begin() + next, recent.end());
    next = 0;
  }
  if (recent.size() > capacity) {
    recent.erase(recent.begin(), recent.end() - static_cast<std::ptrdiff_t>(capacity));
  }
}

void RiskState::UnitValues::add(int64_t value, size_t capacity) {
  if (capacity == 0) return;
  trim(capacity);
  if (recent.size() < capacity) {
    recent.push_back(value);
    return;
  }
  recent[next] = value;  // over the oldest
  next = static_cast<uint32_t>((next + 1) % capacity);
}

int64_t RiskState::UnitValues::median() const {
  std::vector<int64_t> sorted = recent;
  const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>((sorted.size() - 1) / 2);
  std::nth_element(sorted.begin(), middle, sorted.end());
  return *middle;
}

std::string RiskState::digest_text() const {
  std::string out =
      "risk used " + std::to_string(used_ppm[0]) + " " + std::to_string(used_ppm[1]) + " lanes";
  for (uint64_t n : lanes) out += " " + std::to_string(n);
  out += "\n";
  for (const auto& [reason, h] : hits) {
    out += "hits " + reason + " " + std::to_string(h.hits) + " " + std::to_string(h.over_capacity) +
           "\n";
  }
  std::vector<const std::pair<const std::string, UnitValues>*> goods;
  for (const auto& entry : unit_values) goods.push_back(&entry);
  std::sort(goods.begin(), goods.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* entry : goods) {
    out += "unit-values " + entry->first + " @" + std::to_string(entry->second.next);
    for (int64_t v : entry->second.recent) out += " " + std::to_string(v);
    out += "\n";
  }
  std::vector<std::pair<std::string, Findings>> declarants(findings.begin(), findings.end());
  std::sort(declarants.begin(), declarants.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [uscc, f] : declarants) {
    out += "findings " + uscc + " " + std::to_string(f.inspections) + " " +
           std::to_string(f.discrepancies) + "\n";
  }
  return out;
}

}  // namespace zg
