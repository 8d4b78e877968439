#include "sim/sim_shard.h"

#include <utility>

namespace zg::sim {

uint64_t SimLease::try_acquire(int node) {
  if (live()) return 0;
  ++epoch_;
  holder_ = node;
  expires_ = now_ + ttl_;
  return epoch_;
}

bool SimLease::renew(uint64_t epoch) {
  if (epoch == 0 || epoch != epoch_) return false;
  expires_ = now_ + ttl_;
  return true;
}

void SimLease::release(uint64_t epoch) {
  if (epoch == epoch_) expires_ = now_ - 1;  // already another node's otherwise
}

Status FencedJournal::become_writer(uint64_t epoch) {
  epoch_ = epoch;
  last_seq_ = shared_.last_seq();  // a new owner follows the old one's rows
  return shared_.become_writer(epoch);
}

Status FencedJournal::append(std::span<const JournalEntry> batch) {
  if (batch.empty()) return Status::ok();
  const auto range = [&] {  // for a refusal's message only
    return "seq " + std::to_string(batch.front().seq) + "-" + std::to_string(batch.back().seq);
  };
  // As PostgresJournal's append: the lease first (an unleased writer may
  // write only while no lease runs), then what is stored against what this
  // writer knows.
  const bool deposed = epoch_ != 0 ? epoch_ != lease_.epoch() : lease_.live();
  if (fence_ && deposed) {
    return Status(ErrorCode::kFenced, "",
                  "the lease is at epoch " + std::to_string(lease_.epoch()) +
                      ", this writer held epoch " + std::to_string(epoch_) + ": " + range() +
                      " refused");
  }
  if (shared_.last_seq() != last_seq_) {
    return Status(ErrorCode::kCorruption, "",
                  "the journal holds seq " + std::to_string(shared_.last_seq()) +
                      ", this writer wrote up to " + std::to_string(last_seq_) +
                      ": another writer appended; " + range() + " refused");
  }
  Status status = shared_.append(batch);
  if (!status.is_ok()) return status;
  last_seq_ = batch.back().seq;
  landed_.push_back(LandedAppend{batch.front().seq, batch.back().seq, epoch_, lease_.epoch()});
  return status;
}

std::vector<LandedAppend> FencedJournal::take_landed() {
  return std::exchange(landed_, {});
}

}  // namespace zg::sim
