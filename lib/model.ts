/** Model: load once, run many times. */
import { native, type NativeLoadOptions, type NativeModel, type NativeModelInfo, type NativeNodeInfo } from './binding';
import { EdgeInferError } from './errors';
import { allocate, dequantizeFrom, elementCount, quantizeTo, type TensorInfo, type TypedArray } from './tensor';

export interface LoadOptions {
  /**
   * Threads a run may use. Default: the CPUs this process may really use
   * (its CPU affinity, capped by a cgroup CPU quota); `model.info.threads` says.
   */
  threads?: number;
  /**
   * ONNX models: static shapes for inputs with symbolic dimensions, by input
   * name, e.g. `{ input: [1, 3, 224, 224] }`.
   */
  shapes?: Record<string, readonly number[]>;
  /**
   * The instruction set the INT8 kernels may use, for debugging and
   * comparisons: 'reference' (the portable kernels), 'avx2', 'avxvnni',
   * 'avx512vnni', 'neon', 'neondot'. Default: the best this CPU supports
   * (the EDGEINFER_ISA environment variable caps it). One the CPU lacks falls
   * back to the best it has below it; `model.info.isa` says which runs.
   */
  isa?: string;
}

export type Inputs = TypedArray[] | Record<string, TypedArray>;

export interface ModelInfo {
  format: string;
  /** Bytes of activation memory planned at load (intermediate tensors and kernel scratch). */
  arenaBytes: number;
  threads: number;
  /** The instruction set the INT8 kernels use ('reference', 'avx2', 'neon', ...). */
  isa: string;
  nodes: number;
  /** Operator name -> number of nodes. */
  operators: Record<string, number>;
  /** The graph as it runs, after fusion (ONNX: Conv+Clip, Gemm, ...). */
  graph: readonly Readonly<NativeNodeInfo>[];
  /** Nodes that compute in float32: 0 when a quantized model runs all-integer between its input and output. */
  floatNodes: number;
  /** Instruction set -> number of nodes that run it (each node's `graph[i].isa`; 'portable' for portable C++). */
  nodeIsas: Record<string, number>;
}

const knownOptions = ['threads', 'shapes', 'isa'];
const isaNames = ['reference', 'avx2', 'avxvnni', 'avx512vnni', 'neon', 'neondot'];

function checkOptions(options: unknown): NativeLoadOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new EdgeInferError(`expected an options object for Model.load, got ${options === null ? 'null' : typeof options}`, 'E_OPTION');
  }
  for (const key of Object.keys(options)) {
    if (!knownOptions.includes(key)) {
      const near = knownOptions.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[^a-z]/g, '') || k.startsWith(key.slice(0, 3)));
      throw new EdgeInferError(
        `unknown option '${key}' for Model.load${near ? ` (did you mean '${near}'?)` : ''}; known options: ${knownOptions.join(', ')}`,
        'E_OPTION',
      );
    }
  }
  const { threads, shapes, isa } = options as LoadOptions;
  const out: NativeLoadOptions = {};
  if (isa !== undefined) {
    if (typeof isa !== 'string' || !isaNames.includes(isa)) {
      throw new EdgeInferError(`expected one of ${isaNames.join(', ')} for option 'isa', got ${JSON.stringify(isa)}`, 'E_OPTION');
    }
    out.isa = isa;
  }
  if (threads !== undefined) {
    // Omitted: the native default, what the process may really use.
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new EdgeInferError(`expected an integer from 1 to 256 for option 'threads', got ${String(threads)}`, 'E_OPTION');
    }
    out.threads = threads;
  }
  if (shapes !== undefined) {
    if (shapes === null || typeof shapes !== 'object' || Array.isArray(shapes)) {
      throw new EdgeInferError(`expected { inputName: [dims...] } for option 'shapes'`, 'E_OPTION');
    }
    out.shapes = {};
    for (const [name, dims] of Object.entries(shapes)) {
      if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 2 ** 31 - 1)) {
        throw new EdgeInferError(`option 'shapes': '${name}' must be an array of positive integers, got ${JSON.stringify(dims)}`, 'E_OPTION');
      }
      out.shapes[name] = [...dims];
    }
  }
  return out;
}

function checkSource(source: unknown): string | Uint8Array {
  if (typeof source === 'string') return source;
  if (source instanceof URL) {
    if (source.protocol !== 'file:') throw new EdgeInferError(`only file: URLs can be loaded, got ${source.protocol}`, 'E_INPUT');
    return require('url').fileURLToPath(source) as string;
  }
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new EdgeInferError(
    `expected a file path, file: URL, Uint8Array/Buffer or ArrayBuffer for the model, got ${source === null ? 'null' : typeof source}`,
    'E_INPUT',
  );
}

export class Model {
  /** The model's inputs, in the order runSync/run take them. */
  readonly inputs: readonly TensorInfo[];
  /** The model's outputs, in the order runSync/run return them. */
  readonly outputs: readonly TensorInfo[];
  /** Format, arena size and operator counts. */
  readonly info: Readonly<ModelInfo>;

  #native: NativeModel | null;
  #queue: Promise<unknown> = Promise.resolve();
  #pending = 0;
  readonly #inputIndex: Map<string, number>;

