// AVX2 INT8 convolution-as-GEMM (see qgemm.h): tiles of 4 output pixels by
// 16 output channels, int16 x int16 products summed in pairs by vpmaddwd
// (never vpmaddubsw, whose int16 saturation breaks exactness), 8 ymm
// accumulators. Up to 64 output pixels' windows are first gathered into the
// panel as int16 with the input offset added (im2col, zeros for padding);
// then each block of 16 channels' weights runs over all of them.
#include <immintrin.h>

#include <cstring>

#include "kernels/qgemm.h"
#include "kernels/requant-avx2.h"

namespace edgeinfer::kernels {
namespace {

using avx2::Store8;
using avx2::Widen16;

template <typename T>
void WidenRun(const T* src, int32_t n, __m256i offset16, int32_t offset, int16_t* dst) {
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), Widen16(src + i, offset16));
  }
  if (i + 8 <= n) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), avx2::Widen8(src + i, _mm256_castsi256_si128(offset16)));
    i += 8;
  }
  for (; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + offset);
}

// Widens n activations to dst. When 16 can be read without passing
// src_end, a short run (n < 16, e.g. the 9 of a 3x3 window row over RGB) is
// widened as one vector of 16: the extra lanes land on what the gather
// writes next (or on the panel's slack past its last row), never read as A.
template <typename T>
inline void WidenShortRun(const T* src, int32_t n, const T* src_end, __m256i offset16, int32_t offset,
                          int16_t* dst) {
  if (n < 16 && src + 16 <= src_end) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), Widen16(src, offset16));
  } else {
    WidenRun(src, n, offset16, offset, dst);
  }
}

// Row of A for output pixel (oy, ox): the window in filter order (row,
// column, channel), padded with zeros to 2 * k_pairs.
template <typename T>
void GatherWindow(const ConvGeometry& g, int32_t oy, int32_t ox, const T* input, const T* input_end,
                  __m256i offset16, int32_t offset, int32_t padded_k, int16_t* dst) {
  const int32_t iy0 = oy * g.stride_h - g.pad_top, ix0 = ox * g.stride_w - g.pad_left;
  const int32_t c = g.input_channels;
  int16_t* const end = dst + padded_k;
  const bool columns_inside = ix0 >= 0 && ix0 + (g.filter_width - 1) * g.dilation_w < g.input_width;
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
    if (g.dilation_w == 1 && columns_inside) {
      WidenShortRun(row + static_cast<size_t>(ix0) * c, c * g.filter_width, input_end, offset16, offset, dst);
      dst += c * g.filter_width;
      continue;
    }
    for (int32_t kx = 0; kx < g.filter_width; ++kx) {
      const int32_t ix = ix0 + kx * g.dilation_w;
      if (ix < 0 || ix >= g.input_width) {
        std::memset(dst, 0, sizeof(int16_t) * c);
      } else {
        WidenRun(row + static_cast<size_t>(ix) * c, c, offset16, offset, dst);
      }
      dst += c;
    }
  }
  if (dst < end) std::memset(dst, 0, sizeof(int16_t) * (end - dst));
}

// Rows of A for output pixels [p0, p0 + rows). A 1x1 stride-1 convolution
// without padding reads its pixels in order, so its rows are one run of the
// input (or one run per row when the window is odd and gets a zero).
template <typename T>
void GatherPanel(const ConvGeometry& g, int32_t p0, int32_t rows, const T* input, __m256i offset16, int32_t offset,
                 int32_t padded_k, int16_t* a) {
  const int32_t c = g.input_channels;
  const T* input_end = input + static_cast<size_t>(g.input_height) * g.input_width * c;
  int32_t oy = p0 / g.output_width, ox = p0 % g.output_width;
  const bool pointwise = g.filter_height == 1 && g.filter_width == 1 && g.stride_h == 1 && g.stride_w == 1 &&
                         g.pad_left == 0 && g.input_width == g.output_width;
  if (pointwise) {
    const int32_t last_oy = (p0 + rows - 1) / g.output_width;
    if (oy - g.pad_top >= 0 && last_oy - g.pad_top < g.input_height) {
      const T* src = input + (static_cast<size_t>(oy - g.pad_top) * g.input_width + ox) * c;
      if (padded_k == c) {
        WidenRun(src, rows * c, offset16, offset, a);
      } else {
        for (int32_t m = 0; m < rows; ++m, src += c, a += padded_k) {
          WidenRun(src, c, offset16, offset, a);
          a[c] = 0;
        }
      }
      return;
    }
  }
  for (int32_t m = 0; m < rows; ++m, a += padded_k) {
    GatherWindow(g, oy, ox, input, input_end, offset16, offset, padded_k, a);
    if (++ox == g.output_width) ox = 0, ++oy;
  }
}

