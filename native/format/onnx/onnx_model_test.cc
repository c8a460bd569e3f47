#include "format/onnx/onnx_model.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#if !defined(_WIN32)
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "edgeinfer/kernel.h"
#include "edgeinfer/session.h"
#include "format/onnx/onnx_test_builder.h"
#include "format/onnx/protobuf_reader.h"
#include "format/tflite/tflite_reader.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using onnx_test::Proto;

std::vector<uint8_t> Bytes(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int b : v) out.push_back(static_cast<uint8_t>(b));
  return out;
}

Status Parse(const std::vector<uint8_t>& bytes, OnnxModel* m) {
  return ParseOnnxModel(bytes.empty() ? nullptr : bytes.data(), bytes.size(), m);
}

bool ParsesAs(const std::vector<uint8_t>& bytes, StatusCode code) {
  OnnxModel m;
  return Parse(bytes, &m).code() == code;
}

const OnnxTensor* FindInitializer(const OnnxGraph& g, std::string_view name) {
  for (const OnnxTensor& t : g.initializers) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const OnnxAttribute* FindAttribute(const OnnxNode& n, std::string_view name) {
  for (const OnnxAttribute& a : n.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

float FloatFromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// ---- The wire format ----

TEST(protobuf_varints) {
  struct Case {
    std::vector<uint8_t> bytes;
    bool ok;
    uint64_t value;
  };
  const Case cases[] = {
      {Bytes({0x00}), true, 0},
      {Bytes({0x7f}), true, 127},
      {Bytes({0xac, 0x02}), true, 300},
      {Bytes({0x80, 0x00}), true, 0},  // over-long but within 10 bytes: protobuf accepts it
      {Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), true, UINT64_MAX},
      {Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), true, uint64_t{1} << 63},
      {Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}), false, 0},  // bit 64
      {Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}), false, 0},
      {Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}), false, 0},  // 11 bytes
      {Bytes({0x80}), false, 0},
      {Bytes({}), false, 0},
  };
  for (const Case& c : cases) {
    // An exact-size heap copy so that ASan sees any read past the end.
    std::unique_ptr<uint8_t[]> copy(new uint8_t[c.bytes.size() + 1]);
    if (!c.bytes.empty()) std::memcpy(copy.get(), c.bytes.data(), c.bytes.size());
    const uint8_t* p = copy.get();
    uint64_t v = 12345;
    const bool ok = protobuf::ReadVarint(&p, copy.get() + c.bytes.size(), &v);
    CHECK_EQ(ok, c.ok);
    if (ok) {
      CHECK(v == c.value);
      CHECK(p == copy.get() + c.bytes.size());
    } else {
      CHECK(p == copy.get());
    }
  }
}

TEST(protobuf_reader_wire_types) {
  Proto m;
  m.Varint(1, 150).Fixed64(2, 0x0102030405060708ull).String(3, "abc").Fixed32(4, 0xdeadbeef).Varint(536870911, 7);
  protobuf::Reader r(m.bytes.data(), m.bytes.size());
  protobuf::Field f;
  CHECK(r.Next(&f) && f.number == 1 && f.wire_type == protobuf::WireType::kVarint && f.value == 150);
  CHECK(r.Next(&f) && f.number == 2 && f.wire_type == protobuf::WireType::kFixed64 && f.value == 0x0102030405060708ull);
  CHECK(r.Next(&f) && f.number == 3 && f.wire_type == protobuf::WireType::kLengthDelimited && f.bytes() == "abc");
  CHECK(r.Next(&f) && f.number == 4 && f.wire_type == protobuf::WireType::kFixed32 && f.value == 0xdeadbeef);
  CHECK(r.Next(&f) && f.number == protobuf::kMaxFieldNumber && f.value == 7);
  CHECK(!r.Next(&f));
  CHECK(r.ok());

  const std::vector<uint8_t> bad[] = {
      Bytes({0x0b}),                    // start group (field 1)
      Bytes({0x0c}),                    // end group
      Bytes({0x0e, 0x00}),              // wire type 6
      Bytes({0x0f, 0x00}),              // wire type 7
      Bytes({0x00, 0x00}),              // field number 0
      Bytes({0x80, 0x80, 0x80, 0x80, 0x10, 0x00}),  // field number 2^29: a tag of 2^32
      Bytes({0x0a, 0x05, 'a', 'b'}),    // length past the end
      Bytes({0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),  // length 2^64-1
      Bytes({0x09, 1, 2, 3, 4, 5, 6, 7}),  // fixed64 short
      Bytes({0x0d, 1, 2, 3}),              // fixed32 short
      Bytes({0x08}),                       // varint missing
      Bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),  // varint too long
  };
  for (const std::vector<uint8_t>& b : bad) {
    std::vector<uint8_t> copy(b);
    protobuf::Reader br(copy.data(), copy.size());
    while (br.Next(&f)) {
    }
    CHECK(!br.ok());
  }
}

TEST(protobuf_packed_and_unpacked_repeated) {
  Proto packed;
  packed.PackedVarints(1, {1, 300, -1});
  Proto unpacked;
  unpacked.Varint(1, 1).Varint(1, 300).Varint(1, -1);
  for (const Proto* p : {&packed, &unpacked}) {
    std::vector<int64_t> values;
    protobuf::Reader r(p->bytes.data(), p->bytes.size());
    protobuf::Field f;
    size_t counted = 0;
    while (r.Next(&f)) {
      counted += protobuf::RepeatedVarintCount(f);
      CHECK(protobuf::ForEachVarint(f, [&](uint64_t v) { values.push_back(static_cast<int64_t>(v)); }));
    }
    CHECK(r.ok());
    CHECK(values == std::vector<int64_t>({1, 300, -1}));
    CHECK_EQ(counted, 3u);
  }
  Proto floats;
  floats.PackedFloats(1, {1.5f, -2.0f}).Float(1, 3.0f);
  std::vector<float> fv;
  protobuf::Reader r(floats.bytes.data(), floats.bytes.size());
  protobuf::Field f;
  while (r.Next(&f)) CHECK(protobuf::ForEachFixed32(f, [&](uint32_t bits) { fv.push_back(FloatFromBits(bits)); }));
  CHECK(fv == std::vector<float>({1.5f, -2.0f, 3.0f}));
  // A packed float field that is not a whole number of floats, and a packed
  // varint field ending inside a varint.
  Proto bad_floats;
  bad_floats.Bytes(1, "12345", 5);
  protobuf::Reader r2(bad_floats.bytes.data(), bad_floats.bytes.size());
  CHECK(r2.Next(&f));
  CHECK(!protobuf::ForEachFixed32(f, [](uint32_t) {}));
  const uint8_t cut[] = {0x0a, 0x02, 0x01, 0x80};
  protobuf::Reader r3(cut, sizeof(cut));
  CHECK(r3.Next(&f));
  CHECK(!protobuf::ForEachVarint(f, [](uint64_t) {}));
}

