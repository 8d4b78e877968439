#include "durable/data_dir.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/sha256.h"
#include "durable/journal_results.h"
#include "durable/replay_pipeline.h"
#include "engine/journal_entry.h"
#include "engine/snapshot.h"
#include "policy/pack_loader.h"
#include "store/postgres/postgres_journal.h"
#include "store/sqlite/sqlite_journal.h"
#include "store/store_spec.h"

namespace zg {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The files of a pack, as relative paths in a fixed order.
std::vector<fs::path> pack_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir));
  }
  std::sort(files.begin(), files.end());
  return files;
}

// fsyncs a file or directory; false if it cannot.
bool sync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

// fsyncs every file and directory under `dir`, and `dir` itself.
bool sync_tree(const fs::path& dir) {
  bool ok = true;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    ok = sync_path(entry.path()) && ok;
  return sync_path(dir) && ok;
}

}  // namespace

Result<std::string> hash_pack_dir(const std::string& pack_dir) {
  std::error_code error;
  if (!fs::is_directory(pack_dir, error)) {
    return Result<std::string>(ErrorCode::kIoError, "", pack_dir + " is not a directory");
  }
  Sha256 hash;
  for (const fs::path& file : pack_files(pack_dir)) {
    const std::string bytes = read_file(fs::path(pack_dir) / file);
    hash.update(file.generic_string());
    hash.update(std::string_view("\0", 1));
    hash.update(std::to_string(bytes.size()));
    hash.update(std::string_view("\0", 1));
    hash.update(bytes);
  }
  return to_hex(hash.finish());
}

namespace {

constexpr const char* kStoreFile = "store";  // DIR/store: the PostgreSQL shard's URL

// Writes DIR/store durably: a directory whose journal is in PostgreSQL must
// never be mistaken for a new, empty SQLite one after a crash.
Status write_store_file(const fs::path& dir, const std::string& recorded) {
  const fs::path file = dir / kStoreFile;
  const fs::path temporary = dir / "store.tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << recorded << "\n";
    if (!out.flush()) {
      return Status(ErrorCode::kIoError, "", "cannot write " + temporary.string());
    }
  }
  std::error_code error;
  bool written = sync_path(temporary);
  if (written) fs::rename(temporary, file, error);
  written = written && !error && sync_path(dir);
  if (!written) return Status(ErrorCode::kIoError, "", "cannot write " + file.string());
  return Status::ok();
}

// Opens the journal store of DIR: what DIR/store or DIR/journal.db says,
// or for a new directory what `store` names (SQLite when "").
Result<std::unique_ptr<JournalStore>> open_store(const fs::path& dir, bool create,
                                                 const std::string& store, StoreSpec& spec) {
  using Opened = Result<std::unique_ptr<JournalStore>>;
  const std::string path = dir.string();
  const bool has_sqlite = fs::exists(dir / "journal.db");
  const bool has_store_file = fs::exists(dir / kStoreFile);
  if (has_sqlite && has_store_file) {
    return Opened(ErrorCode::kUnsupportedFormat, "",
                  path + " holds both journal.db and store: which journal is the zone's?");
  }
  spec = StoreSpec{};
  if (!store.empty()) {
    Result<StoreSpec> parsed = parse_store_spec(store);
    if (!parsed.is_ok()) return parsed.status();
    spec = std::move(parsed).value();
  }
  if (has_store_file) {
    std::string recorded = read_file(dir / kStoreFile);
    while (!recorded.empty() && (recorded.back() == '\n' || recorded.back() == '\r')) {
      recorded.pop_back();
    }
    Result<StoreSpec> kept = parse_store_spec(recorded);
    if (!kept.is_ok() || kept->kind != StoreSpec::Kind::kPostgres) {
      return Opened(ErrorCode::kUnsupportedFormat, "",
                    (dir / kStoreFile).string() + " does not name a PostgreSQL store");
    }
    if (store.empty()) {
      spec = std::move(kept).value();  // the password, if any, from PGPASSWORD or ~/.pgpass
    } else if (spec.recorded != kept->recorded) {
      return Opened(ErrorCode::kUsage, "",
                    path + " keeps its journal in " + kept->recorded + ", not in " + spec.recorded +
                        " (--store)");
    }
  } else if (has_sqlite) {
    if (spec.kind != StoreSpec::Kind::kSqlite) {
      return Opened(ErrorCode::kUsage, "",
                    path + " keeps its journal in SQLite (journal.db); --store " + spec.recorded +
                        " cannot move it (start a new data directory on PostgreSQL)");
    }
  } else if (!create) {
    return Opened(ErrorCode::kIoError, "", path + " holds no journal.db");
  }
  if (spec.kind == StoreSpec::Kind::kSqlite) {
    Result<std::unique_ptr<SqliteJournal>> journal =
        SqliteJournal::open((dir / "journal.db").string(), create);
    if (!journal.is_ok()) return journal.status();
    return std::unique_ptr<JournalStore>(std::move(journal).value());
  }
  PostgresOptions options;
  options.url = spec.url;
  options.shard = spec.shard;
  options.shown = spec.recorded;
  // Tables are made only with the record: a directory that records a shard
  // whose tables are gone must stop, not start again on an empty journal.
  Result<std::unique_ptr<PostgresJournal>> journal =
      PostgresJournal::open(options, create && !has_store_file);
  if (!journal.is_ok()) return journal.status();
  if (!has_store_file) {
    // A new directory on a shard that already holds a zone would write a
    // second zone's commands after the first's.
    Result<std::string> key = (*journal)->get_meta("signing_public_key");
    if (!key.is_ok()) return key.status();
    if ((*journal)->last_seq() > 0 || !key->empty()) {
      return Opened(ErrorCode::kUnsupportedFormat, "",
                    "shard " + spec.shard + " of " + spec.recorded +
                        " already holds a zone's journal, made with another data directory; "
                        "name a new shard (?shard=NAME) or open that directory");
    }
    Status kept = write_store_file(dir, spec.recorded);
    if (!kept.is_ok()) return kept;
  }
  return std::unique_ptr<JournalStore>(std::move(journal).value());
}

}  // namespace

