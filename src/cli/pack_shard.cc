// The pack names its zone's shard: `--store postgresql://…` without
// `?shard=` puts a new zone in the schema named after the pack's zone id
// (policies/hengqin: shard "hengqin"), so zones of one database keep apart
// without anyone having to name them.
#include "cli/commands.h"
#include "policy/pack_loader.h"
#include "store/store_spec.h"

namespace zg::cli {

std::string store_named_by_pack(const std::string& store, const std::string& pack_dir) {
  if (store.empty() || pack_dir.empty()) return store;
  Result<PolicyPack> pack = load_policy_pack(pack_dir);
  if (!pack.is_ok()) return store;  // the command reports the pack's errors itself
  return with_default_shard(store, pack->zone_id);
}

}  // namespace zg::cli
