// The optimized kernels CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED
// choose at creation when their KernelConfig's ISA has microkernels for the
// node (see TryCreate*): weights and requantization tables are packed once
// here, Run only computes. Anything not covered returns nullptr and the op
// keeps its reference kernel, so results never depend on the choice.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "edgeinfer/kernel.h"
#include "kernels/qdwconv.h"
#include "kernels/qgemm.h"
#include "ops/common/conv_common.h"

namespace edgeinfer::kernels {

// A quantized convolution with one group (or FULLY_CONNECTED as a 1x1 one)
// through the GEMM microkernels; output rows split over the threads, each
// range with its own panel of scratch.
template <typename T>
class QConvGemmKernel final : public Kernel {
 public:
  QConvGemmKernel(const Node& node, const ConvGeometry& g, int32_t input_offset, int threads)
      : input_(node.inputs[0]), output_(node.outputs[0]), g_(g), input_offset_(input_offset),
        threads_(threads < 1 ? 1 : threads) {}

  // Packs the weights ([output_channels][k]) and requantization for `fns`
  // (or, for dot-product kernels whose layout the weights do not fit, for
  // their fallback: PrepareQConvGemm). False when neither applies.
  template <typename W>
  bool Prepare(const QConvGemmKernels& fns, const W* weights, const RequantParams& q, const int32_t* bias) {
    const int32_t k = g_.filter_height * g_.filter_width * g_.filter_channels;
    const QConvGemmKernels* chosen = PrepareQConvGemm<T>(fns, weights, g_.output_channels, k, q, bias, &w_, &r_);
    if (chosen == nullptr) return false;
    if constexpr (std::is_same_v<T, uint8_t>) fn_ = chosen->u8; else fn_ = chosen->s8;
    name_ = chosen->name;
    return true;
  }

  // The microkernels Prepare chose ("avx2", "avxvnni", ...).
  const char* kernels_name() const { return name_; }

  const char* isa() const override { return name_; }
  size_t scratch_bytes() const override { return QConvGemmPanelBytes(w_) * threads_; }

  void Run(const RunContext& ctx) const override {
    const size_t panel_bytes = QConvGemmPanelBytes(w_);
    ForEachOutputRowChunk(ctx.pool, threads_, g_, ctx.in<T>(input_), ctx.out<T>(output_),
                          [&](const ConvGeometry& sub, const T* input, T* output, int64_t chunk) {
                            auto* panel = reinterpret_cast<int16_t*>(ctx.scratch + chunk * panel_bytes);
                            fn_(sub, w_, r_, input_offset_, input, output, panel);
                          });
  }

 private:
  int32_t input_, output_;
  ConvGeometry g_;
  int32_t input_offset_;
  QConvGemmFn<T> fn_ = nullptr;
  const char* name_ = "";
  int threads_;
  PackedQGemmWeights w_;
  QRequant r_;
};

// Depthwise convolution, depth multiplier 1, through the depthwise
// microkernels; output rows split over the threads.
template <typename T>
class QDwConvKernel final : public Kernel {
 public:
  QDwConvKernel(const Node& node, const ConvGeometry& g, int32_t input_offset, QDwConvFn<T> fn, const char* isa)
      : input_(node.inputs[0]), output_(node.outputs[0]), g_(g), input_offset_(input_offset), fn_(fn), isa_(isa),
        zero_row_(static_cast<size_t>(g.input_channels), static_cast<T>(-input_offset)) {}

  const char* isa() const override { return isa_; }

  PackedQDwWeights& weights() { return w_; }
  QRequant& requant() { return r_; }

  void Run(const RunContext& ctx) const override {
    ForEachOutputRowRange(ctx.pool, g_, ctx.in<T>(input_), ctx.out<T>(output_),
                          [&](const ConvGeometry& sub, const T* input, T* output) {
                            fn_(sub, w_, r_, input_offset_, input, zero_row_.data(), output);
                          });
  }

