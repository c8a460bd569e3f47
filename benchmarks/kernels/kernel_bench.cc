// INT8 kernel benchmark (npm run bench:kernels): the machine's measured
// INT8 peak, then MobileNetV2-sized 1x1 convolutions, FULLY_CONNECTED, the
// 3-channel first layer and depthwise 3x3 layers, each through the
// reference kernel and the best optimized one, on 1 thread.
//
// Convention: 1 MAC (multiply-accumulate) = 2 ops; GOPS = 2 * MACs / ns.
// Peak = MACs per instruction x the measured rate of the widest
// multiply-add the best ISA's GEMM issues (vpdpbusd zmm: 64, vpdpbusd ymm:
// 32, vpmaddwd ymm: 16). Every time is
// the median of 9 samples, each sample a loop of at least ~30 ms.
//   edgeinfer_kernel_bench [name filter]     the kernel table
//   edgeinfer_kernel_bench --model file      time per operator type of a whole model
//   edgeinfer_kernel_bench --model file --nodes   and per node: MACs, time, GOPS
//   edgeinfer_kernel_bench --opt-only [filter]    the optimized kernels' times only (quick A/B runs)
//   --cpu-time (first argument, before the others): the thread's CPU clock, fastest sample
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/planner.h"
#include "edgeinfer/kernel.h"
#include "edgeinfer/session.h"
#include "kernels/cpu_features.h"
#include "ops/conv2d/test_graph.h"
#include "peak.h"

