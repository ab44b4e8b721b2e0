// Whether an fs error means "no such file or directory" (ENOENT): the one expected failure when
// reading something that may not exist yet.
export function isNotFound(error: unknown): boolean {
  return errnoCode(error) === "ENOENT";
}

/** The errno code of a Node system error (`ENOENT`, `EEXIST`, …), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
