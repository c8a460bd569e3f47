// NEON INT8 convolution-as-GEMM (see qgemm.h), baseline aarch64: tiles of
// 4 output pixels by 16 output channels, int16 x int16 -> int32
// multiply-accumulate (smlal / smlal2 by a scalar), 16 q-register
// accumulators. Weights in the kr = 1 layout: for each k, the block's 16
// channels. Up to 64 output pixels' windows are first gathered into the
// panel as int16 with the input offset added (im2col, zeros for padding);
// then each block of 16 channels' weights runs over all of them.
#include <arm_neon.h>

#include <cstring>

#include "kernels/qgemm.h"
#include "kernels/requant-neon.h"

namespace edgeinfer::kernels {
namespace {

using neon::Requantize;
using neon::Store8;
using neon::Widen8;

template <typename T>
void WidenRun(const T* src, int32_t n, int16x8_t offset8, int32_t offset, int16_t* dst) {
  int32_t i = 0;
  for (; i + 8 <= n; i += 8) vst1q_s16(dst + i, Widen8(src + i, offset8));
  for (; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + offset);
}

template <typename T>
void GatherWindow(const ConvGeometry& g, int32_t oy, int32_t ox, const T* input, int16x8_t offset8, int32_t offset,
                  int32_t padded_k, int16_t* dst) {
  const int32_t iy0 = oy * g.stride_h - g.pad_top, ix0 = ox * g.stride_w - g.pad_left;
  const int32_t c = g.input_channels;
  int16_t* const end = dst + padded_k;
  for (int32_t ky = 0; ky < g.filter_height; ++ky) {
    const int32_t iy = iy0 + ky * g.dilation_h;
    if (iy < 0 || iy >= g.input_height) {
      std::memset(dst, 0, sizeof(int16_t) * c * g.filter_width);
      dst += c * g.filter_width;
      continue;
    }
    const T* row = input + static_cast<size_t>(iy) * g.input_width * c;
    // A window row wholly inside the image with dilation 1 is one run of
    // filter_width * c contiguous activations (e.g. 9 for 3x3 over RGB).
    if (g.dilation_w == 1 && ix0 >= 0 && ix0 + g.filter_width <= g.input_width) {
      WidenRun(row + static_cast<size_t>(ix0) * c, c * g.filter_width, offset8, offset, dst);
      dst += c * g.filter_width;
      continue;
    }
    for (int32_t kx = 0; kx < g.filter_width; ++kx) {
      const int32_t ix = ix0 + kx * g.dilation_w;
      if (ix < 0 || ix >= g.input_width) {
        std::memset(dst, 0, sizeof(int16_t) * c);
      } else {
        WidenRun(row + static_cast<size_t>(ix) * c, c, offset8, offset, dst);
      }
      dst += c;
    }
  }
  if (dst < end) std::memset(dst, 0, sizeof(int16_t) * (end - dst));
}

// MR rows x NB vectors of 8 channels (each two int32x4 accumulators).
template <int MR, int NB, typename T>
void Block(const PackedQGemmWeights& w, const QRequant& r, const int16_t* a, size_t a_stride, const int16_t* wp,
           int32_t n0, T* out, size_t out_stride) {
  int32x4_t acc[MR][NB][2];
  for (int j = 0; j < NB; ++j) {
    const int32x4_t b0 = vld1q_s32(&r.bias[n0 + 8 * j]), b1 = vld1q_s32(&r.bias[n0 + 8 * j + 4]);
    for (int m = 0; m < MR; ++m) {
      acc[m][j][0] = b0;
      acc[m][j][1] = b1;
    }
  }
  const int32_t k = w.k_pairs * 2;
  for (int32_t kk = 0; kk < k; ++kk) {
    int16x8_t b[NB];
    for (int j = 0; j < NB; ++j) b[j] = vld1q_s16(wp + 8 * j);
    wp += 8 * NB;
    for (int m = 0; m < MR; ++m) {
      const int16_t x = a[m * a_stride + kk];
      for (int j = 0; j < NB; ++j) {
        acc[m][j][0] = vmlal_n_s16(acc[m][j][0], vget_low_s16(b[j]), x);
        acc[m][j][1] = vmlal_high_n_s16(acc[m][j][1], b[j], x);
      }
    }
  }
  for (int m = 0; m < MR; ++m) {
    for (int j = 0; j < NB; ++j) {
      const int32_t c = n0 + 8 * j;
      if (c >= w.n) break;
      Store8(Requantize(acc[m][j][0], r, c), Requantize(acc[m][j][1], r, c + 4), out + m * out_stride + c,
             w.n - c < 8 ? w.n - c : 8);
    }
  }
}

// Rows [0, rows) of the panel (rows <= panel rows) times the weights:
// block of 16 (or 8) channels by block, each over all the panel's tiles of
// 4 rows, so a block's weights are read from memory once per panel.
template <typename T>
void PanelTimesWeights(const PackedQGemmWeights& w, const QRequant& r, const int16_t* a, size_t a_stride,
                       int32_t rows, T* out, size_t out_stride) {
  const int16_t* wp = w.data();
  for (int32_t n0 = 0; n0 < w.n_padded;) {
    const bool wide = w.n_padded - n0 >= 16;
    for (int32_t m0 = 0; m0 < rows; m0 += 4) {
      const int16_t* am = a + m0 * a_stride;
      T* om = out + m0 * out_stride;
      const int32_t mr = rows - m0 < 4 ? rows - m0 : 4;
      if (wide) {
        switch (mr) {
          case 4: Block<4, 2>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 3: Block<3, 2>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 2: Block<2, 2>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          default: Block<1, 2>(w, r, am, a_stride, wp, n0, om, out_stride); break;
        }
      } else {
        switch (mr) {
          case 4: Block<4, 1>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 3: Block<3, 1>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 2: Block<2, 1>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          default: Block<1, 1>(w, r, am, a_stride, wp, n0, om, out_stride); break;
        }
      }
    }
    wp += static_cast<size_t>(w.k_pairs) * (wide ? 32 : 16);
    n0 += wide ? 16 : 8;
  }
}

template <typename T>
void ConvGemm(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
              const T* input, T* output, int16_t* panel) {
  const int16x8_t offset8 = vdupq_n_s16(static_cast<int16_t>(input_offset));
  const size_t padded_k = static_cast<size_t>(w.k_pairs) * 2;
  const int32_t panel_rows = QConvGemmPanelRows(w);
  // 32-byte aligned rows of A.
  int16_t* a = reinterpret_cast<int16_t*>((reinterpret_cast<uintptr_t>(panel) + 31) & ~uintptr_t{31});
  const int32_t pixels = g.output_height * g.output_width;
  const size_t out_stride = static_cast<size_t>(g.output_channels);
  for (int32_t p0 = 0; p0 < pixels; p0 += panel_rows) {
    const int32_t rows = pixels - p0 < panel_rows ? pixels - p0 : panel_rows;
    for (int32_t m = 0; m < rows; ++m) {
      const int32_t p = p0 + m;
      GatherWindow(g, p / g.output_width, p % g.output_width, input, offset8, input_offset,
                   static_cast<int32_t>(padded_k), a + m * padded_k);
    }
    PanelTimesWeights(w, r, a, padded_k, rows, output + static_cast<size_t>(p0) * out_stride, out_stride);
  }
}

}  // namespace

void QConvGemmNeon(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const uint8_t* input, uint8_t* output, int16_t* panel) {
  ConvGemm(g, w, r, input_offset, input, output, panel);
}

void QConvGemmNeon(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const int8_t* input, int8_t* output, int16_t* panel) {
  ConvGemm(g, w, r, input_offset, input, output, panel);
}

}  // namespace edgeinfer::kernels
