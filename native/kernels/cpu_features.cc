#include "cpu_features.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace edgeinfer::kernels {
namespace {

#if defined(__x86_64__)
struct X86Features {
  bool avx2 = false;
  bool avx_vnni = false;
  bool avx512_vnni = false;
};

// xgetbv is read with inline asm so this file needs no -mxsave flag.
unsigned long long ReadXcr0() {
  unsigned int lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}

X86Features DetectX86() {
  X86Features f;
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx >> 27) & 1;
  const bool avx = (ecx >> 28) & 1;
  const bool fma = (ecx >> 12) & 1;
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = ReadXcr0();
  // The OS must save XMM and YMM state (bits 1-2), and for AVX-512 also the
  // opmask and both ZMM halves (bits 5-7), or using them corrupts registers.
  const bool ymm_os = (xcr0 & 0x6) == 0x6;
  const bool zmm_os = (xcr0 & 0xE6) == 0xE6;
  if (!ymm_os) return f;
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  f.avx2 = fma && ((ebx >> 5) & 1);
  const bool avx512f = (ebx >> 16) & 1;
  const bool avx512dq = (ebx >> 17) & 1;
  const bool avx512bw = (ebx >> 30) & 1;
  const bool avx512vl = (ebx >> 31) & 1;
  const bool avx512vnni = (ecx >> 11) & 1;
  f.avx512_vnni = f.avx2 && zmm_os && avx512f && avx512dq && avx512bw && avx512vl && avx512vnni;
  unsigned int eax1 = 0, ebx1 = 0, ecx1 = 0, edx1 = 0;
  __cpuid_count(7, 1, eax1, ebx1, ecx1, edx1);
  f.avx_vnni = f.avx2 && ((eax1 >> 4) & 1);
  return f;
}

const X86Features& Features() {
  static const X86Features f = DetectX86();
  return f;
}
#endif

bool ParseIsa(const char* s, Isa* out) {
  static const Isa all[] = {Isa::kReference, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon, Isa::kNeonDot};
  for (Isa isa : all) {
    if (std::strcmp(s, IsaName(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

// The best supported ISA of this architecture not above `cap`; a cap from the
// other architecture leaves only the reference.
Isa ChooseIsa(Isa cap, bool capped) {
#if defined(__x86_64__)
  if (capped && (cap == Isa::kNeon || cap == Isa::kNeonDot)) return Isa::kReference;
  static const Isa order[] = {Isa::kAvx512Vnni, Isa::kAvxVnni, Isa::kAvx2};
  for (Isa isa : order) {
    if ((!capped || static_cast<int>(isa) <= static_cast<int>(cap)) && CpuSupports(isa)) return isa;
  }
#elif defined(__aarch64__)
  if ((!capped || cap == Isa::kNeonDot) && CpuSupports(Isa::kNeonDot)) return Isa::kNeonDot;
  if (!capped || cap == Isa::kNeon || cap == Isa::kNeonDot) return Isa::kNeon;
#endif
  (void)cap;
  (void)capped;
  return Isa::kReference;
}

}  // namespace

bool CpuSupports(Isa isa) {
  switch (isa) {
    case Isa::kReference:
      return true;
#if defined(__x86_64__)
    case Isa::kAvx2:
      return Features().avx2;
    case Isa::kAvxVnni:
      return Features().avx_vnni;
    case Isa::kAvx512Vnni:
      return Features().avx512_vnni;
#elif defined(__aarch64__)
    case Isa::kNeon:
      return true;
#if defined(__linux__) && defined(HWCAP_ASIMDDP)
    case Isa::kNeonDot:
      return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
#endif
    default:
      return false;
  }
}

Isa BestIsa() {
  static const Isa best = [] {
    Isa cap = Isa::kReference;
    const char* env = std::getenv("EDGEINFER_ISA");
    const bool capped = env != nullptr && ParseIsa(env, &cap);
    return ChooseIsa(cap, capped);
  }();
  return best;
}

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kReference:
      return "reference";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvxVnni:
      return "avxvnni";
    case Isa::kAvx512Vnni:
      return "avx512vnni";
    case Isa::kNeon:
      return "neon";
    case Isa::kNeonDot:
      return "neondot";
  }
  return "reference";
}

}  // namespace edgeinfer::kernels
