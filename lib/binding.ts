/**
 * The typed boundary to the native addon, and its loader. node-gyp-build
 * finds a prebuilt binary in prebuilds/ matching this platform, or the one
 * `npm install` built from source into build/.
 */
import * as path from 'path';
import { EdgeInferError } from './errors';
import type { DType, TypedArray } from './tensor';

export interface NativeTensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  quantization?: { scale: number[]; zeroPoint: number[]; axis: number };
}

export interface NativeModelInfo {
  format: string;
  arenaBytes: number;
  threads: number;
  isa: string;
  nodes: number;
  inputs: NativeTensorInfo[];
  outputs: NativeTensorInfo[];
  operators: Record<string, number>;
  graph: NativeNodeInfo[];
  floatNodes: number;
  nodeIsas: Record<string, number>;
}

export interface NativeNodeInfo {
  /** The kernel's operator (CONV_2D, ...). */
  op: string;
  /** What it came from in the model: an operator name, or fused ones joined by '+' (Conv+Clip). */
  source: string;
  /** Element type of its first output. */
  dtype: string;
  /** Whether it computes in float32 (QUANTIZE/DEQUANTIZE excepted). */
  float: boolean;
  /** What it computes: 'int8 Conv+ReLU', 'int8 MatMul+Add', 'uint8 ADD', 'SOFTMAX' (float), ... */
  kernel: string;
  /**
   * The instruction set of the code this node runs ('avx512vnni', 'avx2', 'neon', ...), or 'portable' for
   * portable C++ (reference kernels and portable fast paths). May be below `info.isa`: weights a dot-product
   * kernel cannot take run the AVX2 GEMM, for instance.
   */
  isa: string;
  output: string;
}

export interface NativeLoadOptions {
  threads?: number;
  isa?: string;
  shapes?: Record<string, number[]>;
}

export interface NativeModel {
  info(): NativeModelInfo;
  runSync(inputs: TypedArray[], outputs: TypedArray[]): void;
  run(inputs: TypedArray[], outputs: TypedArray[]): Promise<void>;
  dispose(): void;
}

export interface NativeAddon {
  setErrorClass(ctor: typeof EdgeInferError): void;
  loadSync(source: string | Uint8Array, options: NativeLoadOptions): NativeModel;
  load(source: string | Uint8Array, options: NativeLoadOptions): Promise<NativeModel>;
}

const packageRoot = path.join(__dirname, '..');
let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (addon) return addon;
  let loaded: NativeAddon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    loaded = require('node-gyp-build')(packageRoot) as NativeAddon;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new EdgeInferError(
      `could not load edgeinfer's native addon for ${process.platform}-${process.arch} (Node ${process.version}, ` +
        `N-API ${process.versions.napi}). Tried prebuilds/${process.platform}-${process.arch}/ and build/Release/. ` +
        `Build it from source with: npm rebuild edgeinfer (needs python3, make and a C++17 compiler). ` +
        `Cause: ${reason}`,
      'E_ADDON',
    );
  }
  loaded.setErrorClass(EdgeInferError);
  addon = loaded;
  return loaded;
}
