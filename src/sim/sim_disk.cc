#include "sim/sim_disk.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace zg::sim {

namespace {

sqlite3_vfs* real_vfs = nullptr;
SimDisk* the_disk = nullptr;

// SQLite hands the VFS a block of szOsFile bytes per open file: ours first,
// the real VFS's file right after it.
struct SimFile {
  sqlite3_file base;
  std::string* path;  // owned; null for a temporary file without a name (not tracked)
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

SimFile* sim(sqlite3_file* f) {
  return reinterpret_cast<SimFile*>(f);
}

}  // namespace

// The VFS's callbacks: SimDisk's friend, so they can keep its books.
struct VfsCalls {
  static int close(sqlite3_file* f) {
    SimFile* s = sim(f);
    const int rc = s->real()->pMethods->xClose(s->real());
    delete s->path;
    s->path = nullptr;
    return rc;
  }
  static int read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
    return sim(f)->real()->pMethods->xRead(sim(f)->real(), out, amount, offset);
  }
  // The old bytes of each sector [offset, offset + amount) touches, kept
  // once per sync: what a power loss may bring back.
  static void remember(SimFile* s, int64_t offset, int64_t amount) {
    SimDisk& disk = *the_disk;
    auto [it, made] = disk.files_.try_emplace(*s->path);
    SimDisk::Unsynced& file = it->second;
    if (made) {
      sqlite3_int64 size = 0;
      s->real()->pMethods->xFileSize(s->real(), &size);
      file.synced_size = size;
    }
    const int64_t n = SimDisk::kSectorBytes;
    for (int64_t sector = offset / n; sector <= (offset + amount - 1) / n; ++sector) {
      if (file.sectors.count(sector) != 0) continue;
      const int64_t start = sector * n;
      const int64_t length = std::clamp<int64_t>(file.synced_size - start, 0, n);
      std::string old(static_cast<size_t>(length), '\0');
      if (length > 0) {
        s->real()->pMethods->xRead(s->real(), old.data(), static_cast<int>(length), start);
      }
      file.sectors.emplace(sector, std::move(old));
    }
  }
  static int write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    SimFile* s = sim(f);
    SimDisk& disk = *the_disk;
    // After a power loss nothing reaches the disk, and nobody is left to hear of it.
    if (!disk.take_write()) return SQLITE_OK;
    if (disk.full_) {
      ++disk.counters_.full_refusals;
      return SQLITE_FULL;
    }
    ++disk.counters_.writes;
    if (s->path != nullptr && amount > 0) remember(s, offset, amount);
    return s->real()->pMethods->xWrite(s->real(), data, amount, offset);
  }
  static int truncate(sqlite3_file* f, sqlite3_int64 size) {
    SimFile* s = sim(f);
    SimDisk& disk = *the_disk;
    if (!disk.powered_) return SQLITE_OK;
    const int rc = s->real()->pMethods->xTruncate(s->real(), size);
    // A truncation is taken as durable at once (a simplification: SQLite
    // syncs after the truncations that matter to it).
    if (rc == SQLITE_OK && s->path != nullptr) {
      auto it = disk.files_.find(*s->path);
      if (it != disk.files_.end()) {
        SimDisk::Unsynced& file = it->second;
        file.synced_size = std::min<int64_t>(file.synced_size, size);
        file.sectors.erase(
            file.sectors.lower_bound((size + SimDisk::kSectorBytes - 1) / SimDisk::kSectorBytes),
            file.sectors.end());
      }
    }
    return rc;
  }
  static int sync(sqlite3_file* f, int flags) {
    SimFile* s = sim(f);
    SimDisk& disk = *the_disk;
    if (disk.power_loss_at_sync_ && disk.powered_) {
      // The cut comes as the disk is told to flush: the commit's writes
      // are all in the cache, none known to be on the platter.
      disk.power_loss_at_sync_ = false;
      disk.powered_ = false;
    }
    if (!disk.powered_) return SQLITE_OK;
    ++disk.counters_.syncs;
    if (disk.lying_fsync_) return SQLITE_OK;
    const int rc = s->real()->pMethods->xSync(s->real(), flags);
    if (rc == SQLITE_OK && s->path != nullptr) disk.files_.erase(*s->path);
    return rc;
  }
  static int file_size(sqlite3_file* f, sqlite3_int64* size) {
    return sim(f)->real()->pMethods->xFileSize(sim(f)->real(), size);
  }
  static int lock(sqlite3_file* f, int level) {
    return sim(f)->real()->pMethods->xLock(sim(f)->real(), level);
  }
  static int unlock(sqlite3_file* f, int level) {
    return sim(f)->real()->pMethods->xUnlock(sim(f)->real(), level);
  }
  static int check_reserved_lock(sqlite3_file* f, int* out) {
    return sim(f)->real()->pMethods->xCheckReservedLock(sim(f)->real(), out);
  }
  static int file_control(sqlite3_file* f, int op, void* arg) {
    // Size hints make the real VFS grow the file itself: not after a power cut.
    if (!the_disk->powered_ && (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE)) {
      return SQLITE_OK;
    }
    return sim(f)->real()->pMethods->xFileControl(sim(f)->real(), op, arg);
  }
  static int sector_size(sqlite3_file* f) {
    return sim(f)->real()->pMethods->xSectorSize(sim(f)->real());
  }
  static int device_characteristics(sqlite3_file* f) {
    return sim(f)->real()->pMethods->xDeviceCharacteristics(sim(f)->real());
  }
  // The WAL index in shared memory is not the disk's: a crash loses it, and
  // SQLite rebuilds it from the WAL when the first connection opens.
  static int shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return sim(f)->real()->pMethods->xShmMap(sim(f)->real(), region, size, extend, out);
  }
  static int shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return sim(f)->real()->pMethods->xShmLock(sim(f)->real(), offset, n, flags);
  }
  static void shm_barrier(sqlite3_file* f) {
    sim(f)->real()->pMethods->xShmBarrier(sim(f)->real());
  }
  static int shm_unmap(sqlite3_file* f, int delete_flag) {
    // A crashed process deletes nothing: the stale -shm stays for the next
    // opener to notice (SQLite rebuilds the WAL index from the WAL).
    if (!the_disk->powered_) delete_flag = 0;
    return sim(f)->real()->pMethods->xShmUnmap(sim(f)->real(), delete_flag);
  }
  static int fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    return sim(f)->real()->pMethods->xFetch(sim(f)->real(), offset, amount, out);
  }
  static int unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
    return sim(f)->real()->pMethods->xUnfetch(sim(f)->real(), offset, p);
  }

  static const sqlite3_io_methods methods;

  static int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    SimFile* s = sim(f);
    s->base.pMethods = nullptr;
    s->path = nullptr;
    const int rc = real_vfs->xOpen(real_vfs, name, s->real(), flags, out_flags);
    if (s->real()->pMethods == nullptr) return rc;
    if (name != nullptr) s->path = new std::string(name);
    s->base.pMethods = &methods;
    return rc;
  }
  static int remove(sqlite3_vfs*, const char* name, int sync_dir) {
    SimDisk& disk = *the_disk;
    if (!disk.powered_) return SQLITE_OK;
    disk.files_.erase(name);
    return real_vfs->xDelete(real_vfs, name, sync_dir);
  }
  static int access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return real_vfs->xAccess(real_vfs, name, flags, out);
  }
  static int full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
    return real_vfs->xFullPathname(real_vfs, name, size, out);
  }
  // SQLite's randomness (WAL salts, temporary names) from the disk's seed.
  // Its own generator: SQLite asks once per process (and again after reset()),
  // so the disk's choices must not depend on when it asks.
  static int randomness(sqlite3_vfs*, int size, char* out) {
    for (int i = 0; i < size; ++i) out[i] = static_cast<char>(the_disk->sqlite_rng_.next());
    return size;
  }
  static int sleep(sqlite3_vfs*, int microseconds) {
    return real_vfs->xSleep(real_vfs, microseconds);
  }
  static int current_time(sqlite3_vfs*, double* out) {
    return real_vfs->xCurrentTime(real_vfs, out);
  }
  static int last_error(sqlite3_vfs*, int size, char* out) {
    return real_vfs->xGetLastError(real_vfs, size, out);
  }
  static int current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
  }
};

