/** The build VM's operating system, as AIB tells them apart: it decides the customizers, shells and archive formats. */
export type Os = 'linux' | 'windows';

export const OSES: readonly Os[] = ['linux', 'windows'];
