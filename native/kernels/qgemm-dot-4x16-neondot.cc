// arm64 INT8 convolution-as-GEMM with the 4-way 8-bit dot product sdot
// (vdotq_s32: s8 x s8, 4 products summed into each int32 lane, exact);
// built with -march=armv8.2-a+dotprod, called only when hwcaps say asimddp.
//
// Arithmetic: see "Dot-product layout" in qgemm.h. Activations are fed as
// s8 (uint8 ones XOR 0x80, i.e. x - 128), the weights plus filter offset as
// s8 (kr = 4 layout), the input shift is in the bias, padding taps are the
// input zero point in the s8 domain. Tiles of 4 output pixels by 16 output
// channels, 16 q-register accumulators. Up to 64 output pixels' windows are
// gathered into the panel as bytes; then each block of 16 channels' weights
// runs over all of them. Requantization is requant-neon.h's, as in the NEON
// kernels.
#include <arm_neon.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/qgemm-dot-common.h"
#include "kernels/qgemm.h"
#include "kernels/requant.h"

// requant-neon.h's inline functions in a namespace of this file's own, so
// the copies built with +dotprod are never linked into the baseline NEON
// kernels (see qgemm-dot-x86.h).
#define neon requant_neondot
#include "kernels/requant-neon.h"
#undef neon

namespace edgeinfer::kernels {
namespace {

namespace rq = ::edgeinfer::kernels::requant_neondot;

inline int8x16_t Broadcast4(const uint8_t* p) { return vreinterpretq_s8_s32(vdupq_n_s32(dot::Load4(p))); }

// MR rows x NB vectors of 8 channels (each two int32x4 accumulators of 4
// channels; one int8x16 of weights per 4 channels and quad of k's).
template <int MR, int NB, typename T>
void Block(const PackedQGemmWeights& w, const QRequant& r, const uint8_t* a, size_t a_stride, const int8_t* wp,
           int32_t n0, T* out, size_t out_stride) {
  int32x4_t acc[MR][2 * NB];
  for (int i = 0; i < 2 * NB; ++i) {
    const int32x4_t bias = vld1q_s32(&r.bias[n0 + 4 * i]);
    for (int m = 0; m < MR; ++m) acc[m][i] = bias;
  }
  const int32_t quads = w.k_pairs / 2;
  for (int32_t q = 0; q < quads; ++q) {
    int8x16_t b[2 * NB];
#pragma GCC unroll 4
    for (int i = 0; i < 2 * NB; ++i) b[i] = vld1q_s8(wp + 16 * i);
    wp += 32 * NB;
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
      const int8x16_t x = Broadcast4(a + m * a_stride + 4 * q);
#pragma GCC unroll 4
      for (int i = 0; i < 2 * NB; ++i) acc[m][i] = vdotq_s32(acc[m][i], b[i], x);
    }
  }
  for (int m = 0; m < MR; ++m) {
    for (int j = 0; j < NB; ++j) {
      const int32_t c = n0 + 8 * j;
      if (c >= w.n) break;
      rq::Store8(rq::Requantize(acc[m][2 * j], r, c), rq::Requantize(acc[m][2 * j + 1], r, c + 4),
                 out + m * out_stride + c, w.n - c < 8 ? w.n - c : 8);
    }
  }
}

// Rows [0, rows) of the panel times the weights: block of 16 (or 8)
// channels by block, each over all the panel's tiles of 4 rows.
template <typename T>
void PanelTimesWeights(const PackedQGemmWeights& w, const QRequant& r, const uint8_t* a, size_t a_stride,
                       int32_t rows, T* out, size_t out_stride) {
  const int8_t* wp = reinterpret_cast<const int8_t*>(w.data());
  const size_t padded_k = static_cast<size_t>(w.k_pairs) * 2;
  for (int32_t n0 = 0; n0 < w.n_padded;) {
    const bool wide = w.n_padded - n0 >= 16;
    for (int32_t m0 = 0; m0 < rows; m0 += 4) {
      const uint8_t* am = a + m0 * a_stride;
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
    wp += padded_k * (wide ? 16 : 8);
    n0 += wide ? 16 : 8;
  }
}

// w packed by PackQGemmWeightsDot, r with the input shift of (kS8S8, T)
// folded into its bias (PrepareQConvGemm).
template <typename T>
void ConvGemm(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
              const T* input, T* output, int16_t* panel) {
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  constexpr bool kFlip = kU8;  // uint8 activations to s8
  const uint8_t pad = static_cast<uint8_t>(-QDotInputShift(QDotKind::kS8S8, kU8, input_offset));
  const size_t padded_k = static_cast<size_t>(w.k_pairs) * 2;
  const int32_t panel_rows = QConvGemmPanelRows(w);
  uint8_t* a = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(panel) + 31) & ~uintptr_t{31});
  const int32_t pixels = g.output_height * g.output_width;
  const size_t out_stride = static_cast<size_t>(g.output_channels);
  for (int32_t p0 = 0; p0 < pixels; p0 += panel_rows) {
    const int32_t rows = pixels - p0 < panel_rows ? pixels - p0 : panel_rows;
    dot::GatherPanel<kFlip>(g, p0, rows, input, pad, static_cast<int32_t>(padded_k), a);
    PanelTimesWeights(w, r, a, padded_k, rows, output + static_cast<size_t>(p0) * out_stride, out_stride);
  }
}

}  // namespace

void QConvGemmNeonDot(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                      const uint8_t* input, uint8_t* output, int16_t* panel) {
  ConvGemm(g, w, r, input_offset, input, output, panel);
}

void QConvGemmNeonDot(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                      const int8_t* input, int8_t* output, int16_t* panel) {
  ConvGemm(g, w, r, input_offset, input, output, panel);
}

}  // namespace edgeinfer::kernels
