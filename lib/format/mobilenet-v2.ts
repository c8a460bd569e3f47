/**
 * MobileNetV2 (width 1.0, 1000 classes) with deterministic pseudo-random
 * weights, written three ways so benchmarks and tests compare identical
 * work: a float ONNX model, its INT8 QDQ twin laid out as onnxruntime's
 * quantize_static (QuantFormat.QDQ, int8 asymmetric activations, per-channel
 * symmetric int8 weights, int32 biases, MinMax calibration) writes it, and
 * the same quantized network as an int8 .tflite (NHWC).
 *
 * Calibration runs the float network here, in JS, on a small deterministic
 * batch. Stride-2 convolutions pad like TensorFlow's SAME (the extra row and
 * column at the bottom and right) so the .tflite needs no PAD operators.
 */
import { OnnxWriter, type OnnxTensorSpec } from './onnx-writer';
import { TfliteWriter } from './tflite-writer';

/** Expansion t, output channels c, repeats n, first stride s: the paper's Table 2. */
const invertedResiduals: readonly [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Options {
  resolution?: number;
  classes?: number;
  seed?: number;
  /** Images the activation ranges are calibrated on. */
  calibrationImages?: number;
  /**
   * 7-bit weights in [-64, 64], as quantize_static(reduce_range=True): on
   * x86 without VNNI, ORT's fused u8s8 kernels sum pairs of products in
   * saturating int16 (pmaddubsw), which full-range weights overflow.
   */
  reduceRange?: boolean;
  /**
   * Activations (by layer output name, e.g. 'block3.expand') to expose as
   * extra float graph outputs of the ONNX models, after the logits, for
   * layer-by-layer comparisons.
   */
  extraOutputs?: string[];
}

interface Conv {
  op: 'conv';
  input: string;
  output: string;
  inC: number;
  outC: number;
  k: number;
  stride: number;
  depthwise: boolean;
  relu6: boolean;
  /** ONNX layout: [outC, inC / group, k, k]. */
  weight: Float32Array;
  bias: Float32Array;
}

interface Add {
  op: 'add';
  a: string;
  b: string;
  output: string;
}

type Layer = Conv | Add;

interface Quant {
  scale: number;
  zeroPoint: number;
}

interface QuantizedWeights {
  q: Int8Array;
  scales: Float32Array;
  bias: Int32Array;
}

export interface MobileNetV2Models {
  /** Float input 'input' [1,3,R,R] -> float 'logits' [1,classes]. */
  floatOnnx: Uint8Array;
  /** Same input and output as floatOnnx, quantized in QDQ form. */
  qdqOnnx: Uint8Array;
  /** Float input [1,R,R,3] (NHWC) -> QUANTIZE -> int8 network -> DEQUANTIZE -> float [1,classes]. */
  tflite: Uint8Array;
  /** Quantization of every activation tensor, by its ONNX name. */
  activations: Map<string, Quant>;
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32: the high and low bits are both usable, unlike an LCG's.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function uniform(n: number, bound: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * rand() - 1) * bound);
}

/** A deterministic image in [-1, 1], NCHW: smooth gradients and stripes plus noise. */
export function mobileNetV2Input(seed: number, resolution = 224): Float32Array {
  const rand = random(seed * 7919 + 17);
  const [fx, fy] = [0.02 + 0.1 * rand(), 0.02 + 0.1 * rand()];
  const x = new Float32Array(3 * resolution * resolution);
  for (let c = 0; c < 3; c++) {
    const phase = 6 * rand();
    for (let h = 0; h < resolution; h++) {
      for (let w = 0; w < resolution; w++) {
        const v = 0.7 * Math.sin(fx * (c + 1) * h + phase) * Math.cos(fy * w) + 0.3 * (2 * rand() - 1);
        x[(c * resolution + h) * resolution + w] = v;
      }
    }
  }
  return x;
}

export function nchwToNhwc(x: Float32Array, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let ci = 0; ci < c; ci++) for (let p = 0; p < h * w; p++) out[p * c + ci] = x[ci * h * w + p];
  return out;
}

