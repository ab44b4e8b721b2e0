// Text from a program or a model on its way into a commit, a report or a command line: terminal
// escapes and control characters taken out.

// Whole ANSI escape sequences (CSI and OSC), so no `[31m` is left behind.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]/g;
// C0 controls, DEL, C1 controls and the bidi overrides that make text read differently than it is.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Colours and other escape sequences out (a test runner's output, for reading its numbers). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Escapes and control characters out; `keep` spares characters such as newline and tab. */
export function stripControl(text: string, keep?: RegExp): string {
  return stripAnsi(text).replace(CONTROL, (char) => (keep?.test(char) ? char : ""));
}
