// x86 INT8 convolution-as-GEMM with the 4-way 8-bit dot product vpdpbusd
// (u8 x s8, summed into int32 lanes without saturation), one template for
// every form of the instruction: `Dot` supplies
//   static __m256i Dot::Madd(__m256i acc, __m256i u8, __m256i s8)
// = acc + the sum of the 4 byte products of each 32-bit lane, mod 2^32:
// AVX-VNNI's _mm256_dpbusd_avx_epi32 (qgemm-dot-4x16-avxvnni.cc) and an
// exact AVX2 emulation, a test double for machines without VNNI
// (qgemm-dot-4x16-emulated-avx2.cc). The AVX-512 VNNI kernel
// (qgemm-dot-8x32-avx512vnni.cc) plugs its own zmm tiles into this file's
// driver, ConvGemmWith.
//
// Arithmetic: see "Dot-product layout" in qgemm.h. Activations are fed as
// u8 (int8 ones XOR 0x80), the weights plus filter offset as s8 (kr = 4
// layout), the input shift is in the bias, padding taps are the input zero
// point in the u8 domain. Tiles of 4 output pixels by 16 output channels, 8
// ymm accumulators. Up to 64 output pixels' windows are gathered into the
// panel as bytes; then each block of 16 channels' weights runs over all of
// them. Requantization is requant-avx2.h's, as in the AVX2 kernels.
//
// Include this from exactly one .cc per instruction set, after defining
// EDGEINFER_QGEMM_DOT_REQUANT_NS to a name of its own: requant-avx2.h's
// inline functions are then declared in that namespace, so each ISA file
// has its own copies compiled with its flags (otherwise the linker could
// keep an AVX-512 build of, say, LoadChannels8 for the AVX2 kernels too).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/qgemm-dot-common.h"
#include "kernels/qgemm.h"
#include "kernels/requant.h"

#ifndef EDGEINFER_QGEMM_DOT_REQUANT_NS
#error "define EDGEINFER_QGEMM_DOT_REQUANT_NS (a namespace name of this ISA file's own) before including"
#endif
#define avx2 EDGEINFER_QGEMM_DOT_REQUANT_NS
#include "kernels/requant-avx2.h"
#undef avx2

namespace edgeinfer::kernels {
namespace {
namespace dot_x86 {

namespace rq = ::edgeinfer::kernels::EDGEINFER_QGEMM_DOT_REQUANT_NS;

inline __m256i Broadcast4(const uint8_t* p) { return _mm256_set1_epi32(dot::Load4(p)); }

// acc[m][j] += A[m] . B over all quads, for MR rows and NB vectors of 8
// channels (the remainder tiles).
template <class Dot, int MR, int NB>
inline void Tile(const uint8_t* a, size_t a_stride, const int8_t* w, int32_t quads, __m256i (&acc)[MR][NB]) {
  for (int32_t q = 0; q < quads; ++q) {
    __m256i b[NB];
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j) b[j] = _mm256_load_si256(reinterpret_cast<const __m256i*>(w) + j);
    w += 32 * NB;
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
      const __m256i x = Broadcast4(a + m * a_stride + 4 * q);
#pragma GCC unroll 2
      for (int j = 0; j < NB; ++j) acc[m][j] = Dot::Madd(acc[m][j], x, b[j]);
    }
  }
}

// The main tile written out, so the 8 accumulators stay in registers.
template <class Dot>
inline void Tile4x16(const uint8_t* a, size_t a_stride, const int8_t* w, int32_t quads, __m256i (&acc)[4][2]) {
  __m256i c00 = acc[0][0], c01 = acc[0][1], c10 = acc[1][0], c11 = acc[1][1];
  __m256i c20 = acc[2][0], c21 = acc[2][1], c30 = acc[3][0], c31 = acc[3][1];
  const uint8_t* a0 = a;
  const uint8_t* a1 = a + a_stride;
  const uint8_t* a2 = a + 2 * a_stride;
  const uint8_t* a3 = a + 3 * a_stride;
  for (int32_t q = 0; q < quads; ++q) {
    const __m256i b0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i b1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w) + 1);
    w += 64;
    __m256i x = Broadcast4(a0 + 4 * q);
    c00 = Dot::Madd(c00, x, b0);
    c01 = Dot::Madd(c01, x, b1);
    x = Broadcast4(a1 + 4 * q);
    c10 = Dot::Madd(c10, x, b0);
    c11 = Dot::Madd(c11, x, b1);
    x = Broadcast4(a2 + 4 * q);
    c20 = Dot::Madd(c20, x, b0);
    c21 = Dot::Madd(c21, x, b1);
    x = Broadcast4(a3 + 4 * q);
    c30 = Dot::Madd(c30, x, b0);
    c31 = Dot::Madd(c31, x, b1);
  }
  acc[0][0] = c00, acc[0][1] = c01, acc[1][0] = c10, acc[1][1] = c11;
  acc[2][0] = c20, acc[2][1] = c21, acc[3][0] = c30, acc[3][1] = c31;
}