bool holds_journal(const std::string& data) {
  return fs::exists(fs::path(data) / "journal.db") || fs::exists(fs::path(data) / kStoreFile);
}

Result<std::unique_ptr<DataDir>> DataDir::open(const std::string& path, bool create,
                                               const std::string& store) {
  std::error_code error;
  const fs::path dir(path);
  if (!fs::exists(dir, error)) {
    if (!create) {
      return Result<std::unique_ptr<DataDir>>(ErrorCode::kIoError, "", path + " does not exist");
    }
    fs::create_directories(dir / "packs", error);
    if (error) {
      return Result<std::unique_ptr<DataDir>>(ErrorCode::kIoError, "",
                                              "cannot create " + path + ": " + error.message());
    }
  } else if (!fs::is_directory(dir, error)) {
    return Result<std::unique_ptr<DataDir>>(ErrorCode::kUnsupportedFormat, "",
                                            path + " is not a directory");
  } else if (!holds_journal(path) && !fs::is_empty(dir, error) && !fs::exists(dir / "packs")) {
    // Someone else's directory: refuse rather than write into it.
    return Result<std::unique_ptr<DataDir>>(
        ErrorCode::kUnsupportedFormat, "",
        path + " is not a Zonegate data directory (no journal.db) and is not empty");
  }
  if (create) fs::create_directories(dir / "packs", error);
  StoreSpec spec;
  Result<std::unique_ptr<JournalStore>> journal = open_store(dir, create, store, spec);
  if (!journal.is_ok()) return journal.status();
  auto data = std::unique_ptr<DataDir>(new DataDir());
  data->path_ = path;
  data->store_ = std::move(spec);
  data->journal_ = std::move(journal).value();
  Status keyed = data->open_signing_key(create);
  if (!keyed.is_ok()) return keyed;
  return data;
}

Result<AuditLog*> DataDir::audit_log(const std::string& zone) {
  if (audit_ == nullptr) {
    Result<std::unique_ptr<AuditLog>> opened =
        AuditLog::open(*journal_, signing_key_, zone, kTreeHeadEveryMs);
    if (!opened.is_ok()) return opened.status();
    audit_ = std::move(opened).value();
  }
  return audit_.get();
}

DataDir::~DataDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status DataDir::claim_for_writing(const std::string& who) {
  if (lock_fd_ >= 0) return Status::ok();
  const std::string file = (fs::path(path_) / "lock").string();
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    return Status(ErrorCode::kIoError, "", "cannot open " + file + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[256] = {};
    const ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    if (error != EWOULDBLOCK) {
      return Status(ErrorCode::kIoError, "", "cannot lock " + file + ": " + std::strerror(error));
    }
    std::string named(holder, n > 0 ? static_cast<size_t>(n) : 0);
    while (!named.empty() && (named.back() == '\n' || named.back() == '\0')) named.pop_back();
    return Status(ErrorCode::kUnavailable, "",
                  path_ + " is in use by another process (" +
                      (named.empty() ? std::string("unnamed") : named) +
                      "): stop it first, or send the commands to its server");
  }
  // Who holds it, for the next one refused (the lock itself is the flock).
  const std::string named = "pid " + std::to_string(::getpid()) + ", " + who + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, named.data(), named.size(), 0) < 0) {
    // The lock holds without the name.
  }
  lock_fd_ = fd;
  return Status::ok();
}

