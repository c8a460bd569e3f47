#include "ops/quantize/quantize.h"

#include "kernels/cpu_features.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

bool X86Avx2Allowed(kernels::Isa isa) {
  return isa == kernels::Isa::kAvx2 || isa == kernels::Isa::kAvxVnni || isa == kernels::Isa::kAvx512Vnni;
}

template <typename T>
class AffineQuantizeKernel final : public Kernel {
 public:
  AffineQuantizeKernel(const AffineQuantizeParams& params, int32_t input, int32_t output, int64_t size, bool avx2)
      : params_(params), input_(input), output_(output), size_(size), avx2_(avx2) {}

  const char* isa() const override { return sizeof(T) == 1 && avx2_ ? "avx2" : nullptr; }

  void Run(const RunContext& ctx) const override {
#if defined(__x86_64__) || defined(_M_X64)
    if constexpr (sizeof(T) == 1) {
      if (avx2_) {
        AffineQuantizeAvx2(params_, ctx.in<float>(input_), size_, ctx.out<T>(output_));
        return;
      }
    }
#endif
    AffineQuantize(params_, ctx.in<float>(input_), size_, ctx.out<T>(output_));
  }

 private:
  AffineQuantizeParams params_;
  int32_t input_, output_;
  int64_t size_;
  // ONNX rounding where the session's ISA allows AVX2.
  bool avx2_;
};

template <typename In, typename Out>
class RequantizeKernel final : public Kernel {
 public:
  RequantizeKernel(const RequantizeParams& params, int32_t input, int32_t output, int64_t size, bool avx2)
      : params_(params), input_(input), output_(output), size_(size), avx2_(avx2) {}

  const char* isa() const override { return sizeof(In) == 1 && sizeof(Out) == 1 && avx2_ ? "avx2" : nullptr; }

  void Run(const RunContext& ctx) const override {
#if defined(__x86_64__) || defined(_M_X64)
    if constexpr (sizeof(In) == 1 && sizeof(Out) == 1) {
      if (avx2_) {
        RequantizeAvx2(params_, ctx.in<In>(input_), size_, ctx.out<Out>(output_));
        return;
      }
    }
#endif
    Requantize(params_, ctx.in<In>(input_), size_, ctx.out<Out>(output_));
  }

 private:
  RequantizeParams params_;
  int32_t input_, output_;
  int64_t size_;
  bool avx2_;
};

template <typename In>
std::unique_ptr<Kernel> MakeRequantize(DType output, const RequantizeParams& p, int32_t in, int32_t out,
                                       int64_t size, bool avx2) {
  switch (output) {
    case DType::kInt8: return std::make_unique<RequantizeKernel<In, int8_t>>(p, in, out, size, avx2);
    case DType::kUInt8: return std::make_unique<RequantizeKernel<In, uint8_t>>(p, in, out, size, avx2);
    case DType::kInt16: return std::make_unique<RequantizeKernel<In, int16_t>>(p, in, out, size, false);
    default: return nullptr;
  }
}

bool IsQuantizedType(DType t) { return t == DType::kInt8 || t == DType::kUInt8 || t == DType::kInt16; }

}  // namespace

Status CreateQuantizeKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                            std::unique_ptr<Kernel>* kernel) {
  const int32_t num_tensors = static_cast<int32_t>(graph.tensors.size());
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || node.inputs[0] < 0 || node.inputs[0] >= num_tensors ||
      node.outputs[0] < 0 || node.outputs[0] >= num_tensors) {
    return ModelFormatError(DescribeNode(node) + ": expects one input and one output tensor");
  }
  const Tensor& input = graph.tensors[node.inputs[0]];
  const Tensor& output = graph.tensors[node.outputs[0]];
  const std::string conversion = std::string(DTypeName(input.dtype)) + " to " + DTypeName(output.dtype);
  if (!IsQuantizedType(output.dtype) || (input.dtype != DType::kFloat32 && !IsQuantizedType(input.dtype)) ||
      (input.dtype == DType::kInt16 && output.dtype == DType::kUInt8)) {
    return UnsupportedError(DescribeNode(node) + ": " + conversion);
  }
  if (input.shape != output.shape || input.num_elements() < 0) {
    return ModelFormatError(DescribeNode(node) + ": input " + ShapeToString(input.shape) + " and output " +
                            ShapeToString(output.shape) + " differ");
  }
  if (output.quant.scale.size() != 1 || output.quant.zero_point.size() != 1 ||
      (input.dtype != DType::kFloat32 && (input.quant.scale.size() != 1 || input.quant.zero_point.size() != 1))) {
    return UnsupportedError(DescribeNode(node) + ": " + conversion + " without per-tensor quantization");
  }
  const float output_scale = output.quant.scale[0];
  const int64_t output_zero_point = output.quant.zero_point[0];
  if (!(output_scale > 0.f) || !std::isfinite(output_scale) || output_zero_point < QuantizedMin(output.dtype) ||
      output_zero_point > QuantizedMax(output.dtype)) {
    return ModelFormatError(DescribeNode(node) + ": invalid output quantization");
  }
  // Like TFLite, int16 is symmetric only.
  if ((output.dtype == DType::kInt16 && output_zero_point != 0) ||
      (input.dtype == DType::kInt16 && input.quant.zero_point[0] != 0)) {
    return UnsupportedError(DescribeNode(node) + ": int16 with a non-zero zero point");
  }

  const int32_t in = node.inputs[0], out = node.outputs[0];
  const int64_t size = output.num_elements();
  if (input.dtype == DType::kFloat32) {
    const AffineQuantizeParams p{output_scale, static_cast<int32_t>(output_zero_point),
                                 node.rounding == Rounding::kHalfEven};
    switch (output.dtype) {
      case DType::kInt8: *kernel = std::make_unique<AffineQuantizeKernel<int8_t>>(p, in, out, size, X86Avx2Allowed(config.isa)); break;
      case DType::kUInt8: *kernel = std::make_unique<AffineQuantizeKernel<uint8_t>>(p, in, out, size, X86Avx2Allowed(config.isa)); break;
      default: *kernel = std::make_unique<AffineQuantizeKernel<int16_t>>(p, in, out, size, false); break;
    }
    return Status::Ok();
  }

  const float input_scale = input.quant.scale[0];
  if (!(input_scale > 0.f) || !std::isfinite(input_scale)) {
    return ModelFormatError(DescribeNode(node) + ": invalid input quantization");
  }
  RequantizeParams p;
  QuantizeMultiplier(static_cast<double>(input_scale) / static_cast<double>(output_scale), &p.multiplier, &p.shift);
  p.input_zero_point = static_cast<int32_t>(input.quant.zero_point[0]);
  p.output_zero_point = static_cast<int32_t>(output_zero_point);
  const bool avx2 = X86Avx2Allowed(config.isa) && p.shift >= -31 && p.shift <= 30;
  switch (input.dtype) {
    case DType::kInt8: *kernel = MakeRequantize<int8_t>(output.dtype, p, in, out, size, avx2); break;
    case DType::kUInt8: *kernel = MakeRequantize<uint8_t>(output.dtype, p, in, out, size, avx2); break;
    default: *kernel = MakeRequantize<int16_t>(output.dtype, p, in, out, size, false); break;
  }
  return Status::Ok();
}

}  // namespace edgeinfer
