#include "engine/engine.h"

#include <algorithm>
#include <charconv>

#include "core/sha256.h"
#include "engine/book_json.h"
#include "engine/handlers.h"

namespace zg {
namespace {

// Whether a result read back from the journal answers the command `id`: a
// cheap guard against a row that is not the one its seq should name.
bool is_result_of(std::string_view result, std::string_view id) {
  JsonDocument document;
  if (!document.parse(result).is_ok()) return false;
  const JsonRef answered = document.root().get("id");
  return answered.is_string() && answered.text() == id;
}

// The result of a command that is rejected before it has a usable id.
std::string rejected_line(const Status& status, std::string_view id, bool id_known,
                          int64_t line_number) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  if (id_known) {
    w.field("id", id);
  } else {
    w.key("id").null();
    w.field("line", line_number);
  }
  w.field("status", "rejected");
  w.key("errors").begin_array();
  for (const Error& e : status.errors()) {
    w.begin_object()
        .field("code", error_code_name(e.code))
        .field("field", e.field)
        .field("message", e.message)
        .end_object();
  }
  w.end_array().end_object();
  return out;
}

using Handler = Status (*)(CommandContext&, JsonWriter&);

Handler find_handler(std::string_view type) {
  if (type == "declare") return handle_declare;
  if (type == "register_enterprise") return handle_register_enterprise;
  if (type == "set_rate") return handle_set_rate;
  if (type == "process") return handle_process;
  if (type == "stocktake") return handle_stocktake;
  if (type == "release") return handle_release;
  if (type == "gate_arrival") return handle_gate_arrival;
  if (type == "issue_vehicle_permit") return handle_issue_vehicle_permit;
  if (type == "vehicle_crossing") return handle_vehicle_crossing;
  if (type == "enrol_traveller") return handle_enrol_traveller;
  if (type == "traveller_crossing") return handle_traveller_crossing;
  if (type == "revoke_credential") return handle_revoke_credential;
  if (type == "watch_list") return handle_watch_list;
  if (type == "cosign_tree_head") return handle_cosign_tree_head;
  if (type == "register_partner") return handle_register_partner;
  if (type == "receive_envelope") return handle_receive_envelope;
  if (type == "acknowledge_delivery") return handle_acknowledge_delivery;
  if (type == "share_tree_head") return handle_share_tree_head;
  if (type == "inspection_result") return handle_inspection_result;
  return nullptr;
}

}  // namespace

std::string Engine::oversize_result(size_t bytes, int64_t line_number) {
  return rejected_line(Status(ErrorCode::kMalformedJson, "",
                              "the command is " + std::to_string(bytes) + " bytes; at most " +
                                  std::to_string(kCommandBytesMax) + " are allowed"),
                       "", false, line_number);
}

namespace {

// Stamped by the HTTP door; not part of what the client sent.
constexpr std::string_view kReceivedAt = "received_at";

// A command's identity for idempotency: the SHA-256 of its canonical form
// without "received_at", so the same command received twice is a repeat.
std::array<unsigned char, 32> identity_digest(const PreparedCommand& command) {
  const JsonRef root = command.document.root();
  if (!root.is_object() || !root.get(kReceivedAt).exists()) return sha256(command.canonical);
  std::string without;
  append_canonical_json_with(without, root, kReceivedAt, nullptr);
  return sha256(without);
}

}  // namespace

void Engine::prepare(std::string_view command_json, int64_t line_number, PreparedCommand& out) {
  out.line_number = line_number;
  out.bytes = command_json.size();
  out.received_at.clear();
  if (command_json.size() > kCommandBytesMax) {
    out.parse_status = Status::ok();  // apply() answers by size first
    return;
  }
  out.parse_status = out.document.parse(command_json);
  if (!out.parse_status.is_ok()) return;
  out.canonical.clear();
  append_canonical_json(out.canonical, out.document.root());
  // The journal stores the canonical form, and a replay checks the limit on
  // it: a command whose canonical form is over the limit (numbers such as
  // 1E20 grow) is refused now, or it could never be replayed.
  out.bytes = std::max(out.bytes, out.canonical.size());
  out.digest = identity_digest(out);
}

