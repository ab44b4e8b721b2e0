// A UTF-8 file's text, or null when it does not exist; any other failure is thrown.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isNotFound } from "./not-found.js";

export async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** The same, synchronously: for a few small reads where the thread pool's round trips cost more than the read. */
export function readIfExistsSync(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
