#!/usr/bin/env node
// The one list of the core's C++ sources, shared by binding.gyp (node-gyp)
// and CMakeLists.txt, so the two builds cannot drift.
//   node native/sources.js          core sources: every .cc under native/{core,format,ops,backends}, tests excluded
//   node native/sources.js --addon  core sources plus the N-API glue in native/addon
//   node native/sources.js --tests  the native tests (*_test.cc)
//   node native/sources.js --isa X  the kernels for one instruction set, named *-X.cc (X: avx2, avx512vnni,
//                                   avxvnni, neon, neondot), each built with that instruction set's compiler flags
// --core and --addon leave the ISA kernels out: they are linked from their own per-ISA libraries.
// Paths are relative to the repository root, '/'-separated, one per line.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const coreDirs = ['native/core', 'native/format', 'native/ops', 'native/kernels', 'native/backends'];
const isaFile = /-(avx2|avx512vnni|avxvnni|neon|neondot)\.cc$/;

function listCc(dir, wantTests, out) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return out;
  const entries = fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) listCc(rel, wantTests, out);
    else if (entry.name.endsWith('.cc') && entry.name.endsWith('_test.cc') === wantTests) out.push(rel);
  }
  return out;
}

const kind = process.argv[2] || '--core';
const dirs = kind === '--addon' ? [...coreDirs, 'native/addon'] : coreDirs;
let files = [];
for (const d of dirs) listCc(d, kind === '--tests', files);
if (kind === '--isa') {
  const isa = process.argv[3];
  files = files.filter((f) => f.endsWith(`-${isa}.cc`));
} else if (kind !== '--tests') {
  files = files.filter((f) => !isaFile.test(f));
}
process.stdout.write(files.join('\n') + '\n');
