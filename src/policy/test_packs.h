// The shared policy packs, loaded once for the unit tests that run the
// engine or the simulator under the real Hengqin pack.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "policy/pack_loader.h"

namespace zg::testing_packs {

inline const PolicyPack& hengqin() {
  static const PolicyPack pack = [] {
    Result<PolicyPack> loaded = load_policy_pack(std::string(ZG_SOURCE_DIR) + "/policies/hengqin");
    EXPECT_TRUE(loaded.is_ok());
    return std::move(loaded).value();
  }();
  return pack;
}

}  // namespace zg::testing_packs