const sqlite3_io_methods VfsCalls::methods = {
    3,
    &VfsCalls::close,
    &VfsCalls::read,
    &VfsCalls::write,
    &VfsCalls::truncate,
    &VfsCalls::sync,
    &VfsCalls::file_size,
    &VfsCalls::lock,
    &VfsCalls::unlock,
    &VfsCalls::check_reserved_lock,
    &VfsCalls::file_control,
    &VfsCalls::sector_size,
    &VfsCalls::device_characteristics,
    &VfsCalls::shm_map,
    &VfsCalls::shm_lock,
    &VfsCalls::shm_barrier,
    &VfsCalls::shm_unmap,
    &VfsCalls::fetch,
    &VfsCalls::unfetch,
};

SimDisk& SimDisk::install() {
  static SimDisk* disk = [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    if (real_vfs == nullptr) {
      std::fputs("simtest: SQLite has no default VFS\n", stderr);
      std::abort();
    }
    auto* made = new SimDisk;
    the_disk = made;
    static sqlite3_vfs vfs{};
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(SimFile)) + real_vfs->szOsFile;
    vfs.mxPathname = real_vfs->mxPathname;
    vfs.zName = "zonegate-sim";
    vfs.xOpen = &VfsCalls::open;
    vfs.xDelete = &VfsCalls::remove;
    vfs.xAccess = &VfsCalls::access;
    vfs.xFullPathname = &VfsCalls::full_pathname;
    vfs.xDlOpen = real_vfs->xDlOpen;
    vfs.xDlError = real_vfs->xDlError;
    vfs.xDlSym = real_vfs->xDlSym;
    vfs.xDlClose = real_vfs->xDlClose;
    vfs.xRandomness = &VfsCalls::randomness;
    vfs.xSleep = &VfsCalls::sleep;
    vfs.xCurrentTime = &VfsCalls::current_time;
    vfs.xGetLastError = &VfsCalls::last_error;
    vfs.xCurrentTimeInt64 = &VfsCalls::current_time_int64;
    if (sqlite3_vfs_register(&vfs, /*makeDflt=*/1) != SQLITE_OK) {
      std::fputs("simtest: cannot install the simulated disk\n", stderr);
      std::abort();
    }
    return made;
  }();
  return *disk;
}

