#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cpu_features.h"
#include "ops/arg_max/arg_max.h"

#include "ops/reshape/op_test_util.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using testing::OpTest;

ArgMaxAttrs Axis(int32_t axis) {
  ArgMaxAttrs a;
  a.axis = axis;
  return a;
}

TEST(ArgMaxLastAxisTiesGiveFirstIndex) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kUInt8, {1, 2, 4}, 0.5f, 3);
  const int32_t out = t.AddTensor(DType::kInt64, {1, 2});
  t.SetNode(OpType::kArgMax, {in}, {out}, Axis(2));
  t.Set<uint8_t>(in, {1, 9, 9, 2, 255, 0, 255, 255});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<int64_t>(out) == std::vector<int64_t>({1, 0}));
}

TEST(ArgMaxMiddleAxisInt8ToInt32) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt8, {2, 3, 2}, 0.5f, 0);
  const int32_t out = t.AddTensor(DType::kInt32, {2, 2});
  t.SetNode(OpType::kArgMax, {in}, {out}, Axis(1));
  t.Set<int8_t>(in, {-128, 5,  //
                     -127, 5,  //
                     -128, 6,  //
                     7, -1,    //
                     7, -1,    //
                     8, -1});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<int32_t>(out) == std::vector<int32_t>({1, 2, 2, 0}));
}

TEST(ArgMaxFloatNanAndKeptAxis) {
  OpTest t;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const int32_t in = t.AddTensor(DType::kFloat32, {3, 3});
  const int32_t out = t.AddTensor(DType::kInt32, {3, 1});
  t.SetNode(OpType::kArgMax, {in}, {out}, Axis(1));
  t.Set<float>(in, {nan, 1.f, 2.f,  //
                    1.f, nan, 2.f,  //
                    -0.f, 0.f, -1.f});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<int32_t>(out) == std::vector<int32_t>({0, 2, 0}));
}

TEST(ArgMaxRejectsMalformed) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt8, {2, 3}, 0.5f, 0);
  const int32_t out = t.AddTensor(DType::kInt32, {2});
  const int32_t bad = t.AddTensor(DType::kInt8, {2});
  const int32_t empty = t.AddTensor(DType::kInt8, {2, 0});
  t.SetNode(OpType::kArgMax, {in}, {out}, Axis(0));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kArgMax, {in}, {out}, Axis(2));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kArgMax, {in}, {bad}, Axis(1));
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kArgMax, {empty}, {out}, Axis(1));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kArgMax, {in}, {out}, Axis(1));
  CHECK(t.Prepare().ok());
}

// The AVX2 last-axis path against the scalar loop: axes of 1 to 32, many
// ties (values from a small set, and all-equal pixels), extreme values, and
// pixel counts that put the last pixels within 32 bytes of the end.
TEST(ArgMaxAvx2MatchesReference) {
#if defined(__x86_64__) || defined(_M_X64)
  if (!kernels::CpuSupports(kernels::Isa::kAvx2)) {
    std::printf("  skipped: this CPU has no AVX2\n");
    return;
  }
  std::mt19937 rng(3);
  auto check = [&](auto type) {
    using T = decltype(type);
    for (int32_t axis = 1; axis <= 32; ++axis) {
      const int64_t outer = 1 + rng() % 9;
      std::vector<T> x(static_cast<size_t>(outer * axis));
      const int pattern = static_cast<int>(rng() % 3);
      for (T& v : x) {
        v = pattern == 0   ? static_cast<T>(rng())
            : pattern == 1 ? static_cast<T>(std::numeric_limits<T>::min() + rng() % 3)
                           : std::numeric_limits<T>::max();
      }
      const ArgMaxParams p{outer, axis, 1};
      std::vector<int64_t> want(outer), got(outer);
      std::vector<int32_t> want32(outer), got32(outer);
      ArgMax(p, x.data(), want.data());
      ArgMaxLastAxisAvx2(outer, axis, x.data(), got.data());
      ArgMax(p, x.data(), want32.data());
      ArgMaxLastAxisAvx2(outer, axis, x.data(), got32.data());
      CHECK(want == got);
      CHECK(want32 == got32);
    }
  };
  for (int round = 0; round < 4; ++round) {
    check(uint8_t{});
    check(int8_t{});
  }
#else
  std::printf("  skipped: not an x86-64 build\n");
#endif
}

}  // namespace
}  // namespace edgeinfer
