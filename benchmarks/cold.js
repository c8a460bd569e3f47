'use strict';
// One cold start, in a fresh process (benchmarks/run.js spawns it several
// times and takes medians): import the runtime, then time load -> first
// result, then run `runs` more times and read the resident memory.
// Usage: node --expose-gc benchmarks/cold.js '<json {runtime, model, threads, runs, images}>'
// Prints one JSON line.
const fs = require('fs');
const path = require('path');

const rssNow = () => process.memoryUsage().rss;
function vmHwm() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
const gc = () => {
  if (global.gc) {
    global.gc();
    global.gc();
  }
};
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function main() {
  const cfg = JSON.parse(process.argv[2]);
  const rssStart = rssNow();
  const { readImages, nchwToNhwc } = require('./models');
  // Both input layouts ready before anything is timed or measured.
  const nchw = readImages(cfg.images)[0];
  const nhwc = nchwToNhwc(nchw, 3, 224, 224);

  const tImport = process.hrtime.bigint();
  const runtime = cfg.runtime === 'ort' ? require('onnxruntime-node') : require(path.resolve(__dirname, '..', 'dist', 'index.js'));
  const importMs = ms(tImport);
  gc();
  const rssBefore = rssNow();
  const hwmBefore = vmHwm();

  let run;
  const t0 = process.hrtime.bigint();
  if (cfg.runtime === 'ort') {
    const session = await runtime.InferenceSession.create(cfg.model, {
      intraOpNumThreads: cfg.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: cfg.optimization || 'all',
      executionProviders: ['cpu'],
    });
    const feeds = { [session.inputNames[0]]: new runtime.Tensor('float32', nchw, [1, 3, 224, 224]) };
    run = () => session.run(feeds);
  } else {
    const model = await runtime.Model.load(cfg.model, { threads: cfg.threads });
    const input = model.inputs[0].shape[3] === 3 ? nhwc : nchw;
    run = () => model.run([input]);
  }
  const loadMs = ms(t0);
  await run();
  const firstMs = ms(t0);

  for (let i = 0; i < cfg.runs; i++) await run();
  gc();
  const rssAfter = rssNow();
  const hwmAfter = vmHwm();
  process.stdout.write(
    `${JSON.stringify({
      importMs,
      loadMs,
      firstResultMs: firstMs,
      rssStart,
      rssBefore,
      rssAfter,
      hwmBefore,
      hwmAfter,
      runs: cfg.runs,
    })}\n`,
  );
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ error: { code: err && err.code, message: String((err && err.message) || err) } })}\n`);
  process.exitCode = 1;
});
