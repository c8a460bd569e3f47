// AVX-512 VNNI instance of the x86 dot-product GEMM kernel
// (qgemm-dot-x86.h), built with the AVX-512 flags and called only when
// cpuid and xgetbv say AVX-512 VNNI. Same weight layout (kr = 4, blocks of
// 16 channels) and gather; the difference is the
// register width: in a 16-channel block, one group of 4 k's is 64 bytes,
// one zmm, so one vpdpbusd on zmm does 16 channels x 4 k's for one output
// pixel, twice the ymm instruction's work at the same issue rate (measured
// on an AMD Zen 5: about 6 instructions per ns either way).
//
// Tile: up to 8 output pixels by 32 channels (two blocks), 16 zmm
// accumulators, enough independent chains to keep both vpdpbusd pipes busy;
// per group of 4 k's, 2 weight loads and one 4-byte broadcast per pixel
// feed 16 instructions. Tiles of fewer rows (4, 2, 1) serve short panels;
// a tile may compute rows past the panel's last (ConvGemmLoop leaves room)
// and stores only the real ones. A last block of 8 channels runs ymm
// vpdpbusd in tiles of 8 rows. Every block is requantized on zmm
// (requant-avx512.h).
#define EDGEINFER_QGEMM_DOT_REQUANT_NS requant_avx512vnni
#include "kernels/qgemm-dot-x86.h"
#include "kernels/requant-avx512.h"

namespace edgeinfer::kernels {
namespace {

namespace dot_zmm {

// acc[m][j] += row m of A . block j of B, over all quads. Block j's weights
// start block_bytes after block j - 1's.
template <int MR, int NB>
inline void Tile(const uint8_t* a, size_t a_stride, const int8_t* w, size_t block_bytes, int32_t quads,
                 __m512i (&acc)[MR][NB]) {
  for (int32_t q = 0; q < quads; ++q) {
    __m512i b[NB];
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j) b[j] = _mm512_load_si512(w + j * block_bytes + 64 * static_cast<size_t>(q));
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) {
      const __m512i x = _mm512_set1_epi32(dot::Load4(a + m * a_stride + 4 * static_cast<size_t>(q)));
#pragma GCC unroll 2
      for (int j = 0; j < NB; ++j) acc[m][j] = _mm512_dpbusd_epi32(acc[m][j], x, b[j]);
    }
  }
}

// The 8 x 32 and 8 x 16 tiles written out with named accumulators: with
// the array form GCC 12 rotates the 16 accumulators through other
// registers (and the stack) on every iteration.
#define EDGEINFER_ROW2(m)                                                                     \
  x = _mm512_set1_epi32(dot::Load4(a + (m) * a_stride + 4 * static_cast<size_t>(q)));       \
  c##m##0 = _mm512_dpbusd_epi32(c##m##0, x, b0);                                             \
  c##m##1 = _mm512_dpbusd_epi32(c##m##1, x, b1);
#define EDGEINFER_ROW1(m)                                                                     \
  x = _mm512_set1_epi32(dot::Load4(a + (m) * a_stride + 4 * static_cast<size_t>(q)));       \
  c##m##0 = _mm512_dpbusd_epi32(c##m##0, x, b0);

inline void Tile8x32(const uint8_t* a, size_t a_stride, const int8_t* w, size_t block_bytes, int32_t quads,
                     __m512i (&acc)[8][2]) {
  __m512i c00 = acc[0][0], c01 = acc[0][1], c10 = acc[1][0], c11 = acc[1][1];
  __m512i c20 = acc[2][0], c21 = acc[2][1], c30 = acc[3][0], c31 = acc[3][1];
  __m512i c40 = acc[4][0], c41 = acc[4][1], c50 = acc[5][0], c51 = acc[5][1];
  __m512i c60 = acc[6][0], c61 = acc[6][1], c70 = acc[7][0], c71 = acc[7][1];
  for (int32_t q = 0; q < quads; ++q) {
    const __m512i b0 = _mm512_load_si512(w + 64 * static_cast<size_t>(q));
    const __m512i b1 = _mm512_load_si512(w + block_bytes + 64 * static_cast<size_t>(q));
    __m512i x;
    EDGEINFER_ROW2(0) EDGEINFER_ROW2(1) EDGEINFER_ROW2(2) EDGEINFER_ROW2(3)
    EDGEINFER_ROW2(4) EDGEINFER_ROW2(5) EDGEINFER_ROW2(6) EDGEINFER_ROW2(7)
  }
  acc[0][0] = c00, acc[0][1] = c01, acc[1][0] = c10, acc[1][1] = c11;
  acc[2][0] = c20, acc[2][1] = c21, acc[3][0] = c30, acc[3][1] = c31;
  acc[4][0] = c40, acc[4][1] = c41, acc[5][0] = c50, acc[5][1] = c51;
  acc[6][0] = c60, acc[6][1] = c61, acc[7][0] = c70, acc[7][1] = c71;
}

inline void Tile8x16(const uint8_t* a, size_t a_stride, const int8_t* w, int32_t quads, __m512i (&acc)[8][1]) {
  __m512i c00 = acc[0][0], c10 = acc[1][0], c20 = acc[2][0], c30 = acc[3][0];
  __m512i c40 = acc[4][0], c50 = acc[5][0], c60 = acc[6][0], c70 = acc[7][0];
  for (int32_t q = 0; q < quads; ++q) {
    const __m512i b0 = _mm512_load_si512(w + 64 * static_cast<size_t>(q));
    __m512i x;
    EDGEINFER_ROW1(0) EDGEINFER_ROW1(1) EDGEINFER_ROW1(2) EDGEINFER_ROW1(3)
    EDGEINFER_ROW1(4) EDGEINFER_ROW1(5) EDGEINFER_ROW1(6) EDGEINFER_ROW1(7)
  }
  acc[0][0] = c00, acc[1][0] = c10, acc[2][0] = c20, acc[3][0] = c30;
  acc[4][0] = c40, acc[5][0] = c50, acc[6][0] = c60, acc[7][0] = c70;
}
#undef EDGEINFER_ROW2
#undef EDGEINFER_ROW1

// One row (FULLY_CONNECTED with one batch): a single pixel gives only NB
// dependent chains, so alternate quads go to two sets of accumulators,
// summed at the end (mod 2^32, as any order of the sum).
template <int NB>
inline void Tile1(const uint8_t* a, const int8_t* w, size_t block_bytes, int32_t quads, __m512i (&acc)[1][NB]) {
  __m512i odd[NB];
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j) odd[j] = _mm512_setzero_si512();
  int32_t q = 0;
  for (; q + 2 <= quads; q += 2) {
    const __m512i x0 = _mm512_set1_epi32(dot::Load4(a + 4 * static_cast<size_t>(q)));
    const __m512i x1 = _mm512_set1_epi32(dot::Load4(a + 4 * static_cast<size_t>(q) + 4));
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j) {
      const int8_t* wj = w + j * block_bytes + 64 * static_cast<size_t>(q);
      acc[0][j] = _mm512_dpbusd_epi32(acc[0][j], x0, _mm512_load_si512(wj));
      odd[j] = _mm512_dpbusd_epi32(odd[j], x1, _mm512_load_si512(wj + 64));
    }
  }
  if (q < quads) {
    const __m512i x0 = _mm512_set1_epi32(dot::Load4(a + 4 * static_cast<size_t>(q)));
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j) {
      const int8_t* wj = w + j * block_bytes + 64 * static_cast<size_t>(q);
      acc[0][j] = _mm512_dpbusd_epi32(acc[0][j], x0, _mm512_load_si512(wj));
    }
  }
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j) acc[0][j] = _mm512_add_epi32(acc[0][j], odd[j]);
}

