// The session's worker threads: created once with the session, woken for
// each parallel kernel, asleep otherwise. The calling thread works too, so a
// pool of N threads has N - 1 workers; a single-threaded session has no pool
// at all and its kernels run inline.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace edgeinfer {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls task(context, i) for every i in [0, count), spread over the workers
  // and the calling thread; returns when all calls have returned. One Run at
  // a time (a session runs one call at a time).
  void Run(int64_t count, void (*task)(void*, int64_t), void* context);

 private:
  void WorkerLoop();
  void Drain();

  // A run hands out work by bumping `generation_`; workers spin on it for
  // a while before sleeping on `wake_` (a convolution network dispatches
  // dozens of short parallel steps per run, and a condition-variable wake-up
  // per step costs tens of microseconds), and the caller spins until
  // `pending_` workers are done. `sleepers_` (under `mutex_`) says whether
  // a notify is needed.
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  int sleepers_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  void (*task_)(void*, int64_t) = nullptr;
  void* context_ = nullptr;
  int64_t count_ = 0;
  std::atomic<int64_t> next_{0};
};

template <typename Body>
void ParallelFor(ThreadPool* pool, int64_t n, const Body& body) {
  if (n <= 0) return;
  if (pool == nullptr || n == 1) {
    body(int64_t{0}, n);
    return;
  }
  struct Split {
    const Body* body;
    int64_t n, chunks;
  } split{&body, n, std::min<int64_t>(n, pool->threads())};
  pool->Run(
      split.chunks,
      [](void* context, int64_t i) {
        const Split& s = *static_cast<const Split*>(context);
        (*s.body)(s.n * i / s.chunks, s.n * (i + 1) / s.chunks);
      },
      &split);
}

// The threads this process may really use: its CPU affinity, capped by a
// cgroup CPU quota (v2 cpu.max, or v1 cfs_quota_us / cfs_period_us); at least 1.
int DefaultThreadCount();

}  // namespace edgeinfer
