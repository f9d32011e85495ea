/**
 * Paths as an SFTP client sends them, inside the account's own tree. The account's root is
 * `/`; every path, absolute or relative (to `/`), is normalized here, and one that climbs
 * above the root (`..` past it) is refused, never clamped, so a script that meant to
 * leave its folder learns that it cannot. The tree is two levels deep: the event types'
 * folders, and their files.
 */

export class OutsideRootError extends Error {
  constructor(readonly requested: string) {
    super(`${requested} is outside your folder; every path is inside / (your account's folders).`);
  }
}

/** The segments of a normalized path (`[]` is the root). */
export function segmentsOf(requested: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL or control character is never part of a name here
  if (/[\u0000-\u001f\\]/.test(requested)) throw new OutsideRootError(requested);
  const out: string[] = [];
  for (const part of requested.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new OutsideRootError(requested);
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}

export function pathOf(segments: readonly string[]): string {
  return `/${segments.join('/')}`;
}