// ---- The ONNX schema ----

bool Inside(const std::vector<uint8_t>& bytes, const void* p, size_t n) {
  const uint8_t* q = static_cast<const uint8_t*>(p);
  if (n == 0) return true;
  return q >= bytes.data() && q + n <= bytes.data() + bytes.size();
}

TEST(onnx_qlinearconv_round_trip) {
  const std::vector<uint8_t> bytes = onnx_test::Model(onnx_test::QLinearConvGraph(), 8, 13).bytes;
  CHECK(LooksLikeOnnx(bytes.data(), bytes.size()));
  OnnxModel m;
  const Status s = Parse(bytes, &m);
  if (!s.ok()) std::printf("%s\n", s.message().c_str());
  CHECK(s.ok());
  CHECK_EQ(m.ir_version, 8);
  CHECK(m.producer_name == "edgeinfer-test");
  CHECK(m.producer_version == "1.0");
  CHECK_EQ(m.opset_import.size(), 1u);
  if (m.opset_import.size() == 1) {
    CHECK(m.opset_import[0].domain.empty());
    CHECK_EQ(m.opset_import[0].version, 13);
  }
  CHECK(m.has_graph);
  const OnnxGraph& g = m.graph;
  CHECK(g.name == "qlinear_conv");
  CHECK_EQ(g.nodes.size(), 3u);
  CHECK_EQ(g.initializers.size(), 7u);
  if (g.nodes.size() != 3) return;
  CHECK(g.nodes[0].op_type == "QuantizeLinear" && g.nodes[0].name == "quant");
  const OnnxNode& conv = g.nodes[1];
  CHECK(conv.op_type == "QLinearConv");
  CHECK(conv.name == "conv0");
  CHECK(conv.domain.empty());
  CHECK_EQ(conv.inputs.size(), 9u);
  if (conv.inputs.size() == 9) CHECK(conv.inputs[0] == "xq" && conv.inputs[3] == "w" && conv.inputs[8] == "b");
  CHECK(conv.outputs.size() == 1 && conv.outputs[0] == "yq");
  CHECK_EQ(conv.attributes.size(), 4u);
  const OnnxAttribute* ks = FindAttribute(conv, "kernel_shape");
  CHECK(ks && ks->type == OnnxAttributeType::kInts && ks->ints == std::vector<int64_t>({3, 3}));
  const OnnxAttribute* pads = FindAttribute(conv, "pads");
  CHECK(pads && pads->ints == std::vector<int64_t>({1, 1, 1, 1}));
  const OnnxAttribute* strides = FindAttribute(conv, "strides");  // packed
  CHECK(strides && strides->ints == std::vector<int64_t>({1, 1}));
  const OnnxAttribute* group = FindAttribute(conv, "group");
  CHECK(group && group->type == OnnxAttributeType::kInt && group->i == 1);

  const OnnxTensor* w = FindInitializer(g, "w");
  CHECK(w != nullptr);
  if (w) {
    CHECK_EQ(w->data_type, kOnnxInt8);
    CHECK(w->dims == std::vector<int64_t>({2, 3, 3, 3}));
    CHECK(w->has_raw_data);
    CHECK_EQ(w->raw_data_size, 54u);
    CHECK(Inside(bytes, w->raw_data, w->raw_data_size));  // no copy: it points into the model
    if (w->raw_data_size == 54) CHECK_EQ(w->raw_data[5], static_cast<uint8_t>(5 * 7 - 40));
    CHECK(w->data_location == OnnxDataLocation::kDefault);
    CHECK(!w->has_undecoded_data);
  }
  const OnnxTensor* b = FindInitializer(g, "b");
  CHECK(b && b->data_type == kOnnxInt32 && b->int32_data == std::vector<int32_t>({-100, 250}) && !b->has_raw_data);
  const OnnxTensor* ws = FindInitializer(g, "w_scale");
  CHECK(ws && ws->float_data == std::vector<float>({0.25f, 0.125f}) && ws->dims == std::vector<int64_t>({2}));
  const OnnxTensor* ys = FindInitializer(g, "y_scale");
  CHECK(ys && ys->float_data == std::vector<float>({0.75f}) && ys->dims.empty());
  const OnnxTensor* zp = FindInitializer(g, "x_zp");
  CHECK(zp && zp->raw_data_size == 1 && zp->raw_data[0] == 0xfd);

  CHECK_EQ(g.inputs.size(), 1u);
  CHECK_EQ(g.outputs.size(), 1u);
  CHECK_EQ(g.value_info.size(), 1u);
  if (g.inputs.size() == 1) {
    const OnnxValueInfo& x = g.inputs[0];
    CHECK(x.name == "x" && x.has_type && x.is_tensor && x.has_shape);
    CHECK_EQ(x.elem_type, kOnnxFloat);
    CHECK_EQ(x.dims.size(), 4u);
    if (x.dims.size() == 4) {
      CHECK(!x.dims[0].has_value && x.dims[0].param == "batch");
      CHECK(x.dims[1].has_value && x.dims[1].value == 3);
      CHECK(x.dims[3].has_value && x.dims[3].value == 8);
    }
  }
  if (g.value_info.size() == 1) CHECK(g.value_info[0].name == "yq" && g.value_info[0].elem_type == kOnnxInt8);
}

TEST(onnx_qdq_round_trip) {
  const std::vector<uint8_t> bytes = onnx_test::Model(onnx_test::QdqGraph(), 9, 19).bytes;
  CHECK(LooksLikeOnnx(bytes.data(), bytes.size()));
  OnnxModel m;
  CHECK(Parse(bytes, &m).ok());
  CHECK_EQ(m.graph.nodes.size(), 7u);
  CHECK_EQ(m.graph.initializers.size(), 6u);
  if (m.graph.nodes.size() != 7) return;
  const OnnxNode& conv = m.graph.nodes[3];
  CHECK(conv.op_type == "Conv");
  CHECK(conv.inputs.size() == 3 && conv.inputs[2].empty());  // an omitted optional input
  const OnnxAttribute* axis = FindAttribute(m.graph.nodes[2], "axis");
  CHECK(axis && axis->type == OnnxAttributeType::kInt && axis->i == 0);
  const OnnxTensor* a_zp = FindInitializer(m.graph, "a_zp");
  CHECK(a_zp && a_zp->int32_data == std::vector<int32_t>({-128}));  // sign-extended 10-byte varint
  const OnnxTensor* shape = FindInitializer(m.graph, "shape");
  CHECK(shape && shape->data_type == kOnnxInt64 && shape->int64_data == std::vector<int64_t>({1, -1}));
  const OnnxTensor* w = FindInitializer(m.graph, "w_q");
  CHECK(w && w->raw_data_size == 8 && Inside(bytes, w->raw_data, 8));
}

