// Traveller credentials: "payload.signature" in base64url, Ed25519-signed by
// the zone, presented at the non-contact lanes. For every input:
//  - checking it never crashes, and a forged one is never valid: a token
//    is valid only if the zone's key signed it (the input is checked against
//    a key nobody signs with here, so valid is always a forgery);
//  - the same token under the signing key: valid exactly when it is the
//    token the key makes for its payload (Ed25519 signatures are unique);
//  - base64url decoding reads back what encoding wrote.
#include "gate/credential.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"

namespace {

const zg::gate::SigningKey& zone_key() {
  static const zg::gate::SigningKey key =
      zg::gate::SigningKey::from_seed(std::string(zg::gate::kSeedBytes, '\x21')).value();
  return key;
}

const zg::gate::PublicKey& stranger_key() {
  static const zg::gate::PublicKey key =
      zg::gate::SigningKey::from_seed(std::string(zg::gate::kSeedBytes, '\x42'))
          .value()
          .public_key();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const zg::gate::SigningKey& key = zone_key();

  // Signed by nobody we trust: never valid.
  const zg::gate::CredentialCheck forged = zg::gate::verify_credential(input, stranger_key());
  zg::fuzz::check(!forged.is_ok(), "a token the key did not sign is refused");
  zg::fuzz::check(!forged.message.empty(), "a refusal says what is wrong");

  // Under the zone's key: valid only as the zone's own token for its payload.
  const zg::gate::CredentialCheck checked = zg::gate::verify_credential(input, key.public_key());
  if (checked.is_ok()) {
    zg::fuzz::check(key.sign_credential(checked.payload) == input,
                    "a valid token is the one the key makes for its payload");
  }

  // A token the key makes from the input (as payload) is valid and carries it.
  if (!input.empty() && input.size() <= zg::gate::kCredentialPayloadBytesMax) {
    const std::string token = key.sign_credential(input);
    const zg::gate::CredentialCheck own = zg::gate::verify_credential(token, key.public_key());
    zg::fuzz::check(own.is_ok() && own.payload == input, "the zone's own token is valid");
  }

  const std::string encoded = zg::gate::base64url_encode(input);
  const zg::Result<std::string> decoded = zg::gate::base64url_decode(encoded);
  zg::fuzz::check(decoded.is_ok() && *decoded == input, "base64url reads back what it wrote");
  return 0;
}