void Engine::prepare_canonical(std::string_view canonical_json, int64_t line_number,
                               PreparedCommand& out) {
  out.line_number = line_number;
  out.bytes = canonical_json.size();
  out.received_at.clear();
  out.parse_status = out.document.parse(canonical_json);
  if (!out.parse_status.is_ok()) return;
  out.canonical.assign(canonical_json);
  out.digest = identity_digest(out);
}

std::string Engine::rejected_result(const Status& status, std::string_view id,
                                    int64_t line_number) {
  return rejected_line(status, id, !id.empty(), line_number);
}

void Engine::stamp_received_at(PreparedCommand& command, std::string_view received_at) {
  if (!command.parse_status.is_ok() || !command.document.root().is_object()) return;
  command.canonical.clear();
  append_canonical_json_with(command.canonical, command.document.root(), kReceivedAt, &received_at);
  command.bytes = std::max(command.bytes, command.canonical.size());
  command.received_at.assign(received_at);
}

std::string_view Engine::apply(const PreparedCommand& prepared, ResultKeeping keeping) {
  last_accepted_ = false;
  last_new_ = false;
  last_stored_ = ResultStore::kInJournal;
  const int64_t line_number = prepared.line_number;
  if (prepared.bytes > kCommandBytesMax) {
    return result_ = oversize_result(prepared.bytes, line_number);
  }
  if (!prepared.parse_status.is_ok()) {
    return result_ = rejected_line(prepared.parse_status, "", false, line_number);
  }
  const JsonRef command = prepared.document.root();
  if (!command.is_object()) {
    return result_ = rejected_line(Status(ErrorCode::kMalformedJson, "",
                                          "a command is a JSON object, not " +
                                              std::string(json_kind_name(command.kind()))),
                                   "", false, line_number);
  }

  // The id first: every later error is reported against it.
  const JsonRef id_value = command.get("id");
  if (!id_value.exists() || !id_value.is_string() || id_value.text().empty()) {
    const ErrorCode code = id_value.exists() ? ErrorCode::kInvalidField : ErrorCode::kMissingField;
    return result_ = rejected_line(
               Status(code, "id",
                      "id is required: a non-empty string, the command's idempotency key"),
               "", false, line_number);
  }
  const std::string_view id = id_value.text();

  // An id seen before: the same command gets its original result again.
  const auto& digest = prepared.digest;
  if (const CommandIndex::Entry* seen = state_.applied.find(id)) {
    if (seen->digest == digest) {
      if (state_.results.holds(seen->result)) {
        last_accepted_ = true;
        return state_.results.get(seen->result);
      }
      Result<std::string> recorded = stored_result(seen->result, seen->seq);
      if (recorded.is_ok() && !is_result_of(*recorded, id)) {
        recorded = Result<std::string>(ErrorCode::kCorruption, "",
                                       "the journal's row " + std::to_string(seen->seq) +
                                           " is not the result of " + std::string(id));
      }
      if (!recorded.is_ok()) {
        // Nothing changes, so the client may send it again later.
        return result_ = rejected_line(
                   Status(ErrorCode::kUnavailable, "id",
                          "id " + std::string(id) + " was accepted as seq " +
                              std::to_string(seen->seq) + ", and its result cannot be read now (" +
                              recorded.status().first().message +
                              "): send it again, with the same id, later"),
                   id, true, line_number);
      }
      last_accepted_ = true;
      result_ = std::move(recorded).value();
      return result_;
    }
    return result_ = rejected_line(
               Status(ErrorCode::kIdConflict, "id",
                      "id " + std::string(id) + " was already used by a different command"),
               id, true, line_number);
  }

  Status errors;
  Fields fields(command, "", errors);
  const std::string_view type = fields.string("type");
  const std::string_view at_text = fields.string("at");
  Handler handler = nullptr;
  if (!type.empty()) {
    handler = find_handler(type);
    if (handler == nullptr) {
      fields.fail(ErrorCode::kUnknownType, "type",
                  "unknown command type \"" + std::string(type) + "\"");
    }
  }
  Timestamp at{};
  if (!at_text.empty()) {
    Result<Timestamp> parsed_at = parse_rfc3339(at_text);
    if (parsed_at.is_ok()) {
      at = *parsed_at;
    } else {
      fields.fail(ErrorCode::kInvalidField, "at", "at: " + parsed_at.status().first().message);
    }
  }
  if (!errors.is_ok()) return result_ = rejected_line(errors, id, true, line_number);

  CommandContext ctx{state_,
                     *pack_,
                     command,
                     id,
                     at_text,
                     at,
                     local_date(at.unix_seconds, pack_->utc_offset_minutes),
                     state_.last_seq + 1,
                     signing_key_.get(),
                     &credentials_,
                     {}};
  // As journaled: the door's stamp (live), else the command's own member
  // (replay reads the journaled form, where the stamp is a member).
  if (!prepared.received_at.empty()) {
    ctx.received_at = prepared.received_at;
  } else if (const JsonRef stamped = command.get(kReceivedAt); stamped.is_string()) {
    ctx.received_at = stamped.text();
  }
  body_.clear();
  JsonWriter writer(body_);
  Status status = handler(ctx, writer);
  if (!status.is_ok()) return result_ = rejected_line(status, id, true, line_number);
  share_with_partners(ctx, type, body_);

  state_.last_seq = ctx.seq;
  result_.clear();
  JsonWriter w(result_);
  w.begin_object().field("id", id).field("seq", static_cast<int64_t>(ctx.seq));
  w.field("status", "accepted");
  if (!body_.empty()) {
    result_.push_back(',');
    result_.append(body_);
  }
  result_.push_back('}');
  DeclarationRecord* declared = state_.declarations.find(ctx.seq);
  // A held declaration's result is read again by its inspection.
  const bool held = declared != nullptr && declared->has_command;
  const bool keep = keeping == ResultKeeping::kInMemory || held;
  const ResultStore::Ref stored =
      !keep  ? ResultStore::kInJournal
      : held ? state_.results.add(result_)  // its inspection reads it again
             : state_.results.add_recent(result_, ctx.seq);
  last_stored_ = stored;
  if (declared != nullptr) declared->result = stored;  // the declaration's own story
  state_.applied.add(id, digest, ctx.seq, stored);
  last_accepted_ = true;
  last_new_ = true;
  return keep ? state_.results.get(stored) : std::string_view(result_);
}