Status DataDir::open_signing_key(bool create) {
  // The journal names the key's public half once a key exists: credentials
  // issued under it are in the journal, and replay signs them again, so a
  // lost or swapped key must stop the zone rather than be replaced.
  constexpr std::string_view kMetaKey = "signing_public_key";
  const std::string key_path = (fs::path(path_) / "zone-signing.key").string();
  Result<std::string> recorded = journal_->get_meta(kMetaKey);
  if (!recorded.is_ok()) return recorded.status();
  std::error_code error;
  const bool present = fs::exists(key_path, error);
  if (!present && !recorded->empty()) {
    return Status(ErrorCode::kCorruption, "",
                  key_path + " is missing: the journal's credentials were signed with the key " +
                      *recorded + "; restore that file from the zone's backup");
  }
  // A zone from before the gates (no key recorded) gets its key on the
  // first writing open, as a new zone does.
  if (!present && !create) return Status::ok();
  Result<gate::SigningKey> key = gate::load_or_create_signing_key(key_path);
  if (!key.is_ok()) return key.status();
  const gate::PublicKey public_key = key->public_key();
  const std::string hex = to_hex(public_key);  // a Digest and a PublicKey are both 32 bytes
  if (recorded->empty()) {
    Status put = journal_->put_meta(kMetaKey, hex);
    if (!put.is_ok()) return put;
  } else if (*recorded != hex) {
    return Status(ErrorCode::kCorruption, "",
                  key_path + " is not the key this journal's credentials were signed with (" +
                      *recorded + ")");
  }
  signing_key_ = std::make_shared<const gate::SigningKey>(std::move(key).value());
  return Status::ok();
}

Result<std::string> DataDir::keep_pack(const std::string& pack_dir) {
  Result<std::string> hash = hash_pack_dir(pack_dir);
  if (!hash.is_ok()) return hash;
  const fs::path target = fs::path(path_) / "packs" / *hash;
  std::error_code error;
  if (fs::exists(target, error)) return hash;
  // Copy beside, then rename: a crash never leaves half a pack under its hash.
  const fs::path partial = fs::path(path_) / "packs" / (*hash + ".partial");
  fs::remove_all(partial, error);
  fs::copy(pack_dir, partial, fs::copy_options::recursive, error);
  // On disk before it is named: the journal will refer to it by its hash.
  if (!error && !sync_tree(partial)) error = std::make_error_code(std::errc::io_error);
  if (!error) fs::rename(partial, target, error);
  if (!error && !sync_path(target.parent_path())) error = std::make_error_code(std::errc::io_error);
  if (error) {
    return Result<std::string>(
        ErrorCode::kIoError, "",
        "cannot keep the pack in " + target.string() + ": " + error.message());
  }
  return hash;
}

Result<const PolicyPack*> DataDir::pack(const std::string& hash) {
  if (auto it = packs_.find(hash); it != packs_.end()) return it->second.get();
  const fs::path dir = fs::path(path_) / "packs" / hash;
  Result<PolicyPack> loaded = load_policy_pack(dir.string());
  if (!loaded.is_ok()) {
    return Result<const PolicyPack*>(ErrorCode::kCorruption, "",
                                     "pack " + hash + " is missing or damaged in " + path_ + ": " +
                                         loaded.status().first().field + ": " +
                                         loaded.status().first().message);
  }
  // The copy must still be the pack the journal names.
  Result<std::string> actual = hash_pack_dir(dir.string());
  if (!actual.is_ok() || *actual != hash) {
    return Result<const PolicyPack*>(ErrorCode::kCorruption, "",
                                     "pack " + hash + " in " + path_ + " has been changed");
  }
  auto& slot = packs_[hash];
  slot = std::make_unique<PolicyPack>(std::move(loaded).value());
  return slot.get();
}

