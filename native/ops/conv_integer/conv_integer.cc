#include "ops/conv_integer/conv_integer.h"

#include <utility>
#include <vector>

#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T, typename W>
class ConvIntegerKernel final : public Kernel {
 public:
  ConvIntegerKernel(const Node& node, const ConvGeometry& g, int32_t input_zero_point, std::vector<int32_t> filter_zps)
      : input_(node.inputs[0]), filter_(node.inputs[1]), output_(node.outputs[0]), g_(g),
        filter_zps_(std::move(filter_zps)) {
    p_.input_zero_point = input_zero_point;
    p_.filter_zero_point = filter_zps_.data();
  }
  void Run(const RunContext& ctx) const override {
    ConvIntegerReference(g_, p_, ctx.in<T>(input_), ctx.in<W>(filter_), ctx.out<int32_t>(output_));
  }

 private:
  int32_t input_, filter_, output_;
  ConvGeometry g_;
  ConvIntegerParams p_;
  std::vector<int32_t> filter_zps_;
};

}  // namespace

Status CreateConvIntegerKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  const auto* attrs = std::get_if<ConvAttrs>(&node.attrs);
  if (attrs == nullptr) return InternalError(DescribeNode(node) + ": missing convolution attributes");
  WeightedNodeTensors t;
  EI_RETURN_IF_ERROR(ResolveWeightedNode(graph, node, &t));
  if (t.bias != nullptr) return ModelFormatError(DescribeNode(node) + ": takes no bias");
  ConvGeometry g;
  EI_RETURN_IF_ERROR(MakeConvGeometry(node, *attrs, *t.input, *t.weights, *t.output, /*depthwise=*/false, &g));
  EI_RETURN_IF_ERROR(CheckConstantSize(node, *t.weights));
  const auto eight_bit = [](DType d) { return d == DType::kUInt8 || d == DType::kInt8; };
  if (!eight_bit(t.input->dtype) || !eight_bit(t.weights->dtype) || t.output->dtype != DType::kInt32) {
    return UnsupportedError(DescribeNode(node) + ": expects 8-bit input and weights and an int32 output");
  }
  const Quantization& iq = t.input->quant;
  const Quantization& wq = t.weights->quant;
  const int32_t izp = iq.zero_point.empty() ? 0 : static_cast<int32_t>(iq.zero_point[0]);
  if (iq.zero_point.size() > 1) return UnsupportedError(DescribeNode(node) + ": a per-row input zero point is not supported");
  std::vector<int32_t> wzps(g.output_channels, 0);
  if (wq.zero_point.size() == 1) {
    wzps.assign(g.output_channels, static_cast<int32_t>(wq.zero_point[0]));
  } else if (wq.zero_point.size() == static_cast<size_t>(g.output_channels) && wq.axis == 0) {
    for (int32_t c = 0; c < g.output_channels; ++c) wzps[c] = static_cast<int32_t>(wq.zero_point[c]);
  } else if (!wq.zero_point.empty()) {
    return ModelFormatError(DescribeNode(node) + ": weight zero points do not match the output channels");
  }
  for (int32_t z : wzps) {
    if (z < QuantizedMin(t.weights->dtype) || z > QuantizedMax(t.weights->dtype)) return ModelFormatError(DescribeNode(node) + ": weight zero point out of range");
  }
  if (izp < QuantizedMin(t.input->dtype) || izp > QuantizedMax(t.input->dtype)) return ModelFormatError(DescribeNode(node) + ": input zero point out of range");
  const bool u8 = t.input->dtype == DType::kUInt8, w_u8 = t.weights->dtype == DType::kUInt8;
  if (u8 && w_u8) *kernel = std::make_unique<ConvIntegerKernel<uint8_t, uint8_t>>(node, g, izp, std::move(wzps));
  else if (u8) *kernel = std::make_unique<ConvIntegerKernel<uint8_t, int8_t>>(node, g, izp, std::move(wzps));
  else if (w_u8) *kernel = std::make_unique<ConvIntegerKernel<int8_t, uint8_t>>(node, g, izp, std::move(wzps));
  else *kernel = std::make_unique<ConvIntegerKernel<int8_t, int8_t>>(node, g, izp, std::move(wzps));
  return Status::Ok();
}

}  // namespace edgeinfer
