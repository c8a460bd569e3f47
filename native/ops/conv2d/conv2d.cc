#include "ops/conv2d/conv2d.h"

#include <utility>
#include <vector>

#include "kernels/conv_kernels.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

// Output channel by output channel, the taps in TFLite's order (filter row,
// column, channel), so the float path sums in the same order and matches too.
template <typename T, typename W>
void QuantizedConv(const ConvGeometry& g, const RequantParams& q, const T* input, const W* filter,
                   const int32_t* bias, T* output) {
  const int32_t filters_per_group = g.output_channels / (g.input_channels / g.filter_channels);
  const int32_t filter_stride_oc = g.filter_height * g.filter_width * g.filter_channels;
  for (int32_t b = 0; b < g.batches; ++b) {
    const T* in_batch = input + static_cast<size_t>(b) * g.input_height * g.input_width * g.input_channels;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t iy0 = oy * g.stride_h - g.pad_top;
      for (int32_t ox = 0; ox < g.output_width; ++ox) {
        const int32_t ix0 = ox * g.stride_w - g.pad_left;
        for (int32_t oc = 0; oc < g.output_channels; ++oc) {
          const int32_t in_c0 = (oc / filters_per_group) * g.filter_channels;
          const W* f_oc = filter + static_cast<size_t>(oc) * filter_stride_oc;
          uint32_t acc = 0;
          for (int32_t ky = 0; ky < g.filter_height; ++ky) {
            const int32_t iy = iy0 + ky * g.dilation_h;
            // Padding is the input's zero point, so outside taps add nothing.
            if (iy < 0 || iy >= g.input_height) continue;
            for (int32_t kx = 0; kx < g.filter_width; ++kx) {
              const int32_t ix = ix0 + kx * g.dilation_w;
              if (ix < 0 || ix >= g.input_width) continue;
              const T* in_px = in_batch + (static_cast<size_t>(iy) * g.input_width + ix) * g.input_channels + in_c0;
              const W* f_px = f_oc + (ky * g.filter_width + kx) * g.filter_channels;
              for (int32_t ic = 0; ic < g.filter_channels; ++ic) {
                acc = AccumulateProduct(acc, f_px[ic] + q.filter_offset, in_px[ic] + q.input_offset);
              }
            }
          }
          if (bias != nullptr) acc += static_cast<uint32_t>(bias[oc]);
          *output++ = static_cast<T>(RequantizeAndClamp(acc, oc, q));
        }
      }
    }
  }
}

template <typename T, typename W>
using QuantizedConv2DKernel = ConvKernel<T, W, int32_t, RequantParams, Conv2DReference>;
using FloatConv2DKernel = ConvKernel<float, float, float, FloatClamp, Conv2DReference>;

}  // namespace

void Conv2DReference(const ConvGeometry& g, const RequantParams& q, const uint8_t* input, const uint8_t* filter,
    const int32_t* bias, uint8_t* output) {
  QuantizedConv(g, q, input, filter, bias, output);
}

void Conv2DReference(const ConvGeometry& g, const RequantParams& q, const uint8_t* input, const int8_t* filter,
    const int32_t* bias, uint8_t* output) {
  QuantizedConv(g, q, input, filter, bias, output);
}

void Conv2DReference(const ConvGeometry& g, const RequantParams& q, const int8_t* input, const uint8_t* filter,
    const int32_t* bias, int8_t* output) {
  QuantizedConv(g, q, input, filter, bias, output);
}

void Conv2DReference(const ConvGeometry& g, const RequantParams& q, const int8_t* input, const int8_t* filter,
    const int32_t* bias, int8_t* output) {
  QuantizedConv(g, q, input, filter, bias, output);
}

