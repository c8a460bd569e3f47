// AVERAGE_POOL_2D for int8, uint8 and float32 with a fused activation.
#include "ops/average_pool2d/average_pool2d.h"

#include "ops/common/quantization.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T>
class QuantizedAveragePoolKernel final : public Kernel {
 public:
  QuantizedAveragePoolKernel(const PoolGeometry& g, int32_t act_min, int32_t act_max, int32_t in, int32_t out)
      : g_(g), act_min_(act_min), act_max_(act_max), in_(in), out_(out) {}

  void Run(const RunContext& ctx) const override {
    AveragePoolQuantized(g_, act_min_, act_max_, ctx.in<T>(in_), ctx.out<T>(out_));
  }

 private:
  PoolGeometry g_;
  int32_t act_min_, act_max_;
  int32_t in_, out_;
};

class FloatAveragePoolKernel final : public Kernel {
 public:
  FloatAveragePoolKernel(const PoolGeometry& g, float act_min, float act_max, int32_t in, int32_t out)
      : g_(g), act_min_(act_min), act_max_(act_max), in_(in), out_(out) {}

  void Run(const RunContext& ctx) const override {
    AveragePoolFloat(g_, act_min_, act_max_, ctx.in<float>(in_), ctx.out<float>(out_));
  }

 private:
  PoolGeometry g_;
  float act_min_, act_max_;
  int32_t in_, out_;
};

}  // namespace

Status CreateAveragePool2DKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  PoolGeometry g;
  EI_RETURN_IF_ERROR(PreparePool(graph, node, &g));
  // TFLite's integer average rounds half away from zero; ONNX models average
  // in float (between DequantizeLinear and QuantizeLinear) instead.
  if (graph.tensors[node.inputs[0]].dtype != DType::kFloat32 && node.rounding != Rounding::kTfliteFixedPoint) {
    return UnsupportedError(DescribeNode(node) + ": a quantized average with ONNX rounding is not supported");
  }
  const Activation act = std::get<PoolAttrs>(node.attrs).activation;
  const Tensor& out = graph.tensors[node.outputs[0]];
  const int32_t i = node.inputs[0], o = node.outputs[0];
  if (out.dtype == DType::kFloat32) {
    float act_min, act_max;
    FloatActivationRange(act, &act_min, &act_max);
    *kernel = std::make_unique<FloatAveragePoolKernel>(g, act_min, act_max, i, o);
    return Status::Ok();
  }
  int32_t act_min, act_max;
  QuantizedActivationRange(act, out.quant.scale[0], static_cast<int32_t>(out.quant.zero_point[0]), out.dtype,
                           &act_min, &act_max);
  if (out.dtype == DType::kInt8) {
    *kernel = std::make_unique<QuantizedAveragePoolKernel<int8_t>>(g, act_min, act_max, i, o);
  } else {
    *kernel = std::make_unique<QuantizedAveragePoolKernel<uint8_t>>(g, act_min, act_max, i, o);
  }
  return Status::Ok();
}

}  // namespace edgeinfer
