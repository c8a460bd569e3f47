// Hostile and broken model files through the public API: every one must give
// an EdgeInferError with a model-format or unsupported-operator code (or load
// and run cleanly), never a crash. A crash kills this test process, failing it.
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';
import { EdgeInferError, Model } from '../lib/index';
import { buildDefaultModel } from '../lib/default-model';
import { floats, ints, QdqBuilder, rng as fixtureRng } from './fixtures/onnx-qdq';

/** A small QDQ ONNX model: Conv+Relu, Add, GlobalAveragePool, Gemm. */
function onnxFixture(): Uint8Array {
  const rand = fixtureRng(5);
  const b = new QdqBuilder();
  const act = { scale: 0.02, zeroPoint: 128, type: 'uint8' as const };
  const x = b.input('x', 'float32', [1, 4, 6, 6]);
  const w = b.constant([6, 4, 3, 3], 'int8', ints('int8', 216, -63, 63, rand), [0.01], [0]);
  const bias = b.constant([6], 'int32', ints('int32', 6, -500, 500, rand), [Math.fround(0.02 * 0.01)], [0]);
  const c = b.qdq(b.node('Relu', [b.node('Conv', [b.qdq(x, act), w, bias], { pads: { ints: [1, 1, 1, 1] } })]), act);
  const a = b.qdq(b.node('Add', [c, b.qdq(b.node('MaxPool', [c], { kernel_shape: { ints: [1, 1] } }), act)]), act);
  const g = b.qdq(b.node('Flatten', [b.qdq(b.node('GlobalAveragePool', [a]), act)]), act);
  const fw = b.constant([3, 6], 'int8', ints('int8', 18, -63, 63, rand), [0.01], [0]);
  const y = b.node('Gemm', [g, fw, b.floatConstant([3], floats(3, -1, 1, rand))], { transB: { i: 1 } });
  b.output(b.qdq(y, act), 'y', 'float32', [1, 3]);
  return b.finish();
}

const modelsDir = path.resolve(__dirname, '..', '..', 'shared', 'models');
const haveModels = fs.existsSync(modelsDir);
if (!haveModels) console.log(`robustness: ${modelsDir} not found; mutating only the built-in model`);

// Mutated copies of these are also run, not only loaded (small inputs).
const runnable = new Set(['demo', 'onnx-qdq', 'hello_world_int8.tflite', 'micro_speech_quantized.tflite']);

function corpus(): Array<{ name: string; bytes: Uint8Array }> {
  const list = [
    { name: 'demo', bytes: buildDefaultModel() },
    { name: 'onnx-qdq', bytes: onnxFixture() },
  ];
  if (haveModels) {
    for (const f of fs.readdirSync(modelsDir).filter((f) => f.endsWith('.tflite')).sort()) {
      list.push({ name: f, bytes: new Uint8Array(fs.readFileSync(path.join(modelsDir, f))) });
    }
  }
  return list;
}

// xorshift32: the same mutations on every run.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const extremes = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 0x10000, 0x7ffffff8];

function mutate(src: Uint8Array, next: () => number): Uint8Array {
  const kind = Math.floor(next() * 4);
  if (kind === 0) return src.slice(0, Math.floor(next() * src.length)); // truncate
  const b = src.slice();
  const view = new DataView(b.buffer);
  // Offsets and counts live in the flatbuffer's head and tables: bias mutations there.
  const pos = () => Math.floor((next() < 0.7 ? next() * Math.min(b.length, 4096) : next() * b.length)) & ~3;
  const times = 1 + Math.floor(next() * 4);
  for (let t = 0; t < times; t++) {
    const p = Math.min(pos(), b.length - 4);
    if (kind === 1) b[p + Math.floor(next() * 4)] ^= 1 << Math.floor(next() * 8);
    else if (kind === 2) view.setUint32(p, extremes[Math.floor(next() * extremes.length)], true);
    else view.setUint32(p, Math.floor(next() * b.length), true);
  }
  return b;
}

function zeroInputs(model: Model) {
  return model.inputs.map((t) => {
    const n = t.shape.reduce((a, d) => a * d, 1);
    return t.dtype === 'int64' ? new BigInt64Array(n) : t.dtype === 'float32' ? new Float32Array(n) : t.dtype === 'int8' ? new Int8Array(n) : t.dtype === 'int16' ? new Int16Array(n) : t.dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
  });
}

describe('corrupted models', () => {
  it('fails every truncation of the built-in model with E_MODEL_FORMAT', () => {
    const bytes = buildDefaultModel();
    for (let len = 0; len < bytes.length; len += len < 256 ? 1 : 97) {
      let error: unknown;
      try {
        Model.loadSync(bytes.subarray(0, len)).dispose();
      } catch (err) {
        error = err;
      }
      expect(error, `prefix of ${len} bytes`).toBeInstanceOf(EdgeInferError);
      expect((error as EdgeInferError).code).toBe('E_MODEL_FORMAT');
    }
  });

  it('survives thousands of random mutations of real models', () => {
    const next = rng(20261125);
    const stats: Record<string, { mutations: number; loaded: number; ran: number; codes: Record<string, number> }> = {};
    const models = corpus();
    const total = Number(process.env.EDGEINFER_MUTATIONS ?? 3000);
    for (let i = 0; i < total; i++) {
      const { name, bytes } = models[i % models.length];
      const s = (stats[name] ??= { mutations: 0, loaded: 0, ran: 0, codes: {} });
      s.mutations++;
      const mutated = mutate(bytes, next);
      let model: Model | undefined;
      try {
        model = Model.loadSync(mutated);
      } catch (err) {
        expect(err).toBeInstanceOf(EdgeInferError);
        const c = (err as EdgeInferError).code;
        // ONNX: a mutated input dimension can become symbolic, a tensor's
        // data location external (which bytes without a path cannot have).
        expect(['E_MODEL_FORMAT', 'E_UNSUPPORTED_OP', ...(name.startsWith('onnx') ? ['E_DYNAMIC_SHAPE', 'E_IO'] : [])]).toContain(c);
        s.codes[c] = (s.codes[c] ?? 0) + 1;
        continue;
      }
      s.loaded++;
      // A mutated shape may still be valid but huge; running that proves nothing more.
      const inputElements = model.inputs.reduce((a, t) => a + t.shape.reduce((x, d) => x * d, 1), 0);
      if (runnable.has(name) && inputElements <= 1 << 20) {
        model.runSync(zeroInputs(model));
        s.ran++;
      }
      model.dispose();
    }
    console.table(stats);
  });
});

describe('no leaks', () => {
  // A leak of the model's bytes or session per cycle would grow the process
  // by ~150 MB over these cycles; allocator noise stays far below the bound.
  it.skipIf(!haveModels)('loads, runs and disposes (and fails to load) hundreds of times without growing', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(modelsDir, 'mobilenet_v1_0.25_128_quant.tflite')));
    const broken = bytes.slice(0, bytes.length >> 1);
    const input = [new Uint8Array(128 * 128 * 3)];
    const cycle = () => {
      const m = Model.loadSync(bytes);
      m.runSync(input);
      m.dispose();
      expect(() => Model.loadSync(broken)).toThrow(EdgeInferError);
    };
    for (let i = 0; i < 20; i++) cycle();
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 300; i++) cycle();
    global.gc?.();
    const grownMb = (process.memoryUsage().rss - before) / 2 ** 20;
    console.log(`rss growth over 300 load/run/dispose cycles: ${grownMb.toFixed(1)} MB`);
    expect(grownMb).toBeLessThan(40);
  });
});
