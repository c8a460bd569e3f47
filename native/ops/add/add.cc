// ADD with broadcasting and a fused activation, for int8, uint8 and float32.
#include "ops/add/add.h"

#include <algorithm>
#include <cmath>

#include "ops/common/binary.h"
#include "ops/common/quantization.h"
#include "kernels/cpu_features.h"
#include "ops/ops.h"

namespace edgeinfer {

Status CreateAddKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                       std::unique_ptr<Kernel>* kernel) {
  BinaryNode bn;
  EI_RETURN_IF_ERROR(PrepareBinaryElementwise(graph, node, &bn));
  const Tensor& in1 = *bn.in1;
  const Tensor& in2 = *bn.in2;
  const Tensor& out = *bn.out;

  if (out.dtype == DType::kFloat32) {
    FloatClamp clamp;
    FloatActivationRange(bn.activation, &clamp.min, &clamp.max);
    *kernel = std::make_unique<BinaryKernel<FloatClamp, float, AddFloat>>(clamp, bn.plan, node);
    return Status::Ok();
  }

  const float scale1 = in1.quant.scale[0], scale2 = in2.quant.scale[0], out_scale = out.quant.scale[0];
  const kernels::Isa isa = config.isa;
  const bool avx2 = isa == kernels::Isa::kAvx2 || isa == kernels::Isa::kAvxVnni || isa == kernels::Isa::kAvx512Vnni;
  const bool same_shape_avx2 = avx2 && in1.shape == out.shape && in2.shape == out.shape;
  if (node.rounding == Rounding::kHalfEven) {
    if (bn.activation != Activation::kNone) {
      return UnsupportedError(DescribeNode(node) + ": a fused activation with ONNX rounding is not supported");
    }
    OnnxAddParams p;
    p.ratio1 = scale1 / out_scale;
    p.ratio2 = scale2 / out_scale;
    const float zp1 = static_cast<float>(in1.quant.zero_point[0]), zp2 = static_cast<float>(in2.quant.zero_point[0]);
    p.fixed = static_cast<float>(out.quant.zero_point[0]) - std::fma(p.ratio1, zp1, p.ratio2 * zp2);
    p.in1_scalar = in1.num_elements() == 1 && out.num_elements() > 1;
    p.in2_scalar = !p.in1_scalar && in2.num_elements() == 1 && out.num_elements() > 1;
    p.qmin = QuantizedMin(out.dtype);
    p.qmax = QuantizedMax(out.dtype);
    p.same_shape_avx2 = same_shape_avx2;
    p.size = out.num_elements();
    if (out.dtype == DType::kInt8) {
      *kernel = std::make_unique<BinaryKernel<OnnxAddParams, int8_t, AddOnnx<int8_t>>>(p, bn.plan, node);
    } else {
      *kernel = std::make_unique<BinaryKernel<OnnxAddParams, uint8_t, AddOnnx<uint8_t>>>(p, bn.plan, node);
    }
    return Status::Ok();
  }

  QuantizedAddParams p;
  p.input1_offset = static_cast<int32_t>(-in1.quant.zero_point[0]);
  p.input2_offset = static_cast<int32_t>(-in2.quant.zero_point[0]);
  p.output_offset = static_cast<int32_t>(out.quant.zero_point[0]);
  p.left_shift = 20;
  // The float/double mix follows add.cc so the multipliers come out identical.
  const double twice_max_input_scale = 2 * std::max(scale1, scale2);
  const double real_input1_multiplier = scale1 / twice_max_input_scale;
  const double real_input2_multiplier = scale2 / twice_max_input_scale;
  const double real_output_multiplier = twice_max_input_scale / ((1 << p.left_shift) * out_scale);
  // TFLite's QuantizeMultiplierSmallerThanOneExp aborts outside (0, 1).
  if (!(real_output_multiplier < 1.0)) {
    return UnsupportedError(DescribeNode(node) + ": output scale is too small for the inputs' scales");
  }
  QuantizeMultiplier(real_input1_multiplier, &p.input1_multiplier, &p.input1_shift);
  QuantizeMultiplier(real_input2_multiplier, &p.input2_multiplier, &p.input2_shift);
  QuantizeMultiplier(real_output_multiplier, &p.output_multiplier, &p.output_shift);
  QuantizedActivationRange(bn.activation, out_scale, p.output_offset, out.dtype, &p.act_min, &p.act_max);
  // The vector path rescales right only (TFLite's multipliers are below 1).
  auto right_only = [](int shift) { return shift <= 0 && shift >= -31; };
  p.same_shape_avx2 = same_shape_avx2 && right_only(p.input1_shift) && right_only(p.input2_shift) &&
                      right_only(p.output_shift);
  p.same_shape_avx512 = p.same_shape_avx2 && isa == kernels::Isa::kAvx512Vnni;
  p.size = out.num_elements();

  if (out.dtype == DType::kInt8) {
    *kernel = std::make_unique<BinaryKernel<QuantizedAddParams, int8_t, AddQuantized<int8_t>>>(p, bn.plan, node);
  } else {
    *kernel = std::make_unique<BinaryKernel<QuantizedAddParams, uint8_t, AddQuantized<uint8_t>>>(p, bn.plan, node);
  }
  return Status::Ok();
}

}  // namespace edgeinfer