TEST(onnx_attributes_of_every_type) {
  Proto tensor = onnx_test::RawTensor("t", 1, {2}, {0, 0, 128, 63, 0, 0, 0, 64});
  Proto inner_graph;
  inner_graph.String(2, "body").Message(1, onnx_test::Node("Identity", {"a"}, {"b"}));

  Proto node = onnx_test::Node("Custom", {"x"}, {"y"}, "all");
  node.String(7, "com.example");
  Proto a;
  node.Message(5, a.String(1, "f").Varint(20, 1).Float(2, -1.25f));
  a = Proto();
  node.Message(5, a.String(1, "i").Varint(20, 2).Varint(3, -5));
  a = Proto();
  node.Message(5, a.String(1, "s").Varint(20, 3).Bytes(4, "he\0llo", 6));
  a = Proto();
  node.Message(5, a.String(1, "t").Varint(20, 4).Message(5, tensor));
  a = Proto();
  node.Message(5, a.String(1, "g").Varint(20, 5).Message(6, inner_graph));
  a = Proto();
  node.Message(5, a.String(1, "floats").Varint(20, 6).PackedFloats(7, {0.5f, 1.5f}).Float(7, 2.5f));
  a = Proto();
  node.Message(5, a.String(1, "ints").Varint(20, 7).Varint(8, 1).PackedVarints(8, {2, -3}));
  a = Proto();
  node.Message(5, a.String(1, "strings").Varint(20, 8).String(9, "p").String(9, "").String(9, "q"));
  a = Proto();
  node.Message(5, a.String(1, "tensors").Varint(20, 9).Message(10, tensor).Message(10, tensor));
  a = Proto();
  node.Message(5, a.String(1, "graphs").Varint(20, 10).Message(11, inner_graph));
  a = Proto();
  // Unknown fields of every wire type are skipped: doc_string (13),
  // ref_attr_name (21) and made-up numbers.
  node.Message(5, a.String(1, "skip").Varint(20, 2).String(13, "doc").String(21, "ref").Fixed64(99, 1).Fixed32(98, 2)
                      .Varint(97, 3).Varint(3, 42));
  Proto g;
  g.Message(1, node);
  const std::vector<uint8_t> bytes = onnx_test::Model(g).bytes;
  OnnxModel m;
  const Status s = Parse(bytes, &m);
  if (!s.ok()) std::printf("%s\n", s.message().c_str());
  CHECK(s.ok());
  if (m.graph.nodes.size() != 1) {
    CHECK(false);
    return;
  }
  const OnnxNode& n = m.graph.nodes[0];
  CHECK(n.domain == "com.example");
  CHECK_EQ(n.attributes.size(), 11u);
  const OnnxAttribute* at = FindAttribute(n, "f");
  CHECK(at && at->type == OnnxAttributeType::kFloat && at->f == -1.25f);
  at = FindAttribute(n, "i");
  CHECK(at && at->type == OnnxAttributeType::kInt && at->i == -5);
  at = FindAttribute(n, "s");
  CHECK(at && at->type == OnnxAttributeType::kString && at->s == std::string_view("he\0llo", 6));
  at = FindAttribute(n, "t");
  CHECK(at && at->type == OnnxAttributeType::kTensor && at->t && at->t->name == "t" && at->t->raw_data_size == 8);
  if (at && at->t && at->t->raw_data_size == 8) {
    float v[2];
    std::memcpy(v, at->t->raw_data, 8);
    CHECK(v[0] == 1.0f && v[1] == 2.0f);
  }
  at = FindAttribute(n, "g");
  CHECK(at && at->type == OnnxAttributeType::kGraph && at->g && at->g->name == "body" && at->g->nodes.size() == 1);
  if (at && at->g && at->g->nodes.size() == 1) CHECK(at->g->nodes[0].op_type == "Identity");
  at = FindAttribute(n, "floats");
  CHECK(at && at->type == OnnxAttributeType::kFloats && at->floats == std::vector<float>({0.5f, 1.5f, 2.5f}));
  at = FindAttribute(n, "ints");
  CHECK(at && at->type == OnnxAttributeType::kInts && at->ints == std::vector<int64_t>({1, 2, -3}));
  at = FindAttribute(n, "strings");
  CHECK(at && at->type == OnnxAttributeType::kStrings && at->strings.size() == 3);
  if (at && at->strings.size() == 3) CHECK(at->strings[0] == "p" && at->strings[1].empty() && at->strings[2] == "q");
  at = FindAttribute(n, "tensors");
  CHECK(at && at->type == OnnxAttributeType::kTensors && at->tensors.size() == 2);
  at = FindAttribute(n, "graphs");
  CHECK(at && at->type == OnnxAttributeType::kGraphs && at->graphs.size() == 1 && at->graphs[0].name == "body");
  at = FindAttribute(n, "skip");
  CHECK(at && at->i == 42);
}

