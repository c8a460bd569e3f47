/**
 * Real published models (../shared/models, see its README) run in edgeinfer
 * and in TensorFlow Lite (test/oracle) on the same deterministic inputs.
 * Skips, with a message, when the folder is absent.
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { Model, EdgeInferError } from '../lib/index';
import type { TypedArray } from '../lib/index';
import { buildDefaultModel } from '../lib/default-model';
import { addStats, compareWithOracle, expectWithinBound, inputFor, type Comparison, type DiffStats } from './fixtures/helpers';
import { tfliteOracle, type OracleArray } from './oracle/tflite-oracle';
import { isolateOperator, operatorsOf, tensorScale, withOutput } from './oracle/oracle-compat';

const modelsDir = process.env.EDGEINFER_MODELS_DIR ?? path.resolve(__dirname, '../../shared/models');
const haveModels = fs.existsSync(modelsDir);
if (!haveModels) console.log(`models.test: skipping the real-model tests, no models folder at ${modelsDir} (set EDGEINFER_MODELS_DIR)`);

const modelPath = (name: string): string => path.join(modelsDir, name);

interface Row {
  model: string;
  input: string;
  compared: number;
  differing: number;
  maxDiff: number;
  xnnpack: string;
}
const table: Row[] = [];

afterAll(() => {
  if (table.length === 0) return;
  console.log(
    ['edgeinfer vs TFLite (WebAssembly, XNNPACK on):', '| model | input | elements compared | differing | max diff | XNNPACK kernels in the oracle |', '|---|---|---|---|---|---|']
      .concat(table.map((r) => `| ${r.model} | ${r.input} | ${r.compared} | ${r.differing} | ${r.maxDiff} | ${r.xnnpack} |`))
      .join('\n'),
  );
});

function record(model: string, input: string, c: Comparison): void {
  table.push({ model, input, ...c.stats, xnnpack: c.delegated.length ? c.delegated.join('; ') : 'none' });
  console.log(`${model} (${input}): ${c.stats.compared} compared, ${c.stats.differing} differing, max diff ${c.stats.maxDiff}`);
}

/** Errors edgeinfer must raise at load, as { code, message }. */
async function loadError(file: string): Promise<EdgeInferError> {
  const err = await Model.load(modelPath(file)).then(
    (m) => {
      m.dispose();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EdgeInferError);
  return err as EdgeInferError;
}

/** A 24-bit BMP as RGB rows top to bottom. */
function readBmp(file: string): { width: number; height: number; rgb: Uint8Array } {
  const b = fs.readFileSync(file);
  expect(b.toString('latin1', 0, 2)).toBe('BM');
  const dataOffset = b.readUInt32LE(10);
  const width = b.readInt32LE(18);
  const signedHeight = b.readInt32LE(22);
  expect(b.readUInt16LE(28)).toBe(24);
  const height = Math.abs(signedHeight);
  const stride = Math.ceil((width * 3) / 4) * 4;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (signedHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      rgb[o] = b[row + x * 3 + 2];
      rgb[o + 1] = b[row + x * 3 + 1];
      rgb[o + 2] = b[row + x * 3];
    }
  }
  return { width, height, rgb };
}

