#!/usr/bin/env node
// Cross-compiles the core and its native tests for arm64 (build-arm64/) and
// runs them under qemu-aarch64, so arm64 code paths are proven correct on an
// x86 machine (their speed cannot be measured this way). Needs Debian's
// g++-aarch64-linux-gnu and qemu-user; without them it says so and skips,
// unless EDGEINFER_REQUIRE_ARM64=1 (CI sets it) makes that a failure.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
const outDir = 'build-arm64';

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const missing = ['aarch64-linux-gnu-g++', 'qemu-aarch64'].filter((c) => !have(c));
if (missing.length > 0) {
  const message = `arm64 native tests: ${missing.join(' and ')} not found (apt-get install g++-aarch64-linux-gnu qemu-user)`;
  if (process.env.EDGEINFER_REQUIRE_ARM64 === '1') {
    console.error(`${message}; EDGEINFER_REQUIRE_ARM64=1 makes this an error`);
    process.exit(1);
  }
  console.log(`${message}: skipped`);
  process.exit(0);
}

run('cmake', [
  '-S', '.', '-B', outDir,
  `-DCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'aarch64-linux-gnu.cmake')}`,
  '-DCMAKE_BUILD_TYPE=Release',
  '-DEDGEINFER_ASAN=OFF',
]);
run('cmake', ['--build', outDir, '-j', process.env.CMAKE_BUILD_PARALLEL_LEVEL || '2']);
// Emulation is ~10x slower: fewer reader mutations than the native run.
// qemu's `max` CPU has the dot product (asimddp), so both the NEON and the
// NEON dot-product (sdot) kernels run; the tests fail if either is missing
// rather than skip it.
run('ctest', ['--test-dir', outDir, '--output-on-failure'], {
  ...process.env,
  QEMU_CPU: process.env.QEMU_CPU || 'max',
  EDGEINFER_REQUIRE_ISAS: process.env.EDGEINFER_REQUIRE_ISAS || 'neon,neondot',
  EDGEINFER_MUTATIONS: process.env.EDGEINFER_MUTATIONS || '300',
});