namespace {

// Snapshot files, newest first.
std::vector<std::pair<uint64_t, fs::path>> list_snapshots(const fs::path& dir) {
  std::vector<std::pair<uint64_t, fs::path>> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir / "snapshots", error)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".snap" || name.size() != 17) continue;
    uint64_t seq = 0;
    bool digits = true;
    for (size_t i = 0; i < 12; ++i) {
      digits = digits && name[i] >= '0' && name[i] <= '9';
      seq = seq * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    if (digits) found.emplace_back(seq, entry.path());
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  return found;
}

// The snapshot that a new one at `seq` may be written over: the newest of
// those drop_old_snapshots drops once it is written (the two newest are
// kept), or "" when none would be. Only when the new one is newer than
// every snapshot there: otherwise the one it would drop might be the only
// one that loads (the others ahead of the journal), and until the new one
// is whole there would be none.
std::string reusable_snapshot(const std::vector<std::pair<uint64_t, fs::path>>& found, uint64_t seq,
                              bool reuse_old) {
  if (!reuse_old || found.size() < 2 || found.front().first >= seq) return "";
  return found[1].second.string();
}

// Part files that a writer which died left behind (a server's snapshot
// child killed at shutdown, a fetch of the shard's snapshot cut short):
// removed before a snapshot is written or fetched, so their space is there
// for it. One process writes a data directory at a time
// (claim_for_writing), and it writes one snapshot at a time.
void remove_part_files(const fs::path& dir) {
  std::error_code error;
  std::vector<fs::path> parts;
  for (const auto& entry : fs::directory_iterator(dir / "snapshots", error)) {
    // (".snap.part": what a fetch of the shard's snapshot was written as before.)
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".snap.partial") || name.ends_with(".snap.part"))
      parts.push_back(entry.path());
  }
  for (const fs::path& part : parts) fs::remove(part, error);
}

// After a snapshot is written: all but the two newest go.
void drop_old_snapshots(const fs::path& dir) {
  std::error_code error;
  const auto found = list_snapshots(dir);
  for (size_t i = 2; i < found.size(); ++i) fs::remove(found[i].second, error);
}

// An engine needs a pack to exist; a snapshot names its own, set after loading.
const PolicyPack& placeholder_pack() {
  static const PolicyPack pack;
  return pack;
}

}  // namespace

std::string DataDir::journal_leaf(uint64_t seq) const {
  std::string leaf;
  Status read = journal_->read(seq, [&](const JournalEntry& row) {
    if (row.seq == seq) leaf = to_hex(row.leaf_hash);
    return Status(ErrorCode::kIoError, "", "stop");  // one row is enough: end the read
  });
  (void)read;  // the "stop" above, or a read error: either way `leaf` says
  return leaf;
}

std::string DataDir::snapshot_file(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%012llu.snap", static_cast<unsigned long long>(seq));
  return (fs::path(path_) / "snapshots" / name).string();
}

Status DataDir::share_snapshot(uint64_t seq) {
  return journal_->keep_snapshot(seq, snapshot_file(seq));
}

void DataDir::take_shared_snapshot(uint64_t journal_seq) {
  Result<uint64_t> kept = journal_->newest_kept_snapshot();
  if (!kept.is_ok() || *kept == 0 || *kept <= newest_snapshot_seq() || *kept > journal_seq) return;
  // Fetched under a temporary name: a half-written file is never a snapshot.
  std::error_code error;
  fs::create_directories(fs::path(path_) / "snapshots", error);
  remove_part_files(path_);
  const std::string file = snapshot_file(*kept);
  const std::string part = file + ".partial";
  Status fetched = journal_->fetch_snapshot(*kept, part);
  if (fetched.is_ok() && !sync_path(part)) {
    fetched = Status(ErrorCode::kIoError, "", "cannot sync " + part);
  }
  if (fetched.is_ok()) fs::rename(part, file, error);
  if (!fetched.is_ok() || error) {
    fs::remove(part, error);
    std::fprintf(stderr, "zonegate: the shard's snapshot %llu was not taken: %s\n",
                 static_cast<unsigned long long>(*kept),
                 fetched.is_ok() ? "cannot rename it" : fetched.first().message.c_str());
    return;
  }
  std::fprintf(stderr, "zonegate: snapshot %llu taken from the shard\n",
               static_cast<unsigned long long>(*kept));
}

uint64_t DataDir::newest_snapshot_seq() const {
  const auto found = list_snapshots(path_);
  return found.empty() ? 0 : found.front().first;
}

