// A Session is a loaded graph prepared to run: one kernel per node, created
// once, and one arena of activation memory planned ahead of time from tensor
// lifetimes. Run() allocates nothing. A Session runs one call at a time; the
// caller serializes (the addon does).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgeinfer/graph.h"
#include "edgeinfer/kernel.h"
#include "edgeinfer/status.h"

namespace edgeinfer {

struct SessionOptions {
  // Threads a run may use; 0 picks what the process may really use (CPU
  // affinity and cgroup quota). Session::Create resolves 0 to that number.
  int threads = 1;
  // Instruction set the INT8 kernels may use: "" for the best this CPU
  // supports (EDGEINFER_ISA caps it), or a name kernels::IsaName gives
  // ("reference" forces the reference kernels). An ISA the CPU lacks falls
  // back to the best supported one below it; an unknown name fails Create.
  // Session::Create replaces it with the name of the ISA chosen.
  std::string isa;
};

class ThreadPool;

class Session {
 public:
  ~Session();
  static Status Create(std::shared_ptr<const Graph> graph, const SessionOptions& options,
                       std::unique_ptr<Session>* session);

  const Graph& graph() const { return *graph_; }
  const SessionOptions& options() const { return options_; }
  // Bytes of planned activation memory (intermediate tensors + the largest
  // kernel scratch), excluding the caller's input and output arrays.
  size_t arena_bytes() const { return arena_bytes_; }
  // The kernel of graph().nodes[i].
  const Kernel& kernel(size_t i) const { return *kernels_[i]; }

  // inputs[i] holds graph().inputs[i] (byte_size() bytes, read only, never
  // written); outputs[i] receives graph().outputs[i]. Kernels read inputs in
  // place and write outputs in place: no copy but where a graph output is
  // itself a graph input or a constant.
  Status Run(const void* const* inputs, void* const* outputs);

 private:
  Session();

  std::shared_ptr<const Graph> graph_;
  SessionOptions options_;
  std::unique_ptr<ThreadPool> pool_;  // null for a single-threaded session
  std::vector<std::unique_ptr<Kernel>> kernels_;
  // Per tensor: its data pointer when fixed at creation (constants, arena
  // tensors), or nullptr when bound per run (graph inputs and outputs).
  std::vector<void*> tensor_data_;
  std::unique_ptr<uint8_t[]> arena_storage_;
  uint8_t* scratch_ = nullptr;
  size_t arena_bytes_ = 0;
  struct OutputSlot {
    size_t output_index;
    int32_t tensor;
  };
  // Graph outputs that nodes write straight into the caller's array.
  std::vector<OutputSlot> output_bindings_;
  // Graph outputs no node writes (a graph input or constant passed through,
  // or a tensor listed twice): copied after the run.
  std::vector<OutputSlot> output_copies_;
};

// How a model is read (not how it runs: that is SessionOptions).
struct LoadOptions {
  // The file the bytes came from, if any: ONNX external data is looked up
  // beside it.
  std::string model_path;
  // Static shapes for ONNX graph inputs with symbolic dimensions, by name.
  std::map<std::string, std::vector<int64_t>> shapes;
};

// Reads a model file's bytes (format detected from content: .tflite or
// ONNX) into a graph; ONNX graphs go through the QDQ fusion passes.
// `storage` owns the bytes and must keep them alive and unchanged for the
// graph's lifetime; constant tensors point into them.
Status LoadGraph(const uint8_t* data, size_t size, std::shared_ptr<const void> storage, const LoadOptions& options,
                 std::shared_ptr<Graph>* graph);
Status LoadGraph(const uint8_t* data, size_t size, std::shared_ptr<const void> storage,
                 std::shared_ptr<Graph>* graph);

}  // namespace edgeinfer
