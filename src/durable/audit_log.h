// The zone's audit log: the Merkle tree over its journal (audit/merkle.h),
// kept in step with every commit, and signed tree heads (audit/tree_head.h)
// stored in the journal's database.
//
// The committer feeds it each committed group; it signs a new tree head when
// `interval_ms` has passed since the last one (a head a commit would cost an
// fsync and a row a millisecond under load), and when asked (sign_now: at the
// end of a run, when a server stops). Opening checks the newest stored head
// against the tree rebuilt from the journal, so a rewritten journal stops the
// zone instead of being signed again.
// Thread-safe: the committer appends while readers take proofs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "audit/merkle.h"
#include "audit/tree_head.h"
#include "store/journal_store.h"

namespace zg {

class AuditLog {
 public:
  // Reads the journal's leaf hashes into the tree.
  static Result<std::unique_ptr<AuditLog>> open(JournalStore& journal,
                                                std::shared_ptr<const gate::SigningKey> key,
                                                std::string zone, int64_t interval_ms);

  // After a commit: the group's leaves; signs a head if the interval passed.
  Status committed(std::span<const JournalEntry> rows, int64_t now_ms);
  // A standby: a row its owner committed (no head is signed: only the
  // owner signs), and the heads the owner stored, read again.
  void followed(const Digest& leaf);
  Status read_heads();
  // Reads the journal's leaves after the log's last into it (a deposed
  // owner whose state was rebuilt from a journal that went on without it).
  Status catch_up();
  // Signs and stores a head for the whole journal now (unless one exists).
  Result<audit::TreeHead> sign_now(int64_t now_ms);

  uint64_t size() const;
  audit::Hash root(uint64_t size) const;
  Result<std::vector<audit::Hash>> inclusion_proof(uint64_t index, uint64_t size) const;
  Result<std::vector<audit::Hash>> consistency_proof(uint64_t size1, uint64_t size2) const;
  audit::Hash leaf(uint64_t index) const;
  // The stored heads, oldest first (kept in memory: readers on other
  // threads never touch the journal's connection).
  std::vector<audit::TreeHead> tree_heads() const;
  // Up to `limit` heads of a larger size than `size`, oldest first.
  std::vector<audit::TreeHead> tree_heads_after(uint64_t size, size_t limit) const;
  std::optional<audit::TreeHead> tree_head_of_size(uint64_t size) const;
  // The newest head, if any.
  std::optional<audit::TreeHead> latest_tree_head() const;
  // The zone's public key (all zeros when it has no key).
  gate::PublicKey public_key() const;
  const std::string& zone() const { return zone_; }

 private:
  AuditLog(JournalStore& journal, std::shared_ptr<const gate::SigningKey> key, std::string zone,
           int64_t interval_ms)
      : journal_(journal),
        key_(std::move(key)),
        zone_(std::move(zone)),
        interval_ms_(interval_ms) {}
  Result<audit::TreeHead> sign_locked(int64_t now_ms);

  JournalStore& journal_;
  std::shared_ptr<const gate::SigningKey> key_;
  std::string zone_;
  int64_t interval_ms_;
  mutable std::mutex mutex_;
  audit::MerkleTree tree_;
  std::vector<audit::TreeHead> heads_;
  uint64_t signed_size_ = 0;
  int64_t signed_at_ms_ = 0;
  bool signed_once_ = false;  // since this process opened the log
  std::chrono::steady_clock::time_point last_signed_{};
};

// Milliseconds since the epoch, for tree heads (the engine never reads a clock).
int64_t wall_clock_ms();

}  // namespace zg