Status DataDir::snapshot(const Engine& engine, const std::string& pack_hash, bool reuse_old) {
  const fs::path dir = fs::path(path_) / "snapshots";
  std::error_code error;
  fs::create_directories(dir, error);
  char name[32];
  std::snprintf(name, sizeof name, "%012llu.snap",
                static_cast<unsigned long long>(engine.state().last_seq));
  // The journal's leaf at the snapshot's seq ties the two together.
  const uint64_t seq = engine.state().last_seq;
  const std::string leaf = journal_leaf(seq);
  if (leaf.empty()) {
    return Status(ErrorCode::kIoError, "", "the journal has no row " + std::to_string(seq));
  }
  remove_part_files(path_);
  Status status = write_snapshot(engine, pack_hash, leaf, (dir / name).string(),
                                 kSnapshotPieceBytes, SnapshotWriter::kOwnThread,
                                 reusable_snapshot(list_snapshots(path_), seq, reuse_old));
  if (!status.is_ok()) return status;
  drop_old_snapshots(path_);
  return Status::ok();
}

// ThreadSanitizer ends a forked child of a threaded process that starts a
// thread ("not supported"): under it, the child writes its pieces in turn.
#if defined(__SANITIZE_THREAD__)
constexpr SnapshotWriter kChildsWriter = SnapshotWriter::kCallersThread;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr SnapshotWriter kChildsWriter = SnapshotWriter::kCallersThread;
#else
constexpr SnapshotWriter kChildsWriter = SnapshotWriter::kOwnThread;
#endif
#else
constexpr SnapshotWriter kChildsWriter = SnapshotWriter::kOwnThread;
#endif

namespace {

constexpr int kSnapshotChildNice = 19;

// Makes the calling process (a snapshot's child) a background job: it runs
// only when no thread of the server wants the CPU (SCHED_IDLE: a server
// thread that wakes takes the core at once, where under nice 19 it could
// wait for the child's slice), and the I/O it does itself (reading older
// snapshots, its syncs) goes to the disk when the server's does not (the
// idle I/O class, which mq-deadline and BFQ honour; the kernel's flusher
// threads write most of its pages back under their own class). Where a
// call is refused, nice 19 is what is left. The I/O class is set before the
// CPU policy: a test that sees SCHED_IDLE may read both.
void become_background_job() {
  (void)::setpriority(PRIO_PROCESS, 0, kSnapshotChildNice);
  // <linux/ioprio.h>'s values; glibc has no wrapper for the call.
  constexpr int kWhoProcess = 1, kClassIdle = 3, kClassShift = 13;
  (void)::syscall(SYS_ioprio_set, kWhoProcess, 0, kClassIdle << kClassShift);
  sched_param param{};
  (void)::sched_setscheduler(0, SCHED_IDLE, &param);
}

// The child's end of the socket that brings the journal's leaf: 64 hex
// characters, then the end. "" if it closed without them (the commit
// failed, or the parent is gone).
std::string read_leaf(int fd) {
  std::string leaf;
  char buffer[128];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    leaf.append(buffer, static_cast<size_t>(n));
    if (leaf.size() > 64) return "";
  }
  return leaf.size() == 64 ? leaf : "";
}

// A socket pair for the leaf, not a pipe: a send to a child that died
// fails (MSG_NOSIGNAL) rather than raise a SIGPIPE that ends the server.
// Both ends above standard input, output and error, which the child keeps.
Status leaf_socket_pair(int ends[2]) {
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    return Status(ErrorCode::kIoError, "",
                  std::string("cannot make a socket pair: ") + std::strerror(errno));
  }
  for (int i = 0; i < 2; ++i) {
    if (ends[i] < 3) {
      const int moved = ::fcntl(ends[i], F_DUPFD_CLOEXEC, 3);
      const int error = errno;
      ::close(ends[i]);
      ends[i] = moved;
      if (moved < 0) {
        if (ends[1 - i] >= 0) ::close(ends[1 - i]);
        return Status(ErrorCode::kIoError, "",
                      std::string("cannot move a socket: ") + std::strerror(error));
      }
    }
  }
  return Status::ok();
}

}  // namespace

DataDir::SnapshotLeaf::~SnapshotLeaf() {
  if (socket_ >= 0) ::close(socket_);
}

