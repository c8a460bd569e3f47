/**
 * The one error class edgeinfer throws. `code` is stable: match on it, not
 * on the message.
 */
export type ErrorCode =
  | 'E_MODEL_FORMAT' // the bytes are not a valid model
  | 'E_UNSUPPORTED_OP' // a valid model with an operator (or variant) edgeinfer cannot run
  | 'E_INPUT' // wrong inputs or outputs passed to a run, or a wrong argument
  | 'E_OPTION' // an unknown or invalid option
  | 'E_DYNAMIC_SHAPE' // an input has a symbolic dimension and no `shapes` load option fixes it
  | 'E_DISPOSED' // the model was disposed
  | 'E_IO' // the model file could not be read
  | 'E_BACKEND' // a backend is unavailable or failed
  | 'E_ADDON' // the native addon could not be loaded
  | 'E_INTERNAL'; // a bug in edgeinfer: please report it

export class EdgeInferError extends Error {
  readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode) {
    super(message);
    this.name = 'EdgeInferError';
    this.code = code;
  }
}
