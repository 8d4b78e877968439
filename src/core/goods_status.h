// What goods are, in the zone (ARCHITECTURE.md, "Goods status").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zg {

enum class GoodsStatus : uint8_t {
  kBonded,    // foreign, taxes suspended
  kExempt,    // foreign, entered tax-free for own use (supervised for years)
  kPaid,      // foreign, taxes paid
  kDomestic,  // from the mainland
  kProduced,  // made in the zone; carries its inputs' foreign and domestic content
};

std::string_view goods_status_name(GoodsStatus status);
std::optional<GoodsStatus> parse_goods_status(std::string_view name);

// Bonded and exempt goods are foreign goods on which no tax has been paid:
// their value is foreign content (M) when they are processed.
inline bool is_untaxed_foreign(GoodsStatus status) {
  return status == GoodsStatus::kBonded || status == GoodsStatus::kExempt;
}

}  // namespace zg
