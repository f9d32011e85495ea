/**
 * The file pattern of a pull, as impact.com's connections define it: `*` any run of
 * characters (none included), `?` exactly one character, everything else itself. The
 * whole name must match, case-sensitively (as the servers compare names).
 */
export function filePatternRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

export function matchesFilePattern(pattern: string, fileName: string): boolean {
  return filePatternRegExp(pattern).test(fileName);
}
