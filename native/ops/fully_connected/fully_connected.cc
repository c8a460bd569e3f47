#include "ops/fully_connected/fully_connected.h"

#include <utility>
#include <vector>

#include "kernels/conv_kernels.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T, typename W>
void QuantizedFullyConnected(const FullyConnectedGeometry& g, const RequantParams& q, const T* input,
                             const W* weights, const int32_t* bias, T* output) {
  for (int32_t b = 0; b < g.batches; ++b) {
    const T* in_row = input + static_cast<size_t>(b) * g.input_depth;
    for (int32_t oc = 0; oc < g.output_depth; ++oc) {
      const W* w_row = weights + static_cast<size_t>(oc) * g.input_depth;
      uint32_t acc = 0;
      for (int32_t d = 0; d < g.input_depth; ++d) {
        acc = AccumulateProduct(acc, w_row[d] + q.filter_offset, in_row[d] + q.input_offset);
      }
      if (bias != nullptr) acc += static_cast<uint32_t>(bias[oc]);
      *output++ = static_cast<T>(RequantizeAndClamp(acc, oc, q));
    }
  }
}

template <typename T, typename W>
class QuantizedFullyConnectedKernel final : public Kernel {
 public:
  QuantizedFullyConnectedKernel(const Node& node, const FullyConnectedGeometry& g, const RequantParams& q,
                                RequantTables tables)
      : input_(node.inputs[0]), weights_(node.inputs[1]), bias_(node.inputs.size() > 2 ? node.inputs[2] : -1),
        output_(node.outputs[0]), g_(g), q_(q), tables_(std::move(tables)) {
    tables_.Bind(&q_);
  }

  void Run(const RunContext& ctx) const override {
    FullyConnectedReference(g_, q_, ctx.in<T>(input_), ctx.in<W>(weights_),
                            bias_ < 0 ? nullptr : ctx.in<int32_t>(bias_), ctx.out<T>(output_));
  }

 private:
  int32_t input_, weights_, bias_, output_;
  FullyConnectedGeometry g_;
  RequantParams q_;
  RequantTables tables_;
};

class FloatFullyConnectedKernel final : public Kernel {
 public:
  FloatFullyConnectedKernel(const Node& node, const FullyConnectedGeometry& g, const FloatClamp& clamp)
      : input_(node.inputs[0]), weights_(node.inputs[1]), bias_(node.inputs.size() > 2 ? node.inputs[2] : -1),
        output_(node.outputs[0]), g_(g), clamp_(clamp) {}

  void Run(const RunContext& ctx) const override {
    FullyConnectedReference(g_, clamp_, ctx.in<float>(input_), ctx.in<float>(weights_),
                            bias_ < 0 ? nullptr : ctx.in<float>(bias_), ctx.out<float>(output_));
  }

 private:
  int32_t input_, weights_, bias_, output_;
  FullyConnectedGeometry g_;
  FloatClamp clamp_;
};

}  // namespace

void FullyConnectedReference(const FullyConnectedGeometry& g, const RequantParams& q, const uint8_t* input,
                             const uint8_t* weights, const int32_t* bias, uint8_t* output) {
  QuantizedFullyConnected(g, q, input, weights, bias, output);
}

void FullyConnectedReference(const FullyConnectedGeometry& g, const RequantParams& q, const uint8_t* input,
                             const int8_t* weights, const int32_t* bias, uint8_t* output) {
  QuantizedFullyConnected(g, q, input, weights, bias, output);
}

void FullyConnectedReference(const FullyConnectedGeometry& g, const RequantParams& q, const int8_t* input,
                             const uint8_t* weights, const int32_t* bias, int8_t* output) {
  QuantizedFullyConnected(g, q, input, weights, bias, output);
}

void FullyConnectedReference(const FullyConnectedGeometry& g, const RequantParams& q, const int8_t* input,
                             const int8_t* weights, const int32_t* bias, int8_t* output) {
  QuantizedFullyConnected(g, q, input, weights, bias, output);
}

void FullyConnectedReference(const FullyConnectedGeometry& g, const FloatClamp& clamp, const float* input,
                             const float* weights, const float* bias, float* output) {
  for (int32_t b = 0; b < g.batches; ++b) {
    const float* in_row = input + static_cast<size_t>(b) * g.input_depth;
    for (int32_t oc = 0; oc < g.output_depth; ++oc) {
      const float* w_row = weights + static_cast<size_t>(oc) * g.input_depth;
      float total = 0.f;
      for (int32_t d = 0; d < g.input_depth; ++d) total += in_row[d] * w_row[d];
      // TFLite adds the bias after the sum, not as its first term.
      const float bias_value = bias != nullptr ? bias[oc] : 0.f;
      *output++ = ClampFloat(total + bias_value, clamp);
    }
  }
}

