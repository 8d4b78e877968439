// Exchange partners and the envelopes they send (docs/exchange.md).
//
// register_partner records a partner's public keys (registering again
// rotates them: the new keys apply from that command on, and the journal
// keeps every message opened under the keys of its day). receive_envelope
// opens a partner's envelope with the zone's key — the zone's Ed25519 key
// converted to X25519 — checks the sender's signature, the recipient, the
// time and that the id is new, and records the message: the sealed envelope
// is the journaled command, the opened body is in the result.

#include <algorithm>

#include "audit/tree_head.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "engine/handlers.h"
#include "exchange/envelope.h"

namespace zg {
namespace {

bool valid_party_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == std::string::npos;
}

// Below p = 2^255 - 19 with the top bit clear: the one spelling of a key.
bool canonical_x25519(const std::array<unsigned char, 32>& key) {
  if ((key[31] & 0x80) != 0) return false;
  if (key[31] != 0x7f) return true;
  for (size_t i = 30; i >= 1; --i) {
    if (key[i] != 0xff) return true;
  }
  return key[0] < 0xed;
}

}  // namespace

std::string zone_party_name(const PolicyPack& pack) {
  std::string name = pack.zone_id;
  for (char& c : name) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return name;
}

Status handle_register_partner(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::string_view id = f.string("partner");
  const std::string_view name = f.string("name");
  const std::string_view sign_hex = f.string("sign_key");
  const std::string_view box_hex = f.string("box_key");
  if (!id.empty() && !valid_party_id(id)) {
    f.fail(ErrorCode::kInvalidField, "partner",
           "partner is 1 to 64 characters of A-Z, 0-9, '-', '_', '.'");
  }
  if (name.size() > 200) f.fail(ErrorCode::kInvalidField, "name", "name is over 200 bytes");
  // Where the courier delivers the zone's messages: plain HTTP, since the
  // envelope is sealed and signed already.
  const std::string_view inbox = f.string("inbox", false);
  if (!inbox.empty() && !exchange::parse_inbox_address(inbox)) {
    f.fail(ErrorCode::kInvalidField, "inbox",
           "inbox is an http://HOST:PORT/PATH address (at most 256 bytes, no spaces)");
  }
  ZoneState::PartnerKey key;
  key.from_seq = ctx.seq;
  if (!sign_hex.empty()) {
    Result<gate::PublicKey> sign = audit::parse_public_key(sign_hex);
    if (sign.is_ok()) {
      key.sign = *sign;
    } else {
      f.fail(ErrorCode::kInvalidField, "sign_key", "sign_key: " + sign.status().first().message);
    }
  }
  if (!box_hex.empty()) {
    Result<gate::PublicKey> box = audit::parse_public_key(box_hex);
    if (box.is_ok() && !canonical_x25519(*box)) {
      // X25519 ignores the top bit and reduces mod p, so one key has other
      // spellings: only the canonical one is taken, so "another partner's
      // key" cannot be dodged by re-spelling it.
      f.fail(ErrorCode::kInvalidField, "box_key", "box_key is not in canonical form");
    } else if (box.is_ok()) {
      key.box = *box;
    } else {
      f.fail(ErrorCode::kInvalidField, "box_key", "box_key: " + box.status().first().message);
    }
  }
  if (!errors.is_ok()) return errors;
  if (id == zone_party_name(ctx.pack)) {
    return Status(ErrorCode::kInvalidField, "partner", "the zone cannot be its own partner");
  }
  // A box key libsodium refuses (small order) would make a "shared" key
  // everyone knows; libsodium refuses it whatever the secret half.
  if (!exchange::shared_key(ctx.signing_key != nullptr ? ctx.signing_key->box_secret_key()
                                                       : exchange::BoxSecretKey{1},
                            key.box)
           .is_ok()) {
    return Status(ErrorCode::kInvalidField, "box_key", "box_key is not a usable X25519 public key");
  }
  // One party, one set of keys: another partner's key would let it pass as
  // that partner.
  for (const auto& [other_id, other] : ctx.state.partners) {
    if (other_id == id) continue;
    for (const ZoneState::PartnerKey& k : other.keys) {
      if (k.sign == key.sign || k.box == key.box) {
        return Status(ErrorCode::kInvalidField, k.sign == key.sign ? "sign_key" : "box_key",
                      "that key is partner " + other_id + "'s");
      }
    }
  }
  ZoneState::Partner& partner = ctx.state.partners[std::string(id)];
  partner.id = std::string(id);
  partner.name = std::string(name);
  partner.inbox = std::string(inbox);
  partner.keys.push_back(key);
  out.field("partner", id);
  out.field("key_version", static_cast<int64_t>(partner.keys.size()));
  return Status::ok();
}

