// SHA-256 (OpenSSL's, which uses the CPU's SHA instructions where present).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace zg {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view bytes);
// RFC 6962 leaf hash: SHA-256(0x00 || entry).
Digest leaf_hash(std::string_view entry);
std::string to_hex(const Digest& digest);

// Incremental hashing, for large or scattered inputs.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  Digest finish();

 private:
  void* context_;  // EVP_MD_CTX, kept out of this header
};

}  // namespace zg
