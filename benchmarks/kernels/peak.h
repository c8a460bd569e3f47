// Peak-throughput loops, one per ISA file (built with that ISA's flags).
#pragma once

#include <cstdint>

namespace edgeinfer::bench {

// iterations x 12 vpmaddwd on ymm (x 16 MACs each), with a vpaddd after
// each when with_add. Returns a value derived from the results so the loop
// is not optimized away.
uint64_t MaddPeakLoopAvx2(int64_t iterations, bool with_add);

// iterations x 12 vpdpbusd (x 64 MACs each on zmm, 32 on ymm); call only
// when the CPU has the ISA.
uint64_t DotPeakLoopAvx512Vnni(int64_t iterations, bool zmm);
uint64_t DotPeakLoopAvxVnni(int64_t iterations);

}  // namespace edgeinfer::bench
