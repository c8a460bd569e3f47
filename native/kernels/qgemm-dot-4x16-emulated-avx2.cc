// TEST DOUBLE: the x86 dot-product GEMM kernel (qgemm-dot-x86.h) with
// vpdpbusd emulated exactly in AVX2, so the VNNI kernels' packing,
// zero-point folding, padding, tails and requantization are tested on
// machines that cannot execute VNNI. SelectQConvGemm never returns it; only
// the tests reach it (QConvGemmDotEmulatedAvx2Kernels). It proves nothing
// about the VNNI instruction itself.
#define EDGEINFER_QGEMM_DOT_REQUANT_NS requant_dot_emulated_avx2
#include "kernels/qgemm-dot-x86.h"

namespace edgeinfer::kernels {
namespace {

// vpdpbusd: acc + sum over the 4 bytes of each 32-bit lane of u8 * s8, no
// saturation. Split the even and odd bytes into int16 lanes (u8 zero-,
// s8 sign-extended), then two vpmaddwd: each product is at most 255 * 128
// in magnitude and each pair sum fits int32 (vpmaddwd's only overflow,
// -32768 * -32768 twice, cannot occur), so acc + even + odd equals the
// instruction's result mod 2^32.
struct DpbusdEmulatedAvx2 {
  static inline __m256i Madd(__m256i acc, __m256i u8, __m256i s8) {
    const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
    const __m256i u_even = _mm256_and_si256(u8, low_bytes);
    const __m256i u_odd = _mm256_srli_epi16(u8, 8);
    const __m256i s_even = _mm256_srai_epi16(_mm256_slli_epi16(s8, 8), 8);
    const __m256i s_odd = _mm256_srai_epi16(s8, 8);
    const __m256i even = _mm256_madd_epi16(u_even, s_even);
    const __m256i odd = _mm256_madd_epi16(u_odd, s_odd);
    return _mm256_add_epi32(acc, _mm256_add_epi32(even, odd));
  }
};

}  // namespace

void QConvGemmDotEmulatedAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                              int32_t input_offset, const uint8_t* input, uint8_t* output, int16_t* panel) {
  dot_x86::ConvGemm<DpbusdEmulatedAvx2>(g, w, r, input_offset, input, output, panel);
}

void QConvGemmDotEmulatedAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                              int32_t input_offset, const int8_t* input, int8_t* output, int16_t* panel) {
  dot_x86::ConvGemm<DpbusdEmulatedAvx2>(g, w, r, input_offset, input, output, panel);
}

}  // namespace edgeinfer::kernels