/** TensorFlow SAME padding: [top, bottom] for one spatial axis. */
function samePads(size: number, k: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function buildNetwork(rand: () => number): { layers: Layer[]; lastChannels: number } {
  const layers: Layer[] = [];
  const conv = (input: string, output: string, inC: number, outC: number, k: number, stride: number, depthwise: boolean, relu6: boolean) => {
    const fanIn = (depthwise ? 1 : inC) * k * k;
    // He initialization keeps the activations' scale roughly constant through ReLU layers.
    const gain = relu6 ? 2 : 1;
    layers.push({
      op: 'conv', input, output, inC, outC, k, stride, depthwise, relu6,
      weight: uniform(outC * fanIn, Math.sqrt((3 * gain) / fanIn), rand),
      bias: uniform(outC, 0.1, rand),
    });
    return output;
  };
  let x = conv('input', 'stem', 3, 32, 3, 2, false, true);
  let channels = 32;
  let block = 0;
  for (const [t, c, n, s] of invertedResiduals) {
    for (let i = 0; i < n; i++, block++) {
      const stride = i === 0 ? s : 1;
      const hidden = channels * t;
      const blockInput = x;
      if (t !== 1) x = conv(x, `block${block}.expand`, channels, hidden, 1, 1, false, true);
      x = conv(x, `block${block}.depthwise`, hidden, hidden, 3, stride, true, true);
      x = conv(x, `block${block}.project`, hidden, c, 1, 1, false, false);
      if (stride === 1 && channels === c) {
        layers.push({ op: 'add', a: blockInput, b: x, output: `block${block}.add` });
        x = `block${block}.add`;
      }
      channels = c;
    }
  }
  conv(x, 'head', channels, 1280, 1, 1, false, true);
  return { layers, lastChannels: 1280 };
}

interface Activation {
  data: Float32Array;
  c: number;
  h: number;
  w: number;
}

/** `normalizeTo`: rescale the layer's weights and bias so its pre-activation RMS is this (initialization only). */
function runConv(l: Conv, x: Activation, normalizeTo?: number): Activation {
  const [padTop] = samePads(x.h, l.k, l.stride);
  const [padLeft] = samePads(x.w, l.k, l.stride);
  const [oh, ow] = [Math.ceil(x.h / l.stride), Math.ceil(x.w / l.stride)];
  const out = new Float32Array(l.outC * oh * ow);
  const plane = oh * ow;
  if (l.k === 1) {
    // Pointwise: a matrix product, the inner loop over contiguous pixels.
    for (let o = 0; o < l.outC; o++) {
      const dst = out.subarray(o * plane, (o + 1) * plane);
      dst.fill(l.bias[o]);
      for (let i = 0; i < l.inC; i++) {
        const wv = l.weight[o * l.inC + i];
        const src = x.data.subarray(i * plane, (i + 1) * plane);
        for (let p = 0; p < plane; p++) dst[p] += wv * src[p];
      }
    }
  } else {
    const groupIn = l.depthwise ? 1 : l.inC;
    for (let o = 0; o < l.outC; o++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let acc = l.bias[o];
          for (let g = 0; g < groupIn; g++) {
            const ci = l.depthwise ? o : g;
            for (let ky = 0; ky < l.k; ky++) {
              const iy = oy * l.stride + ky - padTop;
              if (iy < 0 || iy >= x.h) continue;
              for (let kx = 0; kx < l.k; kx++) {
                const ix = ox * l.stride + kx - padLeft;
                if (ix < 0 || ix >= x.w) continue;
                acc += l.weight[((o * groupIn + g) * l.k + ky) * l.k + kx] * x.data[(ci * x.h + iy) * x.w + ix];
              }
            }
          }
          out[(o * oh + oy) * ow + ox] = acc;
        }
      }
    }
  }
  if (normalizeTo !== undefined) {
    const rms = Math.sqrt(out.reduce((sum, v) => sum + v * v, 0) / out.length);
    const f = normalizeTo / rms;
    for (const a of [l.weight, l.bias, out]) for (let i = 0; i < a.length; i++) a[i] *= f;
  }
  if (l.relu6) for (let i = 0; i < out.length; i++) out[i] = Math.min(6, Math.max(0, out[i]));
  return { data: out, c: l.outC, h: oh, w: ow };
}

