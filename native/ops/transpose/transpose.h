// TRANSPOSE reference: output dimension i is input dimension perm[i]. Shapes
// are extended to kMaxTransposeRank dimensions in front (identity there), and
// the output is written in order while the input is walked by strides.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace edgeinfer {

constexpr int kMaxTransposeRank = 6;

struct TransposeParams {
  int32_t output_shape[kMaxTransposeRank];
  // Input stride, in elements, of the input dimension behind output dimension i.
  int64_t input_stride[kMaxTransposeRank];
};

// T only needs the element's size: elements are moved, never computed.
template <typename T>
void Transpose(const TransposeParams& p, const T* input, T* output) {
  constexpr int kOuter = kMaxTransposeRank - 1;
  int64_t rows = 1;
  for (int d = 0; d < kOuter; ++d) rows *= p.output_shape[d];
  const int32_t row = p.output_shape[kOuter];
  const int64_t row_stride = p.input_stride[kOuter];
  int32_t index[kOuter] = {};
  int64_t offset = 0;  // input offset of index[] with a zero innermost index
  for (int64_t r = 0; r < rows; ++r) {
    const T* in = input + offset;
    for (int32_t i = 0; i < row; ++i) output[i] = in[i * row_stride];
    output += row;
    for (int d = kOuter - 1; d >= 0; --d) {
      offset += p.input_stride[d];
      if (++index[d] < p.output_shape[d]) break;
      offset -= p.input_stride[d] * p.output_shape[d];
      index[d] = 0;
    }
  }
}

// The fast path: most transposes a model carries (NCHW <-> NHWC above all)
// are, once dimensions of size 1 are dropped and dimensions that stay
// adjacent and in order are merged, `batches` independent transposes of a
// rows x cols matrix: output[b][c][r] = input[b][r][c]. A plain copy is the
// case rows == 1 (or cols == 1).
struct Batched2D {
  int64_t batches = 1, rows = 1, cols = 1;
};

// Whether transposing `shape` by `perm` (a valid permutation) is a
// Batched2D, which it fills.
bool AsBatched2D(const std::vector<int32_t>& shape, const std::vector<int32_t>& perm, Batched2D* out);

namespace transpose_internal {

// Few rows (channels, for NCHW -> NHWC): each output row of kRows elements
// gathers one element of every input row.
template <int kRows, typename T>
void FewRows(const T* in, T* out, int64_t cols) {
  const T* rows[kRows];
  for (int r = 0; r < kRows; ++r) rows[r] = in + r * cols;
  for (int64_t c = 0; c < cols; ++c, out += kRows) {
    for (int r = 0; r < kRows; ++r) out[r] = rows[r][c];
  }
}

#if defined(__SSE2__)
// Three rows of 4-byte elements (an RGB image, NCHW -> NHWC): 4 columns at a
// time, 12 output elements from three loads and seven shuffles (bits are
// moved, never computed, so float shuffles suit any 4-byte type).
inline void ThreeRows4Byte(const void* input, void* output, int64_t cols) {
  const float* a = static_cast<const float*>(input);
  const float* b = a + cols;
  const float* c = b + cols;
  float* out = static_cast<float*>(output);
  int64_t i = 0;
  for (; i + 4 <= cols; i += 4, out += 12) {
    const __m128 va = _mm_loadu_ps(a + i), vb = _mm_loadu_ps(b + i), vc = _mm_loadu_ps(c + i);
    const __m128 ab_lo = _mm_unpacklo_ps(va, vb);                                // a0 b0 a1 b1
    const __m128 ab_hi = _mm_unpackhi_ps(va, vb);                                // a2 b2 a3 b3
    const __m128 c0a1 = _mm_shuffle_ps(vc, va, _MM_SHUFFLE(1, 1, 0, 0));        // c0 c0 a1 a1
    const __m128 b1c1 = _mm_shuffle_ps(vb, vc, _MM_SHUFFLE(1, 1, 1, 1));        // b1 b1 c1 c1
    const __m128 c2a3 = _mm_shuffle_ps(vc, ab_hi, _MM_SHUFFLE(3, 2, 2, 2));     // c2 c2 a3 b3
    const __m128 b3c3 = _mm_shuffle_ps(ab_hi, vc, _MM_SHUFFLE(3, 3, 3, 3));     // b3 b3 c3 c3
    _mm_storeu_ps(out, _mm_shuffle_ps(ab_lo, c0a1, _MM_SHUFFLE(2, 0, 1, 0)));     // a0 b0 c0 a1
    _mm_storeu_ps(out + 4, _mm_shuffle_ps(b1c1, ab_hi, _MM_SHUFFLE(1, 0, 2, 0)));  // b1 c1 a2 b2
    _mm_storeu_ps(out + 8, _mm_shuffle_ps(c2a3, b3c3, _MM_SHUFFLE(2, 0, 2, 0)));   // c2 a3 b3 c3
  }
  for (; i < cols; ++i, out += 3) {
    std::memcpy(out, a + i, 4);
    std::memcpy(out + 1, b + i, 4);
    std::memcpy(out + 2, c + i, 4);
  }
}
#endif

// Any size: square tiles, so both sides stay in cache.
template <typename T>
void Tiled(const T* in, T* out, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t r1 = r0 + kTile < rows ? r0 + kTile : rows;
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = c0 + kTile < cols ? c0 + kTile : cols;
      for (int64_t c = c0; c < c1; ++c) {
        T* o = out + c * rows;
        for (int64_t r = r0; r < r1; ++r) o[r] = in[r * cols + c];
      }
    }
  }
}

}  // namespace transpose_internal

template <typename T>
void TransposeBatched2D(const Batched2D& p, const T* input, T* output) {
  using namespace transpose_internal;
  const int64_t matrix = p.rows * p.cols;
  if (p.rows == 1 || p.cols == 1) {
    std::memcpy(output, input, static_cast<size_t>(p.batches * matrix) * sizeof(T));
    return;
  }
  for (int64_t b = 0; b < p.batches; ++b, input += matrix, output += matrix) {
    switch (p.rows) {
      case 2: FewRows<2>(input, output, p.cols); break;
      case 3:
#if defined(__SSE2__)
        if constexpr (sizeof(T) == 4) {
          ThreeRows4Byte(input, output, p.cols);
          break;
        }
#endif
        FewRows<3>(input, output, p.cols);
        break;
      case 4: FewRows<4>(input, output, p.cols); break;
      default: Tiled(input, output, p.rows, p.cols); break;
    }
  }
}

}  // namespace edgeinfer