// MR rows (of which the first `rows` are stored) by NB blocks of 16
// channels starting at channel n0, whose weights are at w.
template <int MR, int NB, RequantMode kMode, typename T>
inline void Block(const PackedQGemmWeights& pw, const QRequant& r, const uint8_t* a, size_t a_stride,
                  const int8_t* w, int32_t n0, int32_t rows, T* out, size_t out_stride) {
  __m512i acc[MR][NB];
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j) {
    const __m512i bias = _mm512_loadu_si512(&r.bias[n0 + 16 * j]);
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) acc[m][j] = bias;
  }
  const size_t padded_k = static_cast<size_t>(pw.k_pairs) * 2;
  if constexpr (MR == 8 && NB == 2) {
    Tile8x32(a, a_stride, w, padded_k * 16, pw.k_pairs / 2, acc);
  } else if constexpr (MR == 8) {
    Tile8x16(a, a_stride, w, pw.k_pairs / 2, acc);
  } else if constexpr (MR == 1) {
    Tile1<NB>(a, w, padded_k * 16, pw.k_pairs / 2, acc);
  } else {
    Tile<MR, NB>(a, a_stride, w, padded_k * 16, pw.k_pairs / 2, acc);
  }
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j) {
    const int32_t c = n0 + 16 * j;
    const int32_t count = pw.n - c < 16 ? pw.n - c : 16;
    const avx512::Channels16 p = avx512::LoadChannels16<kMode>(r, c);
    for (int m = 0; m < rows; ++m) {
      avx512::Store16(avx512::Requantize16<kMode>(acc[m][j], p), out + m * out_stride + c, count);
    }
  }
}

