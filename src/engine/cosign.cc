// Tree heads and their witnesses (docs/audit.md).
//
// cosign_tree_head: a witness's countersignature of one of the zone's tree
// heads (docs/audit.md). The command carries the head and the witness's
// signature; both signatures are checked here, and the cosignature becomes a
// journal entry like any other, so it is itself in the Merkle log.

#include "audit/tree_head.h"
#include "engine/handlers.h"

namespace zg {

namespace {

// "tree_head": a head as GET /v1/audit/tree-head gives it.
std::optional<audit::TreeHead> tree_head_field(const CommandContext& ctx, Fields& f) {
  const JsonRef value = ctx.command.get("tree_head");
  if (!value.exists()) {
    f.fail(ErrorCode::kMissingField, "tree_head", "tree_head is required");
    return std::nullopt;
  }
  if (!value.is_object()) {
    f.fail(ErrorCode::kInvalidField, "tree_head", "tree_head must be an object");
    return std::nullopt;
  }
  std::string text;
  append_canonical_json(text, value);
  Result<audit::TreeHead> parsed = audit::parse_tree_head_json(text);
  if (!parsed.is_ok()) {
    f.fail(ErrorCode::kInvalidField, "tree_head", parsed.status().first().message);
    return std::nullopt;
  }
  return *parsed;
}

// A head this zone signed, over entries its journal holds.
Status check_zone_head(const CommandContext& ctx, const audit::TreeHead& head) {
  if (head.zone != ctx.pack.zone_id) {
    return Status(
        ErrorCode::kInvalidField, "tree_head.zone",
        "the tree head is zone " + head.zone.substr(0, 32) + "'s, not " + ctx.pack.zone_id + "'s");
  }
  if (ctx.signing_key == nullptr) {
    return Status(ErrorCode::kUnavailable, "", "this zone has no signing key, so no tree heads");
  }
  if (!audit::verify_tree_head(head, ctx.signing_key->public_key()).is_ok()) {
    return Status(ErrorCode::kInvalidField, "tree_head.signature",
                  "the tree head is not signed by this zone's key");
  }
  if (head.size >= ctx.seq) {
    return Status(ErrorCode::kInvalidField, "tree_head.size",
                  "the tree head covers " + std::to_string(head.size) +
                      " entries; the journal has " + std::to_string(ctx.seq - 1));
  }
  return Status::ok();
}

}  // namespace

Status handle_cosign_tree_head(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::string_view witness_hex = f.string("witness");
  const std::string_view signature_hex = f.string("signature");
  const std::optional<audit::TreeHead> head = tree_head_field(ctx, f);
  audit::Cosignature cosignature;
  if (!witness_hex.empty()) {
    Result<gate::PublicKey> witness = audit::parse_public_key(witness_hex);
    if (witness.is_ok()) {
      cosignature.witness = *witness;
    } else {
      f.fail(ErrorCode::kInvalidField, "witness", "witness: " + witness.status().first().message);
    }
  }
  if (!signature_hex.empty()) {
    Result<gate::Signature> signature = audit::parse_signature(signature_hex);
    if (signature.is_ok()) {
      cosignature.signature = *signature;
    } else {
      f.fail(ErrorCode::kInvalidField, "signature",
             "signature: " + signature.status().first().message);
    }
  }
  if (!errors.is_ok()) return errors;
  if (Status own = check_zone_head(ctx, *head); !own.is_ok()) return own;
  if (!audit::verify_cosignature(*head, cosignature)) {
    return Status(ErrorCode::kInvalidField, "signature",
                  "the witness's signature does not hold for this tree head");
  }
  const auto found = ctx.state.cosignatures.find(head->size);
  if (found != ctx.state.cosignatures.end()) {
    const ZoneState::CosignedHead& known = found->second;
    if (known.root != head->root || known.timestamp_ms != head->timestamp_ms) {
      return Status(ErrorCode::kInvalidState, "tree_head",
                    "the head of size " + std::to_string(head->size) +
                        " cosigned here is another (root " + audit::hash_hex(known.root) +
                        ", signed at " + std::to_string(known.timestamp_ms) + ")");
    }
    for (const audit::Cosignature& c : known.cosignatures) {
      if (c.witness == cosignature.witness) {
        return Status(
            ErrorCode::kInvalidState, "witness",
            "this witness has already cosigned the head of size " + std::to_string(head->size));
      }
    }
  }
  ZoneState::CosignedHead& entry = ctx.state.cosignatures[head->size];
  entry.root = head->root;
  entry.timestamp_ms = head->timestamp_ms;
  entry.cosignatures.push_back(cosignature);
  out.field("size", static_cast<int64_t>(head->size));
  out.field("root", audit::hash_hex(head->root));
  out.field("witness", witness_hex);
  out.field("cosignatures", static_cast<int64_t>(entry.cosignatures.size()));
  return Status::ok();
}

// share_tree_head: the courier hands a new tree head to the partners whose
// profiles take "tree_head" (witnesses), through the outbox like any
// message. Each head once, newer than the last shared.
Status handle_share_tree_head(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::optional<audit::TreeHead> head = tree_head_field(ctx, f);
  if (!errors.is_ok()) return errors;
  if (Status own = check_zone_head(ctx, *head); !own.is_ok()) return own;
  if (head->size <= ctx.state.shared_head_size) {
    return Status(ErrorCode::kInvalidState, "tree_head.size",
                  "the head of size " + std::to_string(ctx.state.shared_head_size) +
                      " was shared already; only a newer one is");
  }
  ctx.state.shared_head_size = head->size;
  ctx.state.shared_head_seq = ctx.seq;
  out.field("size", static_cast<int64_t>(head->size));
  out.field("root", audit::hash_hex(head->root));
  return Status::ok();
}

}  // namespace zg
