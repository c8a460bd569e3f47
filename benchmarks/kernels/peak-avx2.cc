// The INT8 peak the AVX2 kernels can reach: a throughput loop of vpmaddwd
// (16 int16 multiply-adds per instruction), and of vpmaddwd + vpaddd, the
// pair the GEMM microkernel issues per 16 MACs. Twelve independent chains
// hide the instruction latency.
#include <immintrin.h>

#include <cstdint>

#include "peak.h"

namespace edgeinfer::bench {

uint64_t MaddPeakLoopAvx2(int64_t iterations, bool with_add) {
  __m256i a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_epi32(i + 1);
  const __m256i b = _mm256_set1_epi16(3);
  for (int64_t it = 0; it < iterations; ++it) {
    if (with_add) {
#pragma GCC unroll 12
      for (int i = 0; i < 12; ++i) a[i] = _mm256_add_epi32(a[i], _mm256_madd_epi16(a[i], b));
    } else {
#pragma GCC unroll 12
      for (int i = 0; i < 12; ++i) a[i] = _mm256_madd_epi16(a[i], b);
    }
  }
  __m256i s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm256_xor_si256(s, a[i]);
  return static_cast<uint64_t>(_mm256_extract_epi64(s, 0));
}

}  // namespace edgeinfer::bench
