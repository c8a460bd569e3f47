// MEAN over constant axes for int8, uint8 and float32.
#include "ops/mean/mean.h"

#include <cmath>
#include <cstring>
#include <string>

#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T>
class QuantizedMeanKernel final : public Kernel {
 public:
  QuantizedMeanKernel(const QuantizedMeanParams& p, int32_t in, int32_t out) : p_(p), in_(in), out_(out) {}

  size_t scratch_bytes() const override { return static_cast<size_t>(p_.geometry.output_size) * sizeof(int32_t); }

  void Run(const RunContext& ctx) const override {
    MeanQuantized(p_, ctx.in<T>(in_), reinterpret_cast<int32_t*>(ctx.scratch), ctx.out<T>(out_));
  }

 private:
  QuantizedMeanParams p_;
  int32_t in_, out_;
};

class FloatMeanKernel final : public Kernel {
 public:
  FloatMeanKernel(const ReduceGeometry& g, int32_t in, int32_t out) : g_(g), in_(in), out_(out) {}

  void Run(const RunContext& ctx) const override { MeanFloat(g_, ctx.in<float>(in_), ctx.out<float>(out_)); }

 private:
  ReduceGeometry g_;
  int32_t in_, out_;
};

// TFLite takes its 4-D fast path only when the axes tensor literally holds
// (1, 2) or (2, 1): the same axes written (-3, -2) or (1, 2, 2) run the
// reference path, whose rounding differs. Without an axes tensor (formats
// that give axes as attributes) the normalized axes decide.
bool TakesSpatialPath(const Graph& graph, const Node& node, const ReduceAttrs& attrs, int rank) {
  if (!attrs.keep_dims || rank != 4) return false;
  int64_t raw[2];
  if (node.inputs.size() < 2 || node.inputs[1] < 0) {
    if (attrs.axes.size() != 2) return false;
    raw[0] = attrs.axes[0];
    raw[1] = attrs.axes[1];
  } else {
    const Tensor& axes = graph.tensors[node.inputs[1]];
    if (!axes.is_constant() || axes.num_elements() != 2) return false;
    if (axes.dtype == DType::kInt32 && axes.data_bytes >= 2 * sizeof(int32_t)) {
      int32_t v[2];
      std::memcpy(v, axes.data, sizeof(v));
      raw[0] = v[0];
      raw[1] = v[1];
    } else if (axes.dtype == DType::kInt64 && axes.data_bytes >= 2 * sizeof(int64_t)) {
      std::memcpy(raw, axes.data, sizeof(raw));
    } else {
      return false;
    }
  }
  return (raw[0] == 1 && raw[1] == 2) || (raw[0] == 2 && raw[1] == 1);
}

bool ValidQuantization(const Tensor& t) {
  return t.quant.scale.size() == 1 && t.quant.zero_point.size() == 1 && t.quant.scale[0] > 0.f &&
         std::isfinite(t.quant.scale[0]) && t.quant.zero_point[0] >= QuantizedMin(t.dtype) &&
         t.quant.zero_point[0] <= QuantizedMax(t.dtype);
}

}  // namespace

