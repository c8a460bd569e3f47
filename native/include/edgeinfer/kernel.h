// A kernel is one node prepared to run: everything derivable from the graph
// (multipliers and shifts, activation bounds, packed weights) is computed at
// creation; Run only computes. Kernels never allocate during Run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "edgeinfer/graph.h"
#include "edgeinfer/status.h"
#include "kernels/cpu_features.h"

namespace edgeinfer {

class ThreadPool;  // native/core/thread_pool.h

struct RunContext {
  // Data pointer of every tensor of the graph, by tensor index: constants
  // point at their data, graph inputs at the caller's arrays, graph outputs at
  // the caller's output arrays, intermediates into the planned arena.
  void* const* tensors;
  // This kernel's scratch memory: scratch_bytes() bytes, 64-byte aligned.
  uint8_t* scratch;
  // The session's worker threads, or nullptr for a single-threaded run.
  // Kernels split work across them; a kernel must give the same bytes
  // whatever the thread count.
  ThreadPool* pool = nullptr;

  template <typename T>
  const T* in(int32_t tensor) const { return static_cast<const T*>(tensors[tensor]); }
  template <typename T>
  T* out(int32_t tensor) const { return static_cast<T*>(tensors[tensor]); }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual size_t scratch_bytes() const { return 0; }
  // The instruction set of the SIMD code this kernel runs ("avx2",
  // "avx512vnni", "neon", ...), fixed at creation, or nullptr for portable
  // C++ (the reference kernels and the portable fast paths). It may be
  // below the session's ISA: e.g. weights a dot-product kernel cannot take
  // run the AVX2 GEMM.
  virtual const char* isa() const { return nullptr; }
  // Must not write to any tensor but the node's outputs (and its scratch).
  virtual void Run(const RunContext& ctx) const = 0;
};

// What a kernel may use, fixed when the session creates it: the best
// instruction set (an optimized kernel is picked only where this allows it
// and the node's shape is one it covers; the reference otherwise) and the
// most threads a run will use, which sizes per-thread scratch.
struct KernelConfig {
  kernels::Isa isa = kernels::Isa::kReference;
  int threads = 1;
};

// BestIsa() (EDGEINFER_ISA caps it) and one thread.
KernelConfig DefaultKernelConfig();

// Validates `node` against the graph (dtypes, shapes, quantization) and
// prepares its kernel. Unsupported combinations give kUnsupportedOp naming
// the node (DescribeNode) and what is not supported; malformed ones
// kModelFormat.
Status CreateKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                    std::unique_ptr<Kernel>* kernel);
// The same with DefaultKernelConfig().
Status CreateKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel);

}  // namespace edgeinfer