  private constructor(nativeModel: NativeModel) {
    this.#native = nativeModel;
    const info: NativeModelInfo = nativeModel.info();
    this.inputs = Object.freeze(info.inputs.map((t) => Object.freeze(t)));
    this.outputs = Object.freeze(info.outputs.map((t) => Object.freeze(t)));
    this.info = Object.freeze({
      format: info.format,
      arenaBytes: info.arenaBytes,
      threads: info.threads,
      isa: info.isa,
      nodes: info.nodes,
      operators: Object.freeze(info.operators),
      graph: Object.freeze(info.graph.map((n) => Object.freeze(n))),
      floatNodes: info.floatNodes,
      nodeIsas: Object.freeze(info.nodeIsas),
    });
    this.#inputIndex = new Map(info.inputs.map((t, i) => [t.name, i]));
  }

  /**
   * Loads a .tflite or .onnx model (told apart by content) from a path or
   * bytes; reading and preparing run off the event loop. ONNX external data
   * is found beside a model loaded from its path.
   */
  static async load(source: string | URL | Uint8Array | ArrayBuffer, options?: LoadOptions): Promise<Model> {
    const opts = checkOptions(options);
    const src = checkSource(source);
    const stack = new Error().stack;
    try {
      return new Model(await native().load(src, opts));
    } catch (err) {
      if (err instanceof Error && stack) err.stack = `${err.name}: ${err.message}\n${stack.split('\n').slice(1).join('\n')}`;
      throw err;
    }
  }

  /** Loads a model on the calling thread. */
  static loadSync(source: string | URL | Uint8Array | ArrayBuffer, options?: LoadOptions): Model {
    const opts = checkOptions(options);
    return new Model(native().loadSync(checkSource(source), opts));
  }

  /**
   * Runs the model on the calling thread. Inputs are read in place; outputs
   * are written in place into `outputs` when given (so a loop allocates
   * nothing), else into fresh arrays. Returns the outputs in model order.
   */
  runSync(inputs: Inputs, outputs?: TypedArray[]): TypedArray[] {
    const nativeModel = this.#live();
    const ins = this.#orderInputs(inputs);
    const outs = outputs ?? this.#allocateOutputs();
    nativeModel.runSync(ins, outs);
    return outs;
  }

  /**
   * Runs the model on the thread pool, off the event loop. The arrays must
   * not be changed until the promise settles. Calls on one model run one at
   * a time, in call order.
   */
  run(inputs: Inputs, outputs?: TypedArray[]): Promise<TypedArray[]> {
    let result: Promise<TypedArray[]>;
    try {
      const nativeModel = this.#live();
      const ins = this.#orderInputs(inputs);
      const outs = outputs ?? this.#allocateOutputs();
      this.#pending++;
      result = this.#queue
        .then(() => nativeModel.run(ins, outs))
        .then(() => outs)
        .finally(() => this.#pending--);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Float values to the quantized array an input takes (round half away from zero, clamp). */
  quantize(input: number | string, values: Float32Array | number[]): TypedArray {
    return quantizeTo(this.inputs[this.#index(this.inputs, input, 'input')], values);
  }

  /** A quantized output (or any tensor with the output's parameters) to float values. */
  dequantize(output: number | string, values: TypedArray): Float32Array {
    return dequantizeFrom(this.outputs[this.#index(this.outputs, output, 'output')], values);
  }

  /**
   * Frees the model's native memory: now when no run is pending, else once
   * the runs already started or queued have completed. Later calls throw E_DISPOSED.
   */
  dispose(): void {
    const nativeModel = this.#native;
    if (!nativeModel) return;
    this.#native = null;
    if (this.#pending === 0) nativeModel.dispose();
    else void this.#queue.then(() => nativeModel.dispose());
  }

  get disposed(): boolean {
    return this.#native === null;
  }

  #live(): NativeModel {
    if (!this.#native) throw new EdgeInferError('the model was disposed: load it again to use it', 'E_DISPOSED');
    return this.#native;
  }

  #orderInputs(inputs: Inputs): TypedArray[] {
    if (Array.isArray(inputs)) return inputs;
    if (inputs === null || typeof inputs !== 'object' || ArrayBuffer.isView(inputs)) {
      throw new EdgeInferError(
        `expected inputs as an array of typed arrays or an object keyed by input name (${this.inputs.map((t) => `'${t.name}'`).join(', ')})`,
        'E_INPUT',
      );
    }
    const ordered: TypedArray[] = new Array(this.inputs.length);
    for (const [name, array] of Object.entries(inputs)) {
      const i = this.#inputIndex.get(name);
      if (i === undefined) {
        throw new EdgeInferError(
          `the model has no input named '${name}'; its inputs: ${this.inputs.map((t) => `'${t.name}'`).join(', ')}`,
          'E_INPUT',
        );
      }
      ordered[i] = array;
    }
    for (let i = 0; i < ordered.length; i++) {
      if (ordered[i] === undefined) throw new EdgeInferError(`missing input '${this.inputs[i].name}'`, 'E_INPUT');
    }
    return ordered;
  }

  #allocateOutputs(): TypedArray[] {
    return this.outputs.map((t) => allocate(t.dtype, elementCount(t.shape)));
  }

  #index(list: readonly TensorInfo[], which: number | string, role: string): number {
    if (typeof which === 'number') {
      if (Number.isInteger(which) && which >= 0 && which < list.length) return which;
    } else {
      const i = list.findIndex((t) => t.name === which);
      if (i >= 0) return i;
    }
    throw new EdgeInferError(
      `no ${role} ${typeof which === 'number' ? `at index ${which}` : `named '${which}'`}; the model's ${role}s: ${list
        .map((t, i) => `${i}: '${t.name}'`)
        .join(', ')}`,
      'E_INPUT',
    );
  }
}