/** Bilinear resize (pixel centres aligned), rounded back to bytes. */
function resizeRgb(img: { width: number; height: number; rgb: Uint8Array }, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.max((y + 0.5) * (img.height / h) - 0.5, 0), img.height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(Math.max((x + 0.5) * (img.width / w) - 0.5, 0), img.width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number): number => img.rgb[(yy * img.width + xx) * 3 + c];
        const top = p(y0, x0) * (1 - fx) + p(y0, x1) * fx;
        const bottom = p(y1, x0) * (1 - fx) + p(y1, x1) * fx;
        out[(y * w + x) * 3 + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}

function argmax(a: ArrayLike<number | bigint>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (Number(a[i]) > Number(a[best])) best = i;
  return best;
}

describe('the default CLI model', () => {
  it('is deterministic and bit-exact with the TFLite kernels on random images', async () => {
    const bytes = buildDefaultModel();
    expect(buildDefaultModel()).toEqual(bytes);
    for (const seed of [1, 2, 3]) {
      record('default model', `random seed ${seed}, XNNPACK`, await compareWithOracle(bytes, undefined, seed));
      const c = await compareWithOracle(bytes, undefined, seed, { tfliteKernels: true });
      record('default model', `random seed ${seed}, TFLite kernels`, c);
      expectWithinBound(c.stats, c.delegated, 'default model');
      // Softmax probabilities (scale 1/256, zero point -128) sum to about 1.
      const total = Array.from(c.edgeinfer[0] as Int8Array).reduce((s, q) => s + (q + 128) / 256, 0);
      expect(total).toBeGreaterThan(0.9);
      expect(total).toBeLessThan(1.1);
    }
  });
});

describe.skipIf(!haveModels)('real models', () => {
  // int8 models: the oracle keeps every CONV_2D, DEPTHWISE_CONV_2D and
  // FULLY_CONNECTED on TFLite's own kernels (see compatForOracle's
  // tfliteKernels) and so runs no XNNPACK at all: every output must be
  // identical, deep models included (mobilenet_v2: 1000 logits after 65
  // layers). The default oracle, with XNNPACK, is recorded too, and held to
  // the XNNPACK bound only where that bound is meaningful, in the shallow
  // models: in deep ones XNNPACK's fp32-requantization 1-step differences
  // compound layer after layer.
  const shallowInt8 = ['hello_world_int8.tflite', 'micro_speech_quantized.tflite'];
  const deepInt8 = ['person_detect.tflite', 'mobilenet_v2_quantized_1x3x224x224.tflite'];
  const int8Models = [...shallowInt8, ...deepInt8];
  for (const file of int8Models) {
    it(`${file} is bit-exact with TFLite's kernels on deterministic inputs`, async () => {
      const bytes = fs.readFileSync(modelPath(file));
      for (const seed of [1, 2]) {
        const withXnnpack = await compareWithOracle(bytes, undefined, seed);
        record(file, `random seed ${seed}, XNNPACK`, withXnnpack);
        if (shallowInt8.includes(file)) expectWithinBound(withXnnpack.stats, withXnnpack.delegated, file);
        const c = await compareWithOracle(bytes, undefined, seed, { tfliteKernels: true });
        record(file, `random seed ${seed}, TFLite kernels`, c);
        expect(c.delegated, `${file}: XNNPACK kernels with tfliteKernels`).toEqual([]);
        expectWithinBound(c.stats, c.delegated, file);
        expect(argmax(c.edgeinfer[0]), `${file} top-1`).toBe(argmax(c.oracle[0]));
      }
    });
  }

  // The uint8 MobileNet: the oracle's tfliteKernels rewrite keeps only the
  // layers whose real multiplier is at most 0.02 on TFLite's kernels (see
  // compatForOracle); the others stay on XNNPACK. Its 1-step differences
  // compound over 28 layers (at the logits, the SOFTMAX's input: a quarter
  // of the 1001 differ, by up to 2), so the whole model is held to its
  // top-1 class, and every node is checked alone (isolateOperator) on the
  // same input in both runtimes, TFLite's own activations for that node:
  //
  // - nodes on TFLite's own kernels (16 of the 28 convolutions, the logits'
  //   1x1 CONV_2D among them, AVERAGE_POOL_2D, RESHAPE, SOFTMAX) must be
  //   identical;
  // - nodes on XNNPACK: 1 step at most, on at most 2^-s of the elements,
  //   s being the node's right shift. XNNPACK rounds acc * m once (fp32,
  //   relative error 2^-24); TFLite's default build rounds twice,
  //   round(round(acc * m * 2^s) / 2^s), and its first rounding moves the
  //   value by at most 2^-(s+1) of a step: the two can only disagree, by one
  //   step, where acc * m lies within 2^-(s+1) of a half step, a band 2^-s
  //   wide per step (measured on the 12 XNNPACK nodes: 0.07 to 0.57 of it;
  //   e.g. node 1, s = 3, 1126 of 32768 elements).
  it('mobilenet_v1_0.25_128_quant.tflite (uint8): every node matches TFLite on its own input, and bird.bmp is a chickadee', async () => {
    const file = 'mobilenet_v1_0.25_128_quant.tflite';
    const bytes = new Uint8Array(fs.readFileSync(modelPath(file)));
    const labels = fs.readFileSync(modelPath('imagenet_labels.txt'), 'utf8').split('\n');
    const image = resizeRgb(readBmp(modelPath('bird.bmp')), 128, 128) as OracleArray;
    const ops = operatorsOf(bytes);
    const softmax = ops[ops.length - 1];
    expect(softmax.code, 'the last node is the SOFTMAX').toBe(25);
    for (const [name, input] of [
      ['random seed 1', inputFor('uint8', [1, 128, 128, 3], 7919)],
      ['bird.bmp', image],
    ] as [string, OracleArray][]) {
      const whole = await compareWithOracle(bytes, [input], 1, { tfliteKernels: true });
      record(file, `${name}, whole model`, whole);
      const ours = argmax(whole.edgeinfer[0]);
      expect(ours, `${name}: top-1`).toBe(argmax(whole.oracle[0]));
      if (name === 'bird.bmp') expect(labels[ours], 'bird.bmp top-1').toBe('chickadee');
      record(file, `${name}, logits (compounded, not bounded)`, await compareWithOracle(withOutput(bytes, softmax.inputs[0]), [input], 1, { tfliteKernels: true }));

      const own: DiffStats[] = [];
      const xnnpack: DiffStats[] = [];
      const shares: string[] = [];
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        let x = input;
        if (i > 0) {
          const upstream = await tfliteOracle(withOutput(bytes, op.inputs[0]), { tfliteKernels: true });
          x = upstream.run([input])[0];
          upstream.dispose();
        }
        const c = await compareWithOracle(isolateOperator(bytes, i), [x], 1, { tfliteKernels: true });
        const where = `${name}, node ${i} (builtin ${op.code})`;
        if (c.delegated.length === 0) {
          own.push(c.stats);
          expectWithinBound(c.stats, c.delegated, where);
          continue;
        }
        xnnpack.push(c.stats);
        const m = Math.fround(tensorScale(bytes, op.inputs[0]) * tensorScale(bytes, op.inputs[1])) / tensorScale(bytes, op.outputs[0]);
        const shift = -Math.floor(Math.log2(m)) - 1;
        shares.push(`node ${i} ${((c.stats.differing / c.stats.compared) * 2 ** shift).toFixed(2)}`);
        expect(c.stats.maxDiff, `${where}, XNNPACK: max |diff|`).toBeLessThanOrEqual(1);
        expect(c.stats.differing / c.stats.compared, `${where}, XNNPACK: fraction differing (right shift ${shift})`).toBeLessThanOrEqual(2 ** -shift);
      }
      console.log(`${file} (${name}): differing share / 2^-s on XNNPACK nodes: ${shares.join(', ')}`);
      const sum = (list: DiffStats[]): DiffStats => list.reduce(addStats, { compared: 0, differing: 0, maxDiff: 0 });
      table.push({ model: file, input: `${name}, ${own.length} nodes alone on TFLite's kernels`, ...sum(own), xnnpack: 'none' });
      table.push({ model: file, input: `${name}, ${xnnpack.length} nodes alone on XNNPACK`, ...sum(xnnpack), xnnpack: 'Convolution (NHWC, QU8)' });
      expect(own.length + xnnpack.length).toBe(ops.length);
    }
  });

  it('person_detect.tflite loads in this TFLite only after the quantized_dimension rewrite, and its output is a distribution', async () => {
    const oracle = await tfliteOracle(fs.readFileSync(modelPath('person_detect.tflite')));
    expect(oracle.compatChanges.length).toBeGreaterThan(0);
    oracle.dispose();
    const model = await Model.load(modelPath('person_detect.tflite'));
    const [out] = model.runSync([inputFor('int8', [1, 96, 96, 1], 3) as TypedArray]);
    const probabilities = model.dequantize(0, out);
    model.dispose();
    expect(probabilities[0] + probabilities[1]).toBeGreaterThan(0.95);
    expect(probabilities[0] + probabilities[1]).toBeLessThan(1.05);
  });

  it('deeplabv3_mnv2_dm05_pascal_quant.tflite (513x513) segments like TFLite', async () => {
    const file = 'deeplabv3_mnv2_dm05_pascal_quant.tflite';
    const c = await compareWithOracle(fs.readFileSync(modelPath(file)), undefined, 1);
    record(file, 'random seed 1 (labels)', c);
    expect(c.edgeinfer[0]).toBeInstanceOf(BigInt64Array);
    // A class per pixel, from uint8 layers XNNPACK computes (its bilinear
    // resizes included, which round their own way): count pixels whose class differs.
    expect(c.stats.differing / c.stats.compared).toBeLessThanOrEqual(0.01);
  });

  it('model.info says per node which instruction set runs it, fallbacks included', () => {
    const count = (m: Model): Record<string, number> => {
      const c: Record<string, number> = {};
      for (const n of m.info.graph) c[n.isa] = (c[n.isa] ?? 0) + 1;
      return c;
    };
    const deeplab = fs.readFileSync(modelPath('deeplabv3_mnv2_dm05_pascal_quant.tflite'));
    const reference = Model.loadSync(deeplab, { threads: 1, isa: 'reference' });
    expect(reference.info.nodeIsas).toEqual({ portable: reference.info.nodes });
    reference.dispose();

    const best = Model.loadSync(deeplab, { threads: 1 });
    expect(best.info.nodeIsas).toEqual(count(best));
    const convs = best.info.graph.filter((n) => n.op === 'CONV_2D');
    if (best.info.isa !== 'reference') {
      expect(convs.every((n) => n.isa !== 'portable')).toBe(true);
    }
    if (best.info.isa === 'avxvnni' || best.info.isa === 'avx512vnni') {
      // Legacy uint8 weights whose zero point is not 128 do not fit
      // vpdpbusd's int8 operand: those layers run the AVX2 GEMM, and say so.
      expect(convs.some((n) => n.isa === 'avx2')).toBe(true);
    }
    best.dispose();

    // Symmetric int8 weights fit every GEMM kernel: each convolution runs
    // the session's instruction set.
    const mnv2 = Model.loadSync(fs.readFileSync(modelPath('mobilenet_v2_quantized_1x3x224x224.tflite')), { threads: 1 });
    const mnv2Convs = mnv2.info.graph.filter((n) => n.op === 'CONV_2D');
    expect(mnv2Convs.length).toBeGreaterThan(30);
    const expected = mnv2.info.isa === 'reference' ? 'portable' : mnv2.info.isa;
    expect(mnv2Convs.every((n) => n.isa === expected)).toBe(true);
    mnv2.dispose();
  });

  it('keras_lstm_mnist_ptq.tflite is refused with E_UNSUPPORTED_OP naming UNIDIRECTIONAL_SEQUENCE_LSTM', async () => {
    const err = await loadError('keras_lstm_mnist_ptq.tflite');
    expect(err.code).toBe('E_UNSUPPORTED_OP');
    expect(err.message).toContain('UNIDIRECTIONAL_SEQUENCE_LSTM');
  });

  it('mobilenet_v1_0.25_128_quant_edgetpu.tflite is refused with E_UNSUPPORTED_OP mentioning the Edge TPU', async () => {
    const err = await loadError('mobilenet_v1_0.25_128_quant_edgetpu.tflite');
    expect(err.code).toBe('E_UNSUPPORTED_OP');
    expect(err.message).toMatch(/edge ?tpu/i);
  });

  it('every other .tflite in the folder either runs like TFLite or is refused with E_UNSUPPORTED_OP', async () => {
    const known = new Set([
      ...int8Models,
      'mobilenet_v1_0.25_128_quant.tflite',
      'deeplabv3_mnv2_dm05_pascal_quant.tflite',
      'keras_lstm_mnist_ptq.tflite',
      'mobilenet_v1_0.25_128_quant_edgetpu.tflite',
    ]);
    for (const file of fs.readdirSync(modelsDir).filter((f) => f.endsWith('.tflite') && !known.has(f))) {
      const bytes = fs.readFileSync(modelPath(file));
      const err = await Model.load(bytes).then((m) => (m.dispose(), undefined), (e: unknown) => e);
      if (err) {
        expect((err as EdgeInferError).code, `${file}: ${String(err)}`).toBe('E_UNSUPPORTED_OP');
        console.log(`${file}: not supported (${(err as Error).message})`);
        continue;
      }
      const c = await compareWithOracle(bytes);
      record(file, 'random seed 1', c);
      expectWithinBound(c.stats, c.delegated, file);
    }
  });
});
