// Travellers, "non-contact": enrolment from a travel document issues an
// Ed25519-signed credential; a crossing checks the credential, the device's
// biometric match and liveness, and the zone's revocations and watch list.

#include <algorithm>

#include "core/identifiers.h"
#include "engine/credentials.h"
#include "engine/handlers.h"
#include "gate/credential.h"
#include "gate/mrz.h"

namespace zg {

std::string credential_payload(std::string_view zone_id, std::string_view traveller,
                               const std::vector<std::string>& categories, Date expires,
                               uint64_t seq) {
  // Keys in RFC 8785 order, so the payload is canonical JSON.
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("cat").begin_array();
  for (const std::string& category : categories) w.string(category);
  w.end_array();
  w.field("exp", format_date(expires))
      .field("iss", zone_id)
      .field("seq", static_cast<int64_t>(seq))
      .field("sub", traveller)
      .field("v", int64_t{1})
      .end_object();
  return out;
}

bool read_credential_payload(std::string_view payload, CredentialClaims& claims) {
  JsonDocument document;
  if (!document.parse(payload).is_ok() || !document.root().is_object()) return false;
  const JsonRef root = document.root();
  const JsonRef sub = root.get("sub"), exp = root.get("exp"), seq = root.get("seq");
  const JsonRef iss = root.get("iss"), version = root.get("v");
  if (!sub.is_string() || !exp.is_string() || !iss.is_string() || !seq.exists() ||
      seq.kind() != JsonKind::kNumber || !version.exists() || version.text() != "1") {
    return false;
  }
  claims.zone = std::string(iss.text());
  Result<Date> expires = parse_date(exp.text());
  Result<int64_t> sequence = parse_fixed(seq.text(), 0, INT64_MAX, false);
  if (!expires.is_ok() || !sequence.is_ok() || *sequence <= 0) return false;
  claims.traveller = std::string(sub.text());
  claims.expires = *expires;
  claims.seq = static_cast<uint64_t>(*sequence);
  return true;
}

namespace {

constexpr size_t kBiometricRefMax = 128;

struct Document {
  std::string key;  // identifies the person's document: re-enrolment finds them
  std::optional<Date> birth_date;
  std::optional<Date> expiry;    // MRZ documents carry one
  bool two_digit_years = false;  // an MRZ: its century is a guess
};

// A Mainland Travel Permit for Hong Kong and Macao Residents (回乡证):
// H (Hong Kong) or M (Macao) and 8 digits, optionally 2 more (the issue count).
bool is_home_return_permit(std::string_view number) {
  if (number.size() != 9 && number.size() != 11) return false;
  if (number[0] != 'H' && number[0] != 'M') return false;
  return std::all_of(number.begin() + 1, number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void read_mrz_document(Fields& d, Document& out) {
  std::vector<std::string> lines;
  for (std::string_view line : string_list_field(d, "mrz", true, 3, 44)) lines.emplace_back(line);
  if (lines.empty()) return;
  Result<gate::Mrz> mrz = gate::parse_mrz(lines);
  if (!mrz.is_ok()) {
    d.fail(ErrorCode::kInvalidDocument, "mrz", mrz.status().first().message);
    return;
  }
  if (!mrz->valid()) {
    std::string what;
    for (const gate::MrzCheck& check : mrz->checks) {
      if (check.valid) continue;
      what += (what.empty() ? "" : "; ") + std::string("the check digit of ") + check.field +
              " is '" + check.found + "', it should be " + std::to_string(check.expected);
    }
    for (const std::string& problem : mrz->problems) what += (what.empty() ? "" : "; ") + problem;
    d.fail(ErrorCode::kInvalidDocument, "mrz", "the machine-readable zone does not check: " + what);
    return;
  }
  out.key = std::string(gate::mrz_format_name(mrz->format)) + ":" + mrz->issuing_state + ":" +
            mrz->document_number;
  out.birth_date = mrz->birth_date;
  out.expiry = mrz->expiry_date;
  out.two_digit_years = true;
}

void read_numbered_document(Fields& d, Document& out) {
  const std::string_view kind = d.string("kind");
  const std::string_view number = d.string("number");
  out.birth_date = d.date("birth_date");
  if (kind.empty() || number.empty()) return;
  if (kind == "resident_id") {
    Status valid = validate_resident_id(number);
    if (!valid.is_ok()) {
      d.fail(ErrorCode::kInvalidDocument, "number", valid.first().message);
      return;
    }
    // Digits 7-14 are the birth date; the document and the form must agree.
    const std::string embedded = std::string(number.substr(6, 4)) + "-" +
                                 std::string(number.substr(10, 2)) + "-" +
                                 std::string(number.substr(12, 2));
    if (out.birth_date && format_date(*out.birth_date) != embedded) {
      d.fail(ErrorCode::kInvalidDocument, "birth_date",
             "birth_date differs from the birth date in the identity number");
    }
  } else if (kind == "home_return_permit") {
    if (!is_home_return_permit(number)) {
      d.fail(ErrorCode::kInvalidDocument, "number",
             "a Home-Return Permit number is H or M and 8 digits (10 with the issue count)");
      return;
    }
  } else {
    d.fail(ErrorCode::kInvalidField, "kind",
           "kind must be home_return_permit or resident_id (or give \"mrz\" lines)");
    return;
  }
  // A Home-Return Permit's issue count (its last two digits, when written)
  // changes with each renewal; the person is the first nine characters.
  const std::string_view person = kind == "home_return_permit" ? number.substr(0, 9) : number;
  out.key = std::string(kind) + ":" + std::string(person);
}

int age_on(Date birth, Date day) {
  int years = day.year - birth.year;
  if (std::pair(day.month, day.day) < std::pair(birth.month, birth.day)) --years;
  return years;
}

}  // namespace

Status handle_enrol_traveller(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const PolicyVersion* policy = policy_in_force(ctx, errors);
  Document document;
  const JsonRef doc = ctx.command.get("document");
  if (!doc.exists()) {
    f.fail(ErrorCode::kMissingField, "document", "document is required");
  } else if (!doc.is_object()) {
    f.fail(ErrorCode::kInvalidField, "document", "document must be an object");
  } else {
    Fields d(doc, "document", errors);
    if (doc.get("mrz").exists()) {
      read_mrz_document(d, document);
    } else {
      read_numbered_document(d, document);
    }
  }
  std::vector<std::string> categories;
  for (std::string_view category : string_list_field(f, "categories", true, 16, 40)) {
    if (policy != nullptr && std::find(policy->gates.traveller_categories.begin(),
                                       policy->gates.traveller_categories.end(),
                                       category) == policy->gates.traveller_categories.end()) {
      f.fail(ErrorCode::kInvalidField, "categories",
             "\"" + std::string(category) + "\" is not one of the pack's traveller categories");
    } else if (std::find(categories.begin(), categories.end(), category) == categories.end()) {
      categories.emplace_back(category);
    }
  }
  const std::string_view biometric_ref = f.string("biometric_ref");
  if (biometric_ref.size() > kBiometricRefMax) {
    f.fail(ErrorCode::kInvalidField, "biometric_ref", "biometric_ref is over 128 bytes");
  }
  std::optional<Date> valid_until;
  if (const std::optional<Date> date = f.date("valid_until")) {
    if (*date < ctx.local_date) {
      f.fail(ErrorCode::kInvalidField, "valid_until", "valid_until is in the past");
    } else if (policy != nullptr && days_from_civil(*date) - days_from_civil(ctx.local_date) >
                                        int64_t{policy->gates.traveller_max_valid_days}) {
      f.fail(ErrorCode::kInvalidField, "valid_until",
             "a credential is valid for at most " +
                 std::to_string(policy->gates.traveller_max_valid_days) + " days from enrolment");
    } else if (document.expiry && *document.expiry < *date) {
      f.fail(ErrorCode::kInvalidField, "valid_until",
             "valid_until is after the travel document expires (" + format_date(*document.expiry) +
                 ")");
    } else {
      valid_until = *date;
    }
  }
  if (!errors.is_ok()) return errors;
  if (!document.birth_date) {
    return Status(ErrorCode::kMissingField, "document.birth_date",
                  "the traveller's birth date is required (birth_date, or the MRZ's)");
  }
  // An MRZ writes two-digit years: a birth "after" today is a century earlier.
  if (document.two_digit_years && ctx.local_date < *document.birth_date) {
    document.birth_date->year -= 100;
  } else if (ctx.local_date < *document.birth_date) {
    return Status(ErrorCode::kInvalidField, "document.birth_date",
                  "the birth date is in the future");
  }
  if (const int age = age_on(*document.birth_date, ctx.local_date);
      age < policy->gates.traveller_min_age) {
    return Status(ErrorCode::kNotEligible, "document",
                  "a traveller must be " + std::to_string(policy->gates.traveller_min_age) +
                      " or older for the non-contact lanes; this one is " + std::to_string(age));
  }
  if (ctx.signing_key == nullptr) {
    return Status(ErrorCode::kUnavailable, "",
                  "this zone has no signing key, so it cannot issue credentials");
  }

  GateState& gates = ctx.state.gates;
  std::string id;
  if (auto it = gates.traveller_by_document.find(document.key);
      it != gates.traveller_by_document.end()) {
    id = it->second;
  } else {
    id = sequence_id(ctx.pack.declaration_prefix, 'T', ctx.seq);
    gates.traveller_by_document.emplace(document.key, id);
  }
  Traveller& traveller = gates.travellers[id];
  // Re-enrolment replaces the traveller's earlier credentials.
  if (traveller.credential_seq != 0) traveller.revoked_through_seq = traveller.credential_seq;
  traveller.id = id;
  traveller.document_key = document.key;
  traveller.birth_date = *document.birth_date;
  traveller.categories = categories;
  traveller.biometric_ref = std::string(biometric_ref);
  traveller.valid_until = *valid_until;
  traveller.credential_seq = ctx.seq;
  const std::string credential = ctx.signing_key->sign_credential(
      credential_payload(ctx.pack.zone_id, id, categories, *valid_until, ctx.seq));
  out.field("traveller", id);
  out.key("categories").begin_array();
  for (const std::string& category : categories) out.string(category);
  out.end_array();
  out.field("valid_until", format_date(*valid_until));
  out.field("credential", credential);
  return Status::ok();
}

Status handle_traveller_crossing(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const PolicyVersion* policy = policy_in_force(ctx, errors);
  gate::TravellerPresentation presented;
  presented.date = ctx.local_date;
  if (policy != nullptr) presented.channel = channel_field(*policy, f);
  direction_field(f, presented.direction);
  const std::string_view credential = f.string("credential");
  if (auto score = f.fixed("biometric_score", kRateScale, kPpmPerUnit, true, false)) {
    presented.biometric_score.ppm = *score;
  }
  presented.liveness = f.boolean("liveness", true);
  presented.goods_to_declare = f.boolean("goods_to_declare", false);
  if (!errors.is_ok()) return errors;
  if (ctx.signing_key == nullptr) {
    return Status(ErrorCode::kUnavailable, "",
                  "this zone has no signing key, so it cannot check credentials");
  }

  gate::TravellerStanding standing;
  const CredentialClaims* claims = ctx.credentials->find(credential);
  if (claims == nullptr) {
    gate::CredentialCheck check =
        gate::verify_credential(credential, ctx.signing_key->public_key());
    CredentialClaims read;
    if (!check.is_ok()) {
      standing.signature_problem = std::string(check.message);
    } else if (!read_credential_payload(check.payload, read)) {
      standing.signature_problem = "the payload is not a Zonegate credential";
    } else if (read.zone != ctx.pack.zone_id) {
      // A copy of this zone's key elsewhere (a staging zone) must not open
      // this zone's gates for whoever has the same traveller id there.
      standing.signature_problem = "it was issued by zone " + read.zone.substr(0, 32);
    } else {
      ctx.credentials->add(credential, std::move(read));
      claims = ctx.credentials->find(credential);
    }
  }
  Traveller* traveller = nullptr;
  if (claims != nullptr) {
    standing.signature_ok = true;
    standing.expires = claims->expires;
    auto it = ctx.state.gates.travellers.find(claims->traveller);
    if (it != ctx.state.gates.travellers.end()) {
      traveller = &it->second;
      standing.known = true;
      // Only the newest credential is current: re-enrolment replaces the
      // older ones, revocation ends the newest.
      standing.revoked =
          claims->seq != traveller->credential_seq || claims->seq <= traveller->revoked_through_seq;
      standing.watch_listed = traveller->watch_listed;
      standing.inside = traveller->inside;
    }
  }
  gate::Decision decision = gate::decide_traveller(presented, standing, policy->gates);
  if (!presented.channel->serves_direction(gate::direction_name(presented.direction))) {
    decision.reasons.push_back(
        gate::Reason{"channel_not_designated", "",
                     "channel " + presented.channel->id + " does not serve the direction " +
                         std::string(gate::direction_name(presented.direction))});
  }
  if (decision.open() && traveller != nullptr)
    traveller->inside = presented.direction == gate::Direction::kIn;
  count_crossing(ctx, *presented.channel, decision.open());
  (decision.open() ? ctx.state.gates.traveller_open : ctx.state.gates.traveller_referred) += 1;
  out.field("channel", presented.channel->id);
  out.field("direction", gate::direction_name(presented.direction));
  out.field_or_null("traveller", traveller != nullptr ? std::string_view(traveller->id) : "");
  write_decision(out, decision, "open", "refer");
  if (presented.channel->line == 1) out.field_bool("joint", true);
  return Status::ok();
}

namespace {

Traveller* traveller_field(CommandContext& ctx, Fields& f, Status& errors) {
  const std::string_view id = f.string("traveller");
  if (id.empty()) return nullptr;
  auto it = ctx.state.gates.travellers.find(id);
  if (it == ctx.state.gates.travellers.end()) {
    errors.add(ErrorCode::kUnknownTraveller, "traveller",
               "no traveller " + std::string(id.substr(0, 64)) + " is enrolled in this zone");
    return nullptr;
  }
  return &it->second;
}

}  // namespace

Status handle_revoke_credential(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::string_view reason = f.string("reason", false);
  if (reason.size() > 500) f.fail(ErrorCode::kInvalidField, "reason", "reason is over 500 bytes");
  Traveller* traveller = traveller_field(ctx, f, errors);
  if (!errors.is_ok()) return errors;
  traveller->revoked_through_seq = traveller->credential_seq;
  out.field("traveller", traveller->id);
  out.field("revoked_through_seq", static_cast<int64_t>(traveller->revoked_through_seq));
  return Status::ok();
}

Status handle_watch_list(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::string_view action = f.string("action");
  const std::string_view reason = f.string("reason", action == "add");
  if (!action.empty() && action != "add" && action != "remove") {
    f.fail(ErrorCode::kInvalidField, "action", "action must be add or remove");
  }
  if (reason.size() > 500) f.fail(ErrorCode::kInvalidField, "reason", "reason is over 500 bytes");
  Traveller* traveller = traveller_field(ctx, f, errors);
  if (!errors.is_ok()) return errors;
  traveller->watch_listed = action == "add";
  traveller->watch_reason = traveller->watch_listed ? std::string(reason) : std::string();
  out.field("traveller", traveller->id);
  out.field_bool("watch_listed", traveller->watch_listed);
  return Status::ok();
}

}  // namespace zg