/**
 * Float forward pass; `observe` sees every activation tensor by name (the
 * input included). With `initialize`, each convolution is first rescaled
 * (layer-sequential unit variance, as LSUV initialization does) so that
 * random weights neither blow the activations up into ReLU6's ceiling nor
 * let them fade out over 52 layers.
 */
function runFloat(
  layers: Layer[],
  fc: { weight: Float32Array; bias: Float32Array; classes: number },
  image: Float32Array,
  resolution: number,
  observe: (name: string, data: Float32Array) => void,
  initialize = false,
): Float32Array {
  const values = new Map<string, Activation>([['input', { data: image, c: 3, h: resolution, w: resolution }]]);
  observe('input', image);
  let last: Activation = values.get('input')!;
  for (const l of layers) {
    if (l.op === 'conv') {
      last = runConv(l, values.get(l.input)!, initialize ? (l.relu6 ? 2 : 1) : undefined);
    } else {
      const [a, b] = [values.get(l.a)!, values.get(l.b)!];
      last = { ...a, data: a.data.map((v, i) => v + b.data[i]) };
    }
    const output = l.output;
    values.set(output, last);
    observe(output, last.data);
  }
  const plane = last.h * last.w;
  const pooled = Float32Array.from({ length: last.c }, (_, c) => {
    let sum = 0;
    for (let p = 0; p < plane; p++) sum += last.data[c * plane + p];
    return sum / plane;
  });
  observe('pool', pooled);
  observe('flatten', pooled);
  const logits = Float32Array.from({ length: fc.classes }, (_, o) => {
    let acc = fc.bias[o];
    for (let i = 0; i < last.c; i++) acc += fc.weight[o * last.c + i] * pooled[i];
    return acc;
  });
  observe('logits', logits);
  return logits;
}

/** int8 asymmetric, as ORT's compute_scale_zp: the range always holds zero. */
function activationQuant(min: number, max: number): Quant {
  const [lo, hi] = [Math.min(min, 0), Math.max(max, 0)];
  const scale = Math.fround(hi > lo ? (hi - lo) / 255 : 1);
  return { scale, zeroPoint: Math.max(-128, Math.min(127, Math.round(-128 - lo / scale))) };
}

/** Symmetric per-output-channel int8 in [-qmax, qmax]; the bias in int32 at input scale x weight scale. */
function quantizeWeights(weight: Float32Array, bias: Float32Array, inputScale: number, qmax: number): QuantizedWeights {
  const channels = bias.length;
  const per = weight.length / channels;
  const q = new Int8Array(weight.length);
  const scales = new Float32Array(channels);
  const qBias = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let absMax = 0;
    for (let i = 0; i < per; i++) absMax = Math.max(absMax, Math.abs(weight[c * per + i]));
    scales[c] = absMax > 0 ? absMax / qmax : 1;
    for (let i = 0; i < per; i++) q[c * per + i] = Math.max(-qmax, Math.min(qmax, Math.round(weight[c * per + i] / scales[c])));
    qBias[c] = Math.round(bias[c] / Math.fround(inputScale * scales[c]));
  }
  return { q, scales, bias: qBias };
}

export function buildMobileNetV2(options: MobileNetV2Options = {}): MobileNetV2Models {
  const resolution = options.resolution ?? 224;
  const classes = options.classes ?? 1000;
  const rand = random(options.seed ?? 1);
  const { layers, lastChannels } = buildNetwork(rand);
  const fc = {
    weight: uniform(classes * lastChannels, Math.sqrt(3 / lastChannels), rand),
    bias: uniform(classes, 0.1, rand),
    classes,
  };

  runFloat(layers, fc, mobileNetV2Input(999, resolution), resolution, () => undefined, true);
  const ranges = new Map<string, [number, number]>();
  for (let image = 0; image < (options.calibrationImages ?? 2); image++) {
    runFloat(layers, fc, mobileNetV2Input(1000 + image, resolution), resolution, (name, data) => {
      let [lo, hi] = ranges.get(name) ?? [Infinity, -Infinity];
      for (const v of data) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      ranges.set(name, [lo, hi]);
    });
  }
  const activations = new Map([...ranges].map(([name, [lo, hi]]) => [name, activationQuant(lo, hi)]));

  const qmax = options.reduceRange ? 64 : 127;
  const quantized = new Map<Layer | typeof fc, QuantizedWeights>();
  for (const l of layers) if (l.op === 'conv') quantized.set(l, quantizeWeights(l.weight, l.bias, activations.get(l.input)!.scale, qmax));
  quantized.set(fc, quantizeWeights(fc.weight, fc.bias, activations.get('flatten')!.scale, qmax));

  return {
    floatOnnx: writeOnnx(layers, fc, resolution, null, null, options.extraOutputs ?? []),
    qdqOnnx: writeOnnx(layers, fc, resolution, activations, quantized, options.extraOutputs ?? []),
    tflite: writeTflite(layers, fc, resolution, activations, quantized),
    activations,
  };
}

