#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/cpu_features.h"
#include "ops/reshape/op_test_util.h"
#include "ops/resize_bilinear/resize_bilinear.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using testing::OpTest;

ResizeAttrs Mode(bool align_corners, bool half_pixel_centers) {
  ResizeAttrs a;
  a.align_corners = align_corners;
  a.half_pixel_centers = half_pixel_centers;
  return a;
}

template <typename T>
std::vector<T> Resize(DType dtype, const Shape& in_shape, const Shape& out_shape, const std::vector<T>& input,
                      ResizeAttrs attrs) {
  OpTest t;
  const float scale = dtype == DType::kFloat32 ? 0.f : 0.5f;
  const int32_t in = t.AddTensor(dtype, in_shape, scale, 0);
  const int32_t out = t.AddTensor(dtype, out_shape, scale, 0);
  t.SetNode(OpType::kResizeBilinear, {in}, {out}, attrs);
  t.Set<T>(in, input);
  CHECK(t.Prepare().ok());
  if (!t.kernel) return {};
  t.Run();
  return t.Get<T>(out);
}

// TFLite's own test case for its integer resize (a 2x2 int8 image to 4x6,
// half_pixel_centers off), with its expected values.
TEST(ResizeInt8MatchesTfliteTestCase) {
  const std::vector<int8_t> input = {127, -128, 64, 0};
  CHECK(Resize<int8_t>(DType::kInt8, {1, 2, 2, 1}, {1, 4, 6, 1}, input, Mode(false, false)) ==
        std::vector<int8_t>({127, 42, -43, -128, -128, -128,  //
                             96, 42, -11, -64, -64, -64,      //
                             64, 43, 21, 0, 0, 0,             //
                             64, 43, 21, 0, 0, 0}));
}

// Expected values from TFLite (the WebAssembly oracle) on these inputs.
TEST(ResizeInt8RoundsHalvesAwayFromZero) {
  // 2 -> 3 with align_corners: the middle is -1.5.
  CHECK(Resize<int8_t>(DType::kInt8, {1, 1, 2, 1}, {1, 1, 3, 1}, {-3, 0}, Mode(true, false)) ==
        std::vector<int8_t>({-3, -2, 0}));
  // 9 -> 4 rows: scale 2304/1024, source rows 0, 2.25, 4.5, 6.75; -18.5 and -13.5.
  CHECK(Resize<int8_t>(DType::kInt8, {1, 9, 1, 1}, {1, 4, 1, 1}, {17, -79, 10, -104, -54, 27, -39, 58, 42},
                       Mode(false, false)) == std::vector<int8_t>({17, -19, -14, 34}));
  // 1 -> 2 with half_pixel_centers: both outputs sit on the same pixel.
  CHECK(Resize<int8_t>(DType::kInt8, {1, 1, 1, 2}, {1, 1, 2, 2}, {-128, 127}, Mode(false, true)) ==
        std::vector<int8_t>({-128, 127, -128, 127}));
}

// The 10-bit scale is inexact: 3 -> 7 is 439/1024 for 3/7, so output 3
// samples 1317/1024 = 1.2861 instead of 9/7 = 1.2857.
TEST(ResizeInt8UsesTenBitCoordinates) {
  CHECK_EQ(ResizeScale10(3, 7, false), 439);
  const ResizeFixedTap t = ResizeFixedTapAt(3, 439, false, 3);
  CHECK_EQ(t.lower, 1);
  CHECK_EQ(t.upper, 2);
  CHECK_EQ(t.fraction, 3 * 439 - 1024);
  // Half pixel: (i + 1/2) * scale - 1/2 with the half scale truncated.
  const ResizeFixedTap h = ResizeFixedTapAt(0, 439, true, 3);
  CHECK_EQ(h.lower, 0);
  CHECK_EQ(h.upper, 0);
  CHECK_EQ(h.fraction, 219 - 512);
}

