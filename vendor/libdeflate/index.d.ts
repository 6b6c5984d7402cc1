export function deflate(input: Readonly<Uint8Array>, level?: number): Uint8Array;
export function gzip(input: Readonly<Uint8Array>, level?: number): Uint8Array;
export function zlib(input: Readonly<Uint8Array>, level?: number): Uint8Array;