function convAttributes(l: Conv, size: number) {
  const [top, bottom] = samePads(size, l.k, l.stride);
  return {
    kernel_shape: { ints: [l.k, l.k] },
    strides: { ints: [l.stride, l.stride] },
    pads: { ints: [top, top, bottom, bottom] },
    group: { i: l.depthwise ? l.outC : 1 },
  };
}

/** `activations` null: the float twin. */
function writeOnnx(
  layers: Layer[],
  fc: { weight: Float32Array; bias: Float32Array; classes: number },
  resolution: number,
  activations: Map<string, Quant> | null,
  quantized: Map<Layer | typeof fc, QuantizedWeights> | null,
  extraOutputs: string[],
): Uint8Array {
  const w = new OnnxWriter({ opset: 13, producer: 'edgeinfer mobilenet-v2' });
  const scalar = (name: string, dtype: 'float32' | 'int8', v: number): string =>
    w.addInitializer({ name, dtype, dims: [], data: dtype === 'float32' ? Float32Array.of(v) : Int8Array.of(v) });

  /** Q -> DQ after a float tensor, as quantize_static inserts them; returns the name consumers read. */
  const qdq = (name: string, produced = name, dequantized = `${name}_DequantizeLinear_Output`): string => {
    if (!activations) return name;
    const q = activations.get(name)!;
    const [scale, zp] = [scalar(`${name}_scale`, 'float32', q.scale), scalar(`${name}_zero_point`, 'int8', q.zeroPoint)];
    w.addNode({ opType: 'QuantizeLinear', name: `${name}_QuantizeLinear`, inputs: [produced, scale, zp], outputs: [`${name}_QuantizeLinear_Output`] });
    w.addNode({ opType: 'DequantizeLinear', name: `${name}_DequantizeLinear`, inputs: [`${name}_QuantizeLinear_Output`, scale, zp], outputs: [dequantized] });
    return dequantized;
  };

  /** A constant operand: float, or int8/int32 behind a per-channel DequantizeLinear. */
  const constant = (name: string, dims: number[], data: Float32Array, q?: Int8Array | Int32Array, scales?: Float32Array): string => {
    if (!q || !scales) return w.addInitializer({ name, dtype: 'float32', dims, data });
    const isBias = q instanceof Int32Array;
    const prefix = isBias ? `${name}_quantized` : name;
    const spec: OnnxTensorSpec = isBias
      ? { name: `${name}_quantized`, dtype: 'int32', dims, data: q }
      : { name: `${name}_quantized`, dtype: 'int8', dims, data: q };
    w.addInitializer(spec);
    w.addInitializer({ name: `${prefix}_scale`, dtype: 'float32', dims: [dims[0]], data: scales });
    w.addInitializer(
      isBias
        ? { name: `${prefix}_zero_point`, dtype: 'int32', dims: [dims[0]], data: new Int32Array(dims[0]) }
        : { name: `${prefix}_zero_point`, dtype: 'int8', dims: [dims[0]], data: new Int8Array(dims[0]) },
    );
    w.addNode({
      opType: 'DequantizeLinear',
      name: `${name}_DequantizeLinear`,
      inputs: [spec.name, `${prefix}_scale`, `${prefix}_zero_point`],
      outputs: [`${name}_DequantizeLinear_Output`],
      attributes: { axis: { i: 0 } },
    });
    return `${name}_DequantizeLinear_Output`;
  };

  w.addInput('input', 'float32', [1, 3, resolution, resolution]);
  const consumed = new Map<string, string>([['input', qdq('input')]]);
  const sizes = new Map<string, number>([['input', resolution]]);
  if (!activations) w.addInitializer({ name: 'relu6_min', dtype: 'float32', dims: [], data: Float32Array.of(0) });
  if (!activations) w.addInitializer({ name: 'relu6_max', dtype: 'float32', dims: [], data: Float32Array.of(6) });

  for (const l of layers) {
    if (l.op === 'add') {
      w.addNode({ opType: 'Add', name: l.output, inputs: [consumed.get(l.a)!, consumed.get(l.b)!], outputs: [l.output] });
      sizes.set(l.output, sizes.get(l.a)!);
    } else {
      const size = sizes.get(l.input)!;
      const qw = quantized?.get(l);
      const biasScales = qw && Float32Array.from(qw.scales, (s) => s * activations!.get(l.input)!.scale);
      const inputs = [
        consumed.get(l.input)!,
        constant(`${l.output}.weight`, [l.outC, l.depthwise ? 1 : l.inC, l.k, l.k], l.weight, qw?.q, qw?.scales),
        constant(`${l.output}.bias`, [l.outC], l.bias, qw?.bias, biasScales),
      ];
      // quantize_static drops Relu and Clip(0, 6): the output's range [0, <=6] clamps them already.
      const fusedAway = activations !== null || !l.relu6;
      const convOut = fusedAway ? l.output : `${l.output}_conv`;
      w.addNode({ opType: 'Conv', name: `${l.output}_Conv`, inputs, outputs: [convOut], attributes: convAttributes(l, size) });
      if (!fusedAway) w.addNode({ opType: 'Clip', name: `${l.output}_Clip`, inputs: [convOut, 'relu6_min', 'relu6_max'], outputs: [l.output] });
      sizes.set(l.output, Math.ceil(size / l.stride));
    }
    consumed.set(l.output, qdq(l.output));
  }
  const last = layers[layers.length - 1].output;
  w.addNode({ opType: 'GlobalAveragePool', name: 'pool', inputs: [consumed.get(last)!], outputs: ['pool'] });
  // Flatten has no QDQ handler: it runs on floats between the pool's DQ and Gemm's Q.
  w.addNode({ opType: 'Flatten', name: 'flatten', inputs: [qdq('pool')], outputs: ['flatten'], attributes: { axis: { i: 1 } } });
  const qfc = quantized?.get(fc);
  const lastChannels = fc.weight.length / fc.classes;
  const fcBiasScales = qfc && Float32Array.from(qfc.scales, (s) => s * activations!.get('flatten')!.scale);
  w.addNode({
    opType: 'Gemm',
    name: 'classifier',
    inputs: [
      qdq('flatten'),
      constant('classifier.weight', [fc.classes, lastChannels], fc.weight, qfc?.q, qfc?.scales),
      constant('classifier.bias', [fc.classes], fc.bias, qfc?.bias, fcBiasScales),
    ],
    outputs: [activations ? 'logits_QuantizeLinear_Input' : 'logits'],
    attributes: { transB: { i: 1 } },
  });
  // A quantized graph output: Q -> DQ, the DQ writing the original name.
  if (activations) qdq('logits', 'logits_QuantizeLinear_Input', 'logits');
  w.addOutput('logits', 'float32', [1, fc.classes]);
  for (const name of extraOutputs) {
    const layer = layers.find((l) => l.output === name);
    if (!layer) throw new Error(`mobilenet-v2: no layer '${name}'`);
    const channels = layer.op === 'conv' ? layer.outC : (layers.find((l) => l.op === 'conv' && l.output === layer.b) as Conv).outC;
    const size = sizes.get(name)!;
    w.addOutput(consumed.get(name)!, 'float32', [1, channels, size, size]);
  }
  return w.finish();
}

