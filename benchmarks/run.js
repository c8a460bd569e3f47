#!/usr/bin/env node
// edgeinfer vs onnxruntime-node, side by side, in one run on identical models
// (see benchmarks/README.md):
//   MobileNetV2 224 INT8 latency, 1 and 2 threads: edgeinfer vs ORT INT8 (QDQ,
//     optimization 'all') vs ORT float32, alternating short batches (A/B);
//   accuracy of each INT8 runtime against the float model;
//   tiny MLP per-call cost: runSync, await run, ORT await session.run;
//   load + first result and resident memory, in fresh child processes;
//   the real .tflite models in ../shared/models: edgeinfer's ISA paths
//     (EDGEINFER_ISA=reference vs the others this CPU has).
// Prints Markdown; writes benchmarks/results.json and benchmarks/results.md.
// Usage: npm run bench [-- --runs N] [--quick] [--only mobilenet,mlp,cold,models]
'use strict';
const { fork, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { prepareModels } = require('./models');

const usage = `Usage: npm run bench -- [options]
  --runs N          timed runs per runtime and configuration (default 30; --quick 10)
  --quick           fewer runs and repetitions (about a minute)
  --threads LIST    thread counts for MobileNetV2 (default 1,2)
  --only LIST       sections to run: mobilenet,mlp,cold,models (default all)
  --no-ort          leave onnxruntime-node out (as when it is not installed)
  --help`;

// ---------------------------------------------------------------- options
function parseArgs(argv) {
  const o = { runs: null, quick: false, noOrt: false, threads: [1, 2], only: null };
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (key === '--runs') o.runs = Number(value());
    else if (key === '--quick') o.quick = true;
    else if (key === '--no-ort') o.noOrt = true;
    else if (key === '--threads') o.threads = value().split(',').map(Number);
    else if (key === '--only') o.only = new Set(value().split(','));
    else if (key === '--help' || key === '-h') {
      console.log(usage);
      process.exit(0);
    } else {
      console.error(`unknown option ${argv[i]}\n${usage}`);
      process.exit(2);
    }
  }
  if (o.runs !== null && !(Number.isInteger(o.runs) && o.runs >= 1)) {
    console.error('--runs must be a positive integer');
    process.exit(2);
  }
  if (!o.threads.every((t) => Number.isInteger(t) && t >= 1)) {
    console.error('--threads takes a comma-separated list of positive integers');
    process.exit(2);
  }
  const q = o.quick;
  return {
    ...o,
    runs: o.runs ?? (q ? 10 : 30),
    warmup: q ? 1 : 3,
    budgetMs: q ? 12000 : 40000, // per MobileNetV2 configuration
    modelBudgetMs: q ? 3000 : 8000, // per real model, all ISAs together
    coldReps: q ? 3 : 5,
    coldRuns: q ? 3 : 10,
    mlpRounds: q ? 5 : 15,
    section: (s) => !o.only || o.only.has(s),
  };
}

