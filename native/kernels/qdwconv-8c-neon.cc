// NEON INT8 depthwise convolution (see qdwconv.h), baseline aarch64: 8
// channels per step, one tap per smlal / smlal2 pair, weights in the kTaps8
// layout.
#include <arm_neon.h>

#include "kernels/qdwconv.h"
#include "kernels/requant-neon.h"

namespace edgeinfer::kernels {
namespace {

using neon::Requantize;
using neon::Store8;
using neon::Widen8;

template <typename T>
void DwConv(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
            const T* input, const T* zero_row, T* output) {
  const int32_t channels = g.input_channels;
  const int16x8_t offset8 = vdupq_n_s16(static_cast<int16_t>(input_offset));
  const int16_t* weights = w.data();
  const T* taps[kMaxDwTaps];
  const int32_t tail_c0 = w.blocks * 8, tail = channels - tail_c0;
  for (int32_t oy = 0; oy < g.output_height; ++oy) {
    const int32_t iy0 = oy * g.stride_h - g.pad_top;
    for (int32_t ox = 0; ox < g.output_width; ++ox) {
      const int32_t ix0 = ox * g.stride_w - g.pad_left;
      int32_t t = 0;
      for (int32_t ky = 0; ky < g.filter_height; ++ky) {
        const int32_t iy = iy0 + ky * g.dilation_h;
        for (int32_t kx = 0; kx < g.filter_width; ++kx, ++t) {
          const int32_t ix = ix0 + kx * g.dilation_w;
          const bool inside = iy >= 0 && iy < g.input_height && ix >= 0 && ix < g.input_width;
          taps[t] = inside ? input + (static_cast<size_t>(iy) * g.input_width + ix) * channels : zero_row;
        }
      }
      const int16_t* wp = weights;
      for (int32_t b = 0; b < w.blocks; ++b) {
        const int32_t c = b * 8;
        int32x4_t acc0 = vld1q_s32(&r.bias[c]), acc1 = vld1q_s32(&r.bias[c + 4]);
        for (int32_t k = 0; k < w.taps; ++k) {
          const int16x8_t x = Widen8(taps[k] + c, offset8);
          const int16x8_t wk = vld1q_s16(wp);
          wp += 8;
          acc0 = vmlal_s16(acc0, vget_low_s16(x), vget_low_s16(wk));
          acc1 = vmlal_high_s16(acc1, x, wk);
        }
        Store8(Requantize(acc0, r, c), Requantize(acc1, r, c + 4), output + c, 8);
      }
      for (int32_t i = 0; i < tail; ++i) {
        const int32_t c = tail_c0 + i;
        uint32_t acc = 0;
        for (int32_t k = 0; k < w.taps; ++k) {
          acc = AccumulateProduct(acc, w.tail[static_cast<size_t>(k) * tail + i], taps[k][c] + input_offset);
        }
        acc += static_cast<uint32_t>(r.bias[c]);
        output[c] = static_cast<T>(RequantizeAndClamp(acc, c, r.params));
      }
      output += channels;
    }
  }
}

}  // namespace

void QDwConvNeon(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                 const uint8_t* input, const uint8_t* zero_row, uint8_t* output) {
  DwConv(g, w, r, input_offset, input, zero_row, output);
}

void QDwConvNeon(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                 const int8_t* input, const int8_t* zero_row, int8_t* output) {
  DwConv(g, w, r, input_offset, input, zero_row, output);
}

}  // namespace edgeinfer::kernels