Result<std::string> Engine::stored_result(ResultStore::Ref ref, uint64_t seq) const {
  if (state_.results.holds(ref)) return std::string(state_.results.get(ref));
  if (!result_reader_) {
    return Result<std::string>(ErrorCode::kUnavailable, "",
                               "the result of seq " + std::to_string(seq) +
                                   " is in the journal, and this engine has none to read");
  }
  return result_reader_(seq);
}

Result<std::string> Engine::book_json(std::string_view uscc) const {
  const Enterprise* enterprise = state_.enterprise(uscc);
  if (enterprise == nullptr) {
    return Result<std::string>(ErrorCode::kUnknownEnterprise, "uscc",
                               "enterprise " + std::string(uscc) + " is not registered");
  }
  return write_book_json(*enterprise, state_.books.at(enterprise->uscc), state_);
}

}  // namespace zg

namespace zg {

namespace {

// A book's text goes into the state hash in pieces of this size.
constexpr size_t kBookPieceBytes = size_t{1} << 16;

// The gates' records in a canonical order (the maps by key are unordered).
void hash_gates(Sha256& hash, const GateState& g) {
  // With the key each permit is found by, so a state that keys a permit
  // otherwise (one read back wrongly) hashes otherwise.
  std::vector<std::pair<std::string_view, const gate::VehiclePermit*>> permits;
  for (const auto& [key, permit] : g.permits) permits.emplace_back(key, &permit);
  std::sort(permits.begin(), permits.end());
  for (const auto& [key, p] : permits) {
    std::string line = "permit " + std::string(key) + " " + p->plate + " " + p->number + " " +
                       std::to_string(p->seq) + " " + p->owner + " " + format_date(p->valid_from) +
                       " " + format_date(p->valid_until) + " " + format_date(p->insurance_until);
    for (const std::string& driver : p->drivers) line += " " + driver;
    hash.update(line + "\n");
  }
  for (const auto& [month, count] : g.permits_by_month) {
    hash.update("quota " + format_month(month) + " " + std::to_string(count) + "\n");
  }
  std::vector<const Traveller*> travellers;
  for (const auto& [id, traveller] : g.travellers) travellers.push_back(&traveller);
  std::sort(travellers.begin(), travellers.end(),
            [](const auto* a, const auto* b) { return a->id < b->id; });
  for (const Traveller* t : travellers) {
    std::string line =
        "traveller " + t->id + " " + t->document_key + " " + format_date(t->birth_date) + " " +
        format_date(t->valid_until) + " " + t->biometric_ref + " " +
        std::to_string(t->credential_seq) + " " + std::to_string(t->revoked_through_seq) +
        (t->watch_listed ? " watched " : " ") + t->watch_reason + (t->inside ? " inside" : "");
    for (const std::string& category : t->categories) line += " " + category;
    hash.update(line + "\n");
  }
  for (const auto& [key, hour] : g.crossings) {
    hash.update("crossings " + key.first + " " + std::to_string(key.second) + " " +
                std::to_string(hour.open) + " " + std::to_string(hour.stopped) + "\n");
  }
  hash.update("travellers " + std::to_string(g.traveller_open) + " " +
              std::to_string(g.traveller_referred) + "\n");
}

// A declaration's gate events as a line of the state hash; "" when it has
// none, so a zone without gate events hashes as it did before they were kept.
std::string gate_events_text(const GateEventLog& log) {
  if (log.total() == 0) return "";
  std::string text = "gate_events " + std::to_string(log.earlier);
  for (const DeclarationGateEvent& event : log.latest) {
    // The command id's length first: ids are the sender's text.
    text += " " + std::to_string(event.seq) + "@" + std::to_string(event.at.unix_seconds) + "/" +
            std::to_string(event.at.offset_minutes) + " " + std::to_string(event.command.size()) +
            ":" + event.command + " " + *event.channel + " " +
            std::string(gate::direction_name(event.direction)) + " " +
            (event.open ? "open" : "held") + " " + (event.reasons != nullptr ? *event.reasons : "");
  }
  return text + "\n";
}

// A line per declaration (and its gate events, if any), built in one
// buffer: a zone has millions.
void hash_declarations(Sha256& hash, const ZoneState& state) {
  std::string line;
  const auto number = [&line](auto value) {
    char digits[24];
    line.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  };
  const auto text = [&line](const std::string* value) {
    if (value != nullptr) line.append(*value);
  };
  for (const DeclarationRecord& d : state.declarations) {
    if (d.seq == 0) continue;
    line.clear();
    number(d.seq);
    line.push_back(' ');
    line.append(movement_name(d.movement));
    if (d.held) line.append(" held");
    line.push_back(' ');
    number(d.gross_e4);
    line.push_back(' ');
    text(d.channel);
    for (const int64_t at : {d.lodged_at, d.released_at, d.arrived_at, d.crossed_at}) {
      line.push_back(' ');
      number(at);
    }
    line.push_back(' ');
    text(d.crossed_channel);
    line.push_back(' ');
    text(d.lane_reasons);
    line.push_back(' ');
    number(static_cast<int>(d.finding));
    for (const Money m : {d.totals.customs_value, d.totals.duty, d.totals.consumption_tax,
                          d.totals.vat, d.totals.refund}) {
      line.push_back(' ');
      number(m.fen);
    }
    if (d.has_command) {
      line.push_back(' ');
      line.append(to_hex(sha256(state.results.get(d.command))));
    }
    line.push_back('\n');
    hash.update(line);
    hash.update(gate_events_text(d.gate_events));
  }
}

}  // namespace

std::string Engine::state_hash() const {
  // Sorted views of the unordered maps, so the hash does not depend on
  // hashing order.
  std::vector<const Enterprise*> enterprises;
  for (const auto& [uscc, enterprise] : state_.enterprises) enterprises.push_back(&enterprise);
  std::sort(enterprises.begin(), enterprises.end(),
            [](const Enterprise* a, const Enterprise* b) { return a->uscc < b->uscc; });
  std::vector<std::pair<std::string, RateOverride>> rates(state_.rate_overrides.begin(),
                                                          state_.rate_overrides.end());
  std::sort(rates.begin(), rates.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Sha256 hash;
  hash.update("seq " + std::to_string(state_.last_seq) + "\n");
  std::string piece;  // of a book's text: a big one is many megabytes
  piece.reserve(kBookPieceBytes + 4096);
  for (const Enterprise* e : enterprises) {
    std::string record;
    JsonWriter w(record);
    w.begin_object()
        .field("uscc", e->uscc)
        .field("name", e->name)
        .field_bool("legal_person", e->facts.legal_person)
        .field_bool("registered_in_zone", e->facts.registered_in_zone)
        .field_bool("duty_free_importer", e->facts.duty_free_importer)
        .field_bool("encouraged_industry", e->facts.encouraged_industry)
        .field_bool("refund_eligible", e->facts.refund_eligible)
        .field_bool("macao_funded", e->macao_funded)
        .field_bool("high_tech", e->high_tech)
        .field("credit_grade", e->credit_grade)
        .field("registered_seq", static_cast<int64_t>(e->registered_seq))
        .field("updated_seq", static_cast<int64_t>(e->updated_seq))
        .end_object();
    hash.update(record);
    piece.clear();
    write_book_json(*e, state_.books.at(e->uscc), state_, piece, kBookPieceBytes,
                    [&hash](std::string& full) {
                      hash.update(full);
                      full.clear();
                    });
    hash.update(piece);
    hash.update("\n");
  }
  for (const auto& [key, rate] : rates) {
    hash.update(key + " " + std::to_string(rate.cny_per_unit.ppm) + " " + std::to_string(rate.seq) +
                "\n");
  }
  hash_declarations(hash, state_);
  hash_gates(hash, state_.gates);
  hash.update(state_.risk.digest_text());
  std::vector<const ZoneState::Partner*> partners;
  for (const auto& [id, partner] : state_.partners) partners.push_back(&partner);
  std::sort(partners.begin(), partners.end(),
            [](const auto* a, const auto* b) { return a->id < b->id; });
  for (const ZoneState::Partner* p : partners) {
    // Lengths first: ids and names are the partners' text and may hold spaces.
    std::string line = "partner " + std::to_string(p->id.size()) + ":" + p->id + " " +
                       std::to_string(p->name.size()) + ":" + p->name;
    for (const ZoneState::PartnerKey& k : p->keys) {
      line += " " + audit::bytes_hex(k.sign.data(), k.sign.size()) + ":" +
              audit::bytes_hex(k.box.data(), k.box.size()) + "@" + std::to_string(k.from_seq);
    }
    line += " " + std::to_string(p->inbox.size()) + ":" + p->inbox;
    for (const auto& [id, digest] : p->received) {
      line +=
          " " + std::to_string(id.size()) + ":" + id + "=" +
          audit::bytes_hex(reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    }
    hash.update(line + "\n");
  }
  for (const auto& [key, m] : state_.outbox) {
    std::string line = "outbox " + std::to_string(m.seq);
    for (const std::string* text : {&m.partner, &m.id, &m.kind, &m.at, &m.body}) {
      line += " " + std::to_string(text->size()) + ":" + *text;
    }
    hash.update(line + "\n");
  }
  hash.update("delivered " + std::to_string(state_.messages_delivered) + " shared head " +
              std::to_string(state_.shared_head_size) + "@" +
              std::to_string(state_.shared_head_seq) + "\n");
  for (const auto& [size, cosigned] : state_.cosignatures) {
    hash.update("cosigned " + std::to_string(size) + " " + audit::hash_hex(cosigned.root) + " " +
                std::to_string(cosigned.timestamp_ms) + "\n");
    for (const audit::Cosignature& c : cosigned.cosignatures) {
      hash.update("cosignature " + std::to_string(size) + " " +
                  audit::bytes_hex(c.witness.data(), c.witness.size()) + " " +
                  audit::bytes_hex(c.signature.data(), c.signature.size()) + "\n");
    }
  }
  return to_hex(hash.finish());
}

}  // namespace zg