void DataDir::SnapshotLeaf::send(std::string_view leaf) {
  if (socket_ < 0) return;
  while (!leaf.empty()) {
    const ssize_t n = ::send(socket_, leaf.data(), leaf.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    leaf.remove_prefix(static_cast<size_t>(n));
  }
  ::close(socket_);
  socket_ = -1;
}

Result<DataDir::SnapshotChild> DataDir::snapshot_in_child(const Engine& engine,
                                                          const std::string& pack_hash,
                                                          bool reuse_old, bool leaf_later) {
  const fs::path dir = fs::path(path_) / "snapshots";
  std::error_code error;
  fs::create_directories(dir, error);
  const uint64_t seq = engine.state().last_seq;
  std::string leaf;
  int ends[2] = {-1, -1};
  if (leaf_later) {
    if (Status made = leaf_socket_pair(ends); !made.is_ok()) return made;
  } else {
    leaf = journal_leaf(seq);  // read here: the child touches no database
    if (leaf.empty()) {
      return Status(ErrorCode::kIoError, "", "the journal has no row " + std::to_string(seq));
    }
  }
  SnapshotChild made;
  if (leaf_later) made.leaf = std::make_shared<SnapshotLeaf>(ends[1]);
  const int leaf_from = ends[0];
  char name[32];
  std::snprintf(name, sizeof name, "%012llu.snap", static_cast<unsigned long long>(seq));
  const std::string file = (dir / name).string();
  const std::string reuse = reusable_snapshot(list_snapshots(path_), seq, reuse_old);
  // Fault injection for tests: ZG_FAULT_SNAPSHOT_CHILD_WAIT_MS=N makes the
  // child wait N ms before it writes, so that a test can stop a server
  // while its snapshot is being written. Read here: the child calls no
  // more of the C library than it must.
  int child_waits_ms = 0;
  if (const char* fault = std::getenv("ZG_FAULT_SNAPSHOT_CHILD_WAIT_MS")) {
    child_waits_ms = std::atoi(fault);
  }
  // Signals are held across the fork: until the child has set its own
  // dispositions, one sent to it would run the parent's handler (asio's,
  // which tells the parent to stop).
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &before);
  const pid_t parent = ::getpid();
  const pid_t child = fork();
  const int forked = errno;
  if (child != 0) pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (leaf_from >= 0 && child != 0) ::close(leaf_from);  // the child's end
  if (child < 0) {
    return Status(ErrorCode::kIoError, "", std::string("cannot fork: ") + std::strerror(forked));
  }
  if (child == 0) {
    // The child dies with the thread that made it (a server's engine, which
    // waits for it at a clean stop, and does not end just after a fork): one
    // whose server was killed would go on writing without the directory's
    // lock (claim_for_writing), which went with its server, beside whoever
    // takes the lock next. A process gone before the request is caught by
    // getppid().
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) _exit(1);
    // Only this thread exists here, and the snapshot file's writer (not
    // under TSan: kChildsWriter): no locks of the parent's other threads
    // are taken (no stdio, no database), just the state's memory and
    // files. The parent's descriptors (its listening socket, its clients,
    // the journal, the leaf socket's other end) are closed, so a parent
    // that dies leaves nothing bound, and the leaf socket ends when the
    // parent closes its end.
    // A background job: the server's threads come first for the CPU and
    // the disk (its writer thread, made later, inherits this).
    become_background_job();
    // A stop (Ctrl-C to the process group, a service manager's SIGTERM to
    // them all) is the parent's to handle: it waits for this child, or
    // kills it after a minute. The parent's own handlers would write to
    // descriptors this process closes and may reuse for the snapshot.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    std::signal(SIGHUP, SIG_IGN);
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    if (leaf_from >= 0 && leaf_from != 3 && ::dup2(leaf_from, 3) != 3) _exit(1);
    close_range(leaf_from >= 0 ? 4 : 3, ~0u, 0);
    bool ok = false;
    try {
      if (leaf_from >= 0) {
        // Nothing is written until the row is durable: a snapshot never
        // holds a command the journal might not.
        leaf = read_leaf(3);
        ::close(3);
      }
      if (child_waits_ms > 0) ::usleep(static_cast<useconds_t>(child_waits_ms) * 1000);
      if (!leaf.empty()) remove_part_files(path_);  // here, not on the zone's thread
      ok = !leaf.empty() &&
           write_snapshot(engine, pack_hash, leaf, file, kSnapshotPieceBytes, kChildsWriter, reuse)
               .is_ok();
      if (ok) drop_old_snapshots(path_);
    } catch (...) {  // never into the parent's code: this process only writes
      ok = false;
    }
    _exit(ok ? 0 : 1);
  }
  made.pid = static_cast<int>(child);
  return made;
}