namespace edgeinfer::bench {
namespace {

using Clock = std::chrono::steady_clock;

// --cpu-time: time with this thread's CPU clock instead of the wall clock,
// so time the thread spends preempted on a busy shared machine is not
// counted (the kernels here run on the calling thread), and take the
// fastest sample instead of the median (for A/B comparisons under noise).
bool g_cpu_time = false;

double NowSeconds() {
  if (g_cpu_time) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

// Median seconds per call of fn.
double MedianSeconds(const std::function<void()>& fn, int samples = 9) {
  fn();  // warm caches
  int64_t reps = 1;
  for (;;) {
    const double t0 = NowSeconds();
    for (int64_t i = 0; i < reps; ++i) fn();
    if (NowSeconds() - t0 > 0.03) break;
    reps *= 2;
  }
  std::vector<double> times;
  for (int k = 0; k < samples; ++k) {
    const double t0 = NowSeconds();
    for (int64_t i = 0; i < reps; ++i) fn();
    times.push_back((NowSeconds() - t0) / reps);
  }
  std::sort(times.begin(), times.end());
  return g_cpu_time ? times[0] : times[times.size() / 2];
}

struct Layer {
  std::string name;
  OpType op;
  int32_t h, w, ic, oc, k, stride, pad;
  DType dtype;
};

// One node over random data, ready to run with either config.
struct Bench {
  testing::OneNodeGraph m;
  std::vector<uint8_t> input, filter, output;
  std::vector<int32_t> bias;
  Node node;
  std::vector<void*> tensors;
  int64_t macs = 0;

  explicit Bench(const Layer& l) {
    std::mt19937 rng(7);
    const bool dw = l.op == OpType::kDepthwiseConv2D, fc = l.op == OpType::kFullyConnected;
    const int32_t oc = dw ? l.ic : l.oc;
    const int32_t oh = fc ? 1 : (l.h + 2 * l.pad - l.k) / l.stride + 1, ow = fc ? 1 : (l.w + 2 * l.pad - l.k) / l.stride + 1;
    const Shape in_shape = fc ? Shape{1, l.ic} : Shape{1, l.h, l.w, l.ic};
    const Shape f_shape = fc ? Shape{oc, l.ic} : dw ? Shape{1, l.k, l.k, oc} : Shape{oc, l.k, l.k, l.ic};
    const Shape out_shape = fc ? Shape{1, oc} : Shape{1, oh, ow, oc};
    input.resize(NumElements(in_shape));
    filter.resize(NumElements(f_shape));
    output.resize(NumElements(out_shape));
    bias.resize(oc);
    for (auto& v : input) v = static_cast<uint8_t>(rng());
    for (auto& v : filter) v = static_cast<uint8_t>(rng());
    for (auto& v : bias) v = static_cast<int32_t>(rng() % 20000) - 10000;
    const bool u8 = l.dtype == DType::kUInt8;
    const auto wq = u8 ? testing::PerTensor(0.01f, 120) : testing::PerChannel(std::vector<float>(oc, 0.01f), dw ? 3 : 0);
    const int32_t ti = m.Activation(l.dtype, in_shape, testing::PerTensor(0.02f, u8 ? 128 : 0));
    const int32_t tf = m.Constant(l.dtype, f_shape, filter, wq);
    const int32_t tb = m.Constant(DType::kInt32, {oc}, bias, testing::PerTensor(1.f, 0));
    const int32_t to = m.Activation(l.dtype, out_shape, testing::PerTensor(0.1f, u8 ? 100 : -5));
    for (const Tensor& t : m.graph().tensors) tensors.push_back(const_cast<uint8_t*>(t.data));
    tensors[ti] = input.data();
    tensors[to] = output.data();
    NodeAttrs attrs;
    if (fc) {
      attrs = FullyConnectedAttrs{};
    } else {
      ConvAttrs a;
      a.stride_h = a.stride_w = l.stride;
      a.pad = {l.pad, l.pad, l.pad, l.pad};
      a.depth_multiplier = dw ? 1 : 0;
      a.activation = Activation::kRelu6;
      attrs = a;
    }
    node = m.MakeNode(l.op, {ti, tf, tb}, to, attrs);
    macs = int64_t{oh} * ow * oc * (dw ? l.k * l.k : int64_t{l.k} * l.k * l.ic);
  }

  double Seconds(kernels::Isa isa, std::vector<uint8_t>* out) {
    KernelConfig config;
    config.isa = isa;
    std::unique_ptr<Kernel> kernel;
    const Status s = CreateKernel(m.graph(), node, config, &kernel);
    if (!s.ok()) {
      std::printf("%s\n", s.message().c_str());
      return 0;
    }
    std::vector<uint8_t> scratch(kernel->scratch_bytes() + 64);
    const RunContext ctx{tensors.data(), scratch.data() + (64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64};
    const double t = MedianSeconds([&] { kernel->Run(ctx); });
    *out = output;
    return t;
  }
};

// Per-operator time of a whole model, one thread: every node's kernel run
// in order over a planned arena (as a Session does), each timed on its own.
// Multiply-accumulates of a convolution or fully connected node (0 for
// others): output elements times the inputs each one sums.
int64_t NodeMacs(const Graph& graph, const Node& node) {
  const Tensor& out = graph.tensors[node.outputs[0]];
  const Tensor& filter = graph.tensors[node.inputs[1 < node.inputs.size() ? 1 : 0]];
  switch (node.op) {
    case OpType::kConv2D:  // filter [OC, KH, KW, IC]
      return out.num_elements() * filter.shape[1] * filter.shape[2] * filter.shape[3];
    case OpType::kDepthwiseConv2D:  // filter [1, KH, KW, C]
      return out.num_elements() * filter.shape[1] * filter.shape[2];
    case OpType::kFullyConnected:  // filter [OC, IC]
      return out.num_elements() * filter.shape[1];
    default:
      return 0;
  }
}

int ProfileModel(const char* path, bool per_node) {
  std::ifstream file(path, std::ios::binary);
  auto bytes = std::make_shared<std::vector<uint8_t>>((std::istreambuf_iterator<char>(file)),
                                                      std::istreambuf_iterator<char>());
  std::shared_ptr<Graph> graph;
  const Status s = LoadGraph(bytes->data(), bytes->size(), bytes, &graph);
  if (!s.ok()) {
    std::printf("%s: %s\n", path, s.message().c_str());
    return 1;
  }
  for (kernels::Isa isa : {kernels::Isa::kReference, kernels::BestIsa()}) {
    KernelConfig config;
    config.isa = isa;
    std::vector<std::unique_ptr<Kernel>> kernels;
    size_t scratch_bytes = 0;
    for (const Node& node : graph->nodes) {
      kernels.emplace_back();
      if (!CreateKernel(*graph, node, config, &kernels.back()).ok()) return 1;
      scratch_bytes = std::max(scratch_bytes, kernels.back()->scratch_bytes());
    }
    const ArenaPlan plan = PlanArena(*graph);
    std::vector<uint8_t> arena(plan.bytes + scratch_bytes + 128);
    uint8_t* base = arena.data() + (64 - reinterpret_cast<uintptr_t>(arena.data()) % 64) % 64;
    std::vector<std::vector<uint8_t>> io;
    std::vector<void*> tensors(graph->tensors.size(), nullptr);
    for (size_t t = 0; t < graph->tensors.size(); ++t) {
      const Tensor& tensor = graph->tensors[t];
      if (tensor.is_constant()) {
        tensors[t] = const_cast<uint8_t*>(tensor.data);
      } else if (plan.offsets[t] != kNotInArena) {
        tensors[t] = base + plan.offsets[t];
      } else {
        io.emplace_back(tensor.byte_size(), uint8_t{128});
        tensors[t] = io.back().data();
      }
    }
    const size_t scratch_offset = (plan.bytes + 63) / 64 * 64;
    const RunContext ctx{tensors.data(), base + scratch_offset};
    std::map<std::string, double> per_op;
    double total = 0;
    for (size_t i = 0; i < kernels.size(); ++i) {
      const double t = MedianSeconds([&] { kernels[i]->Run(ctx); }, 5);
      per_op[OpTypeName(graph->nodes[i].op)] += t;
      total += t;
      if (per_node && isa != kernels::Isa::kReference) {
        const Node& node = graph->nodes[i];
        const int64_t macs = NodeMacs(*graph, node);
        std::string shape;
        for (int32_t d : graph->tensors[node.outputs[0]].shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
        std::printf("  %3zu %-18s %-16s %9.2f MMAC %8.1f us", i, OpTypeName(node.op), shape.c_str(), macs / 1e6, t * 1e6);
        if (macs > 0) std::printf(" %6.1f GOPS", 2.0 * macs / t / 1e9);
        std::printf("\n");
      }
    }
    std::printf("%s: %.2f ms per run, 1 thread (sum of per-node medians)\n", kernels::IsaName(isa), total * 1e3);
    for (const auto& [op, t] : per_op) std::printf("  %-22s %8.3f ms  %5.1f%%\n", op.c_str(), t * 1e3, 100 * t / total);
  }
  return 0;
}

}  // namespace
}  // namespace edgeinfer::bench

int main(int argc, char** argv) {
  using namespace edgeinfer;
  using namespace edgeinfer::bench;
  if (argc > 1 && std::strcmp(argv[1], "--cpu-time") == 0) g_cpu_time = true, ++argv, --argc;
  if (argc > 2 && std::strcmp(argv[1], "--model") == 0) {
    return ProfileModel(argv[2], argc > 3 && std::strcmp(argv[3], "--nodes") == 0);
  }
  const kernels::Isa best = kernels::BestIsa();
  const bool opt_only = argc > 1 && std::strcmp(argv[1], "--opt-only") == 0;
  if (opt_only) ++argv, --argc;
  std::printf("INT8 kernel benchmark, 1 thread, optimized ISA: %s\n", kernels::IsaName(best));
  std::printf("Convention: 1 MAC = 2 ops; GOPS = 2 * MACs / ns; medians of 9 samples.\n\n");

  // The peak is measured before the table and again after it; the higher
  // is the 100% (on a shared machine, the lower one saw more interference).
  // It is the throughput of the widest multiply-add instruction the best
  // ISA's GEMM kernel issues: vpdpbusd on zmm (AVX-512 VNNI), on ymm
  // (AVX-VNNI), else vpmaddwd on ymm (AVX2).
  double peak_gops = 0;
  const char* peak_name = "none";
  auto measure_peak = [&](const char* when) {
#if defined(__x86_64__)
    if (!kernels::CpuSupports(kernels::Isa::kAvx2)) return;
    const int64_t iters = 20'000'000;
    uint64_t sink = 0;
    auto rate = [&](const std::function<uint64_t()>& loop) {  // instructions per ns
      return iters * 12 / MedianSeconds([&] { sink += loop(); }, 5) / 1e9;
    };
    const double madd = rate([&] { return MaddPeakLoopAvx2(iters, false); });
    const double pair = rate([&] { return MaddPeakLoopAvx2(iters, true); });
    std::printf("peak (%s) vpmaddwd ymm: %.2f instr/ns = %.1f GOPS; vpmaddwd+vpaddd: %.1f GOPS", when, madd,
                madd * 16 * 2, pair * 16 * 2);
    double gops = madd * 16 * 2;
    peak_name = "vpmaddwd ymm";
    if (best == kernels::Isa::kAvx512Vnni) {
      const double ymm = rate([&] { return DotPeakLoopAvx512Vnni(iters, false); });
      const double zmm = rate([&] { return DotPeakLoopAvx512Vnni(iters, true); });
      std::printf("; vpdpbusd ymm: %.2f instr/ns = %.1f GOPS; vpdpbusd zmm: %.2f instr/ns = %.1f GOPS", ymm,
                  ymm * 32 * 2, zmm, zmm * 64 * 2);
      gops = zmm * 64 * 2;
      peak_name = "vpdpbusd zmm";
    } else if (best == kernels::Isa::kAvxVnni) {
      const double ymm = rate([&] { return DotPeakLoopAvxVnni(iters); });
      std::printf("; vpdpbusd ymm: %.2f instr/ns = %.1f GOPS", ymm, ymm * 32 * 2);
      gops = ymm * 32 * 2;
      peak_name = "vpdpbusd ymm";
    }
    peak_gops = std::max(peak_gops, gops);
    std::printf("%s\n", sink == 1 ? " " : "");
#else
    (void)when;
#endif
  };
  if (!opt_only) measure_peak("before");
  std::printf("\n");

  const std::vector<Layer> layers = {
      {"conv1x1 56x56 144->24", OpType::kConv2D, 56, 56, 144, 24, 1, 1, 0, DType::kInt8},
      {"conv1x1 56x56 24->144", OpType::kConv2D, 56, 56, 24, 144, 1, 1, 0, DType::kInt8},
      {"conv1x1 28x28 192->32", OpType::kConv2D, 28, 28, 192, 32, 1, 1, 0, DType::kInt8},
      {"conv1x1 14x14 384->64", OpType::kConv2D, 14, 14, 384, 64, 1, 1, 0, DType::kInt8},
      {"conv1x1 14x14 64->384", OpType::kConv2D, 14, 14, 64, 384, 1, 1, 0, DType::kInt8},
      {"conv1x1 7x7 960->160", OpType::kConv2D, 7, 7, 960, 160, 1, 1, 0, DType::kInt8},
      {"conv1x1 7x7 320->1280", OpType::kConv2D, 7, 7, 320, 1280, 1, 1, 0, DType::kInt8},
      {"conv3x3 s2 224x224x3->32", OpType::kConv2D, 224, 224, 3, 32, 3, 2, 1, DType::kInt8},
      {"fc 1280->1000", OpType::kFullyConnected, 1, 1, 1280, 1000, 1, 1, 0, DType::kInt8},
      {"fc 4096->1024", OpType::kFullyConnected, 1, 1, 4096, 1024, 1, 1, 0, DType::kInt8},
      {"dw3x3 s1 112x112x32", OpType::kDepthwiseConv2D, 112, 112, 32, 0, 3, 1, 1, DType::kUInt8},
      {"dw3x3 s2 112x112x96", OpType::kDepthwiseConv2D, 112, 112, 96, 0, 3, 2, 1, DType::kUInt8},
      {"dw3x3 s1 56x56x144", OpType::kDepthwiseConv2D, 56, 56, 144, 0, 3, 1, 1, DType::kUInt8},
      {"dw3x3 s1 14x14x576", OpType::kDepthwiseConv2D, 14, 14, 576, 0, 3, 1, 1, DType::kUInt8},
      {"dw3x3 s1 7x7x960", OpType::kDepthwiseConv2D, 7, 7, 960, 0, 3, 1, 1, DType::kUInt8},
      // Asymmetric uint8 weights (zero point != 128) do not fit the dot
      // kernels' int8 operand: AVX2's int16 kernel runs them on every x86 ISA.
      {"conv1x1 14x14 384->64 uint8", OpType::kConv2D, 14, 14, 384, 64, 1, 1, 0, DType::kUInt8},
  };
  const char* filter = argc > 1 ? argv[1] : nullptr;
  std::printf("%-32s %9s %10s %10s %9s %9s %8s %7s %s\n", "layer", "MMACs", "ref ms", "opt ms", "ref GOPS",
              "opt GOPS", "% peak", "speedup", "same bytes");
  for (const Layer& l : layers) {
    if (filter != nullptr && l.name.find(filter) == std::string::npos) continue;
    Bench b(l);
    std::vector<uint8_t> ref_out, opt_out;
    if (opt_only) {
      const double opt = b.Seconds(best, &opt_out);
      std::printf("%-32s %9.2f %10s %10.3f %9s %9.1f\n", l.name.c_str(), b.macs / 1e6, "-", opt * 1e3, "-",
                  2.0 * b.macs / opt / 1e9);
      continue;
    }
    const double ref = b.Seconds(kernels::Isa::kReference, &ref_out);
    const double opt = b.Seconds(best, &opt_out);
    const double ref_gops = 2.0 * b.macs / ref / 1e9, opt_gops = 2.0 * b.macs / opt / 1e9;
    std::printf("%-32s %9.2f %10.3f %10.3f %9.1f %9.1f %7.1f%% %6.1fx %s\n", l.name.c_str(), b.macs / 1e6, ref * 1e3,
                opt * 1e3, ref_gops, opt_gops, peak_gops > 0 ? 100.0 * opt_gops / peak_gops : 0.0, ref / opt,
                ref_out == opt_out ? "yes" : "NO");
  }
  std::printf("\n");
  if (opt_only) return 0;
  measure_peak("after");
  std::printf("%% peak above is of the higher %s peak (1 MAC = 2 ops): %.1f GOPS.\n", peak_name, peak_gops);
  return 0;
}