// 1 -> 70: the scale rounds up to 15/1024, so output 69 samples 1035/1024,
// past the only pixel (TFLite reads beyond the row there); it gets the edge.
TEST(ResizeInt8ClampsCoordinatesPastTheEdge) {
  const std::vector<int8_t> out =
      Resize<int8_t>(DType::kInt8, {1, 2, 1, 1}, {1, 2, 70, 1}, {10, -100}, Mode(false, false));
  CHECK_EQ(out.size(), size_t{140});
  for (size_t i = 0; i < 70; ++i) CHECK_EQ(int32_t{out[i]}, 10);
  for (size_t i = 70; i < 140; ++i) CHECK_EQ(int32_t{out[i]}, -100);
}

TEST(ResizeUInt8FloatWeights) {
  // 2 -> 3, scale 2/3: coordinates 0, 0.6666667, 1.3333334.
  CHECK(Resize<uint8_t>(DType::kUInt8, {1, 1, 2, 1}, {1, 1, 3, 1}, {0, 255}, Mode(false, false)) ==
        std::vector<uint8_t>({0, 170, 255}));
  CHECK(Resize<uint8_t>(DType::kUInt8, {1, 1, 2, 1}, {1, 1, 3, 1}, {10, 21}, Mode(true, false)) ==
        std::vector<uint8_t>({10, 16, 21}));
  // Half pixel, 2 -> 4: coordinates -0.25, 0.25, 0.75, 1.25.
  CHECK(Resize<uint8_t>(DType::kUInt8, {1, 1, 2, 1}, {1, 1, 4, 1}, {0, 100}, Mode(false, true)) ==
        std::vector<uint8_t>({0, 25, 75, 100}));
}

// An exact x8 half-pixel upscale with depth 8 takes TFLite's fixed-point
// ResizeBilinear888Uint8; its weights are multiples of 1/16, so the result is
// exactly floor(v + 0.5) of the true bilinear value, which the float path
// also computes exactly.
TEST(ResizeUInt8TimesEightIsExact) {
  const int32_t h = 2, w = 3, c = 8;
  std::vector<uint8_t> input(h * w * c);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>((i * 97 + 13) % 256);
  const std::vector<uint8_t> output =
      Resize<uint8_t>(DType::kUInt8, {1, h, w, c}, {1, 8 * h, 8 * w, c}, input, Mode(false, true));
  CHECK_EQ(output.size(), size_t{64 * h * w * c});
  for (int32_t y = 0; y < 8 * h; ++y) {
    for (int32_t x = 0; x < 8 * w; ++x) {
      // Source coordinates in 1/16ths: (2y + 1 - 8) / 16, clamped to the image.
      const int32_t sy = std::min(std::max(2 * y + 1 - 8, 0), 16 * (h - 1));
      const int32_t sx = std::min(std::max(2 * x + 1 - 8, 0), 16 * (w - 1));
      const int32_t y0 = sy / 16, x0 = sx / 16, fy = sy % 16, fx = sx % 16;
      const int32_t y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
      for (int32_t ch = 0; ch < c; ++ch) {
        auto at = [&](int32_t yy, int32_t xx) { return int32_t{input[(yy * w + xx) * c + ch]}; };
        const int32_t v256 = at(y0, x0) * (16 - fy) * (16 - fx) + at(y0, x1) * (16 - fy) * fx +
                             at(y1, x0) * fy * (16 - fx) + at(y1, x1) * fy * fx;
        CHECK_EQ(int32_t{output[(y * 8 * w + x) * c + ch]}, (v256 + 128) / 256);
      }
    }
  }
}

TEST(ResizeFloatUpscale2x) {
  const std::vector<float> out =
      Resize<float>(DType::kFloat32, {1, 2, 2, 1}, {1, 4, 4, 1}, {0.f, 1.f, 2.f, 4.f}, Mode(false, false));
  CHECK(out == std::vector<float>({0.f, 0.5f, 1.f, 1.f,       //
                                   1.f, 1.75f, 2.5f, 2.5f,    //
                                   2.f, 3.f, 4.f, 4.f,        //
                                   2.f, 3.f, 4.f, 4.f}));
}

// A lerp of equal corners is exact: a single input pixel comes back
// unchanged wherever half_pixel_centers puts the source coordinate.
TEST(ResizeFloatSinglePixelIsExact) {
  const std::vector<float> out =
      Resize<float>(DType::kFloat32, {1, 1, 1, 1}, {1, 3, 5, 1}, {1.5455369f}, Mode(false, true));
  CHECK(out == std::vector<float>(15, 1.5455369f));
}