void Conv2DReference(const ConvGeometry& g, const FloatClamp& clamp, const float* input, const float* filter,
                     const float* bias, float* output) {
  const int32_t filters_per_group = g.output_channels / (g.input_channels / g.filter_channels);
  const int32_t filter_stride_oc = g.filter_height * g.filter_width * g.filter_channels;
  for (int32_t b = 0; b < g.batches; ++b) {
    const float* in_batch = input + static_cast<size_t>(b) * g.input_height * g.input_width * g.input_channels;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t iy0 = oy * g.stride_h - g.pad_top;
      for (int32_t ox = 0; ox < g.output_width; ++ox) {
        const int32_t ix0 = ox * g.stride_w - g.pad_left;
        for (int32_t oc = 0; oc < g.output_channels; ++oc) {
          const int32_t in_c0 = (oc / filters_per_group) * g.filter_channels;
          const float* f_oc = filter + static_cast<size_t>(oc) * filter_stride_oc;
          float total = 0.f;
          for (int32_t ky = 0; ky < g.filter_height; ++ky) {
            const int32_t iy = iy0 + ky * g.dilation_h;
            if (iy < 0 || iy >= g.input_height) continue;
            for (int32_t kx = 0; kx < g.filter_width; ++kx) {
              const int32_t ix = ix0 + kx * g.dilation_w;
              if (ix < 0 || ix >= g.input_width) continue;
              const float* in_px = in_batch + (static_cast<size_t>(iy) * g.input_width + ix) * g.input_channels + in_c0;
              const float* f_px = f_oc + (ky * g.filter_width + kx) * g.filter_channels;
              for (int32_t ic = 0; ic < g.filter_channels; ++ic) total += in_px[ic] * f_px[ic];
            }
          }
          // TFLite adds the bias after the sum, not as its first term.
          const float bias_value = bias != nullptr ? bias[oc] : 0.f;
          *output++ = ClampFloat(total + bias_value, clamp);
        }
      }
    }
  }
}

Status CreateConv2DKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  return CreateConv2DKernel(graph, node, DefaultKernelConfig(), kernel);
}

Status CreateConv2DKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                          std::unique_ptr<Kernel>* kernel) {
  const ConvAttrs* attrs;
  WeightedNodeTensors t;
  ConvGeometry g;
  EI_RETURN_IF_ERROR(PrepareConvNode(graph, node, /*depthwise=*/false, &attrs, &t, &g));
  const Tensor *input = t.input, *filter = t.weights, *bias = t.bias, *output = t.output;

  if (input->dtype == DType::kFloat32) {
    EI_RETURN_IF_ERROR(CheckBias(node, bias, DType::kFloat32, g.output_channels));
    const FloatClamp clamp = FloatClampFor(attrs->activation, attrs->clamp);
    *kernel = std::make_unique<FloatConv2DKernel>(node, g, clamp);
    return Status::Ok();
  }
  RequantTables tables;
  RequantParams q;
  const bool is_uint8 = input->dtype == DType::kUInt8;
  EI_RETURN_IF_ERROR(PrepareRequant(node, attrs->activation, attrs->clamp, *input, *filter, bias, *output, g.output_channels,
                                    /*channel_axis=*/0, /*per_tensor_uses_float_product=*/is_uint8,
                                    /*allow_int8_filter_offset=*/false, &tables, &q));
  // TFLite's int8 convolution runs im2col and a ruy GEMM, which rounds once;
  // its uint8 one goes through gemmlowp (this build has no TFLITE_WITH_RUY)
  // and a grouped one through the reference kernel, both rounding twice.
  q.single_rounding = !is_uint8 && g.filter_channels == g.input_channels;
  tables.Bind(&q);
  if (auto optimized = kernels::TryCreateQConvGemmKernel(config, node, g, q, input->dtype, *filter, bias)) {
    *kernel = std::move(optimized);
    return Status::Ok();
  }
  *kernel = MakeQuantizedKernel<QuantizedConv2DKernel>(input->dtype, filter->dtype, node, g, q, std::move(tables));
  return Status::Ok();
}

}  // namespace edgeinfer
