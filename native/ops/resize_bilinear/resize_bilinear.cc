#include "ops/resize_bilinear/resize_bilinear.h"

#include <type_traits>
#include <vector>

#include "kernels/cpu_features.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T>
class ResizeFloatKernel final : public Kernel {
 public:
  ResizeFloatKernel(const ResizeBilinearParams& params, std::vector<ResizeFloatTap> rows,
                    std::vector<ResizeFloatTap> columns, int32_t input, int32_t output, bool avx2)
      : params_(params), rows_(std::move(rows)), columns_(std::move(columns)), input_(input), output_(output),
        avx2_(avx2) {}

  const char* isa() const override { return std::is_same_v<T, uint8_t> && avx2_ ? "avx2" : nullptr; }

  void Run(const RunContext& ctx) const override {
#if defined(__x86_64__) || defined(_M_X64)
    if constexpr (std::is_same_v<T, uint8_t>) {
      if (avx2_) {
        ResizeBilinearU8Avx2(params_, rows_.data(), columns_.data(), ctx.in<T>(input_), ctx.out<T>(output_));
        return;
      }
    }
#endif
    ResizeBilinearFloatWeights(params_, rows_.data(), columns_.data(), ctx.in<T>(input_), ctx.out<T>(output_));
  }

 private:
  ResizeBilinearParams params_;
  std::vector<ResizeFloatTap> rows_, columns_;
  int32_t input_, output_;
  bool avx2_;
};

class ResizeInt8Kernel final : public Kernel {
 public:
  ResizeInt8Kernel(const ResizeBilinearParams& params, std::vector<ResizeFixedTap> rows,
                   std::vector<ResizeFixedTap> columns, int32_t input, int32_t output)
      : params_(params), rows_(std::move(rows)), columns_(std::move(columns)), input_(input), output_(output) {}

  void Run(const RunContext& ctx) const override {
    ResizeBilinearFixed(params_, rows_.data(), columns_.data(), ctx.in<int8_t>(input_), ctx.out<int8_t>(output_));
  }

 private:
  ResizeBilinearParams params_;
  std::vector<ResizeFixedTap> rows_, columns_;
  int32_t input_, output_;
};

std::vector<ResizeFloatTap> FloatTaps(int32_t input_size, int32_t output_size, const ResizeAttrs& attrs) {
  const float scale = ResizeScale(input_size, output_size, attrs.align_corners);
  std::vector<ResizeFloatTap> taps(output_size);
  for (int32_t i = 0; i < output_size; ++i) taps[i] = ResizeFloatTapAt(i, scale, attrs.half_pixel_centers, input_size);
  return taps;
}

std::vector<ResizeFixedTap> FixedTaps(int32_t input_size, int32_t output_size, const ResizeAttrs& attrs) {
  const int32_t scale_10 = ResizeScale10(input_size, output_size, attrs.align_corners);
  std::vector<ResizeFixedTap> taps(output_size);
  for (int32_t i = 0; i < output_size; ++i) {
    taps[i] = ResizeFixedTapAt(i, scale_10, attrs.half_pixel_centers, input_size);
  }
  return taps;
}

}  // namespace

Status CreateResizeBilinearKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                                  std::unique_ptr<Kernel>* kernel) {
  const int32_t num_tensors = static_cast<int32_t>(graph.tensors.size());
  const auto* attrs = std::get_if<ResizeAttrs>(&node.attrs);
  // RESIZE_BILINEAR carries the output size as a second input; the output
  // tensor's shape says the same, so only input 0 is read.
  if (attrs == nullptr || node.inputs.empty() || node.outputs.size() != 1 || node.inputs[0] < 0 ||
      node.inputs[0] >= num_tensors || node.outputs[0] < 0 || node.outputs[0] >= num_tensors) {
    return ModelFormatError(DescribeNode(node) + ": expects one input, one output and its attributes");
  }
  const Tensor& input = graph.tensors[node.inputs[0]];
  const Tensor& output = graph.tensors[node.outputs[0]];
  if (attrs->align_corners && attrs->half_pixel_centers) {
    return ModelFormatError(DescribeNode(node) + ": align_corners and half_pixel_centers are exclusive");
  }
  if (input.shape.size() != 4 || output.shape.size() != 4) {
    return UnsupportedError(DescribeNode(node) + ": input " + ShapeToString(input.shape) + " (4-D NHWC only)");
  }
  if (input.dtype != output.dtype) {
    return ModelFormatError(DescribeNode(node) + ": input is " + DTypeName(input.dtype) + " but output is " +
                            DTypeName(output.dtype));
  }
  // Interpolated values are written as they are, whatever the output's
  // quantization, as TFLite does.
  const Shape& in = input.shape;
  const Shape& out = output.shape;
  if (in[0] < 0 || in[1] < 1 || in[2] < 1 || in[3] < 0 || out[1] < 1 || out[2] < 1 || out[0] != in[0] ||
      out[3] != in[3]) {
    return ModelFormatError(DescribeNode(node) + ": input " + ShapeToString(in) + " cannot resize to output " +
                            ShapeToString(out));
  }
  // Keeps the int8 path's coordinates in 1/1024ths inside int32.
  if (std::max({in[1], in[2], out[1], out[2]}) > (1 << 20)) {
    return UnsupportedError(DescribeNode(node) + ": sizes beyond 2^20");
  }

  const ResizeBilinearParams params{in[0], in[1], in[2], in[3], out[1], out[2]};
  const int32_t input_index = node.inputs[0], output_index = node.outputs[0];
  switch (input.dtype) {
    case DType::kFloat32:
      *kernel = std::make_unique<ResizeFloatKernel<float>>(params, FloatTaps(in[1], out[1], *attrs),
                                                           FloatTaps(in[2], out[2], *attrs), input_index,
                                                           output_index, false);
      break;
    case DType::kUInt8:
      *kernel = std::make_unique<ResizeFloatKernel<uint8_t>>(
          params, FloatTaps(in[1], out[1], *attrs), FloatTaps(in[2], out[2], *attrs), input_index, output_index,
          config.isa == kernels::Isa::kAvx2 || config.isa == kernels::Isa::kAvxVnni ||
              config.isa == kernels::Isa::kAvx512Vnni);
      break;
    case DType::kInt8:
      *kernel = std::make_unique<ResizeInt8Kernel>(params, FixedTaps(in[1], out[1], *attrs),
                                                   FixedTaps(in[2], out[2], *attrs), input_index, output_index);
      break;
    default:
      return UnsupportedError(DescribeNode(node) + ": " + DTypeName(input.dtype) + " tensors");
  }
  return Status::Ok();
}

}  // namespace edgeinfer
