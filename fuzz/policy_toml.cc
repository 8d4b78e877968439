// A policy pack's TOML: pack.toml (the zone) and a version's policy.toml (its
// rules and settings). A copy of the Hengqin pack is kept in a scratch
// directory; the first byte picks which of the two files the rest of the
// input replaces, and the pack is loaded. It loads, or is refused with every
// problem named; nothing crashes, whatever the text.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_check.h"
#include "policy/pack_loader.h"

namespace fs = std::filesystem;

namespace {

struct Copy {
  std::string dir;
  std::string files[2];      // pack.toml, the first version's policy.toml
  std::string originals[2];  // their text
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  zg::fuzz::check(static_cast<bool>(out), "the scratch file can be written", path);
}

Copy& copy() {
  static Copy* c = [] {
    auto* made = new Copy;
    made->dir = zg::fuzz::scratch_directory("policy-toml") + "/hengqin";
    fs::copy(zg::fuzz::hengqin_pack(), made->dir, fs::copy_options::recursive);
    made->files[0] = made->dir + "/pack.toml";
    for (const auto& entry : fs::directory_iterator(made->dir)) {
      if (fs::exists(entry.path() / "policy.toml")) {
        made->files[1] = (entry.path() / "policy.toml").string();
        break;
      }
    }
    zg::fuzz::check(!made->files[1].empty(), "the Hengqin pack has a version");
    for (int i = 0; i < 2; ++i) made->originals[i] = read(made->files[i]);
    return made;
  }();
  return *c;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  copy();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Copy& c = copy();
  const int which = data[0] % 2;
  write(c.files[which], std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  const zg::Result<zg::PolicyPack> pack = zg::load_policy_pack(c.dir);
  if (!pack.is_ok()) {
    zg::fuzz::check(!pack.status().first().message.empty(), "a refusal says what is wrong");
  }
  write(c.files[which], c.originals[which]);
  return 0;
}
