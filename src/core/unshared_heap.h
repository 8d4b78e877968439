// A heap for threads whose memory a forked child never reads.
//
// Why: the server writes snapshots from a forked child (api/zone.cc), and
// for as long as the child lives every page the parent writes that the two
// still share is copied first, one 4 KiB page and one cross-CPU TLB flush
// at a time. On the VMs Zonegate runs on that is ruinous: with a child that
// only slept, batch throughput fell from 100,000 to 41,000 declarations a
// second, and three quarters of the copies were made by the HTTP and
// commit threads, whose memory the child has no use for (it reads the
// engine's state alone).
//
// So those threads allocate from a jemalloc arena of their own whose memory
// is marked MADV_DONTFORK: a child does not inherit it, and the parent's
// writes to it copy nothing. The engine thread must then never be handed a
// block of that arena for its state: its thread cache is turned off (a
// block another thread allocated and the engine frees goes back to its own
// arena, not to the engine's next allocation), and the engine only ever
// copies from what the other threads hand it (Engine::apply takes its
// command const).
//
// Each such thread gets an arena of its own (threads sharing one would
// contend for its locks). Keeping the engine's thread cache off cost singles
// a few percent at most in the runs that compared it (within the noise).
//
// The child also runs glibc's fork code, which touches the process's open
// FILE streams and name-service state: those must not be made on these
// threads (today none are: files are opened at start-up or by the engine).
//
// Only in the zonegate binary, which links jemalloc (with opt.retain, its
// default on Linux); elsewhere (tests, sanitizer builds) these do nothing.
#pragma once

namespace zg::unshared_heap {

// The calling thread allocates from an unshared arena of its own from now
// on (its earlier blocks stay where they are). Returns false when there is
// none to be had.
bool use_for_this_thread();

// The calling thread (the engine's) keeps no thread cache, so it never
// reuses a block of the unshared arena for its own.
void keep_thread_to_its_arena();

}  // namespace zg::unshared_heap