Status CreateFullyConnectedKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  return CreateFullyConnectedKernel(graph, node, DefaultKernelConfig(), kernel);
}

Status CreateFullyConnectedKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                                  std::unique_ptr<Kernel>* kernel) {
  const auto* attrs = std::get_if<FullyConnectedAttrs>(&node.attrs);
  if (attrs == nullptr) return InternalError(DescribeNode(node) + ": missing fully-connected attributes");
  WeightedNodeTensors t;
  EI_RETURN_IF_ERROR(ResolveWeightedNode(graph, node, &t));
  const Tensor *input = t.input, *weights = t.weights, *bias = t.bias, *output = t.output;
  const std::string name = DescribeNode(node);
  for (const Tensor* t : {input, weights, output}) EI_RETURN_IF_ERROR(CheckShapeNonNegative(node, *t));
  if (weights->shape.size() != 2 || weights->shape[0] < 1 || weights->shape[1] < 1) {
    return ModelFormatError(name + ": weights '" + weights->name + "' have shape " + ShapeToString(weights->shape) +
                            ", expected [output_depth, input_depth]");
  }
  FullyConnectedGeometry g;
  g.output_depth = weights->shape[0];
  g.input_depth = weights->shape[1];
  const int64_t input_elements = input->num_elements();
  if (input->shape.empty() || input_elements < 0 || input_elements % g.input_depth != 0) {
    return ModelFormatError(name + ": input shape " + ShapeToString(input->shape) + " does not flatten to rows of " +
                            std::to_string(g.input_depth));
  }
  if (input_elements / g.input_depth > INT32_MAX) return ModelFormatError(name + ": input is too large");
  g.batches = static_cast<int32_t>(input_elements / g.input_depth);
  // keep_num_dims keeps the input's leading dimensions; otherwise TFLite
  // flattens them into one batch dimension.
  Shape expected;
  if (attrs->keep_num_dims) {
    expected = input->shape;
    expected.back() = g.output_depth;
  } else {
    expected = {g.batches, g.output_depth};
  }
  if (output->shape != expected) {
    return ModelFormatError(name + ": output has shape " + ShapeToString(output->shape) + ", expected " +
                            ShapeToString(expected));
  }
  EI_RETURN_IF_ERROR(CheckConstantSize(node, *input));
  EI_RETURN_IF_ERROR(CheckConstantSize(node, *weights));
  EI_RETURN_IF_ERROR(CheckSameDType(node, *input, *weights, *output));

  if (input->dtype == DType::kFloat32) {
    EI_RETURN_IF_ERROR(CheckBias(node, bias, DType::kFloat32, g.output_depth));
    const FloatClamp clamp = FloatClampFor(attrs->activation, attrs->clamp);
    *kernel = std::make_unique<FloatFullyConnectedKernel>(node, g, clamp);
    return Status::Ok();
  }
  RequantTables tables;
  RequantParams q;
  EI_RETURN_IF_ERROR(PrepareRequant(node, attrs->activation, attrs->clamp, *input, *weights, bias, *output, g.output_depth,
                                    /*channel_axis=*/0, /*per_tensor_uses_float_product=*/true,
                                    /*allow_int8_filter_offset=*/true, &tables, &q));
  // TFLite's int8 FULLY_CONNECTED is a ruy GEMM, which rounds once; its
  // uint8 one goes through gemmlowp, which rounds twice.
  q.single_rounding = input->dtype == DType::kInt8;
  // Rows of the input are the pixels of a [batches, 1] image, the weights
  // a 1x1 filter: the convolution GEMM computes exactly this.
  ConvGeometry as_conv;
  as_conv.input_height = as_conv.output_height = g.batches;
  as_conv.input_channels = as_conv.filter_channels = g.input_depth;
  as_conv.output_channels = g.output_depth;
  tables.Bind(&q);
  if (auto optimized = kernels::TryCreateQConvGemmKernel(config, node, as_conv, q, input->dtype, *weights, bias)) {
    *kernel = std::move(optimized);
    return Status::Ok();
  }
  *kernel = MakeQuantizedKernel<QuantizedFullyConnectedKernel>(input->dtype, weights->dtype, node, g, q,
                                                                 std::move(tables));
  return Status::Ok();
}

}  // namespace edgeinfer
