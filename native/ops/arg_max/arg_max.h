// ARG_MAX reference: the index of the largest element along an axis of
// `axis_size` elements, each `inner_size` apart. As TFLite's ArgMinMax, only
// a strictly greater element replaces the current maximum: ties give the
// first index, and a NaN wins only at index 0.
#pragma once

#include <cstdint>

namespace edgeinfer {

struct ArgMaxParams {
  int64_t outer_size;
  int32_t axis_size;  // at least 1
  int64_t inner_size;
};

#if defined(__x86_64__) || defined(_M_X64)
// arg_max-avx2.cc: ArgMax over a last axis (inner_size 1) of 1 to 32 8-bit
// values, bit-identical; callable only when kernels::BestIsa() allows AVX2.
void ArgMaxLastAxisAvx2(int64_t outer, int32_t axis, const uint8_t* input, int32_t* output);
void ArgMaxLastAxisAvx2(int64_t outer, int32_t axis, const uint8_t* input, int64_t* output);
void ArgMaxLastAxisAvx2(int64_t outer, int32_t axis, const int8_t* input, int32_t* output);
void ArgMaxLastAxisAvx2(int64_t outer, int32_t axis, const int8_t* input, int64_t* output);
#endif

template <typename T, typename Index>
void ArgMax(const ArgMaxParams& p, const T* input, Index* output) {
  for (int64_t o = 0; o < p.outer_size; ++o) {
    const T* block = input + o * p.axis_size * p.inner_size;
    for (int64_t i = 0; i < p.inner_size; ++i) {
      T best = block[i];
      Index best_index = 0;
      // Selects instead of branches: which value wins is data, and a
      // mispredicted branch per element cost more than the compare.
      for (int32_t a = 1; a < p.axis_size; ++a) {
        const T value = block[a * p.inner_size + i];
        const bool greater = value > best;
        best = greater ? value : best;
        best_index = greater ? static_cast<Index>(a) : best_index;
      }
      *output++ = best_index;
    }
  }
}

}  // namespace edgeinfer
