// Text from a program or a model on its way into a commit, a report or a command line: terminal
// escapes and control characters taken out.
import { stripVTControlCharacters } from "node:util";

// CSI and OSC sequences, whole. Node's stripVTControlCharacters alone leaves part of some: an OSC
// title or link with a space in it (`ESC]0;my title BEL`), or a CSI with a private marker
// (`ESC[>4;1m`); it runs after this one for the short escapes (`ESC(B`, `ESC=`).
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]/g;
// C0 controls, DEL, C1 controls and the bidi overrides that make text read differently than it is.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Colours and other escape sequences out (a test runner's output, for reading its numbers). */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text.replace(ANSI, ""));
}

/** Escapes and control characters out; `keep` spares characters such as newline and tab. */
export function stripControl(text: string, keep?: RegExp): string {
  return stripAnsi(text).replace(CONTROL, (char) => (keep?.test(char) ? char : ""));
}
