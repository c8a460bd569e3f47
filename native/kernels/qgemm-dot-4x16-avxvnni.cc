// AVX-VNNI (VEX-encoded vpdpbusd) instance of the x86 dot-product GEMM
// kernel (qgemm-dot-x86.h); built with -mavx2 -mfma -mavxvnni, called only
// when cpuid says AVX-VNNI.
#define EDGEINFER_QGEMM_DOT_REQUANT_NS requant_avxvnni
#include "kernels/qgemm-dot-x86.h"

namespace edgeinfer::kernels {
namespace {

struct DpbusdAvxVnni {
  static inline __m256i Madd(__m256i acc, __m256i u8, __m256i s8) { return _mm256_dpbusd_avx_epi32(acc, u8, s8); }
};

}  // namespace

void QConvGemmAvxVnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                      const uint8_t* input, uint8_t* output, int16_t* panel) {
  dot_x86::ConvGemm<DpbusdAvxVnni>(g, w, r, input_offset, input, output, panel);
}

void QConvGemmAvxVnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                      const int8_t* input, int8_t* output, int16_t* panel) {
  dot_x86::ConvGemm<DpbusdAvxVnni>(g, w, r, input_offset, input, output, panel);
}

}  // namespace edgeinfer::kernels
