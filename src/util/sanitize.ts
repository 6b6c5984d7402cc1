/**
 * Text another program printed, made safe to print again: terminal escape sequences (colours, OSC
 * window titles, cursor moves) and other control characters are removed, so an engine (or a file it
 * quotes) cannot rewrite the user's terminal. Newlines become spaces: a message is one line.
 */
const ESCAPES =
  /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function sanitizeLine(text: string, maxLength = 2000): string {
  const clean = text
    .replace(ESCAPES, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(CONTROLS, '')
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}
