// Counting Intl.DateTimeFormat constructions: each loads ICU's locale data (8 MB of an idle
// daemon's resident set), which the sweep and local-time schedules must never do.
/** How many Intl.DateTimeFormat objects `work` constructs. */
export async function dateTimeFormatsDuring(work: () => Promise<void> | void): Promise<number> {
  const Original = Intl.DateTimeFormat;
  let formats = 0;
  Intl.DateTimeFormat = function (...args: ConstructorParameters<typeof Original>) {
    formats += 1;
    return new Original(...args);
  } as unknown as typeof Intl.DateTimeFormat;
  try {
    await work();
  } finally {
    Intl.DateTimeFormat = Original;
  }
  return formats;
}