template <class Dot, int MR, int NB, RequantMode kMode, typename T>
inline void Block(const PackedQGemmWeights& w, const QRequant& r, const uint8_t* a, size_t a_stride,
                  const int8_t* wp, int32_t n0, T* out, size_t out_stride) {
  __m256i acc[MR][NB];
  for (int j = 0; j < NB; ++j) {
    const __m256i bias = rq::Load8(&r.bias[n0 + 8 * j]);
    for (int m = 0; m < MR; ++m) acc[m][j] = bias;
  }
  const int32_t quads = w.k_pairs / 2;
  if constexpr (MR == 4 && NB == 2) {
    Tile4x16<Dot>(a, a_stride, wp, quads, acc);
  } else {
    Tile<Dot, MR, NB>(a, a_stride, wp, quads, acc);
  }
  if (NB == 2 && n0 + 16 <= w.n) {  // 16 whole channels: one 16-byte store per row
    const rq::Channels8 p0 = rq::LoadChannels8(r, n0), p1 = rq::LoadChannels8(r, n0 + 8);
    for (int m = 0; m < MR; ++m) {
      rq::Store16(rq::RequantizeAs<kMode>(acc[m][0], p0), rq::RequantizeAs<kMode>(acc[m][NB - 1], p1),
                  out + m * out_stride + n0);
    }
    return;
  }
  for (int j = 0; j < NB; ++j) {
    const int32_t c = n0 + 8 * j;
    if (c >= w.n) break;
    const rq::Channels8 params = rq::LoadChannels8(r, c);
    const int32_t count = w.n - c < 8 ? w.n - c : 8;
    for (int m = 0; m < MR; ++m) {
      rq::Store8(rq::RequantizeAs<kMode>(acc[m][j], params), out + m * out_stride + c, count);
    }
  }
}

// Rows [0, rows) of the panel times the weights: block of 16 (or 8)
// channels by block, each over all the panel's tiles of 4 rows.
template <class Dot, RequantMode kMode, typename T>
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
          case 4: Block<Dot, 4, 2, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 3: Block<Dot, 3, 2, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 2: Block<Dot, 2, 2, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          default: Block<Dot, 1, 2, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
        }
      } else {
        switch (mr) {
          case 4: Block<Dot, 4, 1, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 3: Block<Dot, 3, 1, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          case 2: Block<Dot, 2, 1, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
          default: Block<Dot, 1, 1, kMode>(w, r, am, a_stride, wp, n0, om, out_stride); break;
        }
      }
    }
    wp += padded_k * (wide ? 16 : 8);
    n0 += wide ? 16 : 8;
  }
}

// The panel step of ConvGemmWith: this header's ymm tiles.
template <class Dot>
struct YmmPanel {
  template <RequantMode kMode, typename T>
  static void Run(const PackedQGemmWeights& w, const QRequant& r, const uint8_t* a, size_t a_stride, int32_t rows,
                  T* out, size_t out_stride) {
    PanelTimesWeights<Dot, kMode>(w, r, a, a_stride, rows, out, out_stride);
  }
};

template <class Panel, RequantMode kMode, typename T>
void ConvGemmLoop(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                  const T* input, T* output, int16_t* panel) {
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  constexpr bool kFlip = !kU8;  // int8 activations to u8
  const uint8_t pad = static_cast<uint8_t>(-QDotInputShift(QDotKind::kU8S8, kU8, input_offset));
  const size_t padded_k = static_cast<size_t>(w.k_pairs) * 2;
  const int32_t panel_rows = QConvGemmPanelRows(w);
  // 64-byte aligned rows of A (rows * padded_k bytes: at most half the
  // panel, so a tile may read rows past the last one, up to panel_rows
  // rounded up to 8, and store only the real ones).
  uint8_t* a = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(panel) + 63) & ~uintptr_t{63});
  const int32_t pixels = g.output_height * g.output_width;
  const size_t out_stride = static_cast<size_t>(g.output_channels);
  for (int32_t p0 = 0; p0 < pixels; p0 += panel_rows) {
    const int32_t rows = pixels - p0 < panel_rows ? pixels - p0 : panel_rows;
    dot::GatherPanel<kFlip>(g, p0, rows, input, pad, static_cast<int32_t>(padded_k), a);
    Panel::template Run<kMode>(w, r, a, padded_k, rows, output + static_cast<size_t>(p0) * out_stride, out_stride);
  }
}

// The kernel: w packed by PackQGemmWeightsDot, r with the input shift of
// (kU8S8, T) folded into its bias (PrepareQConvGemm); Panel::Run<kMode>
// multiplies a gathered panel of rows by all the weights.
template <class Panel, typename T>
void ConvGemmWith(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                  const T* input, T* output, int16_t* panel) {
  WithRequantMode(r.mode,
                  [&](auto mode) { ConvGemmLoop<Panel, mode()>(g, w, r, input_offset, input, output, panel); });
}

template <class Dot, typename T>
void ConvGemm(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
              const T* input, T* output, int16_t* panel) {
  ConvGemmWith<YmmPanel<Dot>>(g, w, r, input_offset, input, output, panel);
}

}  // namespace dot_x86
}  // namespace
}  // namespace edgeinfer::kernels
