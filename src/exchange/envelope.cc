#include "exchange/envelope.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "audit/tree_head.h"
#include "core/durable_file.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/sha256.h"

namespace zg::exchange {
namespace {

constexpr std::string_view kKeyMagic = "zonegate-exchange-key 1 ";
constexpr size_t kEnvelopeBytesMax = 1 << 20;

Status malformed(std::string what) {
  return Status(ErrorCode::kInvalidField, "", "the envelope is malformed: " + std::move(what));
}

// The bytes the sender signs: every header field, both parties' box keys
// and the body. The signature travels inside the box (sign, then seal), so
// only the recipient sees it, nobody else can strip it and sign the box as
// their own, and the recipient can show a third party what the sender said.
std::string signed_text(const Opened& h, const BoxPublicKey& sender_box,
                        const BoxPublicKey& recipient_box) {
  std::string out = "zonegate envelope 2\n";
  const std::string sender_key = audit::bytes_hex(sender_box.data(), sender_box.size());
  const std::string recipient_key = audit::bytes_hex(recipient_box.data(), recipient_box.size());
  for (std::string_view part :
       {std::string_view(h.from), std::string_view(h.to), std::string_view(h.id),
        std::string_view(h.kind), std::string_view(h.at), std::string_view(sender_key),
        std::string_view(recipient_key)}) {
    out.append(part);
    out.push_back('\n');
  }
  out.append(h.body);
  return out;
}

bool header_field_ok(std::string_view text) {
  return !text.empty() && text.size() <= 256 && text.find('\n') == std::string_view::npos;
}

}  // namespace

PartyKeys generate_party(std::string name) {
  PartyKeys keys{std::move(name), gate::SigningKey::generate(), {}, {}};
  crypto_box_keypair(keys.box_public.data(), keys.box_secret.data());
  return keys;
}

PartyPublic public_of(const PartyKeys& keys) {
  return PartyPublic{keys.name, keys.sign.public_key(), keys.box_public};
}

Status write_party_keys(const std::string& path, const PartyKeys& keys) {
  std::string seed = keys.sign.seed();
  std::string line =
      std::string(kKeyMagic) + keys.name + " " +
      audit::bytes_hex(reinterpret_cast<const unsigned char*>(seed.data()), seed.size()) + " " +
      audit::bytes_hex(keys.box_secret.data(), keys.box_secret.size()) + "\n";
  Status written = write_file_durably(path, line, 0600, Replace::kNever);
  sodium_memzero(line.data(), line.size());
  sodium_memzero(seed.data(), seed.size());
  return written;
}

Result<PartyKeys> read_party_keys(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Result<PartyKeys>(ErrorCode::kIoError, "", "cannot read " + path);
  }
  if ((info.st_mode & 077) != 0) {
    return Result<PartyKeys>(ErrorCode::kIoError, "",
                             path + " may be read by others; a key must be private (chmod 600)");
  }
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::istringstream fields(line.substr(std::min(line.size(), kKeyMagic.size())));
  std::string name, seed_hex, box_hex;
  fields >> name >> seed_hex >> box_hex;
  std::array<unsigned char, 32> seed{};
  BoxSecretKey box_secret{};
  const bool read = line.rfind(kKeyMagic, 0) == 0 && !name.empty() &&
                    hex_decode(seed_hex, seed.data(), seed.size()) &&
                    hex_decode(box_hex, box_secret.data(), box_secret.size());
  sodium_memzero(seed_hex.data(), seed_hex.size());
  sodium_memzero(box_hex.data(), box_hex.size());
  if (!read) {
    return Result<PartyKeys>(ErrorCode::kUnsupportedFormat, "",
                             path + " is not a Zonegate exchange key file");
  }
  Result<gate::SigningKey> sign =
      gate::SigningKey::from_seed(std::string_view(reinterpret_cast<const char*>(seed.data()), 32));
  sodium_memzero(seed.data(), seed.size());
  if (!sign.is_ok()) return sign.status();
  PartyKeys keys{name, *sign, box_secret, {}};
  sodium_memzero(box_secret.data(), box_secret.size());
  crypto_scalarmult_base(keys.box_public.data(), keys.box_secret.data());
  return keys;
}

Result<SharedKey> shared_key(const BoxSecretKey& mine, const BoxPublicKey& theirs) {
  SharedKey key{};
  if (crypto_box_beforenm(key.data(), theirs.data(), mine.data()) != 0) {
    return Result<SharedKey>(ErrorCode::kInvalidField, "",
                             "the partner's box key is not a usable X25519 public key");
  }
  return key;
}

