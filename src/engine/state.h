// The zone's state: a pure function of the accepted commands, in order.
//
// Owned by the Engine; single-threaded (one writer per zone).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "assess/treatment.h"
#include "core/decimal.h"
#include "engine/result_store.h"
#include "ledger/book.h"

namespace zg {

struct Enterprise {
  std::string uscc;
  std::string name;
  EnterpriseFacts facts;
  bool macao_funded = false;
  bool high_tech = false;
  std::string credit_grade;  // advanced, general, dishonest
  uint64_t registered_seq = 0;
};

// A set_rate, in force from its sequence number on.
struct RateOverride {
  Rate cny_per_unit;
  uint64_t seq = 0;
};

struct DeclarationRecord {
  std::string number;
  uint64_t seq = 0;
  std::string command_id;
  std::string declarant;
  Movement movement = Movement::kFirstLineEntry;
  std::string lane;
  std::string release;
};

// What an accepted command answered, kept for idempotent repeats.
struct AppliedCommand {
  std::array<unsigned char, 32> digest;  // SHA-256 of the command's canonical JSON
  ResultStore::Ref result;
};

struct ZoneState {
  uint64_t last_seq = 0;
  std::unordered_map<std::string, Enterprise> enterprises;
  std::unordered_map<std::string, Book> books;
  std::unordered_map<std::string, RateOverride> rate_overrides;  // "USD 2024-05"
  std::unordered_map<std::string, DeclarationRecord> declarations;
  std::unordered_map<std::string, AppliedCommand> applied;  // by command id
  ResultStore results;

  const Enterprise* enterprise(std::string_view uscc) const {
    auto it = enterprises.find(std::string(uscc));
    return it == enterprises.end() ? nullptr : &it->second;
  }
};

}  // namespace zg
