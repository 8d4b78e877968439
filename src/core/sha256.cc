#include "core/sha256.h"

#include <openssl/evp.h>

#include "core/hex.h"

namespace zg {
namespace {

const EVP_MD* algorithm() {
  // Fetching the algorithm costs more than hashing a command: do it once.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kSha256;
}

}  // namespace

Digest sha256(std::string_view bytes) {
  Digest digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, algorithm(), nullptr);
  return digest;
}

Digest leaf_hash(std::string_view entry) {
  Sha256 hash;
  hash.update(std::string_view("\0", 1));
  hash.update(entry);
  return hash.finish();
}

std::string to_hex(const Digest& digest) {
  return hex_encode(digest.data(), digest.size());
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), algorithm(), nullptr);
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_));
}

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), bytes.data(), bytes.size());
}

Digest Sha256::finish() {
  Digest digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest.data(), &length);
  return digest;
}

}  // namespace zg
