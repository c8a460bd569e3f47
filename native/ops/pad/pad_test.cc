#include "ops/reshape/op_test_util.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using testing::OpTest;

PadAttrs Paddings(std::vector<int32_t> before, std::vector<int32_t> after) {
  PadAttrs a;
  a.before = std::move(before);
  a.after = std::move(after);
  return a;
}

TEST(PadInt8UsesOutputZeroPoint) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt8, {1, 2, 2, 1}, 0.1f, -5);
  const int32_t out = t.AddTensor(DType::kInt8, {1, 3, 4, 1}, 0.1f, -5);
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({0, 1, 1, 0}, {0, 0, 1, 0}));
  t.Set<int8_t>(in, {1, 2, 3, 4});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<int8_t>(out) == std::vector<int8_t>({-5, -5, -5, -5,  //
                                                    -5, 1, 2, -5,    //
                                                    -5, 3, 4, -5}));
}

TEST(PadFloatChannelsAndBatch) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kFloat32, {1, 1, 1, 2});
  const int32_t out = t.AddTensor(DType::kFloat32, {2, 1, 1, 4});
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({1, 0, 0, 1}, {0, 0, 0, 1}));
  t.Set<float>(in, {7.f, -8.f});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<float>(out) == std::vector<float>({0, 0, 0, 0, 0, 7.f, -8.f, 0}));
}

TEST(PadUInt8FiveDimsAndZeroPadding) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kUInt8, {2, 1, 1, 1, 3}, 0.5f, 128);
  const int32_t out = t.AddTensor(DType::kUInt8, {2, 1, 2, 1, 3}, 0.5f, 128);
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({0, 0, 0, 0, 0}, {0, 0, 1, 0, 0}));
  t.Set<uint8_t>(in, {0, 255, 1, 2, 3, 4});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<uint8_t>(out) == std::vector<uint8_t>({0, 255, 1, 128, 128, 128, 2, 3, 4, 128, 128, 128}));
}

// An NHWC image padded in H and W only: the kernel copies whole rows of
// W*C elements (the unpadded channels folded into W); checked against
// element-by-element indexing, batch 2 so the fold stops at the batch.
TEST(PadInt8ImageRowsMatchElementwise) {
  const int n = 2, h = 3, w = 4, c = 5, top = 1, bottom = 2, left = 2, right = 1;
  const int oh = h + top + bottom, ow = w + left + right;
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt8, {n, h, w, c}, 0.1f, 3);
  const int32_t out = t.AddTensor(DType::kInt8, {n, oh, ow, c}, 0.1f, 3);
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({0, top, left, 0}, {0, bottom, right, 0}));
  std::vector<int8_t> values(n * h * w * c);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int8_t>(i * 7 - 100);
  t.Set<int8_t>(in, values);
  CHECK(t.Prepare().ok());
  t.Run();
  std::vector<int8_t> want;
  for (int b = 0; b < n; ++b) {
    for (int y = 0; y < oh; ++y) {
      for (int x = 0; x < ow; ++x) {
        for (int ch = 0; ch < c; ++ch) {
          const int iy = y - top, ix = x - left;
          const bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
          want.push_back(inside ? values[((b * h + iy) * w + ix) * c + ch] : int8_t{3});
        }
      }
    }
  }
  CHECK(t.Get<int8_t>(out) == want);
}

TEST(PadInt64OneDim) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt64, {2});
  const int32_t out = t.AddTensor(DType::kInt64, {5});
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({2}, {1}));
  t.Set<int64_t>(in, {INT64_MIN, INT64_MAX});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<int64_t>(out) == std::vector<int64_t>({0, 0, INT64_MIN, INT64_MAX, 0}));
}

TEST(PadRejectsMalformed) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt8, {2, 2}, 0.5f, 0);
  const int32_t out = t.AddTensor(DType::kInt8, {3, 3}, 0.5f, 0);
  const int32_t other_quant = t.AddTensor(DType::kInt8, {3, 3}, 0.5f, 1);
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({1, 1}, {0, 1}));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);  // output should be [3,4]
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({1}, {0}));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({2, 0}, {-1, 1}));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kPad, {in}, {other_quant}, Paddings({1, 1}, {0, 0}));
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kPad, {in}, {out});
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kPad, {in}, {out}, Paddings({1, 1}, {0, 0}));
  CHECK(t.Prepare().ok());
}

}  // namespace
}  // namespace edgeinfer
