// CONV_INTEGER (ONNX ConvInteger, and MatMulInteger as a 1x1 convolution):
// the int32 sum of (x - x_zero_point) * (w - w_zero_point) over each window,
// with no requantization. Input [N,H,W,C] and weights [OC,KH,KW,C/groups]
// each uint8 or int8; the weights' zero point may differ per output
// channel. Padding taps are the input's zero point, so they add nothing.
#pragma once

#include <cstdint>

#include "ops/common/conv_common.h"

namespace edgeinfer {

struct ConvIntegerParams {
  int32_t input_zero_point = 0;
  const int32_t* filter_zero_point = nullptr;  // one per output channel
};

template <typename T, typename W>
void ConvIntegerReference(const ConvGeometry& g, const ConvIntegerParams& p, const T* input, const W* filter,
                          int32_t* output) {
  const int32_t filters_per_group = g.output_channels / (g.input_channels / g.filter_channels);
  const int32_t filter_stride_oc = g.filter_height * g.filter_width * g.filter_channels;
  for (int32_t b = 0; b < g.batches; ++b) {
    const T* in_batch = input + static_cast<size_t>(b) * g.input_height * g.input_width * g.input_channels;
    for (int32_t oy = 0; oy < g.output_height; ++oy) {
      for (int32_t ox = 0; ox < g.output_width; ++ox) {
        for (int32_t oc = 0; oc < g.output_channels; ++oc) {
          const int32_t in_c0 = (oc / filters_per_group) * g.filter_channels;
          const W* f_oc = filter + static_cast<size_t>(oc) * filter_stride_oc;
          const int32_t wzp = p.filter_zero_point[oc];
          uint32_t acc = 0;
          for (int32_t ky = 0; ky < g.filter_height; ++ky) {
            const int32_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
            if (iy < 0 || iy >= g.input_height) continue;
            for (int32_t kx = 0; kx < g.filter_width; ++kx) {
              const int32_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
              if (ix < 0 || ix >= g.input_width) continue;
              const T* in_px = in_batch + (static_cast<size_t>(iy) * g.input_width + ix) * g.input_channels + in_c0;
              const W* f_px = f_oc + (ky * g.filter_width + kx) * g.filter_channels;
              for (int32_t ic = 0; ic < g.filter_channels; ++ic) {
                acc = AccumulateProduct(acc, f_px[ic] - wzp, in_px[ic] - p.input_zero_point);
              }
            }
          }
          *output++ = static_cast<int32_t>(acc);
        }
      }
    }
  }
}

}  // namespace edgeinfer
