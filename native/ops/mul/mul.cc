// MUL with broadcasting and a fused activation, for int8, uint8 and float32.
#include "ops/mul/mul.h"

#include <algorithm>

#include "ops/common/binary.h"
#include "ops/common/quantization.h"
#include "ops/ops.h"

namespace edgeinfer {

Status CreateMulKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  BinaryNode bn;
  EI_RETURN_IF_ERROR(PrepareBinaryElementwise(graph, node, &bn));
  if (bn.out->dtype != DType::kFloat32 && node.rounding != Rounding::kTfliteFixedPoint) {
    return UnsupportedError(DescribeNode(node) + ": quantized MUL with ONNX rounding is not supported (it runs in float)");
  }
  const Tensor& in1 = *bn.in1;
  const Tensor& in2 = *bn.in2;
  const Tensor& out = *bn.out;

  if (out.dtype == DType::kFloat32) {
    FloatClamp clamp;
    FloatActivationRange(bn.activation, &clamp.min, &clamp.max);
    *kernel = std::make_unique<BinaryKernel<FloatClamp, float, MulFloat>>(clamp, bn.plan, node);
    return Status::Ok();
  }

  const float scale1 = in1.quant.scale[0], scale2 = in2.quant.scale[0], out_scale = out.quant.scale[0];

  QuantizedMulParams p;
  p.input1_offset = static_cast<int32_t>(-in1.quant.zero_point[0]);
  p.input2_offset = static_cast<int32_t>(-in2.quant.zero_point[0]);
  p.output_offset = static_cast<int32_t>(out.quant.zero_point[0]);
  // Float product and quotient, then widened, as mul.cc computes it.
  const double real_multiplier = scale1 * scale2 / out_scale;
  QuantizeMultiplier(real_multiplier, &p.output_multiplier, &p.output_shift);
  QuantizedActivationRange(bn.activation, out_scale, p.output_offset, out.dtype, &p.act_min, &p.act_max);

  if (out.dtype == DType::kInt8) {
    *kernel = std::make_unique<BinaryKernel<QuantizedMulParams, int8_t, MulQuantized<int8_t>>>(p, bn.plan, node);
  } else {
    *kernel = std::make_unique<BinaryKernel<QuantizedMulParams, uint8_t, MulQuantized<uint8_t>>>(p, bn.plan, node);
  }
  return Status::Ok();
}

}  // namespace edgeinfer
