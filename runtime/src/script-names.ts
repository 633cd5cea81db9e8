// Names shared by the compiler and the executor (kept dependency-free so the executor bundle does
// not pull in esbuild).

/** Global the compiled script assigns its exports to; read once by the prelude. */
export const MODULE_GLOBAL = "__hookrun_module";
/** The file name the compiled script runs under; stacks mention it until source-mapped. */
export const SCRIPT_FILENAME = "hookrun-function.js";