const opts = parseArgs(process.argv.slice(2));
let ortNote = 'not installed';
const log = (s) => process.stderr.write(`${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- statistics
function stats(samples) {
  if (!samples || samples.length === 0) return null;
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  const rank = (p) => s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
  return { n, p50: median, p95: rank(95), min: s[0], max: s[n - 1], mean: s.reduce((a, b) => a + b, 0) / n };
}

const ratio = (a, b) => (a != null && b != null && b > 0 ? a / b : null);

// ---------------------------------------------------------------- machine
function machineInfo() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  let flags = [];
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? cpu;
    flags = (/flags\s*:\s*(.*)/.exec(info)?.[1] ?? '').split(/\s+/);
  } catch {
    // not Linux
  }
  const has = (f) => flags.includes(f);
  // What edgeinfer's BestIsa() picks (native/kernels/cpu_features.cc), from the
  // CPU flags: edgeinfer does not report its ISA to JavaScript yet.
  const supported = ['reference'];
  if (process.arch === 'x64') {
    if (has('avx2') && has('fma')) supported.push('avx2');
    if (supported.includes('avx2') && has('avx_vnni')) supported.push('avxvnni');
    if (supported.includes('avx2') && ['avx512f', 'avx512dq', 'avx512bw', 'avx512vl', 'avx512_vnni'].every(has)) supported.push('avx512vnni');
  } else if (process.arch === 'arm64' && has('asimddp')) supported.push('neondot');
  const order = ['reference', 'avx2', 'avxvnni', 'avx512vnni'];
  const cap = process.env.EDGEINFER_ISA;
  const best = cap
    ? supported.filter((i) => order.indexOf(i) <= order.indexOf(cap) || i === cap).pop() ?? 'reference'
    : supported[supported.length - 1];
  let ortVersion = null;
  try {
    ortVersion = require('onnxruntime-node/package.json').version;
    require.resolve('onnxruntime-node');
  } catch {
    ortVersion = null;
  }
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (modified)';
  } catch {
    // not a git checkout
  }
  let addon = null;
  try {
    addon = path.relative(path.resolve(__dirname, '..'), require('node-gyp-build').resolve(path.resolve(__dirname, '..')));
  } catch {
    // reported by the workers when they fail to load it
  }
  return {
    cpu,
    addon,
    logicalCpus: os.cpus().length,
    simdFlags: ['sse4_1', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'asimddp'].filter(has),
    edgeinferIsa: best,
    edgeinferIsaSource: 'inferred from CPU flags: edgeinfer does not report it to JavaScript',
    edgeinferIsaEnv: cap ?? null,
    isasAvailable: supported,
    node: process.version,
    edgeinfer: `${require('../package.json').version}${commit ? ` @ ${commit}` : ''}`,
    onnxruntimeNode: ortVersion,
    platform: `${process.platform}-${process.arch}`,
    loadAvgStart: os.loadavg().map((v) => +v.toFixed(2)),
  };
}

// ---------------------------------------------------------------- workers
const openWorkers = new Set();
const closeAllWorkers = () => Promise.all([...openWorkers].map((w) => w.close()));

class Worker {
  constructor(label, env) {
    this.label = label;
    this.pending = new Map();
    this.nextId = 1;
    this.child = fork(path.join(__dirname, 'worker.js'), [], {
      env: env ?? process.env,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m);
      else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    });
    openWorkers.add(this);
    this.child.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    this.child.on('exit', (code, signal) => {
      openWorkers.delete(this);
      for (const p of this.pending.values()) p.reject(new Error(`${label}: worker exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  call(cmd, args = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`${this.label}: worker exited`));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, ...args }, (err) => {
        if (!err || !this.pending.has(id)) return;
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  async close() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (!this.child.connected) {
      this.child.kill();
      return;
    }
    await Promise.race([this.call('exit').catch(() => undefined), sleep(2000)]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** Starts a worker and loads its model; returns it, or { label, error } when loading fails. */
async function startWorker(label, load, env) {
  const w = new Worker(label, env);
  try {
    const r = await w.call('load', load);
    w.info = r.info;
    return w;
  } catch (err) {
    await w.close();
    return { label, error: `${err.code ? `${err.code}: ` : ''}${err.message.split('\n')[0].slice(0, 160)}` };
  }
}

/**
 * Alternating A/B(/C...): after warm-up, rounds in which every worker runs one
 * batch (the order rotating each round), a batch being sized to about a
 * quarter of the slowest worker's single run, and never less than ~20 ms (a
 * single run when that is longer). Stops once every worker has `runs` samples, or after the budget
 * (with at least `minRounds` rounds).
 */
async function alternate(workers, { runs, warmup, budgetMs, minRounds = 3, log: say }) {
  const est = [];
  for (const w of workers) {
    const { times } = await w.call('batch', { n: Math.max(1, warmup) });
    est.push(stats(times).p50);
  }
  const slowest = Math.max(...est);
  const batch = est.map((e) => Math.min(1000, Math.max(1, Math.round(slowest / (4 * e)), Math.ceil(20 / Math.max(e, 1e-3)))));
  const samples = workers.map(() => []);
  const t0 = Date.now();
  for (let round = 0; ; round++) {
    for (let k = 0; k < workers.length; k++) {
      const i = (round + k) % workers.length;
      const { times } = await workers[i].call('batch', { n: batch[i] });
      samples[i].push(...times);
      await sleep(50); // lets a runtime's spinning pool threads (ORT spins for milliseconds) go idle before the next one runs
    }
    const done = samples.every((s) => s.length >= runs);
    const over = Date.now() - t0 > budgetMs && round + 1 >= minRounds;
    if (say) say(`    round ${round + 1}: ${samples.map((s, i) => `${workers[i].label} ${s.length}`).join(', ')}`);
    if (done || over) break;
  }
  return samples.map((s) => stats(s));
}

// ---------------------------------------------------------------- formatting
function fmtMs(ms) {
  if (ms == null) return 'n/a';
  if (ms < 0.1) return `${(ms * 1000).toFixed(2)} µs`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}
const fmtUs = (us) => (us == null ? 'n/a' : `${us.toFixed(2)} µs`);
const fmtX = (r) => (r == null ? 'n/a' : `${r.toFixed(2)}×`);
const fmtMiB = (b) => (b == null ? 'n/a' : `${(b / 1048576).toFixed(1)} MiB`);

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---------------------------------------------------------------- sections
function describeEdgeinfer(info) {
  if (!info) return 'n/a';
  return info.fallback ? `${info.file} (.tflite twin: ONNX import failed — ${info.fallback.split(':')[0]})` : info.file;
}

async function mobilenetSection(models, ortAvailable, results) {
  const f = models.files;
  const byThreads = {};
  let accuracy = null;
  for (const threads of opts.threads) {
    log(`MobileNetV2, ${threads} thread(s): loading`);
    const specs = [
      ['edgeinfer INT8', { runtime: 'edgeinfer', kind: 'mobilenet', threads, onnx: f.mobilenetQdqOnnx, tflite: f.mobilenetTflite, images: f.images }],
    ];
    if (ortAvailable) {
      specs.push(['ORT INT8 (QDQ, opt all)', { runtime: 'ort', kind: 'mobilenet', threads, onnx: f.mobilenetQdqOnnx, optimization: 'all', images: f.images }]);
      specs.push(['ORT float32 (opt all)', { runtime: 'ort', kind: 'mobilenet', threads, onnx: f.mobilenetFloatOnnx, optimization: 'all', images: f.images }]);
    }
    const started = [];
    for (const [label, load] of specs) started.push(await startWorker(label, load));
    const live = started.filter((w) => !w.error);
    for (const w of started.filter((x) => x.error)) log(`  ${w.label}: ${w.error}`);
    const reported = live.find((w) => w.info.runtime === 'edgeinfer')?.info.isa;
    if (reported) Object.assign(results.machine, { edgeinferIsa: reported, edgeinferIsaSource: 'reported by edgeinfer (model.info.isa)' });
    const st = live.length ? await alternate(live, { runs: opts.runs, warmup: opts.warmup, budgetMs: opts.budgetMs, log: null }) : [];
    const rows = started.map((w) => {
      const i = live.indexOf(w);
      return { label: w.label, info: w.info ?? null, error: w.error ?? null, stats: i >= 0 ? st[i] : null };
    });
    const p50 = (label) => rows.find((r) => r.label.startsWith(label))?.stats?.p50 ?? null;
    byThreads[threads] = {
      rows,
      ratioVsOrtInt8: ratio(p50('edgeinfer'), p50('ORT INT8')),
      ratioVsOrtFloat: ratio(p50('edgeinfer'), p50('ORT float32')),
    };
    for (const r of rows) log(`  ${r.label}: ${r.stats ? `p50 ${fmtMs(r.stats.p50)} p95 ${fmtMs(r.stats.p95)} n ${r.stats.n}` : r.error}`);

    if (threads === opts.threads[0]) accuracy = await accuracySection(live, models, threads, ortAvailable);
    await Promise.all(live.map((w) => w.close()));
  }
  results.mobilenet = { byThreads, accuracy };
}

/** Each INT8 runtime's logits against the float model's (ORT float32), over the benchmark images. */
async function accuracySection(live, models, threads, ortAvailable) {
  log('MobileNetV2 accuracy against the float model');
  const f = models.files;
  const floatW = live.find((w) => w.label.startsWith('ORT float32'));
  if (!ortAvailable || !floatW) return { reference: null, rows: [], note: `no float reference: onnxruntime-node ${ortNote}` };
  const extra = await startWorker('ORT INT8 (QDQ, opt disabled)', {
    runtime: 'ort', kind: 'mobilenet', threads, onnx: f.mobilenetQdqOnnx, optimization: 'disabled', images: f.images,
  });
  const reduced = await startWorker('ORT INT8 (QDQ 7-bit weights, reduce_range; opt all)', {
    runtime: 'ort', kind: 'mobilenet', threads, onnx: f.mobilenetQdqOnnxReduceRange, optimization: 'all', images: f.images,
  });
  const subjects = [...live.filter((w) => w !== floatW), ...[extra, reduced].filter((w) => !w.error)];
  const ref = (await floatW.call('outputs', { count: models.imageCount })).outputs.map((o) => o[0]);
  const rows = [];
  for (const w of subjects) {
    const outs = (await w.call('outputs', { count: models.imageCount })).outputs.map((o) => o[0]);
    let signal = 0;
    let noise = 0;
    let top1 = 0;
    let maxAbs = 0;
    outs.forEach((o, k) => {
      const r = ref[k];
      let [am, bm] = [0, 0];
      for (let j = 0; j < r.length; j++) {
        const d = o[j] - r[j];
        signal += r[j] * r[j];
        noise += d * d;
        maxAbs = Math.max(maxAbs, Math.abs(d));
        if (o[j] > o[am]) am = j;
        if (r[j] > r[bm]) bm = j;
      }
      if (am === bm) top1++;
    });
    rows.push({
      label: w.label,
      file: w.info.file,
      snrDb: noise > 0 ? 10 * Math.log10(signal / noise) : Infinity,
      top1Agree: top1,
      images: outs.length,
      maxAbsDiff: maxAbs,
    });
  }
  for (const w of [extra, reduced]) if (!w.error) await w.close();
  for (const r of rows) log(`  ${r.label}: SNR ${r.snrDb.toFixed(1)} dB, top-1 ${r.top1Agree}/${r.images}`);
  return { reference: `ORT float32 (${floatW.info.file})`, rows };
}

async function mlpSection(models, ortAvailable, results) {
  log('tiny MLP per call');
  const f = models.files;
  const ei = await startWorker('edgeinfer', { runtime: 'edgeinfer', kind: 'mlp', threads: 1, onnx: f.mlpQdqOnnx, tflite: f.mlpTflite });
  const ort = ortAvailable ? await startWorker('ORT', { runtime: 'ort', kind: 'mlp', threads: 1, onnx: f.mlpQdqOnnx, optimization: 'all' }) : null;
  const modes = [];
  if (!ei.error) {
    modes.push({ key: 'edgeinferRunSync', label: 'edgeinfer runSync', w: ei, mode: 'sync', calls: 20000 });
    modes.push({ key: 'edgeinferRunAsync', label: 'edgeinfer await run', w: ei, mode: 'async', calls: 5000 });
  }
  if (ort && !ort.error) modes.push({ key: 'ortRunAsync', label: 'ORT await session.run', w: ort, mode: 'async', calls: 2000 });
  const samples = modes.map(() => []);
  for (const m of modes) await m.w.call('perCall', { mode: m.mode, calls: Math.ceil(m.calls / 4) }); // warm-up
  for (let round = 0; round < opts.mlpRounds; round++) {
    for (let k = 0; k < modes.length; k++) {
      const i = (round + k) % modes.length;
      samples[i].push((await modes[i].w.call('perCall', { mode: modes[i].mode, calls: modes[i].calls })).usPerCall);
      await sleep(5);
    }
  }
  // Do the two twins compute the same thing? Raw int8 outputs on 64 inputs,
  // against ORT running the QDQ graph as written ('disabled') and fused ('all').
  const agreement = [];
  if (!ei.error && ort && !ort.error) {
    const a = (await ei.call('outputs', { count: 64 })).outputs;
    const asWritten = await startWorker('ORT disabled', { runtime: 'ort', kind: 'mlp', threads: 1, onnx: f.mlpQdqOnnx, optimization: 'disabled' });
    for (const [label, w] of [['ORT opt disabled', asWritten], ['ORT opt all', ort]]) {
      if (w.error) continue;
      const b = (await w.call('outputs', { count: 64 })).outputs;
      let [equal, total, maxDiff] = [0, 0, 0];
      a.forEach((o, k) => o[0].forEach((v, j) => {
        const d = Math.abs(v - b[k][0][j]);
        total++;
        if (d === 0) equal++;
        maxDiff = Math.max(maxDiff, d);
      }));
      agreement.push({ against: label, equal, total, maxDiffSteps: maxDiff });
    }
    if (!asWritten.error) await asWritten.close();
  }
  const rows = modes.map((m, i) => ({ key: m.key, label: m.label, callsPerBatch: m.calls, batches: samples[i].length, usPerCall: stats(samples[i]) }));
  for (const r of rows) log(`  ${r.label}: ${fmtUs(r.usPerCall.p50)} per call`);
  results.mlp = {
    edgeinfer: ei.error ? { error: ei.error } : ei.info,
    ort: !ort ? { error: `onnxruntime-node ${ortNote}` } : ort.error ? { error: ort.error } : ort.info,
    rows,
    agreement,
  };
  if (!ei.error) await ei.close();
  if (ort && !ort.error) await ort.close();
}

function coldOnce(cfg) {
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'cold.js'), JSON.stringify(cfg)], {
      encoding: 'utf8',
      timeout: 180000,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (err) {
    const out = err.stdout && String(err.stdout).trim().split('\n').pop();
    try {
      return JSON.parse(out);
    } catch {
      return { error: { message: String(err.message).split('\n')[0] } };
    }
  }
}

async function coldSection(models, ortAvailable, eiFile, results) {
  log(`load + first result and memory: ${opts.coldReps} fresh processes per runtime`);
  const f = models.files;
  const subjects = [{ key: 'edgeinfer', label: 'edgeinfer INT8', cfg: { runtime: 'edgeinfer', model: eiFile } }];
  if (ortAvailable) subjects.push({ key: 'ort', label: 'ORT INT8 (QDQ, opt all)', cfg: { runtime: 'ort', model: f.mobilenetQdqOnnx, optimization: 'all' } });
  const reps = subjects.map(() => []);
  for (let rep = 0; rep < opts.coldReps; rep++) {
    for (let k = 0; k < subjects.length; k++) {
      const i = (rep + k) % subjects.length;
      const r = coldOnce({ ...subjects[i].cfg, threads: 1, runs: opts.coldRuns, images: f.images });
      if (r.error) log(`  ${subjects[i].label}: ${r.error.code ?? ''} ${r.error.message}`);
      reps[i].push(r);
    }
  }
  const rows = subjects.map((s, i) => {
    const ok = reps[i].filter((r) => !r.error);
    const med = (fn) => (ok.length ? stats(ok.map(fn)).p50 : null);
    return {
      key: s.key,
      label: s.label,
      model: path.basename(s.cfg.model),
      reps: ok.length,
      errors: reps[i].filter((r) => r.error).map((r) => r.error.message),
      importMs: med((r) => r.importMs),
      loadMs: med((r) => r.loadMs),
      firstResultMs: med((r) => r.firstResultMs),
      rssAddedBytes: med((r) => r.rssAfter - r.rssBefore),
      rssAddedWithImportBytes: med((r) => r.rssAfter - r.rssStart),
      peakAddedBytes: ok.length && ok[0].hwmAfter != null ? med((r) => r.hwmAfter - r.rssBefore) : null,
      runsAfterFirst: opts.coldRuns,
      raw: reps[i],
    };
  });
  for (const r of rows) log(`  ${r.label}: load+first ${fmtMs(r.firstResultMs)}, RSS added ${fmtMiB(r.rssAddedBytes)}`);
  results.cold = { threads: 1, rows };
}

async function modelsSection(models, machine, results) {
  const dir = path.resolve(__dirname, '..', '..', 'shared', 'models');
  const isas = machine.isasAvailable;
  const list = [{ name: 'MobileNetV2 .tflite twin (built here)', load: { kind: 'mobilenet', file: models.files.mobilenetTflite, images: models.files.images } }];
  let note = null;
  if (fs.existsSync(dir)) {
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.tflite')).sort()) {
      list.push({ name, load: { kind: 'file', file: path.join(dir, name) } });
    }
  } else {
    note = `${dir} not found: real models skipped`;
    log(note);
  }
  log(`edgeinfer ISA paths (${isas.join(' vs ')}), 1 thread, ${list.length} models`);
  const rows = [];
  for (const m of list) {
    const workers = [];
    let error = null;
    for (const isa of isas) {
      // The best ISA runs as users get it, with EDGEINFER_ISA unset; the others capped by it.
      const env = { ...process.env, EDGEINFER_ISA: isa };
      const isDefault = isa === isas[isas.length - 1] && isa !== 'reference';
      if (isDefault) delete env.EDGEINFER_ISA;
      const w = await startWorker(isDefault ? `${isa} (default)` : isa, { runtime: 'edgeinfer', threads: 1, ...m.load }, env);
      if (w.error) {
        error = w.error;
        break;
      }
      workers.push(w);
    }
    if (error) {
      await Promise.all(workers.map((w) => w.close()));
      rows.push({ model: m.name, error });
      log(`  ${m.name}: skipped (${error})`);
      continue;
    }
    const st = await alternate(workers, { runs: opts.runs, warmup: 1, budgetMs: opts.modelBudgetMs, minRounds: 2 });
    const outs = [];
    for (const w of workers) outs.push((await w.call('outputs', { count: 1 })).outputs[0]);
    const same = (a, b) => a.length === b.length && a.every((t, i) => Buffer.compare(Buffer.from(t.buffer, t.byteOffset, t.byteLength), Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)) === 0);
    const ref = st[0]?.p50;
    rows.push({
      model: m.name,
      file: workers[0].info.file,
      isas: workers.map((w, i) => ({
        isa: w.label,
        stats: st[i],
        speedupVsReference: ratio(ref, st[i]?.p50),
        outputsIdenticalToReference: same(outs[0], outs[i]),
      })),
    });
    log(`  ${m.name}: ${workers.map((w, i) => `${w.label} ${fmtMs(st[i]?.p50)}`).join(', ')}`);
    await Promise.all(workers.map((w) => w.close()));
  }
  results.models = { isas, defaultIsa: isas[isas.length - 1], threads: 1, rows, note };
}

