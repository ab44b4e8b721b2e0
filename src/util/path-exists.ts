// Whether a path exists now, for checks that only need yes or no (a later read still handles a race).
import { access } from "node:fs/promises";

export function pathExists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
