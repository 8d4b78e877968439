// The customs engine: applies the contract's commands, in order, to the
// zone's state and answers each with one result (../shared/contract).
//
// Deterministic: reads no clock, no randomness and no files; the policy pack
// is loaded before and only read here. Replaying the same commands gives the
// same state and the same results, byte for byte. (A repeat of a command
// replayed from the journal is answered with the result its row recorded,
// through a ResultReader the durable layer gives it.)
// Not thread-safe: one engine per zone, driven by one thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/json.h"
#include "engine/credentials.h"
#include "engine/state.h"
#include "gate/credential.h"
#include "policy/policy.h"

namespace zg {

inline constexpr uint32_t kItemsMax = 1000;          // item lines per declaration
inline constexpr uint32_t kProcessLinesMax = 1000;   // inputs, outputs, losses, counts
inline constexpr size_t kCommandBytesMax = 1 << 20;  // one command, as JSON

// A command parsed and fingerprinted, ready for the engine. Preparing
// reads no state, so it can run on another thread than the engine's
// (zonegate run does: one thread prepares, the other applies).
struct PreparedCommand {
  int64_t line_number = 0;
  size_t bytes = 0;     // the command's size, as read
  Status parse_status;  // malformed_json when the text is not JSON
  JsonDocument document;
  std::string canonical;                   // the RFC 8785 canonical form (journaled)
  std::array<unsigned char, 32> digest{};  // its SHA-256
  // The door's stamp (stamp_received_at), which `canonical` carries but
  // `document` (the text as sent) does not; "" when not stamped.
  std::string received_at;
};

// Where apply() keeps an accepted command's result, for repeats of it.
enum class ResultKeeping {
  // In the engine's memory: a command answered now, whose journal row may
  // not be written yet (and the engine alone, without a journal).
  kInMemory,
  // In the journal: a row replayed from it, which holds the result already
  // (DataDir::replay keeps its last rows kInMemory all the same). Only the
  // results an inspection needs again (a held declaration's) are kept in
  // memory too.
  kInJournal,
};

// The result recorded in the journal at a sequence number, in its canonical
// form (RFC 8785): the same members and values as the engine's answer.
using ResultReader = std::function<Result<std::string>(uint64_t seq)>;

class Engine {
 public:
  // Parses `command_json` into `out` and computes its digest. Thread-safe:
  // touches nothing but `out`. `out` can be reused (its buffers are kept).
  static void prepare(std::string_view command_json, int64_t line_number, PreparedCommand& out);
  // The same for text that is already canonical (a journaled command): its
  // canonical form is itself, so only parsing and hashing remain.
  static void prepare_canonical(std::string_view canonical_json, int64_t line_number,
                                PreparedCommand& out);
  // Stamps "received_at" (RFC 3339) on a prepared command object, as the
  // HTTP door does: the canonical form (journaled) gains the member; the
  // digest does not change, since a command's identity leaves it out (a
  // client's retry of the same command, received later, is a repeat).
  static void stamp_received_at(PreparedCommand& command, std::string_view received_at);
  // Applies a prepared command and returns its result: valid until the next
  // call, and for the engine's life when kept kInMemory and accepted.
  std::string_view apply(const PreparedCommand& command,
                         ResultKeeping keeping = ResultKeeping::kInMemory);

  explicit Engine(const PolicyPack& pack) : pack_(&pack) {}

  // Executes one command given as JSON text and returns its result as one
  // line of JSON (no newline), valid until the next call. `line_number`
  // (from 1) is reported when the text is not a JSON object, so results
  // pair with input lines.
  std::string_view execute(std::string_view command_json, int64_t line_number) {
    prepare(command_json, line_number, scratch_);
    return apply(scratch_);
  }
  // Whether the last execute() accepted its command (a repeat counts).
  bool last_accepted() const { return last_accepted_; }
  // A rejected result in the contract's form, for a command refused before
  // it reached an engine (an id of "" is written as null, with the line).
  static std::string rejected_result(const Status& status, std::string_view id,
                                     int64_t line_number);
  // The result for a line too large to read (`bytes` long): malformed_json.
  static std::string oversize_result(size_t bytes, int64_t line_number);

  const ZoneState& state() const { return state_; }
  // A hint that about `commands` more commands will follow.
  void reserve(size_t commands) { state_.reserve(commands); }
  const PolicyPack& pack() const { return *pack_; }
  // Decides later commands under another pack (a journal replayed across a
  // pack update). The pack must outlive its use.
  void set_pack(const PolicyPack& pack) { pack_ = &pack; }
  // The zone's key for traveller credentials (enrol_traveller signs with it,
  // traveller_crossing verifies). A durable zone's key lives in its data
  // directory, so a replay signs the same bytes again; without one those
  // commands are refused as unavailable.
  void set_signing_key(std::shared_ptr<const gate::SigningKey> key) {
    signing_key_ = std::move(key);
  }
  const gate::SigningKey* signing_key() const { return signing_key_.get(); }
  // How a repeat of a command kept ResultKeeping::kInJournal gets its
  // result. Without one such a repeat is refused as unavailable.
  void set_result_reader(ResultReader reader) { result_reader_ = std::move(reader); }
  bool has_result_reader() const { return static_cast<bool>(result_reader_); }
  // The result an accepted command got, as `ref` and `seq` (a
  // CommandIndex::Entry's or a DeclarationRecord's) name it: kept in
  // memory, or read back from the journal. Errors: unavailable, or the
  // reader's (io_error, corruption).
  Result<std::string> stored_result(ResultStore::Ref ref, uint64_t seq) const;
  // Whether the last apply() accepted a command new to this zone (not a
  // repeat): the one a durable engine must journal.
  bool last_new() const { return last_new_; }
  // A share in the memory the result of the last new command is kept in
  // (ResultStore::pin), for views of it that outlive its release; null
  // when it was left to the journal.
  std::shared_ptr<const void> last_result_pin() const {
    return state_.results.holds(last_stored_) ? state_.results.pin(last_stored_) : nullptr;
  }
  // Lets go of the results kept in memory of commands older than the
  // latest `keep_latest`, as far as `durable_seq` (the rows committed): a
  // repeat of one reads its row.
  void release_results(uint64_t durable_seq, uint64_t keep_latest) {
    const uint64_t last = state_.last_seq;
    if (last > keep_latest)
      state_.results.release_through(std::min(durable_seq, last - keep_latest));
  }
  // SHA-256 (hex) of the zone's state: enterprises, rates, books and the
  // sequence number, in a canonical order. Equal states, equal hashes.
  std::string state_hash() const;

  // The account book of an enterprise as JSON; not-found when unregistered.
  Result<std::string> book_json(std::string_view uscc) const;

 private:
  friend struct CommandContext;
  friend class SnapshotCodec;  // reads and restores the state (engine/snapshot.h)
  const PolicyPack* pack_;
  bool last_new_ = false;
  ResultStore::Ref last_stored_ = ResultStore::kInJournal;  // the last new command's result
  ZoneState state_;
  std::shared_ptr<const gate::SigningKey> signing_key_;
  ResultReader result_reader_;
  CredentialCache credentials_;  // not state: see engine/credentials.h
  // Buffers reused between commands, so a command allocates little.
  PreparedCommand scratch_;
  std::string body_;
  std::string result_;
  bool last_accepted_ = false;
};

}  // namespace zg