 private:
  int32_t input_, output_;
  ConvGeometry g_;
  int32_t input_offset_;
  QDwConvFn<T> fn_;
  const char* isa_;
  std::vector<T> zero_row_;
  PackedQDwWeights w_;
  QRequant r_;
};

namespace internal {

template <typename W>
const W* ConstantData(const Tensor& t) {
  return reinterpret_cast<const W*>(t.data);
}

inline bool ConstantOrAbsent(const Tensor* t) { return t == nullptr || t->is_constant(); }

template <typename T>
std::unique_ptr<Kernel> MakeGemm(const Node& node, const ConvGeometry& g, const RequantParams& q,
                                 const Tensor& filter, const Tensor* bias, const QConvGemmKernels& fns,
                                 int threads) {
  auto kernel = std::make_unique<QConvGemmKernel<T>>(node, g, q.input_offset, threads);
  const int32_t* b = bias != nullptr ? ConstantData<int32_t>(*bias) : nullptr;
  const bool ok = filter.dtype == DType::kUInt8 ? kernel->Prepare(fns, ConstantData<uint8_t>(filter), q, b)
                                                : kernel->Prepare(fns, ConstantData<int8_t>(filter), q, b);
  if (!ok) return nullptr;
  return kernel;
}

template <typename T>
std::unique_ptr<Kernel> MakeDw(const Node& node, const ConvGeometry& g, const RequantParams& q, const Tensor& filter,
                               const Tensor* bias, const QDwConvKernels& selected) {
  const QDwConvKernels& fns = QDwConvFor(selected, g);
  QDwConvFn<T> fn;
  if constexpr (std::is_same_v<T, uint8_t>) fn = fns.u8; else fn = fns.s8;
  auto kernel = std::make_unique<QDwConvKernel<T>>(node, g, q.input_offset, fn, fns.name);
  const int32_t taps = g.filter_height * g.filter_width;
  if (filter.dtype == DType::kUInt8) {
    PackQDwWeights(ConstantData<uint8_t>(filter), g.output_channels, taps, q.filter_offset, fns.layout,
                   &kernel->weights());
  } else {
    PackQDwWeights(ConstantData<int8_t>(filter), g.output_channels, taps, q.filter_offset, fns.layout,
                   &kernel->weights());
  }
  PrepareQRequant(q, bias != nullptr ? ConstantData<int32_t>(*bias) : nullptr, g.output_channels, &kernel->requant());
  return kernel;
}

}  // namespace internal

// A quantized CONV_2D (or FULLY_CONNECTED as a 1x1 convolution) with
// constant weights and bias and one group, when config's ISA has GEMM
// microkernels; nullptr otherwise. q has its tables bound. The dot-product
// kernels (avxvnni, avx512vnni, neondot) need every weight plus filter
// offset in [-128, 127]; other weights get the ISA's int16 kernels (avx2,
// neon) instead.
inline std::unique_ptr<Kernel> TryCreateQConvGemmKernel(const KernelConfig& config, const Node& node,
                                                        const ConvGeometry& g, const RequantParams& q,
                                                        DType activation, const Tensor& filter, const Tensor* bias) {
  const QConvGemmKernels* fns = SelectQConvGemm(config.isa);
  const int64_t k = int64_t{g.filter_height} * g.filter_width * g.filter_channels;
  if (fns == nullptr || g.filter_channels != g.input_channels || !filter.is_constant() ||
      !internal::ConstantOrAbsent(bias) || k > (int64_t{1} << 20) || g.batches < 1) {
    return nullptr;
  }
  // A 1x1 stride-1 convolution without padding reads each output pixel's
  // own input pixel, so it computes the same as an image of H*W rows of
  // one pixel, whose rows split evenly over the threads (a 7x7 image's 7
  // rows split 3/4, its 49 rows 24/25).
  ConvGeometry rows = g;
  if (g.filter_height == 1 && g.filter_width == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 &&
      g.pad_left == 0 && g.input_height == g.output_height && g.input_width == g.output_width &&
      int64_t{g.output_height} * g.output_width <= INT32_MAX) {
    rows.input_height = rows.output_height = g.output_height * g.output_width;
    rows.input_width = rows.output_width = 1;
  }
  if (activation == DType::kUInt8) {
    return internal::MakeGemm<uint8_t>(node, rows, q, filter, bias, *fns, config.threads);
  }
  return internal::MakeGemm<int8_t>(node, rows, q, filter, bias, *fns, config.threads);
}

// A quantized DEPTHWISE_CONV_2D with depth multiplier 1, at most
// kMaxDwTaps taps and constant weights and bias, when config's ISA has
// depthwise microkernels; nullptr otherwise. q has its tables bound.
inline std::unique_ptr<Kernel> TryCreateQDwConvKernel(const KernelConfig& config, const Node& node,
                                                      const ConvGeometry& g, const RequantParams& q,
                                                      DType activation, const Tensor& filter, const Tensor* bias) {
  const QDwConvKernels* fns = SelectQDwConv(config.isa);
  if (fns == nullptr || g.depth_multiplier != 1 || g.filter_height * int64_t{g.filter_width} > kMaxDwTaps ||
      !filter.is_constant() || !internal::ConstantOrAbsent(bias)) {
    return nullptr;
  }
  if (activation == DType::kUInt8) return internal::MakeDw<uint8_t>(node, g, q, filter, bias, *fns);
  return internal::MakeDw<int8_t>(node, g, q, filter, bias, *fns);
}

}  // namespace edgeinfer::kernels
