// AVX-512 VNNI instance of the x86 dot-product GEMM kernel
// (qgemm-dot-x86.h): the EVEX vpdpbusd on ymm registers (AVX512VL), so the
// tile and layout are the AVX-VNNI kernel's; built with the AVX-512 flags,
// called only when cpuid and xgetbv say AVX-512 VNNI.
#define EDGEINFER_QGEMM_DOT_REQUANT_NS requant_avx512vnni
#include "kernels/qgemm-dot-x86.h"

namespace edgeinfer::kernels {
namespace {

struct DpbusdAvx512Vl {
  static inline __m256i Madd(__m256i acc, __m256i u8, __m256i s8) { return _mm256_dpbusd_epi32(acc, u8, s8); }
};

}  // namespace

void QConvGemmAvx512Vnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                         int32_t input_offset, const uint8_t* input, uint8_t* output, int16_t* panel) {
  dot_x86::ConvGemm<DpbusdAvx512Vl>(g, w, r, input_offset, input, output, panel);
}

void QConvGemmAvx512Vnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                         int32_t input_offset, const int8_t* input, int8_t* output, int16_t* panel) {
  dot_x86::ConvGemm<DpbusdAvx512Vl>(g, w, r, input_offset, input, output, panel);
}

}  // namespace edgeinfer::kernels
