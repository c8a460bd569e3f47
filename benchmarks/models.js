'use strict';
// The models the benchmark runs, written once into a cache folder keyed by the
// bytes of the generators, so every runtime reads identical files:
//   MobileNetV2 (lib/format/mobilenet-v2.ts): float ONNX, INT8 QDQ ONNX and the
//   int8 .tflite twin (same quantized weights and activation ranges);
//   tiny MLP 16-32-32-4 (lib/format/tiny-mlp.ts): the int8 .tflite, and an
//   INT8 QDQ ONNX twin built here with the same weights, scales and zero points.
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dist = path.resolve(__dirname, '..', 'dist');

/** Deterministic benchmark/accuracy images, NCHW float in [-1, 1]. */
const imageSeeds = [1, 2, 3, 4, 5, 6, 7, 8];

// Same generator as lib/format/tiny-mlp.ts (weights(), its per-layer seeds and
// scales). The benchmark checks the two twins agree by running both.
function mlpWeights(n, seed) {
  const w = new Int8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    w[i] = (s >>> 24) - 128;
  }
  return w;
}

/**
 * The tiny MLP as ONNX in QDQ form (as quantize_static writes a Gemm):
 * int8 'features' [1,16] -> DequantizeLinear -> Gemm(transB) whose weight and
 * bias come through per-channel DequantizeLinear -> QuantizeLinear -> ... ->
 * int8 'scores' [1,4]. The .tflite's fused RELU needs no node: its output
 * quantization (zero point -128) already clamps at 0.
 */
function buildTinyMlpOnnx(sizes) {
  const { OnnxWriter } = require(path.join(dist, 'format', 'onnx-writer.js'));
  const w = new OnnxWriter({ opset: 13, producer: 'edgeinfer benchmarks tiny-mlp' });
  const scalar = (name, dtype, v) =>
    w.addInitializer({ name, dtype, dims: [], data: dtype === 'float32' ? Float32Array.of(v) : Int8Array.of(v) });
  w.addInput('features', 'int8', [1, sizes[0]]);
  const inScale0 = 0.05;
  scalar('features_scale', 'float32', inScale0);
  scalar('features_zero_point', 'int8', 0);
  w.addNode({ opType: 'DequantizeLinear', name: 'features_DQ', inputs: ['features', 'features_scale', 'features_zero_point'], outputs: ['features_dq'] });
  let x = 'features_dq';
  let inScale = inScale0;
  for (let l = 1; l < sizes.length; l++) {
    const [ic, oc] = [sizes[l - 1], sizes[l]];
    const wScales = Float32Array.from({ length: oc }, (_, c) => 0.004 + 0.0005 * (c % 5));
    w.addInitializer({ name: `fc${l}.weight_quantized`, dtype: 'int8', dims: [oc, ic], data: mlpWeights(oc * ic, l) });
    w.addInitializer({ name: `fc${l}.weight_scale`, dtype: 'float32', dims: [oc], data: wScales });
    w.addInitializer({ name: `fc${l}.weight_zero_point`, dtype: 'int8', dims: [oc], data: new Int8Array(oc) });
    w.addNode({
      opType: 'DequantizeLinear', name: `fc${l}.weight_DQ`,
      inputs: [`fc${l}.weight_quantized`, `fc${l}.weight_scale`, `fc${l}.weight_zero_point`],
      outputs: [`fc${l}.weight_dq`], attributes: { axis: { i: 0 } },
    });
    w.addInitializer({ name: `fc${l}.bias_quantized`, dtype: 'int32', dims: [oc], data: Int32Array.from({ length: oc }, (_, c) => ((c * 37) % 200) - 100) });
    w.addInitializer({ name: `fc${l}.bias_scale`, dtype: 'float32', dims: [oc], data: Float32Array.from(wScales, (s) => s * inScale) });
    w.addInitializer({ name: `fc${l}.bias_zero_point`, dtype: 'int32', dims: [oc], data: new Int32Array(oc) });
    w.addNode({
      opType: 'DequantizeLinear', name: `fc${l}.bias_DQ`,
      inputs: [`fc${l}.bias_quantized`, `fc${l}.bias_scale`, `fc${l}.bias_zero_point`],
      outputs: [`fc${l}.bias_dq`], attributes: { axis: { i: 0 } },
    });
    const last = l === sizes.length - 1;
    const [outScale, outZp] = last ? [0.1, 0] : [0.04, -128];
    const name = last ? 'scores' : `fc${l}_out`;
    w.addNode({ opType: 'Gemm', name: `fc${l}`, inputs: [x, `fc${l}.weight_dq`, `fc${l}.bias_dq`], outputs: [`fc${l}_float`], attributes: { transB: { i: 1 } } });
    scalar(`${name}_scale`, 'float32', outScale);
    scalar(`${name}_zero_point`, 'int8', outZp);
    w.addNode({ opType: 'QuantizeLinear', name: `${name}_Q`, inputs: [`fc${l}_float`, `${name}_scale`, `${name}_zero_point`], outputs: [name] });
    if (!last) {
      w.addNode({ opType: 'DequantizeLinear', name: `${name}_DQ`, inputs: [name, `${name}_scale`, `${name}_zero_point`], outputs: [`${name}_dq`] });
      x = `${name}_dq`;
    }
    inScale = outScale;
  }
  w.addOutput('scores', 'int8', [1, sizes[sizes.length - 1]]);
  return w.finish();
}