Result<DataDir::Replayed> DataDir::replay(const std::function<void(uint64_t, uint64_t)>& progress,
                                          bool use_snapshots, bool take_shared) {
  // In three stages (durable/replay_pipeline.h): a thread reads rows,
  // checks their hashes and prepares their commands; this one applies them;
  // a third compares the results.
  Replayed out;
  const uint64_t total = journal_->last_seq();
  if (use_snapshots && take_shared) take_shared_snapshot(total);
  for (const auto& [seq, file] :
       use_snapshots ? list_snapshots(path_) : std::vector<std::pair<uint64_t, fs::path>>{}) {
    if (seq > total) {
      std::fprintf(stderr, "zonegate: snapshot %s is ahead of the journal (%llu): skipped\n",
                   file.string().c_str(), static_cast<unsigned long long>(total));
      continue;
    }
    auto engine = std::make_unique<Engine>(placeholder_pack());
    engine->set_signing_key(signing_key_);
    engine->set_result_reader(journal_result_reader(path_, store_));
    Result<SnapshotInfo> info = read_snapshot(file.string(), *engine);
    Result<const PolicyPack*> pack =
        info.is_ok() ? this->pack(info->pack_hash) : Result<const PolicyPack*>(info.status());
    std::string problem;
    if (!pack.is_ok()) {
      problem = pack.status().first().message;
    } else if (info->seq != seq) {
      problem = file.string() + ": its name and contents disagree";
    } else {
      if (journal_leaf(seq) != info->journal_leaf) {
        problem = file.string() + " was not taken from this journal (its row " +
                  std::to_string(seq) + " differs)";
      }
    }
    if (!problem.empty()) {
      std::fprintf(stderr, "zonegate: snapshot skipped: %s\n", problem.c_str());
      continue;
    }
    engine->set_pack(**pack);
    out.engine = std::move(engine);
    out.snapshot_seq = seq;
    break;
  }
  const uint64_t first_seq = out.snapshot_seq + 1;
  ReplayStages stages;
  stages.read = [&](ReplayFeed& feed) -> Status {
    uint64_t expected = first_seq;
    return journal_->read(first_seq, [&](const JournalEntry& row) -> Status {
      if (row.seq != expected) {
        return Status(ErrorCode::kCorruption, "",
                      "journal seq " + std::to_string(expected) + " is missing (next row is " +
                          std::to_string(row.seq) + ")");
      }
      ++expected;
      Result<JournalRecordView> record = check_journal_entry_in_place(row);
      if (!record.is_ok()) return record.status();
      // Assigned, not moved: each slot's buffers are kept from row to row.
      ReplayItem& item = feed.slot();
      item.seq = row.seq;
      item.pack.assign(record->pack);
      item.recorded.assign(record->result);
      // The entry's hash held, and it was written canonical: no need to
      // canonicalize the command again.
      Engine::prepare_canonical(record->command, static_cast<int64_t>(row.seq), item.command);
      if (!feed.push()) {
        return Status(ErrorCode::kCorruption, "", "stopped");  // a later stage's error wins
      }
      return Status::ok();
    });
  };
  // The engine's maps sized for the whole journal, so they never rehash.
  if (out.engine != nullptr) out.engine->reserve(total - out.snapshot_seq);
  stages.apply = [&](ReplayItem& item) -> Status {
    const bool first = out.engine == nullptr;
    // The last rows' results stay in memory too: after a crash or a
    // failover, clients resend what they sent last.
    const ResultKeeping keeping = item.seq + kRecentResultsKept > total ? ResultKeeping::kInMemory
                                                                        : ResultKeeping::kInJournal;
    Result<std::string_view> derived =
        apply_journaled(out.engine, item.seq, item.pack, item.command, keeping);
    if (!derived.is_ok()) return derived.status();
    // (`total` was read before the rows: on a journal that grows meanwhile
    // the rows can outrun it.)
    if (first && total > item.seq) out.engine->reserve(total - item.seq);
    item.derived.assign(*derived);  // the slot's buffer is kept from row to row
    ++out.commands;
    if (progress && (out.commands & 0x3FFF) == 0) progress(out.commands, total);
    return Status::ok();
  };
  stages.check = [](const ReplayItem& item) -> Status {
    return check_derived(item.seq, item.derived, item.recorded);
  };
  Status status = run_replay_stages(stages);
  if (!status.is_ok()) return status;
  if (progress) progress(out.commands, total);
  return out;
}