Status handle_receive_envelope(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const PolicyVersion* policy = policy_in_force(ctx, errors);
  const JsonRef value = ctx.command.get("envelope");
  if (!value.exists()) {
    f.fail(ErrorCode::kMissingField, "envelope", "envelope is required");
  } else if (!value.is_object()) {
    f.fail(ErrorCode::kInvalidField, "envelope", "envelope must be an object");
  }
  if (!errors.is_ok()) return errors;
  if (ctx.signing_key == nullptr) {
    return Status(ErrorCode::kUnavailable, "", "this zone has no key, so it cannot open envelopes");
  }
  std::string envelope;
  append_canonical_json(envelope, value);
  Result<exchange::Opened> header = exchange::peek(envelope);
  if (!header.is_ok())
    return Status(ErrorCode::kInvalidField, "envelope", header.status().first().message);
  const auto partner_it = ctx.state.partners.find(header->from);
  if (partner_it == ctx.state.partners.end()) {
    return Status(ErrorCode::kInvalidField, "envelope.from",
                  "no partner " + header->from.substr(0, 64) + " is registered");
  }
  ZoneState::Partner& partner = partner_it->second;
  const ZoneState::PartnerKey& key = partner.keys.back();  // only the current keys
  exchange::PartyPublic sender{partner.id, key.sign, key.box};
  exchange::PartyPublic zone{zone_party_name(ctx.pack), ctx.signing_key->public_key(),
                             ctx.signing_key->box_public_key()};
  Result<exchange::SharedKey> shared =
      exchange::shared_key(ctx.signing_key->box_secret_key(), key.box);
  if (!shared.is_ok())
    return Status(ErrorCode::kInvalidField, "envelope", shared.status().first().message);
  Result<exchange::Opened> opened = exchange::open(envelope, sender, zone, *shared);
  if (!opened.is_ok()) {
    return Status(ErrorCode::kInvalidField, "envelope", opened.status().first().message);
  }
  Result<Timestamp> at = parse_rfc3339(opened->at);
  if (!at.is_ok()) return Status(ErrorCode::kInvalidField, "envelope.at", "at is not RFC 3339");
  // Measured from when the zone received it: the HTTP door's received_at
  // (journaled, so replay decides the same), else the command's own at.
  int64_t received = ctx.at.unix_seconds;
  if (!ctx.received_at.empty()) {
    if (Result<Timestamp> t = parse_rfc3339(ctx.received_at); t.is_ok()) received = t->unix_seconds;
  }
  const int64_t window = policy->exchange_window_seconds;
  if (at->unix_seconds < received - window || at->unix_seconds > received + window) {
    return Status(ErrorCode::kInvalidField, "envelope.at",
                  "the envelope is dated " + opened->at + ", more than " + std::to_string(window) +
                      " s from its receipt");
  }
  JsonDocument body;
  if (!body.parse(opened->body).is_ok()) {
    return Status(ErrorCode::kInvalidField, "envelope", "the body is not JSON");
  }
  std::string canonical;  // the body as RFC 8785 JSON, as every result is
  append_canonical_json(canonical, body.root());
  const Digest digest = exchange::message_content(opened->kind, canonical);
  const std::string content(reinterpret_cast<const char*>(digest.data()), digest.size());
  // A sender retries until it hears an acknowledgement, sealing afresh each
  // time: the same message again is acknowledged and not applied twice;
  // something else under a used id is refused.
  const auto seen = partner.received.find(opened->id);
  if (seen != partner.received.end() && seen->second != content) {
    return Status(ErrorCode::kInvalidState, "envelope.id",
                  "message " + opened->id.substr(0, 64) + " from " + partner.id +
                      " was received already, with another content");
  }
  out.field("from", opened->from).field("message", opened->id).field("kind", opened->kind);
  out.field("sent_at", opened->at);
  // The zone's signed receipt (Ed25519 is deterministic: replay signs the same).
  const gate::Signature receipt =
      ctx.signing_key->sign(exchange::receipt_text(opened->from, zone.name, opened->id, digest));
  out.field("receipt", hex_encode(receipt.data(), receipt.size()));
  if (seen != partner.received.end()) {
    out.field_bool("duplicate", true);  // the body is in the first receipt's result
    return Status::ok();
  }
  partner.received.emplace(opened->id, content);
  out.key("body").raw(canonical);
  return Status::ok();
}

}  // namespace zg
