#include "core/sha256.h"

#include <openssl/evp.h>

#include <initializer_list>
#include <memory>

#include "core/hex.h"

namespace zg {
namespace {

const EVP_MD* algorithm() {
  // Fetching the algorithm costs more than hashing a command: do it once.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kSha256;
}

// One context per thread, begun again for each one-shot hash. EVP_Digest
// and a Sha256 each make and free a context every time, which cost 60-80
// ns a hash (OpenSSL 3.0, this VM): a third of a Merkle node's 65 bytes,
// and a tenth of a journal row's leaf. A one-shot hash never calls another,
// so the thread's context is free whenever one starts.
EVP_MD_CTX* thread_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(),
                                                                                EVP_MD_CTX_free);
  return context.get();
}

// The SHA-256 of the pieces, one after the other.
Digest hash_of(std::initializer_list<std::string_view> pieces) {
  EVP_MD_CTX* context = thread_context();
  EVP_DigestInit_ex(context, algorithm(), nullptr);
  for (std::string_view piece : pieces) EVP_DigestUpdate(context, piece.data(), piece.size());
  Digest digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest.data(), &length);
  return digest;
}

}  // namespace

Digest sha256(std::string_view bytes) {
  return hash_of({bytes});
}

Digest leaf_hash(std::string_view entry) {
  return hash_of({std::string_view("\0", 1), entry});
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