// ---------------------------------------------------------------- targets
function targets(results, ortAvailable) {
  const rows = [];
  const noOrt = ortAvailable ? 'n/a' : `n/a (onnxruntime-node ${ortNote})`;
  const add = (measure, measured, target, met) => rows.push({ measure, measured, target, met });
  const mb = results.mobilenet?.byThreads;
  const row = (t, label) => mb?.[t]?.rows.find((r) => r.label.startsWith(label))?.stats;
  for (const [t, limit] of [[1, 0.5], [2, 0.6]]) {
    if (!mb?.[t]) continue;
    const [e, o] = [row(t, 'edgeinfer'), row(t, 'ORT INT8')];
    const r = mb[t].ratioVsOrtInt8;
    add(
      `MobileNetV2 INT8, ${t} thread${t > 1 ? 's' : ''}, p50 latency`,
      r == null ? (e ? `${fmtMs(e.p50)}; ORT ${noOrt}` : 'n/a') : `${fmtMs(e.p50)} vs ORT INT8 ${fmtMs(o.p50)} = ${fmtX(r)}`,
      `≤ ${limit} × ORT INT8`,
      r == null ? null : r <= limit,
    );
    if (t === 1) {
      const rf = mb[t].ratioVsOrtFloat;
      const of = row(t, 'ORT float32');
      add(
        'MobileNetV2 INT8, 1 thread, p50 vs ORT float32',
        rf == null ? noOrt : `${fmtMs(e.p50)} vs ORT float32 ${fmtMs(of.p50)} = ${fmtX(rf)}`,
        '< 1 × ORT float32',
        rf == null ? null : rf < 1,
      );
    }
  }
  const mlp = results.mlp?.rows;
  if (mlp) {
    const get = (k) => mlp.find((r) => r.key === k)?.usPerCall?.p50 ?? null;
    const ortUs = get('ortRunAsync');
    const ctx = ortUs == null ? '' : ` (ORT await session.run ${fmtUs(ortUs)})`;
    const s = get('edgeinferRunSync');
    const a = get('edgeinferRunAsync');
    add('tiny MLP, runSync per call', s == null ? 'n/a' : fmtUs(s), '≤ 2 µs', s == null ? null : s <= 2);
    add('tiny MLP, await run per call', a == null ? 'n/a' : `${fmtUs(a)}${ctx}`, '≤ 10 µs', a == null ? null : a <= 10);
  }
  const cold = results.cold?.rows;
  if (cold) {
    const [e, o] = [cold.find((r) => r.key === 'edgeinfer'), cold.find((r) => r.key === 'ort')];
    const rl = ratio(e?.firstResultMs, o?.firstResultMs);
    add(
      'MobileNetV2 load + first result (fresh process, 1 thread)',
      rl == null ? (e ? `${fmtMs(e.firstResultMs)}; ORT ${noOrt}` : 'n/a') : `${fmtMs(e.firstResultMs)} vs ORT ${fmtMs(o.firstResultMs)} = ${fmtX(rl)}`,
      '≤ 0.25 × ORT INT8',
      rl == null ? null : rl <= 0.25,
    );
    const rm = ratio(e?.rssAddedBytes, o?.rssAddedBytes);
    add(
      `MobileNetV2 resident memory added by load + ${opts.coldRuns + 1} runs`,
      rm == null ? (e ? `${fmtMiB(e.rssAddedBytes)}; ORT ${noOrt}` : 'n/a') : `${fmtMiB(e.rssAddedBytes)} vs ORT ${fmtMiB(o.rssAddedBytes)} = ${fmtX(rm)}`,
      '≤ 0.3 × ORT INT8',
      rm == null ? null : rm <= 0.3,
    );
  }
  return rows;
}

