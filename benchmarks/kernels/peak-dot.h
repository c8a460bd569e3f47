// The vpdpbusd throughput loop, one body for every form of the instruction
// (included by peak-avxvnni.cc and peak-avx512vnni.cc, each built with its
// ISA's flags): 12 independent chains with named accumulators (an array of
// them makes GCC shuffle registers and memory inside the loop, which would
// measure the shuffles).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#define EDGEINFER_PEAK_DOT_LOOP(V, SET1, DOT, XOR)                                                  \
  V a0 = SET1(1), a1 = SET1(2), a2 = SET1(3), a3 = SET1(4), a4 = SET1(5), a5 = SET1(6);            \
  V a6 = SET1(7), a7 = SET1(8), a8 = SET1(9), a9 = SET1(10), a10 = SET1(11), a11 = SET1(12);       \
  const V x = SET1(0x01020304), y = SET1(0x05060708);                                            \
  for (int64_t it = 0; it < iterations; ++it) {                                                   \
    a0 = DOT(a0, x, y), a1 = DOT(a1, x, y), a2 = DOT(a2, x, y), a3 = DOT(a3, x, y);               \
    a4 = DOT(a4, x, y), a5 = DOT(a5, x, y), a6 = DOT(a6, x, y), a7 = DOT(a7, x, y);               \
    a8 = DOT(a8, x, y), a9 = DOT(a9, x, y), a10 = DOT(a10, x, y), a11 = DOT(a11, x, y);           \
  }                                                                                               \
  const V s = XOR(XOR(XOR(a0, a1), XOR(a2, a3)), XOR(XOR(a4, a5), XOR(a6, a7)));                  \
  const V t = XOR(s, XOR(XOR(a8, a9), XOR(a10, a11)));                                            \
  uint64_t out;                                                                                   \
  std::memcpy(&out, &t, sizeof out);                                                              \
  return out;
