// The INT8 peak of AVX-512 VNNI: throughput loops of vpdpbusd on zmm (64
// u8 x s8 MACs per instruction) and on ymm (32; the AVX512VL form).
#include "peak-dot.h"
#include "peak.h"

namespace edgeinfer::bench {

uint64_t DotPeakLoopAvx512Vnni(int64_t iterations, bool zmm) {
  if (zmm) {
    EDGEINFER_PEAK_DOT_LOOP(__m512i, _mm512_set1_epi32, _mm512_dpbusd_epi32, _mm512_xor_si512)
  } else {
    EDGEINFER_PEAK_DOT_LOOP(__m256i, _mm256_set1_epi32, _mm256_dpbusd_epi32, _mm256_xor_si256)
  }
}

}  // namespace edgeinfer::bench