// ---------------------------------------------------------------- report
function markdown(results) {
  const m = results.machine;
  const out = [];
  out.push('# edgeinfer benchmark: edgeinfer vs onnxruntime-node');
  out.push('');
  out.push(`${results.date} · ${m.cpu} (${m.logicalCpus} logical CPUs; ${m.simdFlags.join(', ') || 'no SIMD flags read'}) · Node ${m.node} · ` +
    `edgeinfer ${m.edgeinfer} (addon ${m.addon ?? 'not found'}), ISA ${m.edgeinferIsa}${m.edgeinferIsaEnv ? ` (EDGEINFER_ISA=${m.edgeinferIsaEnv})` : ''} (${m.edgeinferIsaSource}) · ` +
    `onnxruntime-node ${m.onnxruntimeNode ?? ortNote}${m.onnxruntimeNode ? ' (CPU EP)' : ''} · load average ${m.loadAvgStart.join(' ')} → ${m.loadAvgEnd.join(' ')}`);
  out.push('');
  out.push(`Options: ${results.options.runs} runs per configuration, ${results.options.quick ? 'quick' : 'full'}; ${results.elapsedS.toFixed(0)} s in all.`);
  out.push('');
  if (results.targets.length) {
    out.push('## Targets');
    out.push('');
    out.push(table(['measure', 'measured', 'target', 'met'], results.targets.map((t) => [t.measure, t.measured, t.target, t.met == null ? 'n/a' : t.met ? 'met' : 'not met'])));
    out.push('');
  }
  const mb = results.mobilenet;
  if (mb) {
    out.push('## MobileNetV2 224×224, 1000 classes: latency');
    out.push('');
    out.push('Alternating batches (A/B/C), warm-up first; edgeinfer `runSync`, ORT `await session.run`. ' +
      'ORT sessions: intra-op threads = threads, inter-op 1, sequential execution, CPU EP.');
    out.push('');
    const rows = [];
    for (const [t, v] of Object.entries(mb.byThreads)) {
      const int8 = v.rows.find((r) => r.label.startsWith('ORT INT8'))?.stats?.p50;
      const fl = v.rows.find((r) => r.label.startsWith('ORT float32'))?.stats?.p50;
      for (const r of v.rows) {
        const model = r.label.startsWith('edgeinfer') ? describeEdgeinfer(r.info) : r.info?.file ?? '';
        rows.push([t, r.label, model, r.stats ? fmtMs(r.stats.p50) : r.error, fmtMs(r.stats?.p95), fmtMs(r.stats?.min), r.stats?.n ?? 0,
          fmtX(ratio(r.stats?.p50, int8)), fmtX(ratio(r.stats?.p50, fl))]);
      }
    }
    out.push(table(['threads', 'runtime', 'model', 'p50', 'p95', 'min', 'n', '÷ ORT INT8 (p50)', '÷ ORT float32 (p50)'], rows));
    out.push('');
    if (mb.accuracy) {
      out.push(`## MobileNetV2 accuracy against the float model`);
      out.push('');
      if (mb.accuracy.rows.length) {
        out.push(`Logits of ${mb.accuracy.rows[0].images} deterministic images compared with ${mb.accuracy.reference}. ` +
          "ORT 'disabled' runs the QDQ graph as written (the quantized model's own accuracy); ORT 'all' fuses it into its int8 kernels. " +
          'The reduce_range model (same float network, weights quantized to 7 bits, as ORT advises for x86 without VNNI) is for accuracy only: it is not the model edgeinfer runs.');
        out.push('');
        out.push(table(['runtime', 'model', 'SNR vs float', 'top-1 agrees', 'max |Δ logit|'],
          mb.accuracy.rows.map((r) => [r.label, r.file, `${r.snrDb.toFixed(1)} dB`, `${r.top1Agree}/${r.images}`, r.maxAbsDiff.toFixed(3)])));
      } else out.push(mb.accuracy.note);
      out.push('');
    }
  }
  const mlp = results.mlp;
  if (mlp) {
    out.push('## Tiny MLP 16-32-32-4 (int8): per-call cost, 1 thread');
    out.push('');
    out.push(`edgeinfer model: ${mlp.edgeinfer.error ?? describeEdgeinfer(mlp.edgeinfer)}; ORT model: ${mlp.ort.error ?? mlp.ort.file}. ` +
      'Calls back to back, inputs and (edgeinfer) outputs preallocated; µs per call = batch time ÷ calls; p50/p95 over batches.' +
      (mlp.agreement.length
        ? ` edgeinfer's int8 outputs on 64 inputs vs ${mlp.agreement.map((g) => `${g.against}: ${g.equal}/${g.total} equal, max difference ${g.maxDiffSteps} step(s)`).join('; ')}.`
        : ''));
    out.push('');
    out.push(table(['call', 'p50 per call', 'p95 per call', 'batches × calls'], mlp.rows.map((r) => [r.label, fmtUs(r.usPerCall?.p50), fmtUs(r.usPerCall?.p95), `${r.batches} × ${r.callsPerBatch}`])));
    out.push('');
  }
  const cold = results.cold;
  if (cold) {
    out.push('## MobileNetV2 load + first result and memory, fresh processes, 1 thread');
    out.push('');
    out.push('Medians over fresh `node` processes. Load + first result: from before `Model.load` / `InferenceSession.create` (file path) to the first output. ' +
      `RSS added: resident set after load + ${opts.coldRuns + 1} runs minus before loading (runtime already imported), after GC; peak: VmHWM minus the same baseline.`);
    out.push('');
    out.push(table(['runtime', 'model', 'reps', 'import', 'load', 'load + first result', 'RSS added', 'RSS added incl. import', 'peak added'],
      cold.rows.map((r) => [r.label, r.model, r.reps, fmtMs(r.importMs), fmtMs(r.loadMs), fmtMs(r.firstResultMs), fmtMiB(r.rssAddedBytes), fmtMiB(r.rssAddedWithImportBytes), fmtMiB(r.peakAddedBytes)])));
    out.push('');
  }
  for (const e of results.errors) out.push(`**Section ${e.section} failed:** ${e.error}`, '');
  const md = results.models;
  if (md) {
    out.push(`## edgeinfer ISA paths on .tflite models (onnxruntime does not read .tflite), 1 thread`);
    out.push('');
    out.push(`Each ISA in its own process, alternating batches: EDGEINFER_ISA=reference (and each ISA between), the best one with EDGEINFER_ISA unset (edgeinfer's default: ${md.isas[md.isas.length - 1]} on this CPU, from its flags).` +
      (md.note ? ` ${md.note}.` : ''));
    out.push('');
    const rows = [];
    for (const r of md.rows) {
      if (r.error) {
        rows.push([r.model, 'skipped', r.error.replace(/\|/g, '\\|').slice(0, 110), '', '', '', '']);
        continue;
      }
      for (const i of r.isas) {
        rows.push([r.model, i.isa, fmtMs(i.stats?.p50), fmtMs(i.stats?.p95), i.stats?.n ?? 0, i.isa === 'reference' ? '1.00×' : fmtX(i.speedupVsReference),
          i.isa === 'reference' ? '' : i.outputsIdenticalToReference ? 'yes' : 'NO']);
      }
    }
    out.push(table(['model', 'ISA', 'p50', 'p95', 'n', 'speedup vs reference', 'outputs = reference'], rows));
    out.push('');
  }
  return out.join('\n');
}

