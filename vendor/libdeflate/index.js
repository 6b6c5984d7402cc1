import createModule from "./dist/libdeflate.wasm.mjs";

let moduleInstance;

const compress = (name, input, level = 6) => {
  moduleInstance ??= createModule();

  if (!Number.isInteger(level) || level < 1 || level > 12) {
    throw new RangeError("Compression level must be an integer between 1 and 12");
  }

  const compressor = moduleInstance._libdeflate_alloc_compressor(level);

  const inputPtr = moduleInstance._malloc(Math.max(1, input.byteLength));
  moduleInstance.HEAPU8.set(input, inputPtr);

  const outputMaxSize = moduleInstance[`_libdeflate_${name}_compress_bound`](
    compressor,
    input.byteLength,
  );
  const outputPtr = moduleInstance._malloc(outputMaxSize);

  try {
    const written = moduleInstance[`_libdeflate_${name}_compress`](
      compressor,
      inputPtr,
      input.byteLength,
      outputPtr,
      outputMaxSize,
    );
    if (written === 0) {
      throw new Error(`libdeflate ${name} compression failed`);
    }
    return moduleInstance.HEAPU8.slice(outputPtr, outputPtr + written);
  } finally {
    moduleInstance._free(outputPtr);
    moduleInstance._free(inputPtr);
    moduleInstance._libdeflate_free_compressor(compressor);
  }
};

export const deflate = (input, level) => compress("deflate", input, level);
export const gzip = (input, level) => compress("gzip", input, level);
export const zlib = (input, level) => compress("zlib", input, level);
