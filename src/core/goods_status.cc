#include "core/goods_status.h"

#include <cstdlib>

namespace zg {

std::string_view goods_status_name(GoodsStatus status) {
  switch (status) {
    case GoodsStatus::kBonded: return "bonded";
    case GoodsStatus::kExempt: return "exempt";
    case GoodsStatus::kPaid: return "paid";
    case GoodsStatus::kDomestic: return "domestic";
    case GoodsStatus::kProduced: return "produced";
  }
  std::abort();
}

std::optional<GoodsStatus> parse_goods_status(std::string_view name) {
  for (GoodsStatus s : {GoodsStatus::kBonded, GoodsStatus::kExempt, GoodsStatus::kPaid,
                        GoodsStatus::kDomestic, GoodsStatus::kProduced}) {
    if (goods_status_name(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace zg