TEST(onnx_tensor_fields) {
  // Fields this parser does not decode are flagged; repeated singular
  // messages merge; data_location and external_data are kept.
  Proto pair1, pair2, pair3;
  pair1.String(1, "location").String(2, "weights.bin");
  pair2.String(1, "offset").String(2, "4096");
  pair3.String(1, "length").String(2, "16");
  Proto ext;
  ext.Varint(1, 4).Varint(2, 1).String(8, "ext").Message(13, pair1).Message(13, pair2).Message(13, pair3).Varint(14, 1);
  Proto dbl;
  dbl.Varint(2, 11).String(8, "dbl").PackedFloats(10, {1.0f, 2.0f});  // double_data (bytes only matter)
  Proto strs;
  strs.Varint(2, 8).String(8, "strs").String(6, "hello");
  Proto seg;
  Proto segment;
  segment.Varint(1, 0).Varint(2, 4);
  seg.Varint(2, 1).String(8, "seg").Message(3, segment);
  Proto big;
  big.Varint(2, 7).String(8, "big").Varint(7, INT64_MIN).Varint(7, INT64_MAX).Varint(1, 2);
  Proto first, second;
  first.Varint(1, 3).String(8, "merged");
  second.Varint(1, 5).Varint(2, 1);
  Proto attr;
  attr.String(1, "value").Varint(20, 4).Message(5, first).Message(5, second);
  Proto node = onnx_test::Node("Constant", {}, {"c"});
  node.Message(5, attr);
  Proto g;
  g.Message(1, node);
  for (const Proto* t : {&ext, &dbl, &strs, &seg, &big}) g.Message(5, *t);
  const std::vector<uint8_t> bytes = onnx_test::Model(g).bytes;
  OnnxModel m;
  CHECK(Parse(bytes, &m).ok());
  const OnnxTensor* t = FindInitializer(m.graph, "ext");
  CHECK(t && t->data_location == OnnxDataLocation::kExternal && t->external_data.size() == 3 && !t->has_raw_data);
  if (t && t->external_data.size() == 3) {
    CHECK(t->external_data[0].key == "location" && t->external_data[0].value == "weights.bin");
    CHECK(t->external_data[2].key == "length" && t->external_data[2].value == "16");
    OnnxExternalDataRef ref;
    CHECK(ParseExternalDataRef(*t, &ref).ok());
    CHECK(ref.location == "weights.bin" && ref.offset == 4096 && ref.has_length && ref.length == 16);
  }
  for (const char* name : {"dbl", "strs", "seg"}) {
    t = FindInitializer(m.graph, name);
    CHECK(t && t->has_undecoded_data);
  }
  t = FindInitializer(m.graph, "big");
  CHECK(t && t->int64_data == std::vector<int64_t>({INT64_MIN, INT64_MAX}) && t->dims == std::vector<int64_t>({2}));
  if (m.graph.nodes.size() == 1 && m.graph.nodes[0].attributes.size() == 1) {
    const OnnxAttribute& a = m.graph.nodes[0].attributes[0];
    CHECK(a.t && a.t->name == "merged" && a.t->dims == std::vector<int64_t>({3, 5}) && a.t->data_type == 1);
  } else {
    CHECK(false);
  }
}

TEST(onnx_value_info_shapes) {
  Proto no_shape_type;
  Proto tt;
  tt.Varint(1, 3);
  no_shape_type.Message(1, tt);
  Proto no_shape;
  no_shape.String(1, "unranked").Message(2, no_shape_type);
  Proto scalar_tt;
  scalar_tt.Varint(1, 1).Message(2, Proto());
  Proto scalar_type;
  scalar_type.Message(1, scalar_tt);
  Proto scalar;
  scalar.String(1, "scalar").Message(2, scalar_type);
  Proto seq_type;
  seq_type.Message(4, Proto());
  Proto seq;
  seq.String(1, "seq").Message(2, seq_type);
  Proto untyped;
  untyped.String(1, "untyped");
  Proto dim;  // dim_value then dim_param: a oneof, the last wins
  dim.Varint(1, 7).String(2, "n");
  Proto shape;
  shape.Message(1, dim).Message(1, Proto());
  Proto last_tt;
  last_tt.Varint(1, 2).Message(2, shape);
  Proto last_type;
  last_type.Message(1, last_tt);
  Proto last;
  last.String(1, "oneof").Message(2, last_type);
  Proto g;
  g.Message(11, no_shape).Message(11, scalar).Message(11, seq).Message(11, untyped).Message(12, last);
  OnnxModel m;
  const std::vector<uint8_t> bytes = onnx_test::Model(g).bytes;  // the model's views point into it
  CHECK(Parse(bytes, &m).ok());
  CHECK_EQ(m.graph.inputs.size(), 4u);
  CHECK_EQ(m.graph.outputs.size(), 1u);
  if (m.graph.inputs.size() != 4 || m.graph.outputs.size() != 1) return;
  const OnnxValueInfo* v = &m.graph.inputs[0];
  CHECK(v->is_tensor && !v->has_shape && v->elem_type == kOnnxInt8);
  v = &m.graph.inputs[1];
  CHECK(v->is_tensor && v->has_shape && v->dims.empty());
  v = &m.graph.inputs[2];
  CHECK(v->has_type && !v->is_tensor);
  v = &m.graph.inputs[3];
  CHECK(!v->has_type && !v->is_tensor);
  v = &m.graph.outputs[0];
  CHECK_EQ(v->dims.size(), 2u);
  if (v->dims.size() == 2) {
    CHECK(!v->dims[0].has_value && v->dims[0].param == "n" && v->dims[0].value == 0);
    CHECK(!v->dims[1].has_value && v->dims[1].param.empty());  // neither: an unknown dimension
  }
}

TEST(onnx_looks_like) {
  const std::vector<uint8_t> good = onnx_test::Model(onnx_test::QLinearConvGraph()).bytes;
  CHECK(LooksLikeOnnx(good.data(), good.size()));
  CHECK(!LooksLikeTflite(good.data(), good.size()));
  CHECK(!LooksLikeOnnx(nullptr, 0));
  CHECK(!LooksLikeOnnx(good.data(), 1));
  // A TFLite file starts with a root offset, then "TFL3".
  const std::vector<uint8_t> tflite = Bytes({0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0, 0, 0});
  CHECK(!LooksLikeOnnx(tflite.data(), tflite.size()));
  Proto no_graph;
  no_graph.Varint(1, 7).String(2, "x");
  CHECK(!LooksLikeOnnx(no_graph.bytes.data(), no_graph.bytes.size()));
  CHECK(ParsesAs(no_graph.bytes, StatusCode::kModelFormat));
  Proto absurd_version;
  absurd_version.Varint(1, 5000).Message(7, Proto());
  CHECK(!LooksLikeOnnx(absurd_version.bytes.data(), absurd_version.bytes.size()));
  Proto graph_not_bytes;
  graph_not_bytes.Varint(1, 7).Varint(7, 1);
  CHECK(!LooksLikeOnnx(graph_not_bytes.bytes.data(), graph_not_bytes.bytes.size()));
  CHECK(ParsesAs(graph_not_bytes.bytes, StatusCode::kModelFormat));
  std::vector<uint8_t> truncated(good.begin(), good.end() - 1);
  CHECK(!LooksLikeOnnx(truncated.data(), truncated.size()));
}