Result<std::string_view> DataDir::apply_journaled(std::unique_ptr<Engine>& engine, uint64_t seq,
                                                  const std::string& pack_hash,
                                                  const PreparedCommand& command,
                                                  ResultKeeping keeping) {
  Result<const PolicyPack*> pack = this->pack(pack_hash);
  if (!pack.is_ok()) return pack.status();
  if (engine == nullptr) {
    engine = std::make_unique<Engine>(**pack);
    engine->set_signing_key(signing_key_);
  } else {
    engine->set_pack(**pack);
  }
  // The row holds the result, so the engine need not keep a copy; for the
  // repeats of those it does not, every engine that applies rows gets the
  // reader (a standby's too, made before its first row).
  if (!engine->has_result_reader()) engine->set_result_reader(journal_result_reader(path_, store_));
  const std::string_view result = engine->apply(command, keeping);
  if (!engine->last_new() || engine->state().last_seq != seq) {
    return Status(ErrorCode::kCorruption, "",
                  "journal seq " + std::to_string(seq) +
                      ": replaying the command did not accept it as seq " + std::to_string(seq) +
                      ": " + std::string(result.substr(0, 300)));
  }
  return result;
}

Status DataDir::check_derived(uint64_t seq, std::string_view derived,
                              const std::string& recorded_result) {
  // A buffer per thread: its capacity is kept from one result to the next.
  thread_local std::string canonical;
  canonical.clear();
  append_canonical_result(canonical, derived);
  if (canonical != recorded_result) {
    return Status(ErrorCode::kCorruption, "",
                  "journal seq " + std::to_string(seq) +
                      ": replay gave a different result than the one recorded");
  }
  return Status::ok();
}

Status DataDir::apply_recorded(std::unique_ptr<Engine>& engine, uint64_t seq,
                               const std::string& pack_hash, const PreparedCommand& command,
                               const std::string& recorded_result) {
  // A standby keeps what it follows, as its owner did: it may be the
  // owner next, and clients resend their latest commands to it.
  Result<std::string_view> derived =
      apply_journaled(engine, seq, pack_hash, command, ResultKeeping::kInMemory);
  if (!derived.is_ok()) return derived.status();
  return check_derived(seq, *derived, recorded_result);
}

Result<uint64_t> DataDir::follow(std::unique_ptr<Engine>& engine,
                                 const std::function<void(const JournalEntry&)>& applied) {
  const uint64_t from = engine == nullptr ? 1 : engine->state().last_seq + 1;
  uint64_t expected = from;
  PreparedCommand command;
  Status status = journal_->read(from, [&](const JournalEntry& row) -> Status {
    if (row.seq != expected) {
      return Status(ErrorCode::kCorruption, "",
                    "journal seq " + std::to_string(expected) + " is missing (next row is " +
                        std::to_string(row.seq) + ")");
    }
    Result<JournalRecord> record = check_journal_entry(row);
    if (!record.is_ok()) return record.status();
    Engine::prepare_canonical(record->command, static_cast<int64_t>(row.seq), command);
    Status done = apply_recorded(engine, row.seq, record->pack, command, record->result);
    if (!done.is_ok()) return done;
    ++expected;
    if (applied) applied(row);
    return Status::ok();
  });
  if (!status.is_ok()) return status;
  return expected - from;
}

// Opens a data directory and rebuilds its zone from the journal; the
// engine is null when the journal is empty.
Result<DataDir::Replayed> open_and_replay(const std::string& data, bool create,
                                          std::unique_ptr<DataDir>& dir, bool progress,
                                          bool use_snapshots, const std::string& store,
                                          bool take_shared, const std::string& writer) {
  Result<std::unique_ptr<DataDir>> opened = DataDir::open(data, create, store);
  if (!opened.is_ok()) return opened.status();
  dir = std::move(opened).value();
  if (!writer.empty()) {
    Status claimed = dir->claim_for_writing(writer);
    if (!claimed.is_ok()) return claimed;
  }
  const bool bar = progress && isatty(STDERR_FILENO);
  Result<DataDir::Replayed> replayed = dir->replay(
      [&](uint64_t done, uint64_t total) {
        if (bar && total > 0) {
          const int width = 40;
          const int filled =
              static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width);
          std::fprintf(stderr, "\rreplaying [%.*s%*s] %llu/%llu", filled,
                       "########################################", width - filled, "",
                       static_cast<unsigned long long>(done),
                       static_cast<unsigned long long>(total));
        }
      },
      use_snapshots, take_shared);
  if (bar) std::fputs("\n", stderr);
  return replayed;
}

int report(const Status& status) {
  for (const Error& e : status.errors()) {
    std::fprintf(stderr, "zonegate: %s: %s\n", std::string(error_code_name(e.code)).c_str(),
                 e.message.c_str());
  }
  return 2;
}

}  // namespace zg
