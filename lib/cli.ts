/**
 * The edgeinfer command line: info, run and bench on a model file, or on a
 * small model edgeinfer builds itself when none is given.
 */
import * as fs from 'fs';
import { EdgeInferError } from './errors';
import { Model } from './model';
import { allocate, elementCount, type TensorInfo, type TypedArray } from './tensor';

const usage = `Usage: edgeinfer <command> [model] [options]

Commands:
  info <model>                 inputs, outputs, quantization, operator counts, arena size,
                               the kernels after fusion and how many nodes run in float
      --graph                  also list every node after fusion
  run [model]                  run once and print the outputs
      --input <file.bin>       raw input bytes (all inputs, concatenated in order);
                               default: a deterministic pseudo-random input
      --output <file.bin>      write the raw output bytes (all outputs, concatenated)
  bench [model]                latency percentiles over repeated runs
      --runs <n>               timed runs (default 100)
      --warmup <n>             untimed runs first (default 10)
  --threads <n>                threads per run (default: the CPUs this process may use)
  --shape <input>=<d,d,...>    ONNX: a static shape for an input with symbolic dimensions
  --isa <name>                 force the kernels' instruction set (reference, avx2, neon, ...)

Without a model, run and bench use a small int8 image classifier that
edgeinfer builds itself.`;

interface Args {
  command: string;
  model?: string;
  options: Record<string, string>;
}

function fail(message: string): never {
  throw new EdgeInferError(message, 'E_INPUT');
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  const valued = new Set(['input', 'output', 'runs', 'warmup', 'threads', 'shape', 'isa']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') options.help = 'true';
    else if (a === '--graph') options.graph = 'true';
    else if (a === '-v' || a === '--version') options.version = 'true';
    else if (a.startsWith('--')) {
      const [key, inline] = a.slice(2).split('=', 2);
      if (!valued.has(key)) fail(`unknown option --${key}\n\n${usage}`);
      const value = inline ?? argv[++i];
      if (value === undefined) fail(`option --${key} needs a value`);
      options[key] = value;
    } else positional.push(a);
  }
  if (positional.length > 2) fail(`too many arguments: ${positional.slice(2).join(' ')}`);
  return { command: positional[0] ?? '', model: positional[1], options };
}

function intOption(options: Record<string, string>, name: string, fallback: number, min: number): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return n;
}

function loadModel(args: Args): { model: Model; label: string } {
  const threads = args.options.threads === undefined ? undefined : intOption(args.options, 'threads', 1, 1);
  let shapes: Record<string, number[]> | undefined;
  if (args.options.shape !== undefined) {
    const m = /^([^=]+)=(\d+(?:,\d+)*)$/.exec(args.options.shape);
    if (!m) fail(`--shape must look like input=1,3,224,224, got '${args.options.shape}'`);
    shapes = { [m[1]]: m[2].split(',').map(Number) };
  }
  const isa = args.options.isa;
  if (args.model) return { model: Model.loadSync(args.model, { threads, shapes, isa }), label: args.model };
  const { buildDefaultModel } = require('./default-model') as typeof import('./default-model');
  return { model: Model.loadSync(buildDefaultModel(), { threads, isa }), label: '(built-in demo classifier)' };
}

function describe(t: TensorInfo): string {
  let s = `${t.name}: ${t.dtype} [${t.shape.join(', ')}]`;
  const q = t.quantization;
  if (q) {
    s +=
      q.scale.length === 1
        ? ` scale=${q.scale[0]} zeroPoint=${q.zeroPoint[0]}`
        : ` per-channel (axis ${q.axis}, ${q.scale.length} scales)`;
  }
  return s;
}

/** Deterministic pseudo-random input: the same bytes on every machine. */
function deterministicInput(t: TensorInfo, seed: number): TypedArray {
  const n = elementCount(t.shape);
  const out = allocate(t.dtype, n);
  let state = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const r = next();
    if (out instanceof BigInt64Array) out[i] = BigInt(Math.floor(r * 16));
    else if (out instanceof Float32Array) out[i] = r * 2 - 1;
    else if (out instanceof Int8Array) out[i] = Math.floor(r * 256) - 128;
    else if (out instanceof Int16Array) out[i] = Math.floor(r * 65536) - 32768;
    else if (out instanceof Int32Array) out[i] = Math.floor(r * 256) - 128;
    else out[i] = Math.floor(r * 256);
  }
  return out;
}

function readInputs(model: Model, file: string): TypedArray[] {
  const bytes = fs.readFileSync(file);
  const sizes = model.inputs.map((t) => elementCount(t.shape) * allocate(t.dtype, 0).BYTES_PER_ELEMENT);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== total) {
    fail(`${file} has ${bytes.length} bytes; the model's inputs take ${total} (${sizes.join(' + ')})`);
  }
  let offset = 0;
  return model.inputs.map((t, i) => {
    const array = allocate(t.dtype, elementCount(t.shape));
    new Uint8Array(array.buffer).set(bytes.subarray(offset, offset + sizes[i]));
    offset += sizes[i];
    return array;
  });
}