// ---- Hostile inputs ----

TEST(onnx_every_truncation_is_refused) {
  for (const Proto& graph : {onnx_test::QLinearConvGraph(), onnx_test::QdqGraph()}) {
    const std::vector<uint8_t> bytes = onnx_test::Model(graph).bytes;
    for (size_t n = 0; n < bytes.size(); ++n) {
      // Exact-size heap copies, so that ASan sees any read past the end.
      std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
      cut.shrink_to_fit();
      OnnxModel m;
      const Status s = Parse(cut, &m);
      // The graph is the model's last field: every strict prefix cuts it
      // or comes before it.
      CHECK(s.code() == StatusCode::kModelFormat);
      CHECK(!LooksLikeOnnx(cut.data(), cut.size()));
    }
  }
}

TEST(onnx_malformed_fields_are_refused) {
  auto model_with_graph = [](const Proto& g) { return onnx_test::Model(g).bytes; };
  Proto g1;  // a node that is a varint
  g1.Varint(1, 3);
  Proto g2;  // an op_type that is a varint
  g2.Message(1, Proto().Varint(4, 1));
  Proto g3;  // a packed float field of 5 bytes
  g3.Message(5, Proto().Bytes(4, "12345", 5));
  Proto g4;  // a packed varint field ending mid-varint
  g4.Message(5, Proto().Bytes(7, "\x80", 1));
  Proto g5;  // an attribute f that is a varint
  g5.Message(1, Proto().Message(5, Proto().Varint(2, 1)));
  Proto g6;  // a group inside a tensor
  Proto t6;
  t6.Tag(15, 3).Tag(15, 4);
  g6.Message(5, t6);
  Proto g7;  // raw_data whose length runs past the tensor (but not past the file)
  Proto t7;
  t7.Varint(2, 1).Tag(9, 2);
  Proto::PutVarint(&t7.bytes, 100);
  g7.Message(5, t7);
  g7.String(2, std::string(200, 'x'));
  for (const Proto* g : {&g1, &g2, &g3, &g4, &g5, &g6, &g7}) {
    CHECK(ParsesAs(model_with_graph(*g), StatusCode::kModelFormat));
  }
  // ir_version as fixed64, and a model with a length past the end.
  Proto m1;
  m1.Fixed64(1, 7).Message(7, Proto());
  CHECK(ParsesAs(m1.bytes, StatusCode::kModelFormat));
  std::vector<uint8_t> m2 = Bytes({0x08, 0x07, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f});
  CHECK(ParsesAs(m2, StatusCode::kModelFormat));
  // Empty input.
  CHECK(ParsesAs({}, StatusCode::kModelFormat));
  // An empty graph is well-formed (the importer decides whether it is usable).
  CHECK(ParsesAs(model_with_graph(Proto()), StatusCode::kOk));
}

TEST(onnx_subgraph_nesting_is_limited) {
  auto nested = [](int depth) {
    Proto g;
    g.String(2, "leaf");
    for (int d = 0; d < depth; ++d) {
      Proto attr;
      attr.String(1, "body").Varint(20, 5).Message(6, g);
      Proto node = onnx_test::Node("If", {"c"}, {"o"});
      node.Message(5, attr);
      g = Proto();
      g.Message(1, node);
    }
    return onnx_test::Model(g).bytes;
  };
  OnnxModel m;
  const std::vector<uint8_t> deepest = nested(kOnnxMaxGraphNesting);  // the model's views point into it
  CHECK(Parse(deepest, &m).ok());
  const OnnxGraph* g = &m.graph;
  int depth = 0;
  while (!g->nodes.empty() && !g->nodes[0].attributes.empty() && g->nodes[0].attributes[0].g) {
    g = g->nodes[0].attributes[0].g.get();
    ++depth;
  }
  CHECK_EQ(depth, kOnnxMaxGraphNesting);
  CHECK(g->name == "leaf");
  CHECK(ParsesAs(nested(kOnnxMaxGraphNesting + 1), StatusCode::kModelFormat));
  // Far deeper (a thousand levels) fails fast, without exhausting the stack.
  CHECK(ParsesAs(nested(1000), StatusCode::kModelFormat));
}

TEST(onnx_absurd_counts_are_bounded_by_file_size) {
  // A million empty nodes (2 MB): each costs far more as a struct than on
  // the wire, so the parser must give up instead of allocating gigabytes.
  const size_t kNodes = size_t{1} << 20;
  std::vector<uint8_t> graph;
  graph.reserve(kNodes * 2);
  for (size_t i = 0; i < kNodes; ++i) {
    graph.push_back(0x0a);
    graph.push_back(0x00);
  }
  Proto g;
  g.bytes = graph;
  auto start = std::chrono::steady_clock::now();
  OnnxModel m;
  Status s = Parse(onnx_test::Model(g).bytes, &m);
  CHECK(s.code() == StatusCode::kModelFormat);
  CHECK(s.message().find("more structure") != std::string::npos);
  // The same with empty attributes inside one node, and empty dims.
  Proto node;
  for (size_t i = 0; i < kNodes / 2; ++i) node.Tag(5, 2).bytes.push_back(0);
  Proto g2;
  g2.Message(1, node);
  CHECK(ParsesAs(onnx_test::Model(g2).bytes, StatusCode::kModelFormat));
  // Packed int64 values of one byte each decode to 8 bytes each: within the
  // budget for a legitimate size, refused only when it is exceeded.
  Proto t;
  t.Varint(2, 7).String(8, "many");
  Proto packed;
  packed.bytes.assign(size_t{1} << 20, 0x01);
  t.Message(7, packed);
  Proto g3;
  g3.Message(5, t);
  const std::vector<uint8_t> many = onnx_test::Model(g3).bytes;
  CHECK(Parse(many, &m).ok());
  CHECK(m.graph.initializers.size() == 1 && m.graph.initializers[0].int64_data.size() == (size_t{1} << 20));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 10.0);
}

// ---- External data ----

