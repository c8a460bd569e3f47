// AVX-512 VNNI instance of the x86 dot-product GEMM kernel
// (qgemm-dot-x86.h), built with the AVX-512 flags and called only when
// cpuid and xgetbv say AVX-512 VNNI. Same weight layout (kr = 4, blocks of
// 16 channels), same gather and requantization; the difference is the
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
// and stores only the real ones. A last block of 8 channels runs the ymm
// tile. Requantization of whole 16-channel blocks is on zmm too (double
// rounding and half-even; single rounding on two ymm halves), stored with
// one vpmovdb.
#define EDGEINFER_QGEMM_DOT_REQUANT_NS requant_avx512vnni
#include "kernels/qgemm-dot-x86.h"

// GCC 12 reports the "undefined" pass-through operand inside
// the AVX-512 intrinsics as (maybe-)uninitialized (a false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace edgeinfer::kernels {
namespace {

struct DpbusdAvx512Vl {
  static inline __m256i Madd(__m256i acc, __m256i u8, __m256i s8) { return _mm256_dpbusd_epi32(acc, u8, s8); }
};

namespace dot_zmm {

namespace rq = ::edgeinfer::kernels::requant_avx512vnni;

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

// 16 channels' requantization parameters for the zmm requantization of
// the double-rounding and half-even modes (the ymm code of requant-avx2.h,
// twice as wide; single rounding runs that code on the two halves).
struct Channels16 {
  bool left_shift;
  __m512i multiplier, multiplier_odd, shift_left, shift_right, mask, half_mask;
  __m512 scale;
  __m512i lo, hi, offset;
};

template <RequantMode kMode>
inline Channels16 LoadChannels16(const QRequant& r, int32_t c) {
  Channels16 p;
  p.left_shift = r.any_left_shift;
  p.offset = _mm512_set1_epi32(r.output_offset);
  if constexpr (kMode == RequantMode::kDoubleRounding) {
    p.multiplier = _mm512_loadu_si512(&r.multiplier[c]);
    p.multiplier_odd = _mm512_srli_epi64(p.multiplier, 32);
    p.shift_left = _mm512_loadu_si512(&r.left_shift[c]);
    p.shift_right = _mm512_loadu_si512(&r.right_shift[c]);
    p.mask = _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), p.shift_right), _mm512_set1_epi32(1));
    p.half_mask = _mm512_srli_epi32(p.mask, 1);
    p.lo = _mm512_set1_epi32(r.min_less_offset);
    p.hi = _mm512_set1_epi32(r.max_less_offset);
  } else if constexpr (kMode == RequantMode::kHalfEven) {
    p.scale = _mm512_loadu_ps(&r.scale[c]);
    p.lo = _mm512_castps_si512(_mm512_set1_ps(static_cast<float>(r.min_less_offset)));
    p.hi = _mm512_castps_si512(_mm512_set1_ps(static_cast<float>(r.max_less_offset)));
  }
  return p;
}

// requant-avx2.h's RequantizeDoubleRounding / RequantizeHalfEven on 16
// lanes, the same operations in the same order.
template <RequantMode kMode>
inline __m512i Requantize16(__m512i acc, const Channels16& p) {
  if constexpr (kMode == RequantMode::kHalfEven) {
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), p.scale);
    v = _mm512_max_ps(_mm512_castsi512_ps(p.lo), v);
    v = _mm512_min_ps(_mm512_castsi512_ps(p.hi), v);
    return _mm512_add_epi32(_mm512_cvtps_epi32(v), p.offset);
  } else {
    const __m512i x = p.left_shift ? _mm512_sllv_epi32(acc, p.shift_left) : acc;
    const __m512i half = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, p.multiplier), half), 31);
    const __m512i odd = _mm512_slli_epi64(
        _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), p.multiplier_odd), half), 1);
    const __m512i high = _mm512_mask_blend_epi32(0xAAAA, even, odd);
    // RoundingDivideByPOT(high, right_shift): threshold = half_mask + (high < 0)
    const __m512i remainder = _mm512_and_si512(high, p.mask);
    const __m512i threshold = _mm512_sub_epi32(p.half_mask, _mm512_srai_epi32(high, 31));
    __m512i v = _mm512_srav_epi32(high, p.shift_right);
    v = _mm512_mask_add_epi32(v, _mm512_cmpgt_epi32_mask(remainder, threshold), v, _mm512_set1_epi32(1));
    v = _mm512_min_epi32(_mm512_max_epi32(v, p.lo), p.hi);
    return _mm512_add_epi32(v, p.offset);
  }
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
  Tile<MR, NB>(a, a_stride, w, padded_k * 16, pw.k_pairs / 2, acc);
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j) {
    const int32_t c = n0 + 16 * j;
    if (kMode != RequantMode::kSingleRounding && c + 16 <= pw.n) {
      // Values inside T's range: vpmovdb's truncation is exact.
      const Channels16 p = LoadChannels16<kMode>(r, c);
      for (int m = 0; m < rows; ++m) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + m * out_stride + c),
                         _mm512_cvtepi32_epi8(Requantize16<kMode>(acc[m][j], p)));
      }
      continue;
    }
    const rq::Channels8 p0 = rq::LoadChannels8(r, c), p1 = rq::LoadChannels8(r, c + 8);
    if (c + 16 <= pw.n) {
      for (int m = 0; m < rows; ++m) {
        rq::Store16(rq::RequantizeAs<kMode>(_mm512_castsi512_si256(acc[m][j]), p0),
                    rq::RequantizeAs<kMode>(_mm512_extracti64x4_epi64(acc[m][j], 1), p1),
                    out + m * out_stride + c);
      }
    } else {  // the last block, with fewer than 16 real channels
      const int32_t count0 = pw.n - c < 8 ? pw.n - c : 8, count1 = pw.n - c - 8;
      for (int m = 0; m < rows; ++m) {
        rq::Store8(rq::RequantizeAs<kMode>(_mm512_castsi512_si256(acc[m][j]), p0), out + m * out_stride + c,
                   count0);
        if (count1 > 0) {
          rq::Store8(rq::RequantizeAs<kMode>(_mm512_extracti64x4_epi64(acc[m][j], 1), p1),
                     out + m * out_stride + c + 8, count1);
        }
      }
    }
  }
}

// Tiles of MR rows over the panel's rows [0, rows), then the rows that are
// left with the smallest tile of 4, 2 or 1 rows that covers them.
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
    if (n0 < pw.n_padded) {  // a last block of 8 channels: the ymm tiles
      for (int32_t m0 = 0; m0 < rows; m0 += 4) {
        const uint8_t* am = a + m0 * a_stride;
        T* om = out + m0 * out_stride;
        switch (rows - m0 < 4 ? rows - m0 : 4) {
          case 4: dot_x86::Block<DpbusdAvx512Vl, 4, 1, kMode>(pw, r, am, a_stride, w, n0, om, out_stride); break;
          case 3: dot_x86::Block<DpbusdAvx512Vl, 3, 1, kMode>(pw, r, am, a_stride, w, n0, om, out_stride); break;
          case 2: dot_x86::Block<DpbusdAvx512Vl, 2, 1, kMode>(pw, r, am, a_stride, w, n0, om, out_stride); break;
          default: dot_x86::Block<DpbusdAvx512Vl, 1, 1, kMode>(pw, r, am, a_stride, w, n0, om, out_stride); break;
        }
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