// 8 rows (the first `rows` stored) by a last block of 8 channels, whose
// groups of 4 k's are 32 bytes: ymm vpdpbusd, 8 named accumulators;
// requantized on zmm with the upper half zero, stored with a byte mask.
template <RequantMode kMode, typename T>
inline void Block8(const PackedQGemmWeights& pw, const QRequant& r, const uint8_t* a, size_t a_stride,
                   const int8_t* w, int32_t n0, int32_t rows, T* out, size_t out_stride) {
  const __m256i bias = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&r.bias[n0]));
  __m256i c0 = bias, c1 = bias, c2 = bias, c3 = bias, c4 = bias, c5 = bias, c6 = bias, c7 = bias;
  const int32_t quads = pw.k_pairs / 2;
  for (int32_t q = 0; q < quads; ++q) {
    const __m256i b = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 32 * static_cast<size_t>(q)));
    const uint8_t* aq = a + 4 * static_cast<size_t>(q);
    c0 = _mm256_dpbusd_epi32(c0, _mm256_set1_epi32(dot::Load4(aq)), b);
    c1 = _mm256_dpbusd_epi32(c1, _mm256_set1_epi32(dot::Load4(aq + a_stride)), b);
    c2 = _mm256_dpbusd_epi32(c2, _mm256_set1_epi32(dot::Load4(aq + 2 * a_stride)), b);
    c3 = _mm256_dpbusd_epi32(c3, _mm256_set1_epi32(dot::Load4(aq + 3 * a_stride)), b);
    c4 = _mm256_dpbusd_epi32(c4, _mm256_set1_epi32(dot::Load4(aq + 4 * a_stride)), b);
    c5 = _mm256_dpbusd_epi32(c5, _mm256_set1_epi32(dot::Load4(aq + 5 * a_stride)), b);
    c6 = _mm256_dpbusd_epi32(c6, _mm256_set1_epi32(dot::Load4(aq + 6 * a_stride)), b);
    c7 = _mm256_dpbusd_epi32(c7, _mm256_set1_epi32(dot::Load4(aq + 7 * a_stride)), b);
  }
  const __m256i acc[8] = {c0, c1, c2, c3, c4, c5, c6, c7};
  const int32_t count = pw.n - n0;  // 1..8
  const avx512::Channels16 p = avx512::LoadChannels16<kMode>(r, n0);
  for (int m = 0; m < rows; ++m) {
    avx512::Store16(avx512::Requantize16<kMode>(_mm512_zextsi256_si512(acc[m]), p), out + m * out_stride + n0,
                    count);
  }
}

// Tiles of 8 rows over the panel's rows [0, rows) (the last may have 5-7
// real ones), then the rows that are left with the smallest tile of 4, 2
// or 1 rows that covers them.
template <int NB, RequantMode kMode, typename T>
inline void Blocks(const PackedQGemmWeights& pw, const QRequant& r, const uint8_t* a, size_t a_stride, int32_t rows,
                   const int8_t* w, int32_t n0, T* out, size_t out_stride) {
  int32_t m0 = 0;
  for (; rows - m0 > 4; m0 += 8) {
    const int32_t mr = rows - m0 < 8 ? rows - m0 : 8;
    Block<8, NB, kMode>(pw, r, a + m0 * a_stride, a_stride, w, n0, mr, out + m0 * out_stride, out_stride);
  }
  const int32_t left = rows - m0;
  const uint8_t* am = a + m0 * a_stride;
  T* om = out + m0 * out_stride;
  if (left > 2) {
    Block<4, NB, kMode>(pw, r, am, a_stride, w, n0, left, om, out_stride);
  } else if (left == 2) {
    Block<2, NB, kMode>(pw, r, am, a_stride, w, n0, 2, om, out_stride);
  } else if (left == 1) {
    Block<1, NB, kMode>(pw, r, am, a_stride, w, n0, 1, om, out_stride);
  }
}

struct ZmmPanel {
  template <RequantMode kMode, typename T>
  static void Run(const PackedQGemmWeights& pw, const QRequant& r, const uint8_t* a, size_t a_stride, int32_t rows,
                  T* out, size_t out_stride) {
    const int8_t* w = reinterpret_cast<const int8_t*>(pw.data());
    const size_t block_bytes = static_cast<size_t>(pw.k_pairs) * 2 * 16;
    int32_t n0 = 0;
    for (; pw.n_padded - n0 >= 32; n0 += 32, w += 2 * block_bytes) {
      Blocks<2, kMode>(pw, r, a, a_stride, rows, w, n0, out, out_stride);
    }
    if (pw.n_padded - n0 >= 16) {
      Blocks<1, kMode>(pw, r, a, a_stride, rows, w, n0, out, out_stride);
      n0 += 16, w += block_bytes;
    }
    if (n0 < pw.n_padded) {  // a last block of 8 channels: ymm tiles of 8 rows
      for (int32_t m0 = 0; m0 < rows; m0 += 8) {
        const int32_t mr = rows - m0 < 8 ? rows - m0 : 8;
        Block8<kMode>(pw, r, a + m0 * a_stride, a_stride, w, n0, mr, out + m0 * out_stride, out_stride);
      }
    }
  }
};

}  // namespace dot_zmm
}  // namespace

void QConvGemmAvx512Vnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                         int32_t input_offset, const uint8_t* input, uint8_t* output, int16_t* panel) {
  dot_x86::ConvGemmWith<dot_zmm::ZmmPanel>(g, w, r, input_offset, input, output, panel);
}

void QConvGemmAvx512Vnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                         int32_t input_offset, const int8_t* input, int8_t* output, int16_t* panel) {
  dot_x86::ConvGemmWith<dot_zmm::ZmmPanel>(g, w, r, input_offset, input, output, panel);
}

}  // namespace edgeinfer::kernels