TEST(onnx_external_data_refs) {
  auto tensor_with = [](std::vector<std::pair<std::string, std::string>> kv, bool external) {
    static std::vector<std::string> storage;  // the tensor's string_views point here
    OnnxTensor t;
    t.name = "w";
    t.data_location = external ? OnnxDataLocation::kExternal : OnnxDataLocation::kDefault;
    storage.reserve(storage.size() + 2 * kv.size() + 8);
    for (auto& [k, v] : kv) {
      storage.push_back(k);
      const std::string_view key = storage.back();
      storage.push_back(v);
      t.external_data.push_back({key, storage.back()});
    }
    return t;
  };
  OnnxExternalDataRef ref;
  CHECK(ParseExternalDataRef(tensor_with({{"location", "a/b.bin"}, {"checksum", "x"}, {"basepath", "y"}}, true), &ref)
            .ok());
  CHECK(ref.location == "a/b.bin" && ref.offset == 0 && !ref.has_length);
  CHECK(ParseExternalDataRef(tensor_with({{"location", "w.bin"}, {"offset", "18446744073709551615"}}, true), &ref).ok());
  CHECK(ref.offset == UINT64_MAX);
  const std::vector<std::vector<std::pair<std::string, std::string>>> bad = {
      {},
      {{"location", ""}},
      {{"location", "/etc/passwd"}},
      {{"location", "\\\\server\\share"}},
      {{"location", "C:\\w.bin"}},
      {{"location", "../w.bin"}},
      {{"location", "a/../../w.bin"}},
      {{"location", "a\\..\\w.bin"}},
      {{"location", ".."}},
      {{"location", std::string("w\0.bin", 6)}},
      {{"location", "w.bin"}, {"offset", "-1"}},
      {{"location", "w.bin"}, {"offset", "12x"}},
      {{"location", "w.bin"}, {"length", ""}},
      {{"location", "w.bin"}, {"length", "18446744073709551616"}},
  };
  for (const auto& kv : bad) CHECK(ParseExternalDataRef(tensor_with(kv, true), &ref).code() == StatusCode::kModelFormat);
  // ".." inside a name is not a parent reference.
  CHECK(ParseExternalDataRef(tensor_with({{"location", "a..b/..c"}}, true), &ref).ok());
  CHECK(ParseExternalDataRef(tensor_with({{"location", "w.bin"}}, false), &ref).code() == StatusCode::kModelFormat);
}

#if !defined(_WIN32)
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/edgeinfer_onnx_XXXXXX";
    if (char* p = ::mkdtemp(tmpl)) path = p;
  }
  ~TempDir() {
    if (path.empty()) return;
    // Only what the test created: two levels.
    for (const std::string& sub : {std::string("/model"), std::string("")}) {
      const std::string dir = path + sub;
      if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d)) {
          const std::string name = e->d_name;
          if (name != "." && name != ".." && name != "model") ::unlink((dir + "/" + name).c_str());
        }
        ::closedir(d);
      }
    }
    ::rmdir((path + "/model").c_str());
    ::rmdir(path.c_str());
  }
};

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
}

TEST(onnx_external_data_resolves_inside_the_model_folder) {
  TempDir tmp;
  CHECK(!tmp.path.empty());
  if (tmp.path.empty()) return;
  const std::string model_dir = tmp.path + "/model";
  CHECK(::mkdir(model_dir.c_str(), 0700) == 0);
  WriteFile(model_dir + "/weights.bin", "0123456789abcdef");
  WriteFile(tmp.path + "/secret.bin", "secret");
  CHECK(::symlink((tmp.path + "/secret.bin").c_str(), (model_dir + "/escape.bin").c_str()) == 0);
  CHECK(::symlink("weights.bin", (model_dir + "/alias.bin").c_str()) == 0);

  // Through the parser, as a real model carries it.
  Proto p1, p2, p3;
  p1.String(1, "location").String(2, "weights.bin");
  p2.String(1, "offset").String(2, "4");
  p3.String(1, "length").String(2, "6");
  Proto t;
  t.Varint(1, 6).Varint(2, 2).String(8, "w").Message(13, p1).Message(13, p2).Message(13, p3).Varint(14, 1);
  Proto g;
  g.Message(5, t);
  const std::vector<uint8_t> bytes = onnx_test::Model(g).bytes;
  OnnxModel m;
  CHECK(Parse(bytes, &m).ok());
  if (m.graph.initializers.size() != 1) {
    CHECK(false);
    return;
  }
  OnnxExternalData data;
  Status s = ResolveExternalData(model_dir, m.graph.initializers[0], &data);
  if (!s.ok()) std::printf("%s\n", s.message().c_str());
  CHECK(s.ok());
  CHECK(data.size == 6 && std::string(reinterpret_cast<const char*>(data.data), data.size) == "456789");
  CHECK(data.data >= data.file.data && data.data + data.size <= data.file.data + data.file.size);

  auto resolve = [&](const std::string& location, const char* offset, const char* length, OnnxExternalData* out) {
    OnnxTensor tensor;
    tensor.name = "w";
    tensor.data_location = OnnxDataLocation::kExternal;
    tensor.external_data.push_back({"location", location});
    if (offset) tensor.external_data.push_back({"offset", offset});
    if (length) tensor.external_data.push_back({"length", length});
    return ResolveExternalData(model_dir, tensor, out);
  };
  CHECK(resolve("weights.bin", nullptr, nullptr, &data).ok());
  CHECK_EQ(data.size, 16u);
  CHECK(resolve("./alias.bin", "16", nullptr, &data).ok());  // a link inside the folder; the empty tail
  CHECK_EQ(data.size, 0u);
  CHECK(resolve("weights.bin", "10", "6", &data).ok());
  CHECK(resolve("weights.bin", "10", "7", &data).code() == StatusCode::kModelFormat);
  CHECK(resolve("weights.bin", "17", nullptr, &data).code() == StatusCode::kModelFormat);
  CHECK(resolve("weights.bin", "18446744073709551615", "2", &data).code() == StatusCode::kModelFormat);
  CHECK(resolve("weights.bin", "1", "18446744073709551615", &data).code() == StatusCode::kModelFormat);
  CHECK(resolve("escape.bin", nullptr, nullptr, &data).code() == StatusCode::kModelFormat);
  CHECK(resolve("../secret.bin", nullptr, nullptr, &data).code() == StatusCode::kModelFormat);
  CHECK(resolve(tmp.path + "/secret.bin", nullptr, nullptr, &data).code() == StatusCode::kModelFormat);
  CHECK(resolve("missing.bin", nullptr, nullptr, &data).code() == StatusCode::kIo);
  CHECK(data.data == nullptr && data.size == 0);

  // Through the cache: one mapping for every tensor of a file, the same
  // checks for each.
  OnnxExternalDataFiles files(model_dir);
  OnnxExternalData first, second, alias;
  OnnxTensor tensor;
  tensor.name = "w";
  tensor.data_location = OnnxDataLocation::kExternal;
  tensor.external_data = {{"location", "weights.bin"}, {"offset", "2"}, {"length", "3"}};
  CHECK(files.Resolve(tensor, &first).ok());
  tensor.external_data = {{"location", "alias.bin"}, {"offset", "8"}};
  CHECK(files.Resolve(tensor, &alias).ok());
  tensor.external_data = {{"location", "weights.bin"}, {"offset", "5"}};
  CHECK(files.Resolve(tensor, &second).ok());
  CHECK(first.file.data == second.file.data && alias.file.data == first.file.data);
  CHECK(std::string(reinterpret_cast<const char*>(first.data), first.size) == "234");
  CHECK(std::string(reinterpret_cast<const char*>(alias.data), alias.size) == "89abcdef");
  CHECK_EQ(second.size, 11u);
  tensor.external_data = {{"location", "escape.bin"}};
  CHECK(files.Resolve(tensor, &data).code() == StatusCode::kModelFormat);
  tensor.external_data = {{"location", "weights.bin"}, {"offset", "5"}, {"length", "12"}};
  CHECK(files.Resolve(tensor, &data).code() == StatusCode::kModelFormat);
}
#endif