void SimDisk::reset(uint64_t seed) {
  files_.clear();
  rng_ = demo::Rng(seed);
  sqlite_rng_ = demo::Rng(seed ^ 0x5157'4C69'7465'0000ULL);
  sqlite3_randomness(0, nullptr);  // SQLite reseeds from sqlite_rng_ when next it needs to
  power_loss_at_sync_ = false;
  counters_ = {};
  powered_ = true;
  full_ = false;
  lying_fsync_ = false;
  writes_until_power_loss_ = -1;
}

bool SimDisk::take_write() {
  if (!powered_) return false;
  if (writes_until_power_loss_ == 0) {
    powered_ = false;
    return false;
  }
  if (writes_until_power_loss_ > 0) --writes_until_power_loss_;
  return true;
}

void SimDisk::recover_after_power_loss() {
  ++counters_.power_losses;
  for (const auto& [path, file] : files_) {
    const int fd = ::open(path.c_str(), O_RDWR);
    if (fd < 0) continue;  // deleted since (a deletion is taken as durable)
    const int64_t size = ::lseek(fd, 0, SEEK_END);
    int64_t end = std::min(size, file.synced_size);
    for (const auto& [sector, old] : file.sectors) {
      const int64_t start = sector * kSectorBytes;
      if (start >= size) continue;
      const int64_t stop = std::min(size, start + kSectorBytes);
      if (rng_.percent(50)) {  // the new bytes reached the platter
        ++counters_.sectors_kept;
        end = std::max(end, stop);
        continue;
      }
      ++counters_.sectors_lost;
      // The old bytes come back; what did not exist at the sync reads as zeros.
      std::string bytes = old;
      bytes.resize(static_cast<size_t>(stop - start), '\0');
      if (::pwrite(fd, bytes.data(), bytes.size(), start) != static_cast<ssize_t>(bytes.size())) {
        std::perror("simtest: restoring a sector");
        std::abort();
      }
    }
    // The file is as long as its synced size or its last surviving sector.
    if (end < size && ::ftruncate(fd, end) != 0) {
      std::perror("simtest: restoring a file's size");
      std::abort();
    }
    ::close(fd);
  }
  files_.clear();
  powered_ = true;
  writes_until_power_loss_ = -1;
  power_loss_at_sync_ = false;
}

void SimDisk::make_default(bool sim) {
  sqlite3_vfs* vfs = sqlite3_vfs_find(sim ? "zonegate-sim" : real_vfs->zName);
  if (vfs != nullptr) sqlite3_vfs_register(vfs, 1);
}

}  // namespace zg::sim
