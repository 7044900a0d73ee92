/** Turns WebAssembly relaxed SIMD on in this Node process where it is off; true when the engine has it now. */
export function enableRelaxedSimd(): Promise<boolean>;