// ---- Mutations ----

// Deterministic, so that a failure reproduces: splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_;
};

#if defined(__SANITIZE_ADDRESS__)
#define EI_ONNX_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EI_ONNX_UNDER_ASAN 1
#endif
#endif

int MutationsPerModel() {
  const char* env = std::getenv("EDGEINFER_MUTATIONS");
  if (env && *env) return std::max(0, std::atoi(env));
#ifdef EI_ONNX_UNDER_ASAN
  return 5000;
#else
  return 10000;
#endif
}

// Everything a parsed model points at lies inside the bytes it came from.
bool ViewsInside(const std::vector<uint8_t>& b, std::string_view s) { return Inside(b, s.data(), s.size()); }

bool TensorInside(const std::vector<uint8_t>& b, const OnnxTensor& t) {
  bool ok = ViewsInside(b, t.name) && Inside(b, t.raw_data, t.raw_data_size);
  for (const OnnxStringPair& kv : t.external_data) ok = ok && ViewsInside(b, kv.key) && ViewsInside(b, kv.value);
  return ok;
}

bool GraphInside(const std::vector<uint8_t>& b, const OnnxGraph& g) {
  bool ok = ViewsInside(b, g.name);
  for (const OnnxTensor& t : g.initializers) ok = ok && TensorInside(b, t);
  for (const auto* list : {&g.inputs, &g.outputs, &g.value_info}) {
    for (const OnnxValueInfo& v : *list) {
      ok = ok && ViewsInside(b, v.name);
      for (const OnnxDim& d : v.dims) ok = ok && ViewsInside(b, d.param);
    }
  }
  for (const OnnxNode& n : g.nodes) {
    ok = ok && ViewsInside(b, n.name) && ViewsInside(b, n.op_type) && ViewsInside(b, n.domain);
    for (const auto* list : {&n.inputs, &n.outputs}) {
      for (std::string_view s : *list) ok = ok && ViewsInside(b, s);
    }
    for (const OnnxAttribute& a : n.attributes) {
      ok = ok && ViewsInside(b, a.name) && ViewsInside(b, a.s);
      for (std::string_view s : a.strings) ok = ok && ViewsInside(b, s);
      if (a.t) ok = ok && TensorInside(b, *a.t);
      for (const OnnxTensor& t : a.tensors) ok = ok && TensorInside(b, t);
      if (a.g) ok = ok && GraphInside(b, *a.g);
      for (const OnnxGraph& sub : a.graphs) ok = ok && GraphInside(b, sub);
    }
  }
  return ok;
}

struct MutationStats {
  int runs = 0, ok = 0, model_format = 0, looks_like = 0, imported = 0, kernels = 0;
};

void ParseMutant(const std::vector<uint8_t>& bytes, MutationStats* stats) {
  ++stats->runs;
  stats->looks_like += LooksLikeOnnx(bytes.empty() ? nullptr : bytes.data(), bytes.size());
  OnnxModel m;
  const Status s = Parse(bytes, &m);
  CHECK(s.code() == StatusCode::kOk || s.code() == StatusCode::kModelFormat);
  if (s.code() == StatusCode::kModelFormat) ++stats->model_format;
  if (!s.ok()) return;
  ++stats->ok;
  CHECK(GraphInside(bytes, m.graph));
  CHECK(ViewsInside(bytes, m.producer_name));
  for (const OnnxTensor& t : m.graph.initializers) {
    OnnxExternalDataRef ref;
    const StatusCode code = ParseExternalDataRef(t, &ref).code();
    CHECK(code == StatusCode::kOk || code == StatusCode::kModelFormat);
  }
  for (const OnnxOpsetId& id : m.opset_import) CHECK(ViewsInside(bytes, id.domain));
  // The whole load: import into the IR, the fusion passes (which create
  // kernels to try them), then every remaining node's kernel.
  std::shared_ptr<Graph> graph;
  const Status load = LoadGraph(bytes.data(), bytes.size(), nullptr, &graph);
  const StatusCode c = load.code();
  CHECK(c == StatusCode::kOk || c == StatusCode::kModelFormat || c == StatusCode::kUnsupportedOp ||
        c == StatusCode::kDynamicShape || c == StatusCode::kIo);
  if (!load.ok()) return;
  ++stats->imported;
  for (const Node& n : graph->nodes) {
    std::unique_ptr<Kernel> k;
    const StatusCode kc = CreateKernel(*graph, n, &k).code();
    CHECK(kc == StatusCode::kOk || kc == StatusCode::kModelFormat || kc == StatusCode::kUnsupportedOp);
    stats->kernels += kc == StatusCode::kOk;
  }
}

