#include "sim/sim_shard.h"

namespace zg::sim {

uint64_t SimLease::try_acquire(int node, int64_t now) {
  if (live(now)) return 0;
  ++epoch_;
  holder_ = node;
  expires_ = now + ttl_;
  return epoch_;
}

bool SimLease::renew(uint64_t epoch, int64_t now) {
  if (epoch == 0 || epoch != epoch_ || holder_ < 0) return false;
  expires_ = now + ttl_;
  return true;
}

void SimLease::release(uint64_t epoch) {
  if (epoch != epoch_) return;  // already another node's
  holder_ = -1;
  expires_ = 0;
}

Status FencedJournal::append(std::span<const JournalEntry> batch) {
  // As PostgresJournal's append: the lease is checked before the rows go
  // in, and an unleased writer (epoch 0) may write only while nobody holds it.
  const bool deposed = epoch_ != 0 ? epoch_ != lease_.epoch() : lease_.holder() >= 0;
  if (fence_ && deposed && !batch.empty()) {
    return Status(ErrorCode::kFenced, "",
                  "the lease is at epoch " + std::to_string(lease_.epoch()) +
                      ", this writer held epoch " + std::to_string(epoch_) + ": seq " +
                      std::to_string(batch.front().seq) + "-" + std::to_string(batch.back().seq) +
                      " refused");
  }
  return shared_.append(batch);
}

}  // namespace zg::sim
