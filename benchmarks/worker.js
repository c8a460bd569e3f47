'use strict';
// One runtime with one model, in its own process, driven by benchmarks/run.js
// over IPC: the parent alternates short batches between several of these
// workers (A/B interleaving) so machine noise hits every runtime alike, and
// each runtime keeps its own threads, allocator and ISA choice
// (EDGEINFER_ISA is read once per process).
//
// Messages (each answered with { id, ok, ... } or { id, ok: false, error }):
//   load    { runtime: 'edgeinfer' | 'ort', kind: 'mobilenet' | 'mlp' | 'file',
//             threads, optimization?, onnx?, tflite?, file?, images? }
//   batch   { n }                 n timed runs -> { times } (ms each)
//   outputs { count }             outputs for inputs 0..count-1 -> { outputs }
//   perCall { mode, calls }       'sync' | 'async' calls back to back -> { usPerCall }
//   exit
const fs = require('fs');
const path = require('path');
const { readImages, nchwToNhwc } = require('./models');

const FALLBACK_CODES = new Set(['E_MODEL_FORMAT', 'E_UNSUPPORTED_OP']);

const typedArrays = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, int64: BigInt64Array,
};

/** Deterministic pseudo-random input (xorshift), like `edgeinfer run`'s. */
function deterministicInput(dtype, n, seed) {
  const out = new (typedArrays[dtype] || Float32Array)(n);
  let state = Math.imul(seed, 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const r = (state >>> 0) / 4294967296;
    if (out instanceof BigInt64Array) out[i] = BigInt(Math.floor(r * 16));
    else if (out instanceof Float32Array) out[i] = r * 2 - 1;
    else if (out instanceof Int8Array) out[i] = Math.floor(r * 256) - 128;
    else if (out instanceof Int16Array) out[i] = Math.floor(r * 65536) - 32768;
    else if (out instanceof Int32Array) out[i] = Math.floor(r * 256) - 128;
    else out[i] = Math.floor(r * 256);
  }
  return out;
}

const count = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * The input sets a model runs on: index i -> one array per model input.
 * `shapes`/`dtypes`: the model's inputs as this runtime declares them.
 */
function inputSets(kind, shapes, dtypes, imagesFile, sets) {
  if (kind === 'mobilenet') {
    const images = readImages(imagesFile);
    const nhwc = shapes[0][3] === 3;
    return images.map((x) => [nhwc ? nchwToNhwc(x, 3, 224, 224) : x]);
  }
  return Array.from({ length: sets }, (_, s) => shapes.map((shape, i) => deterministicInput(dtypes[i], count(shape), s * 31 + i + 1)));
}

async function loadEdgeinfer(msg) {
  const { Model } = require(path.resolve(__dirname, '..', 'dist', 'index.js'));
  const opts = { threads: msg.threads };
  let model;
  let used;
  let fallback = null;
  if (msg.onnx) {
    try {
      model = await Model.load(new Uint8Array(fs.readFileSync(msg.onnx)), opts);
      used = msg.onnx;
    } catch (err) {
      if (!msg.tflite || !FALLBACK_CODES.has(err.code)) throw err;
      fallback = `${err.code}: ${String(err.message).split('\n')[0].slice(0, 120)}`;
    }
  }
  if (!model) {
    const file = msg.tflite || msg.file;
    model = await Model.load(new Uint8Array(fs.readFileSync(file)), opts);
    used = file;
  }
  const shapes = model.inputs.map((t) => t.shape);
  const sets = inputSets(msg.kind, shapes, model.inputs.map((t) => t.dtype), msg.images, msg.kind === 'mlp' ? 64 : 2);
  const outs = model.outputs.map((t) => new typedArrays[t.dtype](count(t.shape)));
  const info = model.info;
  return {
    state: {
      sets,
      runSync: (i) => model.runSync(sets[i % sets.length], outs),
      runAsync: (i) => model.run(sets[i % sets.length], outs),
      output: (i) => model.runSync(sets[i % sets.length]).map((a) => a.slice()),
    },
    info: {
      runtime: 'edgeinfer',
      file: path.basename(used),
      format: info.format,
      threads: info.threads,
      nodes: info.nodes,
      arenaBytes: info.arenaBytes,
      isa: info.isa ?? null, // reported when edgeinfer exposes it
      fallback,
      inputShape: shapes[0],
    },
  };
}

async function loadOrt(msg) {
  const ort = require('onnxruntime-node');
  const session = await ort.InferenceSession.create(msg.onnx || msg.file, {
    intraOpNumThreads: msg.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: msg.optimization || 'all',
    executionProviders: ['cpu'],
  });
  const meta = session.inputNames.map((n) => session.inputMetadata.find((m) => m.name === n));
  const shapes = meta.map((m) => m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1)));
  const dtypes = meta.map((m) => m.type);
  const sets = inputSets(msg.kind, shapes, dtypes, msg.images, msg.kind === 'mlp' ? 64 : 2);
  const feeds = sets.map((arrays) => {
    const f = {};
    session.inputNames.forEach((n, i) => (f[n] = new ort.Tensor(dtypes[i], arrays[i], shapes[i])));
    return f;
  });
  const runAsync = (i) => session.run(feeds[i % feeds.length]);
  return {
    state: {
      sets,
      runSync: null,
      runAsync,
      output: async (i) => {
        const r = await runAsync(i);
        return session.outputNames.map((n) => r[n].data.slice());
      },
    },
    info: {
      runtime: 'onnxruntime-node',
      version: require('onnxruntime-node/package.json').version,
      file: path.basename(msg.onnx || msg.file),
      format: 'onnx',
      threads: msg.threads,
      optimization: msg.optimization || 'all',
      inputShape: shapes[0],
    },
  };
}

let state = null;
const now = () => process.hrtime.bigint();

const handlers = {
  async load(msg) {
    const loaded = msg.runtime === 'ort' ? await loadOrt(msg) : await loadEdgeinfer(msg);
    state = loaded.state;
    return { info: loaded.info };
  },
  async batch({ n }) {
    const times = new Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = now();
      if (state.runSync) state.runSync(0);
      else await state.runAsync(0);
      times[i] = Number(now() - t0) / 1e6;
    }
    return { times };
  },
  async outputs({ count: k }) {
    const outputs = [];
    for (let i = 0; i < Math.min(k, state.sets.length); i++) outputs.push(await state.output(i));
    return { outputs };
  },
  async perCall({ mode, calls }) {
    const t0 = now();
    if (mode === 'sync') {
      if (!state.runSync) throw new Error('this runtime has no synchronous run');
      for (let i = 0; i < calls; i++) state.runSync(i);
    } else {
      for (let i = 0; i < calls; i++) await state.runAsync(i);
    }
    return { usPerCall: Number(now() - t0) / 1e3 / calls };
  },
  exit() {
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', async (msg) => {
  try {
    const result = await handlers[msg.cmd](msg);
    process.send({ id: msg.id, ok: true, ...result });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: { code: err && err.code, message: String((err && err.message) || err) } });
  }
});
process.on('disconnect', () => process.exit(0));