// ---------------------------------------------------------------- main
async function main() {
  const started = Date.now();
  const machine = machineInfo();
  if (opts.noOrt) machine.onnxruntimeNode = null;
  const ortAvailable = machine.onnxruntimeNode !== null;
  ortNote = opts.noOrt ? 'left out (--no-ort)' : 'not installed';
  if (!ortAvailable) log(`onnxruntime-node ${ortNote}: edgeinfer only, no ratios`);
  if (!fs.existsSync(path.resolve(__dirname, '..', 'dist', 'index.js'))) {
    console.error('dist/ is missing: run `npm run build` first');
    process.exit(1);
  }
  const models = prepareModels(log);
  const results = { date: new Date().toISOString(), machine, options: { runs: opts.runs, quick: opts.quick, threads: opts.threads } };

  // A section that fails (a worker crashing, say) is reported, and the others still run.
  results.errors = [];
  const section = async (name, fn) => {
    if (!opts.section(name)) return;
    try {
      await fn();
    } catch (err) {
      log(`${name}: failed: ${err.stack || err}`);
      results.errors.push({ section: name, error: String((err && err.message) || err) });
      await closeAllWorkers();
    }
  };
  await section('mobilenet', () => mobilenetSection(models, ortAvailable, results));
  await section('mlp', () => mlpSection(models, ortAvailable, results));
  await section('cold', async () => {
    // The model edgeinfer takes: its QDQ ONNX when it imports it, else the .tflite twin.
    const probe = await startWorker('probe', { runtime: 'edgeinfer', kind: 'mobilenet', threads: 1, onnx: models.files.mobilenetQdqOnnx, tflite: models.files.mobilenetTflite, images: models.files.images });
    const file = !probe.error && !probe.info.fallback ? models.files.mobilenetQdqOnnx : models.files.mobilenetTflite;
    if (!probe.error) await probe.close();
    await coldSection(models, ortAvailable, file, results);
  });
  await section('models', () => modelsSection(models, machine, results));

  await closeAllWorkers();
  machine.loadAvgEnd = os.loadavg().map((v) => +v.toFixed(2));
  results.elapsedS = (Date.now() - started) / 1000;
  results.targets = targets(results, ortAvailable);
  const md = markdown(results);
  console.log(md);
  fs.writeFileSync(path.join(__dirname, 'results.md'), `${md}\n`);
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, (k, v) => (v === Infinity ? 'Infinity' : v), 2)}\n`);
  log(`wrote benchmarks/results.md and benchmarks/results.json (${results.elapsedS.toFixed(0)} s)`);
}

main().catch((err) => {
  console.error(err);
  for (const w of openWorkers) w.child.kill();
  process.exit(1);
});