Result<std::string> seal(const PartyKeys& sender, const BoxPublicKey& recipient_box,
                         const SharedKey& shared, const Letter& letter) {
  for (std::string_view field :
       {std::string_view(sender.name), std::string_view(letter.to), std::string_view(letter.id),
        std::string_view(letter.kind), std::string_view(letter.at)}) {
    if (!header_field_ok(field)) {
      return Result<std::string>(ErrorCode::kInvalidField, "",
                                 "from, to, id, kind and at must be 1 to 256 bytes without "
                                 "line breaks");
    }
  }
  const Opened header{sender.name, letter.to, letter.id, letter.kind, letter.at, letter.body};
  const gate::Signature signature =
      sender.sign.sign(signed_text(header, sender.box_public, recipient_box));
  // The box holds the signature, then the body.
  std::string plain(reinterpret_cast<const char*>(signature.data()), signature.size());
  plain += letter.body;
  std::array<unsigned char, crypto_box_NONCEBYTES> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  std::string box(plain.size() + crypto_box_MACBYTES, '\0');
  crypto_box_easy_afternm(reinterpret_cast<unsigned char*>(box.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                          nonce.data(), shared.data());
  sodium_memzero(plain.data(), plain.size());
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .field("v", int64_t{2})
      .field("from", sender.name)
      .field("to", letter.to)
      .field("id", letter.id)
      .field("kind", letter.kind)
      .field("at", letter.at)
      .field("nonce", gate::base64url_encode(std::string_view(
                          reinterpret_cast<const char*>(nonce.data()), nonce.size())))
      .field("box", gate::base64url_encode(box))
      .end_object();
  return out;
}

namespace {

struct Parsed {
  Opened header;
  std::string nonce, box;
};

Result<Parsed> parse(std::string_view envelope) {
  if (envelope.size() > kEnvelopeBytesMax) return malformed("over 1 MiB");
  JsonDocument doc;
  if (!doc.parse(envelope).is_ok() || !doc.root().is_object())
    return malformed("not a JSON object");
  const JsonRef r = doc.root();
  Parsed p;
  for (auto [key, target] :
       {std::pair{"from", &p.header.from}, std::pair{"to", &p.header.to},
        std::pair{"id", &p.header.id}, std::pair{"kind", &p.header.kind},
        std::pair{"at", &p.header.at}, std::pair{"nonce", &p.nonce}, std::pair{"box", &p.box}}) {
    const JsonRef v = r.get(key);
    if (!v.is_string() || v.text().empty()) return malformed(std::string(key) + " is missing");
    // A field may not carry the line breaks that separate the signed fields.
    if (v.text().find('\n') != std::string_view::npos) {
      return malformed(std::string(key) + " has a line break");
    }
    target->assign(v.text());
  }
  const JsonRef version = r.get("v");
  if (!version.exists() || version.kind() != JsonKind::kNumber || version.text() != "2") {
    return malformed("its version is not 2");
  }
  if (r.size() != 8) return malformed("it has fields an envelope does not have");
  return p;
}

}  // namespace

Result<Opened> peek(std::string_view envelope) {
  Result<Parsed> parsed = parse(envelope);
  if (!parsed.is_ok()) return parsed.status();
  return parsed->header;
}

Result<Opened> open(std::string_view envelope, const PartyPublic& sender,
                    const PartyPublic& recipient, const SharedKey& shared) {
  Result<Parsed> parsed = parse(envelope);
  if (!parsed.is_ok()) return parsed.status();
  Parsed p = std::move(parsed).value();
  if (p.header.from != sender.name) {
    return Result<Opened>(
        ErrorCode::kInvalidField, "from",
        "the envelope is from " + p.header.from.substr(0, 64) + ", not " + sender.name);
  }
  if (p.header.to != recipient.name) {
    return Result<Opened>(
        ErrorCode::kInvalidField, "to",
        "the envelope is addressed to " + p.header.to.substr(0, 64) + ", not to " + recipient.name);
  }
  Result<std::string> nonce = gate::base64url_decode(p.nonce);
  Result<std::string> box = gate::base64url_decode(p.box);
  if (!nonce.is_ok() || nonce->size() != crypto_box_NONCEBYTES) return malformed("a bad nonce");
  if (!box.is_ok() || box->size() < crypto_box_MACBYTES + 64) return malformed("a bad box");
  std::string plain(box->size() - crypto_box_MACBYTES, '\0');
  if (crypto_box_open_easy_afternm(reinterpret_cast<unsigned char*>(plain.data()),
                                   reinterpret_cast<const unsigned char*>(box->data()), box->size(),
                                   reinterpret_cast<const unsigned char*>(nonce->data()),
                                   shared.data()) != 0) {
    return Result<Opened>(ErrorCode::kInvalidField, "box",
                          "the box does not open with this pair of keys: changed, or not sealed "
                          "between " +
                              sender.name + " and " + recipient.name);
  }
  gate::Signature signature{};
  std::memcpy(signature.data(), plain.data(), signature.size());
  p.header.body = plain.substr(signature.size());
  sodium_memzero(plain.data(), plain.size());
  if (!gate::verify_signature(signed_text(p.header, sender.box, recipient.box), signature,
                              sender.sign)) {
    return Result<Opened>(ErrorCode::kInvalidField, "from",
                          "the sender's signature does not hold: the envelope's header was "
                          "changed or it is not " +
                              sender.name + "'s");
  }
  return p.header;
}

std::array<unsigned char, 32> message_content(std::string_view kind, std::string_view body) {
  std::string text(kind);
  text.push_back('\n');
  text.append(body);
  return sha256(text);
}

std::string receipt_text(std::string_view from, std::string_view to, std::string_view id,
                         const std::array<unsigned char, 32>& content) {
  std::string text = "zonegate receipt 1\n";
  for (std::string_view part : {from, to, id}) {
    text.append(part);
    text.push_back('\n');
  }
  text += hex_encode(content.data(), content.size()) + "\n";
  return text;
}

std::optional<InboxAddress> parse_inbox_address(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() > 256 || !url.starts_with(kScheme)) return std::nullopt;
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) return std::nullopt;
  const std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  const size_t colon = authority.rfind(':');
  if (slash == std::string_view::npos || colon == std::string_view::npos || colon == 0) {
    return std::nullopt;
  }
  const std::string_view port = authority.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return InboxAddress{std::string(authority.substr(0, colon)), std::string(port),
                      std::string(rest.substr(slash))};
}

}  // namespace zg::exchange
