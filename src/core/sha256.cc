#include "core/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
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

// A hash that cannot be computed stops the process. Every digest here goes
// into a journal row, an audit log or an idempotency check, where a wrong
// one (all zeros, as an ignored failure would leave) is worse than a
// restart, which recovers from the journal.
void require(int ok, const char* step) {
  if (ok == 1) return;
  std::fprintf(stderr, "zonegate: SHA-256 failed (%s): stopping\n", step);
  std::abort();
}

EVP_MD_CTX* new_context() {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  require(context != nullptr ? 1 : 0, "EVP_MD_CTX_new");
  return context;
}

// One context per thread, begun again for each one-shot hash (sha256,
// leaf_hash). EVP_Digest makes and frees a context each time: without
// that, a Merkle node's hash went from 0.163-0.172 to 0.128-0.133 us
// (build-bench/bench/zonegate_bench_audit, OpenSSL 3.0, 2026-12-02). A
// one-shot hash never calls another, so the thread's context is free
// whenever one starts. (No static destructor hashes: one on the main
// thread after its thread_locals are gone would find this one freed.)
EVP_MD_CTX* thread_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(new_context(),
                                                                                EVP_MD_CTX_free);
  return context.get();
}

// The SHA-256 of the pieces, one after the other.
Digest hash_of(std::initializer_list<std::string_view> pieces) {
  EVP_MD_CTX* context = thread_context();
  require(EVP_DigestInit_ex(context, algorithm(), nullptr), "EVP_DigestInit_ex");
  for (std::string_view piece : pieces) {
    require(EVP_DigestUpdate(context, piece.data(), piece.size()), "EVP_DigestUpdate");
  }
  Digest digest{};
  unsigned int length = 0;
  require(EVP_DigestFinal_ex(context, digest.data(), &length), "EVP_DigestFinal_ex");
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

Sha256::Sha256() : context_(new_context()) {
  require(EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), algorithm(), nullptr),
          "EVP_DigestInit_ex");
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_));
}

void Sha256::update(std::string_view bytes) {
  require(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), bytes.data(), bytes.size()),
          "EVP_DigestUpdate");
}

Digest Sha256::finish() {
  Digest digest{};
  unsigned int length = 0;
  require(EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest.data(), &length),
          "EVP_DigestFinal_ex");
  return digest;
}

}  // namespace zg
