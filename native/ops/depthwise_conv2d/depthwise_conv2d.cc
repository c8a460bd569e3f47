#include "ops/depthwise_conv2d/depthwise_conv2d.h"

#include <utility>
#include <vector>

#include "kernels/conv_kernels.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T, typename W>
void QuantizedDepthwiseConv(const ConvGeometry& g, const RequantParams& q, const T* input, const W* filter,
                            const int32_t* bias, T* output) {
  for (int32_t b = 0; b < g.batches; ++b) {
    const T* in_batch = input + static_cast<size_t>(b) * g.input_height * g.input_width * g.input_channels;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t iy0 = oy * g.stride_h - g.pad_top;
      for (int32_t ox = 0; ox < g.output_width; ++ox) {
        const int32_t ix0 = ox * g.stride_w - g.pad_left;
        for (int32_t oc = 0; oc < g.output_channels; ++oc) {
          const int32_t ic = oc / g.depth_multiplier;
          uint32_t acc = 0;
          for (int32_t ky = 0; ky < g.filter_height; ++ky) {
            const int32_t iy = iy0 + ky * g.dilation_h;
            // Padding is the input's zero point, so outside taps add nothing.
            if (iy < 0 || iy >= g.input_height) continue;
            for (int32_t kx = 0; kx < g.filter_width; ++kx) {
              const int32_t ix = ix0 + kx * g.dilation_w;
              if (ix < 0 || ix >= g.input_width) continue;
              const int32_t in_val = in_batch[(static_cast<size_t>(iy) * g.input_width + ix) * g.input_channels + ic];
              const int32_t f_val = filter[(ky * g.filter_width + kx) * g.output_channels + oc];
              acc = AccumulateProduct(acc, f_val + q.filter_offset, in_val + q.input_offset);
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
using QuantizedDepthwiseConv2DKernel = ConvKernel<T, W, int32_t, RequantParams, DepthwiseConv2DReference>;
using FloatDepthwiseConv2DKernel = ConvKernel<float, float, float, FloatClamp, DepthwiseConv2DReference>;

}  // namespace

void DepthwiseConv2DReference(const ConvGeometry& g, const RequantParams& q, const uint8_t* input, const uint8_t* filter,
    const int32_t* bias, uint8_t* output) {
  QuantizedDepthwiseConv(g, q, input, filter, bias, output);
}

void DepthwiseConv2DReference(const ConvGeometry& g, const RequantParams& q, const uint8_t* input, const int8_t* filter,
    const int32_t* bias, uint8_t* output) {
  QuantizedDepthwiseConv(g, q, input, filter, bias, output);
}

void DepthwiseConv2DReference(const ConvGeometry& g, const RequantParams& q, const int8_t* input, const uint8_t* filter,
    const int32_t* bias, int8_t* output) {
  QuantizedDepthwiseConv(g, q, input, filter, bias, output);
}

void DepthwiseConv2DReference(const ConvGeometry& g, const RequantParams& q, const int8_t* input, const int8_t* filter,
    const int32_t* bias, int8_t* output) {
  QuantizedDepthwiseConv(g, q, input, filter, bias, output);
}

void DepthwiseConv2DReference(const ConvGeometry& g, const FloatClamp& clamp, const float* input, const float* filter,
                              const float* bias, float* output) {
  for (int32_t b = 0; b < g.batches; ++b) {
    const float* in_batch = input + static_cast<size_t>(b) * g.input_height * g.input_width * g.input_channels;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      const int32_t iy0 = oy * g.stride_h - g.pad_top;
      for (int32_t ox = 0; ox < g.output_width; ++ox) {
        const int32_t ix0 = ox * g.stride_w - g.pad_left;
        for (int32_t oc = 0; oc < g.output_channels; ++oc) {
          const int32_t ic = oc / g.depth_multiplier;
          float total = 0.f;
          for (int32_t ky = 0; ky < g.filter_height; ++ky) {
            const int32_t iy = iy0 + ky * g.dilation_h;
            if (iy < 0 || iy >= g.input_height) continue;
            for (int32_t kx = 0; kx < g.filter_width; ++kx) {
              const int32_t ix = ix0 + kx * g.dilation_w;
              if (ix < 0 || ix >= g.input_width) continue;
              total += in_batch[(static_cast<size_t>(iy) * g.input_width + ix) * g.input_channels + ic] *
                       filter[(ky * g.filter_width + kx) * g.output_channels + oc];
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

Status CreateDepthwiseConv2DKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  return CreateDepthwiseConv2DKernel(graph, node, DefaultKernelConfig(), kernel);
}

Status CreateDepthwiseConv2DKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                          std::unique_ptr<Kernel>* kernel) {
  const ConvAttrs* attrs;
  WeightedNodeTensors t;
  ConvGeometry g;
  EI_RETURN_IF_ERROR(PrepareConvNode(graph, node, /*depthwise=*/true, &attrs, &t, &g));
  const Tensor *input = t.input, *filter = t.weights, *bias = t.bias, *output = t.output;

  if (input->dtype == DType::kFloat32) {
    EI_RETURN_IF_ERROR(CheckBias(node, bias, DType::kFloat32, g.output_channels));
    const FloatClamp clamp = FloatClampFor(attrs->activation, attrs->clamp);
    *kernel = std::make_unique<FloatDepthwiseConv2DKernel>(node, g, clamp);
    return Status::Ok();
  }
  RequantTables tables;
  RequantParams q;
  const bool is_uint8 = input->dtype == DType::kUInt8;
  EI_RETURN_IF_ERROR(PrepareRequant(node, attrs->activation, attrs->clamp, *input, *filter, bias, *output, g.output_channels,
                                    /*channel_axis=*/3, /*per_tensor_uses_float_product=*/is_uint8,
                                    /*allow_int8_filter_offset=*/false, &tables, &q));
  tables.Bind(&q);
  if (auto optimized = kernels::TryCreateQDwConvKernel(config, node, g, q, input->dtype, *filter, bias)) {
    *kernel = std::move(optimized);
    return Status::Ok();
  }
  // One input channel with a depth multiplier M (e.g. a grayscale image's
  // first layer) is a convolution of a one-channel image into M channels:
  // the same sums, per output channel the same weights and
  // requantization. The GEMM kernels run it with the filter [1,KH,KW,M]
  // transposed to [M,KH,KW,1].
  if (g.input_channels == 1 && g.depth_multiplier > 1 && filter->is_constant() &&
      filter->byte_size() == static_cast<size_t>(g.filter_height) * g.filter_width * g.output_channels) {
    const int32_t taps = g.filter_height * g.filter_width, m = g.output_channels;
    Tensor as_conv = *filter;
    as_conv.owned.resize(filter->byte_size());
    for (int32_t tap = 0; tap < taps; ++tap) {
      for (int32_t c = 0; c < m; ++c) as_conv.owned[static_cast<size_t>(c) * taps + tap] = filter->data[tap * m + c];
    }
    as_conv.data = as_conv.owned.data();
    as_conv.shape = {m, g.filter_height, g.filter_width, 1};
    ConvGeometry conv = g;
    conv.filter_channels = 1;
    conv.depth_multiplier = 1;
    if (auto gemm = kernels::TryCreateQConvGemmKernel(config, node, conv, q, input->dtype, as_conv, bias)) {
      *kernel = std::move(gemm);
      return Status::Ok();
    }
  }
  *kernel = MakeQuantizedKernel<QuantizedDepthwiseConv2DKernel>(input->dtype, filter->dtype, node, g, q,
                                                                    std::move(tables));
  return Status::Ok();
}

}  // namespace edgeinfer
