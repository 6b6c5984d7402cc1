/** Recreates the bundle test payload (see bundle-maker.mjs). */
export function make(root: string): Promise<void>;