function summarize(model: Model, index: number, values: TypedArray): string {
  const t = model.outputs[index];
  const lines = [`output ${index} ${describe(t)}`];
  const floats = t.quantization ? model.dequantize(index, values) : Float32Array.from(values as ArrayLike<number>, Number);
  if (floats.length <= 16) {
    lines.push(`  values: ${Array.from(floats, (v) => +v.toFixed(5)).join(', ')}`);
  } else {
    const top = Array.from(floats.keys())
      .sort((a, b) => floats[b] - floats[a])
      .slice(0, 5);
    lines.push(`  top-5: ${top.map((i) => `#${i}=${+floats[i].toFixed(5)}`).join('  ')}`);
  }
  return lines.join('\n');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function info(args: Args): void {
  if (!args.model) fail(`info needs a model file\n\n${usage}`);
  const { model, label } = loadModel(args);
  const i = model.info;
  console.log(`model: ${label} (${i.format}, ${i.nodes} nodes, kernels: ${i.isa})`);
  console.log('inputs:');
  for (const t of model.inputs) console.log(`  ${describe(t)}`);
  console.log('outputs:');
  for (const t of model.outputs) console.log(`  ${describe(t)}`);
  console.log('operators:');
  for (const [name, count] of Object.entries(i.operators).sort((a, b) => b[1] - a[1])) console.log(`  ${name} ${count}`);
  console.log(`arena: ${i.arenaBytes} bytes (${(i.arenaBytes / 1024).toFixed(1)} KiB)`);
  const kernels = new Map<string, number>();
  for (const n of i.graph) kernels.set(n.kernel, (kernels.get(n.kernel) ?? 0) + 1);
  console.log('kernels (after fusion):');
  for (const [name, count] of [...kernels].sort((a, b) => b[1] - a[1])) console.log(`  ${name} ${count}`);
  console.log(`float nodes: ${i.floatNodes}${i.floatNodes > 0 ? ' (these run in float32, not INT8)' : ''}`);
  const isas = Object.entries(i.nodeIsas).sort((a, b) => b[1] - a[1]);
  console.log(`nodes per instruction set: ${isas.map(([name, count]) => `${name} ${count}`).join(', ')}`);
  if (args.options.graph !== undefined) {
    console.log('graph:');
    i.graph.forEach((n, k) => console.log(`  ${String(k).padStart(4)} ${n.kernel.padEnd(24)} ${n.isa.padEnd(10)} from ${n.source.padEnd(20)} -> ${n.output}${n.float ? '  [float]' : ''}`));
  }
  model.dispose();
}

function run(args: Args): void {
  const { model, label } = loadModel(args);
  const inputs = args.options.input ? readInputs(model, args.options.input) : model.inputs.map((t, i) => deterministicInput(t, i + 1));
  const start = process.hrtime.bigint();
  const outputs = model.runSync(inputs);
  const micros = Number(process.hrtime.bigint() - start) / 1000;
  console.log(`model: ${label}`);
  console.log(`input: ${args.options.input ?? 'deterministic pseudo-random'}`);
  outputs.forEach((o, i) => console.log(summarize(model, i, o)));
  console.log(`time: ${micros.toFixed(1)} us`);
  if (args.options.output) {
    fs.writeFileSync(args.options.output, Buffer.concat(outputs.map((o) => Buffer.from(o.buffer, o.byteOffset, o.byteLength))));
    console.log(`wrote ${args.options.output}`);
  }
  model.dispose();
}

function bench(args: Args): void {
  const runs = intOption(args.options, 'runs', 100, 1);
  const warmup = intOption(args.options, 'warmup', 10, 0);
  const { model, label } = loadModel(args);
  const inputs = model.inputs.map((t, i) => deterministicInput(t, i + 1));
  const outputs = model.outputs.map((t) => allocate(t.dtype, elementCount(t.shape)));
  for (let i = 0; i < warmup; i++) model.runSync(inputs, outputs);
  const times: number[] = [];
  const tty = process.stderr.isTTY;
  let lastProgress = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    model.runSync(inputs, outputs);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const now = Date.now();
    if (now - lastProgress > 200 || i === runs - 1) {
      lastProgress = now;
      const line = `  run ${i + 1}/${runs}`;
      if (tty) process.stderr.write(`\r${line}`);
      else if (i === runs - 1) process.stderr.write(`${line}\n`);
    }
  }
  if (tty) process.stderr.write('\n');
  times.sort((a, b) => a - b);
  const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} us` : `${ms.toFixed(3)} ms`);
  console.log(`model: ${label} (threads ${model.info.threads}, isa ${model.info.isa}, ${runs} runs after ${warmup} warm-up)`);
  console.log(`p50 ${fmt(percentile(times, 50))}  p95 ${fmt(percentile(times, 95))}  p99 ${fmt(percentile(times, 99))}  min ${fmt(times[0])}`);
  model.dispose();
}

export function main(argv: string[]): number {
  try {
    const args = parseArgs(argv);
    if (args.options.version) {
      console.log(require('../package.json').version);
      return 0;
    }
    if (args.options.help || !args.command) {
      console.log(usage);
      return args.command || args.options.help ? 0 : 1;
    }
    switch (args.command) {
      case 'info':
        info(args);
        break;
      case 'run':
        run(args);
        break;
      case 'bench':
        bench(args);
        break;
      default:
        fail(`unknown command '${args.command}'\n\n${usage}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof EdgeInferError) {
      console.error(`edgeinfer: ${err.message} [${err.code}]`);
      return 2;
    }
    throw err;
  }
}