Status CreateMeanKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  const int32_t num_tensors = static_cast<int32_t>(graph.tensors.size());
  // A second input, the axes tensor, may be present; the attributes carry the axes.
  if (node.inputs.empty() || node.inputs.size() > 2 || node.outputs.size() != 1 || node.inputs[0] < 0 ||
      node.inputs[0] >= num_tensors || (node.inputs.size() == 2 && node.inputs[1] >= num_tensors) ||
      node.outputs[0] < 0 || node.outputs[0] >= num_tensors) {
    return ModelFormatError(DescribeNode(node) + ": expects one input and one output tensor");
  }
  const auto* attrs = std::get_if<ReduceAttrs>(&node.attrs);
  if (attrs == nullptr) return ModelFormatError(DescribeNode(node) + ": missing MEAN attributes");
  const Tensor& in = graph.tensors[node.inputs[0]];
  const Tensor& out = graph.tensors[node.outputs[0]];
  if (in.dtype != out.dtype) {
    return ModelFormatError(DescribeNode(node) + ": input is " + DTypeName(in.dtype) + " but output is " +
                            DTypeName(out.dtype));
  }
  if (in.dtype != DType::kInt8 && in.dtype != DType::kUInt8 && in.dtype != DType::kFloat32) {
    return UnsupportedError(DescribeNode(node) + ": " + DTypeName(in.dtype) + " is not supported");
  }
  const int rank = static_cast<int>(in.shape.size());
  if (rank > kMaxMeanRank) {
    return UnsupportedError(DescribeNode(node) + ": more than " + std::to_string(kMaxMeanRank) +
                            " dimensions are not supported");
  }
  bool reduced[kMaxMeanRank] = {};
  for (const int32_t axis : attrs->axes) {
    if (axis < 0 || axis >= rank) {
      return ModelFormatError(DescribeNode(node) + ": axis " + std::to_string(axis) + " is out of range for input " +
                              ShapeToString(in.shape));
    }
    reduced[axis] = true;
  }
  Shape want;
  for (int d = 0; d < rank; ++d) {
    if (!reduced[d]) {
      want.push_back(in.shape[d]);
    } else if (attrs->keep_dims) {
      want.push_back(1);
    }
  }
  if (in.num_elements() < 0 || want != out.shape) {
    return ModelFormatError(DescribeNode(node) + ": output " + ShapeToString(out.shape) + " should be " +
                            ShapeToString(want) + " for input " + ShapeToString(in.shape));
  }
  if (in.num_elements() == 0) return UnsupportedError(DescribeNode(node) + ": empty input is not supported");

  ReduceGeometry g;
  g.output_size = out.num_elements();
  g.count = in.num_elements() / g.output_size;
  int64_t stride = 1;
  for (int i = kMaxMeanRank - 1; i >= 0; --i) {
    const int d = i - (kMaxMeanRank - rank);
    g.dims[i] = d < 0 ? 1 : in.shape[d];
    g.out_strides[i] = d < 0 || reduced[d] ? 0 : stride;
    if (d >= 0 && !reduced[d]) stride *= in.shape[d];
  }
  // The 8-bit paths sum in int32, as TFLite does.
  if (g.count > (int64_t{1} << 23)) {
    return UnsupportedError(DescribeNode(node) + ": more than 2^23 elements per mean are not supported");
  }
  const int32_t i = node.inputs[0], o = node.outputs[0];
  if (in.dtype == DType::kFloat32) {
    *kernel = std::make_unique<FloatMeanKernel>(g, i, o);
    return Status::Ok();
  }

  if (!ValidQuantization(in) || !ValidQuantization(out)) {
    return UnsupportedError(DescribeNode(node) + ": input and output need valid per-tensor quantization");
  }
  const float in_scale = in.quant.scale[0], out_scale = out.quant.scale[0];
  const auto in_zp = static_cast<int32_t>(in.quant.zero_point[0]);
  const auto out_zp = static_cast<int32_t>(out.quant.zero_point[0]);
  QuantizedMeanParams p;
  p.geometry = g;
  if (node.rounding == Rounding::kHalfEven) {
    p.path = QuantizedMeanPath::kOnnxHalfEven;
    p.scale = in_scale / (out_scale * static_cast<float>(g.count));
    p.bias = static_cast<int32_t>(-int64_t{in_zp} * g.count);
    p.output_zero_point = out_zp;
  } else if (TakesSpatialPath(graph, node, *attrs, rank)) {
    // Float intermediates, in TFLite's order, so the bias and multiplier match.
    p.path = QuantizedMeanPath::kSpatial4D;
    const float num_elements_in_axis = static_cast<float>(in.shape[1] * in.shape[2]);
    float temp = in_zp * in_scale / out_scale;
    temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
    p.bias = out_zp - static_cast<int32_t>(temp);
    const float real_scale = in_scale / (num_elements_in_axis * out_scale);
    QuantizeMultiplier(real_scale, &p.multiplier, &p.shift);
  } else if (in_zp == out_zp && in_scale == out_scale) {
    p.path = QuantizedMeanPath::kSameQuantization;
  } else {
    p.path = QuantizedMeanPath::kRescale;
    p.scale = in_scale / out_scale;
    p.float_bias = -in_zp * p.scale;
    p.output_zero_point = out_zp;
  }
  if (in.dtype == DType::kInt8) {
    *kernel = std::make_unique<QuantizedMeanKernel<int8_t>>(p, i, o);
  } else {
    *kernel = std::make_unique<QuantizedMeanKernel<uint8_t>>(p, i, o);
  }
  return Status::Ok();
}

}  // namespace edgeinfer