void Mutate(const std::vector<uint8_t>& original, Rng* rng, MutationStats* stats) {
  const size_t size = original.size();
  std::vector<uint8_t> bytes(original);
  // Values that make a varint (tag, length, count) extreme or malformed.
  static const std::vector<std::vector<uint8_t>> kVarints = {
      {0x00}, {0x7f}, {0xff, 0x01}, {0x80, 0x80, 0x04},
      {0xff, 0xff, 0xff, 0xff, 0x0f},
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
      {0x80}, {0x0b}, {0x0c}, {0x3a}, {0x0a}, {0x42}};
  switch (rng->Below(6)) {
    case 0:  // flip a few bytes
      for (size_t n = 1 + rng->Below(4); n > 0; --n) bytes[rng->Below(size)] ^= static_cast<uint8_t>(1 + rng->Below(255));
      break;
    case 1: {  // a byte replaced by a small length or count, +-1 of what was there
      const size_t at = rng->Below(size);
      bytes[at] = static_cast<uint8_t>(bytes[at] + (rng->Below(2) ? 1 : -1) * static_cast<int>(1 + rng->Below(3)));
      break;
    }
    case 2: {  // an extreme varint written over, or inserted
      const std::vector<uint8_t>& v = kVarints[rng->Below(kVarints.size())];
      const size_t at = rng->Below(size);
      if (rng->Below(2)) {
        bytes.insert(bytes.begin() + at, v.begin(), v.end());
      } else {
        for (size_t i = 0; i < v.size() && at + i < size; ++i) bytes[at + i] = v[i];
      }
      break;
    }
    case 3:  // truncated
      bytes.resize(rng->Below(size));
      break;
    case 4: {  // a range removed
      const size_t from = rng->Below(size);
      const size_t len = 1 + rng->Below(std::min<size_t>(32, size - from));
      bytes.erase(bytes.begin() + from, bytes.begin() + from + len);
      break;
    }
    default: {  // a range duplicated: copied over another place, or inserted
      const size_t from = rng->Below(size), len = 1 + rng->Below(std::min<size_t>(64, size - from));
      const size_t to = rng->Below(size);
      if (rng->Below(2)) {
        std::memmove(bytes.data() + to, original.data() + from, std::min(len, size - to));
      } else {
        bytes.insert(bytes.begin() + to, original.begin() + from, original.begin() + from + len);
      }
      break;
    }
  }
  bytes.shrink_to_fit();  // exact size, so that ASan sees any read past the end
  ParseMutant(bytes, stats);
}

std::vector<std::pair<std::string, std::vector<uint8_t>>> MutationModels() {
  Proto attrs = onnx_test::QLinearConvGraph();
  Proto tensor = onnx_test::RawTensor("t", 1, {1}, {0, 0, 128, 63});
  Proto sub;
  sub.String(2, "body").Message(1, onnx_test::Node("Identity", {"a"}, {"b"})).Message(5, tensor);
  Proto node = onnx_test::Node("If", {"cond"}, {"out"});
  Proto a;
  node.Message(5, a.String(1, "then_branch").Varint(20, 5).Message(6, sub));
  a = Proto();
  node.Message(5, a.String(1, "fs").Varint(20, 6).PackedFloats(7, {1.0f, 2.0f}));
  a = Proto();
  node.Message(5, a.String(1, "ss").Varint(20, 8).String(9, "x").String(9, "y"));
  a = Proto();
  node.Message(5, a.String(1, "ts").Varint(20, 9).Message(10, tensor));
  Proto pair;
  pair.String(1, "location").String(2, "w.bin");
  Proto ext;
  ext.Varint(1, 4).Varint(2, 1).String(8, "ext").Message(13, pair).Varint(14, 1);
  attrs.Message(1, node).Message(5, ext);
  return {{"qlinearconv", onnx_test::Model(onnx_test::QLinearConvGraph()).bytes},
          {"qdq", onnx_test::Model(onnx_test::QdqGraph(), 9, 19).bytes},
          {"subgraphs+external", onnx_test::Model(attrs).bytes}};
}

TEST(onnx_mutations_never_crash) {
  const int per_model = MutationsPerModel();
  MutationStats total;
  const auto start = std::chrono::steady_clock::now();
  uint64_t seed = 20240715;
  for (const auto& [name, bytes] : MutationModels()) {
    OnnxModel m;
    CHECK(Parse(bytes, &m).ok());
    Rng rng(seed++);
    MutationStats stats;
    for (int i = 0; i < per_model; ++i) Mutate(bytes, &rng, &stats);
    std::printf("  onnx mutations %-20s %5d runs: %5d ok, %5d E_MODEL_FORMAT, %5d look like ONNX, %5d imported, %6d kernels\n", name.c_str(),
                stats.runs, stats.ok, stats.model_format, stats.looks_like, stats.imported, stats.kernels);
    total.runs += stats.runs;
    total.ok += stats.ok;
    total.model_format += stats.model_format;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("  onnx mutations total: %d runs (%d ok, %d E_MODEL_FORMAT) in %.1f s\n", total.runs, total.ok,
              total.model_format, seconds);
}

// Any .onnx file in the models folder parses, and its tensors point inside it;
// no .tflite file there looks like ONNX.
TEST(onnx_reads_real_models_if_present) {
#if !defined(_WIN32)
  const char* env = std::getenv("EDGEINFER_MODELS_DIR");
  const std::string dir = env && *env ? env : "../shared/models";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> files;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".onnx") == 0) files.push_back(name);
    // The loader tells formats apart by content: no TFLite file may pass for ONNX.
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".tflite") == 0) {
      std::ifstream f(dir + "/" + name, std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      CHECK(!LooksLikeOnnx(bytes.data(), bytes.size()));
    }
  }
  ::closedir(d);
  std::sort(files.begin(), files.end());
  for (const std::string& name : files) {
    std::ifstream f(dir + "/" + name, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(LooksLikeOnnx(bytes.data(), bytes.size()));
    OnnxModel m;
    const Status s = Parse(bytes, &m);
    if (!s.ok()) std::printf("%s: %s\n", name.c_str(), s.message().c_str());
    CHECK(s.ok());
    CHECK(GraphInside(bytes, m.graph));
    // External initializers resolve to exactly their tensor's bytes.
    int external = 0;
    OnnxExternalDataFiles external_files(dir);
    for (const OnnxTensor& t : m.graph.initializers) {
      if (t.data_location != OnnxDataLocation::kExternal) continue;
      ++external;
      OnnxExternalData data;
      const Status es = external_files.Resolve(t, &data);
      if (!es.ok()) std::printf("%s: %s\n", name.c_str(), es.message().c_str());
      CHECK(es.ok());
      uint64_t elements = 1;
      for (int64_t d : t.dims) elements *= static_cast<uint64_t>(d);
      if (OnnxDataTypeSize(t.data_type) != 0) CHECK(data.size == elements * OnnxDataTypeSize(t.data_type));
    }
    std::printf("  onnx %s: ir_version %lld, %zu nodes, %zu initializers (%d external)\n", name.c_str(),
                static_cast<long long>(m.ir_version), m.graph.nodes.size(), m.graph.initializers.size(), external);
  }
#endif
}

}  // namespace
}  // namespace edgeinfer