function generatorHash() {
  const h = crypto.createHash('sha256');
  for (const f of ['format/mobilenet-v2.js', 'format/tiny-mlp.js', 'format/onnx-writer.js', 'format/tflite-writer.js']) {
    h.update(fs.readFileSync(path.join(dist, f)));
  }
  h.update(fs.readFileSync(__filename));
  return h.digest('hex').slice(0, 16);
}

/**
 * Writes (or finds) the model files; returns their paths and the images.
 * `log` gets progress lines.
 */
function prepareModels(log = () => undefined) {
  const dir = path.join(os.tmpdir(), `edgeinfer-bench-${generatorHash()}`);
  const files = {
    mobilenetFloatOnnx: path.join(dir, 'mobilenet_v2.float.onnx'),
    mobilenetQdqOnnx: path.join(dir, 'mobilenet_v2.qdq.onnx'),
    mobilenetTflite: path.join(dir, 'mobilenet_v2.int8.tflite'),
    // 7-bit weights (quantize_static reduce_range=True): ORT's advice for x86 without VNNI; accuracy only.
    mobilenetQdqOnnxReduceRange: path.join(dir, 'mobilenet_v2.qdq-reduce-range.onnx'),
    mlpTflite: path.join(dir, 'tiny_mlp.int8.tflite'),
    mlpQdqOnnx: path.join(dir, 'tiny_mlp.qdq.onnx'),
    images: path.join(dir, 'images_nchw.f32'),
  };
  const { mobileNetV2Input } = require(path.join(dist, 'format', 'mobilenet-v2.js'));
  if (!Object.values(files).every((f) => fs.existsSync(f))) {
    log(`building models into ${dir} ...`);
    const t0 = Date.now();
    fs.mkdirSync(dir, { recursive: true });
    const { buildMobileNetV2 } = require(path.join(dist, 'format', 'mobilenet-v2.js'));
    const { buildTinyMlpTflite, tinyMlpSizes } = require(path.join(dist, 'format', 'tiny-mlp.js'));
    const m = buildMobileNetV2();
    const write = (f, bytes) => fs.writeFileSync(`${f}.tmp`, bytes) || fs.renameSync(`${f}.tmp`, f);
    write(files.mobilenetFloatOnnx, m.floatOnnx);
    write(files.mobilenetQdqOnnx, m.qdqOnnx);
    write(files.mobilenetTflite, m.tflite);
    // Same seed: the same float network and calibration, only the weights' quantization differs.
    write(files.mobilenetQdqOnnxReduceRange, buildMobileNetV2({ reduceRange: true }).qdqOnnx);
    write(files.mlpTflite, buildTinyMlpTflite());
    write(files.mlpQdqOnnx, buildTinyMlpOnnx(tinyMlpSizes));
    const images = new Float32Array(imageSeeds.length * 3 * 224 * 224);
    imageSeeds.forEach((seed, i) => images.set(mobileNetV2Input(seed, 224), i * 3 * 224 * 224));
    write(files.images, new Uint8Array(images.buffer));
    log(`  built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    log(`models: cached in ${dir}`);
  }
  return { dir, files, imageCount: imageSeeds.length };
}

/** The images file as one Float32Array per image, NCHW [1,3,224,224]. */
function readImages(file) {
  const bytes = fs.readFileSync(file);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const per = 3 * 224 * 224;
  return Array.from({ length: all.length / per }, (_, i) => all.subarray(i * per, (i + 1) * per));
}

/** NCHW [1,C,H,W] -> NHWC. */
function nchwToNhwc(x, c, h, w) {
  const out = new Float32Array(x.length);
  for (let ci = 0; ci < c; ci++) for (let p = 0; p < h * w; p++) out[p * c + ci] = x[ci * h * w + p];
  return out;
}

module.exports = { prepareModels, readImages, nchwToNhwc, buildTinyMlpOnnx, mlpWeights };
