// The INT8 peak of AVX-VNNI: a throughput loop of the VEX vpdpbusd on ymm
// (32 u8 x s8 MACs per instruction).
#include "peak-dot.h"
#include "peak.h"

namespace edgeinfer::bench {

uint64_t DotPeakLoopAvxVnni(int64_t iterations) {
  EDGEINFER_PEAK_DOT_LOOP(__m256i, _mm256_set1_epi32, _mm256_dpbusd_avx_epi32, _mm256_xor_si256)
}

}  // namespace edgeinfer::bench
