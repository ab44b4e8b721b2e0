// A UTF-8 file's text, or null when it does not exist; any other failure is thrown.
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