/** [O, I, K, K] -> TFLite's [O, K, K, I]; depthwise [C, 1, K, K] -> [1, K, K, C]. */
function toTfliteFilter(l: Conv, q: Int8Array): Int8Array {
  const out = new Int8Array(q.length);
  const kk = l.k * l.k;
  const groupIn = l.depthwise ? 1 : l.inC;
  for (let o = 0; o < l.outC; o++) {
    for (let i = 0; i < groupIn; i++) {
      for (let p = 0; p < kk; p++) {
        const src = (o * groupIn + i) * kk + p;
        out[l.depthwise ? p * l.outC + o : (o * kk + p) * l.inC + i] = q[src];
      }
    }
  }
  return out;
}

function writeTflite(
  layers: Layer[],
  fc: { weight: Float32Array; bias: Float32Array; classes: number },
  resolution: number,
  activations: Map<string, Quant>,
  quantized: Map<Layer | typeof fc, QuantizedWeights>,
): Uint8Array {
  const w = new TfliteWriter({ description: 'edgeinfer MobileNetV2 1.0 int8' });
  const tensors = new Map<string, number>();
  const shapes = new Map<string, [number, number]>([['input', [resolution, 3]]]);
  /** An int8 activation with the quantization of ONNX tensor `onnxName`. */
  const act = (name: string, shape: number[], onnxName = name): number => {
    const q = activations.get(onnxName)!;
    const index = w.addTensor({ name, dtype: 'int8', shape, quantization: { scale: [q.scale], zeroPoint: [q.zeroPoint] } });
    tensors.set(onnxName, index);
    return index;
  };
  const weights = (name: string, shape: number[], data: Int8Array, scales: Float32Array, axis: number, inputScale: number, bias: Int32Array) => [
    w.addTensor({ name: `${name}.weight`, dtype: 'int8', shape, data, quantization: { scale: [...scales], zeroPoint: new Array(scales.length).fill(0), axis } }),
    w.addTensor({
      name: `${name}.bias`, dtype: 'int32', shape: [bias.length], data: bias,
      quantization: { scale: [...scales].map((s) => s * inputScale), zeroPoint: new Array(scales.length).fill(0) },
    }),
  ];

  const input = w.addTensor({ name: 'input', dtype: 'float32', shape: [1, resolution, resolution, 3] });
  w.addOperator({ op: 'QUANTIZE', inputs: [input], outputs: [act('input_quantized', [1, resolution, resolution, 3], 'input')] });
  for (const l of layers) {
    if (l.op === 'add') {
      const [size, c] = shapes.get(l.a)!;
      w.addOperator({ op: 'ADD', inputs: [tensors.get(l.a)!, tensors.get(l.b)!], outputs: [act(l.output, [1, size, size, c])] });
      shapes.set(l.output, [size, c]);
      continue;
    }
    const [size] = shapes.get(l.input)!;
    const outSize = Math.ceil(size / l.stride);
    const qw = quantized.get(l)!;
    const filterShape = l.depthwise ? [1, l.k, l.k, l.outC] : [l.outC, l.k, l.k, l.inC];
    const [filter, bias] = weights(l.output, filterShape, toTfliteFilter(l, qw.q), qw.scales, l.depthwise ? 3 : 0, activations.get(l.input)!.scale, qw.bias);
    w.addOperator({
      op: l.depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D',
      inputs: [tensors.get(l.input)!, filter, bias],
      outputs: [act(l.output, [1, outSize, outSize, l.outC])],
      options: { padding: 'SAME', strideH: l.stride, strideW: l.stride, activation: l.relu6 ? 'RELU6' : 'NONE', depthMultiplier: 1 },
    });
    shapes.set(l.output, [outSize, l.outC]);
  }
  const last = layers[layers.length - 1].output;
  const lastChannels = shapes.get(last)![1];
  const axes = w.addTensor({ name: 'pool/axes', dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) });
  w.addOperator({ op: 'MEAN', inputs: [tensors.get(last)!, axes], outputs: [act('pool', [1, lastChannels])], options: { keepDims: false } });
  const qfc = quantized.get(fc)!;
  const [fcWeight, fcBias] = weights('classifier', [fc.classes, lastChannels], qfc.q, qfc.scales, 0, activations.get('pool')!.scale, qfc.bias);
  const logitsQ = act('logits_quantized', [1, fc.classes], 'logits');
  w.addOperator({ op: 'FULLY_CONNECTED', inputs: [tensors.get('pool')!, fcWeight, fcBias], outputs: [logitsQ] });
  const logits = w.addTensor({ name: 'logits', dtype: 'float32', shape: [1, fc.classes] });
  w.addOperator({ op: 'DEQUANTIZE', inputs: [logitsQ], outputs: [logits] });
  w.setInputs([input]);
  w.setOutputs([logits]);
  return w.finish();
}