inline __m256i BroadcastPair(const int16_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm256_set1_epi32(v);
}

// acc[m][j] += sum over pairs of A[m] pair * B pair, for MR rows and NB
// vectors of 8 channels.
template <int MR, int NB>
inline void Tile(const int16_t* a, size_t a_stride, const int16_t* w, int32_t k_pairs, __m256i (&acc)[MR][NB]) {
  for (int32_t p = 0; p < k_pairs; ++p) {
    __m256i b[NB];
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j) b[j] = _mm256_load_si256(reinterpret_cast<const __m256i*>(w) + j);
    w += 16 * NB;
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
      const __m256i x = BroadcastPair(a + m * a_stride + 2 * p);
#pragma GCC unroll 2
      for (int j = 0; j < NB; ++j) acc[m][j] = _mm256_add_epi32(acc[m][j], _mm256_madd_epi16(x, b[j]));
    }
  }
}

// The main tile, written out so the 8 accumulators stay in registers (GCC
// spills the array form of Tile at this size).
inline void Tile4x16(const int16_t* a, size_t a_stride, const int16_t* w, int32_t k_pairs, __m256i (&acc)[4][2]) {
  __m256i c00 = acc[0][0], c01 = acc[0][1], c10 = acc[1][0], c11 = acc[1][1];
  __m256i c20 = acc[2][0], c21 = acc[2][1], c30 = acc[3][0], c31 = acc[3][1];
  const int16_t* a0 = a;
  const int16_t* a1 = a + a_stride;
  const int16_t* a2 = a + 2 * a_stride;
  const int16_t* a3 = a + 3 * a_stride;
  for (int32_t p = 0; p < k_pairs; ++p) {
    const __m256i b0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i b1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w) + 1);
    w += 32;
    __m256i x = BroadcastPair(a0 + 2 * p);
    c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(x, b0));
    c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(x, b1));
    x = BroadcastPair(a1 + 2 * p);
    c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(x, b0));
    c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(x, b1));
    x = BroadcastPair(a2 + 2 * p);
    c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(x, b0));
    c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(x, b1));
    x = BroadcastPair(a3 + 2 * p);
    c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(x, b0));
    c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(x, b1));
  }
  acc[0][0] = c00, acc[0][1] = c01, acc[1][0] = c10, acc[1][1] = c11;
  acc[2][0] = c20, acc[2][1] = c21, acc[3][0] = c30, acc[3][1] = c31;
}

inline void Tile4x8(const int16_t* a, size_t a_stride, const int16_t* w, int32_t k_pairs, __m256i (&acc)[4][1]) {
  __m256i c0 = acc[0][0], c1 = acc[1][0], c2 = acc[2][0], c3 = acc[3][0];
  const int16_t* a0 = a;
  const int16_t* a1 = a + a_stride;
  const int16_t* a2 = a + 2 * a_stride;
  const int16_t* a3 = a + 3 * a_stride;
  for (int32_t p = 0; p < k_pairs; ++p) {
    const __m256i b = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
    w += 16;
    c0 = _mm256_add_epi32(c0, _mm256_madd_epi16(BroadcastPair(a0 + 2 * p), b));
    c1 = _mm256_add_epi32(c1, _mm256_madd_epi16(BroadcastPair(a1 + 2 * p), b));
    c2 = _mm256_add_epi32(c2, _mm256_madd_epi16(BroadcastPair(a2 + 2 * p), b));
    c3 = _mm256_add_epi32(c3, _mm256_madd_epi16(BroadcastPair(a3 + 2 * p), b));
  }
  acc[0][0] = c0, acc[1][0] = c1, acc[2][0] = c2, acc[3][0] = c3;
}

