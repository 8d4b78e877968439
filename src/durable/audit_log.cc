#include "durable/audit_log.h"

#include <algorithm>
#include <chrono>

namespace zg {

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(JournalStore& journal,
                                                 std::shared_ptr<const gate::SigningKey> key,
                                                 std::string zone, int64_t interval_ms) {
  auto log = std::unique_ptr<AuditLog>(
      new AuditLog(journal, std::move(key), std::move(zone), interval_ms));
  log->tree_.reserve(journal.last_seq());
  uint64_t expected = 1;
  Status read = journal.read_leaves(1, [&](uint64_t seq, const Digest& leaf) -> Status {
    if (seq != expected++) {
      return Status(ErrorCode::kCorruption, "",
                    "journal seq " + std::to_string(seq) + " follows " +
                        std::to_string(expected - 2) + ": the log has a gap");
    }
    log->tree_.append(leaf);
    return Status::ok();
  });
  if (!read.is_ok()) return read;
  Status heads = log->read_heads();
  if (!heads.is_ok()) return heads;
  // The heads name the zone they were first signed for (kept in the journal's
  // meta), not whichever pack decides now.
  Result<std::string> recorded_zone = journal.get_meta("audit_zone");
  if (!recorded_zone.is_ok()) return recorded_zone.status();
  if (recorded_zone->empty()) {
    Status put = journal.put_meta("audit_zone", log->zone_);
    if (!put.is_ok()) return put;
  } else {
    log->zone_ = *recorded_zone;
  }
  for (audit::TreeHead& head : log->heads_) head.zone = log->zone_;
  // A journal rewritten on disk (rows and leaf hashes made to fit) would
  // otherwise be signed again as if nothing happened: the newest head must
  // match the tree rebuilt from the rows. (`zonegate verify` checks them all.)
  if (!log->heads_.empty()) {
    const audit::TreeHead& newest = log->heads_.back();
    if (newest.size > log->tree_.size() || log->tree_.root(newest.size) != newest.root) {
      return Status(
          ErrorCode::kCorruption, "",
          "the journal no longer matches its signed tree head of size " +
              std::to_string(newest.size) + " (the journal's root is " +
              (newest.size > log->tree_.size() ? std::string("missing: it has only ") +
                                                     std::to_string(log->tree_.size()) + " rows"
                                               : audit::hash_hex(log->tree_.root(newest.size))) +
              ", the signed root " + audit::hash_hex(newest.root) +
              "): rows were changed or removed");
    }
  }
  return log;
}

Status AuditLog::read_heads() {
  std::vector<audit::TreeHead> heads;
  uint64_t signed_size = 0;
  int64_t signed_at_ms = 0;
  Status read = journal_.read_tree_heads([&](const StoredTreeHead& head) {
    signed_size = std::max(signed_size, head.size);
    signed_at_ms = std::max(signed_at_ms, head.timestamp_ms);
    heads.push_back(audit::from_stored(head, zone_));
    return Status::ok();
  });
  if (!read.is_ok()) return read;
  std::lock_guard lock(mutex_);
  heads_ = std::move(heads);
  signed_size_ = signed_size;
  signed_at_ms_ = signed_at_ms;
  return Status::ok();
}

Status AuditLog::catch_up() {
  const uint64_t from = size() + 1;
  std::vector<Digest> leaves;
  uint64_t expected = from;
  Status read = journal_.read_leaves(from, [&](uint64_t seq, const Digest& leaf) -> Status {
    if (seq != expected++) {
      return Status(ErrorCode::kCorruption, "",
                    "journal seq " + std::to_string(seq) + " follows " +
                        std::to_string(expected - 2) + ": the log has a gap");
    }
    leaves.push_back(leaf);
    return Status::ok();
  });
  if (!read.is_ok()) return read;
  std::lock_guard lock(mutex_);
  if (tree_.size() + 1 != from) return Status::ok();  // someone added meanwhile: theirs stands
  for (const Digest& leaf : leaves) tree_.append(leaf);
  return Status::ok();
}

void AuditLog::followed(const Digest& leaf) {
  std::lock_guard lock(mutex_);
  tree_.append(leaf);
}

Status AuditLog::committed(std::span<const JournalEntry> rows, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  for (const JournalEntry& row : rows) tree_.append(row.leaf_hash);
  // The interval runs on the steady clock: a wall clock set forward once
  // must not stop the heads until real time catches up.
  const auto now = std::chrono::steady_clock::now();
  if (key_ == nullptr ||
      (signed_once_ && now - last_signed_ < std::chrono::milliseconds(interval_ms_))) {
    return Status::ok();
  }
  Result<audit::TreeHead> head = sign_locked(now_ms);
  if (head.is_ok()) {
    signed_once_ = true;
    last_signed_ = now;
  }
  return head.is_ok() ? Status::ok() : head.status();
}

Result<audit::TreeHead> AuditLog::sign_now(int64_t now_ms) {
  std::lock_guard lock(mutex_);
  return sign_locked(now_ms);
}

Result<audit::TreeHead> AuditLog::sign_locked(int64_t now_ms) {
  if (key_ == nullptr) {
    return Result<audit::TreeHead>(ErrorCode::kUnavailable, "",
                                   "this zone has no signing key, so it cannot sign tree heads");
  }
  const uint64_t size = tree_.size();
  const audit::TreeHead head = audit::sign_tree_head(*key_, zone_, size, tree_.root(), now_ms);
  if (size > signed_size_ || (size > 0 && heads_.empty())) {
    Status stored = journal_.append_tree_head(audit::to_stored(head));
    if (!stored.is_ok()) return stored;
    signed_size_ = size;
    heads_.push_back(head);
  }
  signed_at_ms_ = now_ms;
  return head;
}

uint64_t AuditLog::size() const {
  std::lock_guard lock(mutex_);
  return tree_.size();
}

audit::Hash AuditLog::root(uint64_t size) const {
  std::lock_guard lock(mutex_);
  return tree_.root(std::min(size, tree_.size()));  // callers check the size first
}

audit::Hash AuditLog::leaf(uint64_t index) const {
  std::lock_guard lock(mutex_);
  return index < tree_.size() ? tree_.leaf(index) : audit::Hash{};
}

Result<std::vector<audit::Hash>> AuditLog::inclusion_proof(uint64_t index, uint64_t size) const {
  std::lock_guard lock(mutex_);
  return tree_.inclusion_proof(index, size);
}

Result<std::vector<audit::Hash>> AuditLog::consistency_proof(uint64_t size1, uint64_t size2) const {
  std::lock_guard lock(mutex_);
  return tree_.consistency_proof(size1, size2);
}

std::vector<audit::TreeHead> AuditLog::tree_heads() const {
  std::lock_guard lock(mutex_);
  return heads_;
}

std::vector<audit::TreeHead> AuditLog::tree_heads_after(uint64_t size, size_t limit) const {
  std::lock_guard lock(mutex_);
  auto it = std::upper_bound(heads_.begin(), heads_.end(), size,
                             [](uint64_t s, const audit::TreeHead& h) { return s < h.size; });
  std::vector<audit::TreeHead> out;
  for (; it != heads_.end() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

std::optional<audit::TreeHead> AuditLog::tree_head_of_size(uint64_t size) const {
  std::lock_guard lock(mutex_);
  auto it = std::lower_bound(heads_.begin(), heads_.end(), size,
                             [](const audit::TreeHead& h, uint64_t s) { return h.size < s; });
  if (it == heads_.end() || it->size != size) return std::nullopt;
  return *it;
}

std::optional<audit::TreeHead> AuditLog::latest_tree_head() const {
  std::lock_guard lock(mutex_);
  if (heads_.empty()) return std::nullopt;
  return heads_.back();
}

gate::PublicKey AuditLog::public_key() const {
  return key_ != nullptr ? key_->public_key() : gate::PublicKey{};
}

}  // namespace zg