TEST(ResizeFloatGeneralWeights) {
  const std::vector<float> out =
      Resize<float>(DType::kFloat32, {1, 2, 2, 1}, {1, 3, 3, 1}, {0.f, 3.f, 6.f, 9.f}, Mode(true, false));
  CHECK(out == std::vector<float>({0.f, 1.5f, 3.f, 3.f, 4.5f, 6.f, 6.f, 7.5f, 9.f}));
  // Downscale 3 -> 2 without align: coordinates 0 and 1.5.
  const std::vector<float> down =
      Resize<float>(DType::kFloat32, {1, 1, 3, 1}, {1, 1, 2, 1}, {1.f, 2.f, 4.f}, Mode(false, false));
  CHECK(down == std::vector<float>({1.f, 3.f}));
}

TEST(ResizeRejectsMalformed) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt8, {1, 2, 2, 3}, 0.5f, 0);
  const int32_t out = t.AddTensor(DType::kInt8, {1, 4, 4, 3}, 0.5f, 0);
  const int32_t wrong_depth = t.AddTensor(DType::kInt8, {1, 4, 4, 2}, 0.5f, 0);
  const int32_t three_d = t.AddTensor(DType::kInt8, {2, 2, 3}, 0.5f, 0);
  const int32_t i32 = t.AddTensor(DType::kInt32, {1, 2, 2, 3});
  const int32_t i32_out = t.AddTensor(DType::kInt32, {1, 4, 4, 3});
  t.SetNode(OpType::kResizeBilinear, {in}, {out}, Mode(true, true));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kResizeBilinear, {in}, {wrong_depth}, Mode(false, false));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kResizeBilinear, {three_d}, {out}, Mode(false, false));
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kResizeBilinear, {i32}, {i32_out}, Mode(false, false));
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kResizeBilinear, {in}, {out}, Mode(false, true));
  CHECK(t.Prepare().ok());
}

// The AVX2 uint8 path against ResizeBilinearFloatWeights, bit for bit:
// depths 1 to 40 (below 8, multiples of 8 and the overlapping last vector),
// up- and downscaling, all three coordinate modes, batches.
TEST(ResizeUInt8Avx2MatchesReference) {
#if defined(__x86_64__) || defined(_M_X64)
  if (!kernels::CpuSupports(kernels::Isa::kAvx2)) {
    std::printf("  skipped: this CPU has no AVX2\n");
    return;
  }
  std::mt19937 rng(5);
  for (int trial = 0; trial < 60; ++trial) {
    const ResizeBilinearParams p{1 + static_cast<int32_t>(rng() % 2), 1 + static_cast<int32_t>(rng() % 9),
                                 1 + static_cast<int32_t>(rng() % 9), 1 + static_cast<int32_t>(rng() % 40),
                                 1 + static_cast<int32_t>(rng() % 17), 1 + static_cast<int32_t>(rng() % 17)};
    const bool align = trial % 3 == 1, half = trial % 3 == 2;
    std::vector<ResizeFloatTap> rows, columns;
    for (int32_t y = 0; y < p.output_height; ++y) {
      rows.push_back(ResizeFloatTapAt(y, ResizeScale(p.input_height, p.output_height, align), half, p.input_height));
    }
    for (int32_t x = 0; x < p.output_width; ++x) {
      columns.push_back(ResizeFloatTapAt(x, ResizeScale(p.input_width, p.output_width, align), half, p.input_width));
    }
    std::vector<uint8_t> input(static_cast<size_t>(p.batches) * p.input_height * p.input_width * p.depth);
    for (uint8_t& v : input) v = static_cast<uint8_t>(rng() % 4 == 0 ? 255 * (rng() % 2) : rng());
    const size_t out_size = static_cast<size_t>(p.batches) * p.output_height * p.output_width * p.depth;
    std::vector<uint8_t> want(out_size), got(out_size);
    ResizeBilinearFloatWeights(p, rows.data(), columns.data(), input.data(), want.data());
    ResizeBilinearU8Avx2(p, rows.data(), columns.data(), input.data(), got.data());
    CHECK(want == got);
  }
#else
  std::printf("  skipped: not an x86-64 build\n");
#endif
}

}  // namespace
}  // namespace edgeinfer