template <int MR, int NB, RequantMode kMode, typename T>
inline void Block(const PackedQGemmWeights& w, const QRequant& r, const int16_t* a, size_t a_stride,
                  const int16_t* wp, int32_t n0, T* out, size_t out_stride) {
  __m256i acc[MR][NB];
  for (int j = 0; j < NB; ++j) {
    const __m256i bias = avx2::Load8(&r.bias[n0 + 8 * j]);
    for (int m = 0; m < MR; ++m) acc[m][j] = bias;
  }
  if constexpr (MR == 4 && NB == 2) {
    Tile4x16(a, a_stride, wp, w.k_pairs, acc);
  } else if constexpr (MR == 4 && NB == 1) {
    Tile4x8(a, a_stride, wp, w.k_pairs, acc);
  } else {
    Tile<MR, NB>(a, a_stride, wp, w.k_pairs, acc);
  }
  if (NB == 2 && n0 + 16 <= w.n) {  // 16 whole channels: one 16-byte store per row
    const avx2::Channels8 p0 = avx2::LoadChannels8(r, n0), p1 = avx2::LoadChannels8(r, n0 + 8);
    for (int m = 0; m < MR; ++m) {
      avx2::Store16(avx2::RequantizeAs<kMode>(acc[m][0], p0), avx2::RequantizeAs<kMode>(acc[m][NB - 1], p1),
                    out + m * out_stride + n0);
    }
    return;
  }
  for (int j = 0; j < NB; ++j) {
    const int32_t c = n0 + 8 * j;
    if (c >= w.n) break;
    const avx2::Channels8 params = avx2::LoadChannels8(r, c);
    const int32_t count = w.n - c < 8 ? w.n - c : 8;
    for (int m = 0; m < MR; ++m) Store8(avx2::RequantizeAs<kMode>(acc[m][j], params), out + m * out_stride + c, count);
  }
}

// Rows [0, rows) of the panel (rows <= panel rows) times the weights:
// block of 16 (or 8) channels by block, each over all the panel's tiles of
// 4 rows, so a block's weights are read from memory once per panel.
template <RequantMode kMode, typename T>
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
          case 4: Block<4, 2, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 3: Block<3, 2, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 2: Block<2, 2, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          default: Block<1, 2, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
        }
      } else {
        switch (mr) {
          case 4: Block<4, 1, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 3: Block<3, 1, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 2: Block<2, 1, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          default: Block<1, 1, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
        }
      }
    }
    wp += static_cast<size_t>(w.k_pairs) * (wide ? 32 : 16);
    n0 += wide ? 16 : 8;
  }
}

// The requantization mode is a template argument from here down, so the
// per-vector code has no branch on it.
template <typename T>
void PanelTimesWeights(const PackedQGemmWeights& w, const QRequant& r, const int16_t* a, size_t a_stride,
                       int32_t rows, T* out, size_t out_stride) {
  WithRequantMode(r.mode, [&](auto mode) { PanelTimesWeights<mode()>(w, r, a, a_stride, rows, out, out_stride); });
}

template <typename T>
void ConvGemm(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
              const T* input, T* output, int16_t* panel) {
  const __m256i offset16 = _mm256_set1_epi16(static_cast<int16_t>(input_offset));
  const size_t padded_k = static_cast<size_t>(w.k_pairs) * 2;
  const int32_t panel_rows = QConvGemmPanelRows(w);
  // 32-byte aligned rows of A.
  int16_t* a = reinterpret_cast<int16_t*>((reinterpret_cast<uintptr_t>(panel) + 31) & ~uintptr_t{31});
  const int32_t pixels = g.output_height * g.output_width;
  const size_t out_stride = static_cast<size_t>(g.output_channels);
  for (int32_t p0 = 0; p0 < pixels; p0 += panel_rows) {
    const int32_t rows = pixels - p0 < panel_rows ? pixels - p0 : panel_rows;
    GatherPanel(g, p0, rows, input, offset16, input_offset, static_cast<int32_t>(padded_k), a);
    PanelTimesWeights(w, r, a, padded_k, rows, output + static_cast<size_t>(p0) * out_stride, out_stride);
  }
}

}  // namespace

void QConvGemmAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const uint8_t* input, uint8_t* output, int16_t* panel) {
  ConvGemm(g, w, r, input_offset, input, output, panel);
}

void QConvGemmAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const int8_t* input, int8_t* output, int16_t* panel) {
  ConvGemm(g, w, r, input_offset, input, output, panel);
}

}  // namespace edgeinfer::kernels
