/**
 * Finds the SQL that writes tables in TypeScript source: every `insert into`, `update …
 * set`, `delete from`, `merge into`, `truncate` and `copy … from` in a string or template
 * literal, and every `copyRows('<table>', …)` call. Comments are skipped (prose about
 * "the update" is not SQL); a table name the code fills in (`insert into ${table}`) is
 * reported as unknown (null), so it cannot slip past a check. Used by
 * test/architecture.test.ts to hold each table to its owning module.
 */

export interface SqlWrite {
  /** The table written, lower-case without schema or quotes; null when the code fills it in. */
  table: string | null;
  verb: 'insert' | 'update' | 'delete' | 'merge' | 'truncate' | 'copy';
  line: number;
  /** The statement's first words, for the report. */
  excerpt: string;
}

interface Literal {
  /** Offset in the source of the literal's first character after its opening quote. */
  offset: number;
  /** Its content, as long as in the source; an interpolation `${…}` is NUL followed by blanks (newlines kept). */
  text: string;
}

/** The placeholder for an interpolation in a template literal. */
const HOLE = '\u0000';

/** Words after which a `/` starts a regular expression rather than a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'await', 'yield',
]);

/** Splits source into its string and template literals and its comments' ranges. */
export function scanLiterals(source: string): { literals: Literal[]; comments: Array<[number, number]> } {
  const literals: Literal[] = [];
  const comments: Array<[number, number]> = [];
  let i = 0;
  // Whether a `/` here would start a regular expression: after an operator or an opening
  // bracket it does, after a value (a name, a number, a closing bracket) it divides.
  let regexAllowed = true;

  const readQuoted = (quote: string) => {
    const start = i + 1;
    i = start;
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') i += 1;
      else if (source[i] === '\n') break; // unterminated: not our business
      i += 1;
    }
    literals.push({ offset: start, text: source.slice(start, i) });
    i += 1;
  };

  const readTemplate = () => {
    const start = i + 1;
    i = start;
    let text = '';
    while (i < source.length && source[i] !== '`') {
      if (source[i] === '\\') {
        text += source.slice(i, i + 2);
        i += 2;
      } else if (source[i] === '$' && source[i + 1] === '{') {
        const holeStart = i;
        i += 2;
        regexAllowed = true;
        readCode(true);
        // readCode stops after the closing brace.
        const hole = source.slice(holeStart, i);
        text += HOLE + hole.slice(1).replace(/[^\n]/g, ' ');
      } else {
        text += source[i];
        i += 1;
      }
    }
    literals.push({ offset: start, text });
    i += 1;
  };

  const readRegex = () => {
    i += 1;
    let inClass = false;
    while (i < source.length) {
      const char = source[i]!;
      if (char === '\\') i += 1;
      else if (char === '[') inClass = true;
      else if (char === ']') inClass = false;
      else if (char === '/' && !inClass) break;
      else if (char === '\n') break;
      i += 1;
    }
    i += 1;
    while (i < source.length && /[a-z]/i.test(source[i]!)) i += 1;
  };

  /** Reads code up to the end, or with `untilBrace` past the brace that closes an interpolation. */
  function readCode(untilBrace: boolean): void {
    let depth = 0;
    while (i < source.length) {
      const char = source[i]!;
      const next = source[i + 1];
      if (char === '/' && next === '/') {
        const end = source.indexOf('\n', i);
        const stop = end === -1 ? source.length : end;
        comments.push([i, stop]);
        i = stop;
      } else if (char === '/' && next === '*') {
        const end = source.indexOf('*/', i + 2);
        const stop = end === -1 ? source.length : end + 2;
        comments.push([i, stop]);
        i = stop;
      } else if (char === "'" || char === '"') {
        readQuoted(char);
        regexAllowed = false;
      } else if (char === '`') {
        readTemplate();
        regexAllowed = false;
      } else if (char === '/') {
        if (regexAllowed) {
          readRegex();
          regexAllowed = false;
        } else {
          i += 1;
          regexAllowed = true;
        }
      } else if (/[A-Za-z_$]/.test(char)) {
        const start = i;
        while (i < source.length && /[\w$]/.test(source[i]!)) i += 1;
        regexAllowed = KEYWORDS_BEFORE_EXPRESSION.has(source.slice(start, i));
      } else if (/[0-9]/.test(char)) {
        while (i < source.length && /[\w.]/.test(source[i]!)) i += 1;
        regexAllowed = false;
      } else if (/\s/.test(char)) {
        i += 1;
      } else {
        if (char === '{') depth += 1;
        if (char === '}') {
          if (untilBrace && depth === 0) {
            i += 1;
            return;
          }
          depth -= 1;
        }
        regexAllowed = char !== ')' && char !== ']' && char !== '}';
        i += 1;
      }
    }
  }

  readCode(false);
  return { literals, comments };
}

const IDENT = String.raw`(?:"[^"]+"|[a-z_][a-z0-9_$]*)(?:\.(?:"[^"]+"|[a-z_][a-z0-9_$]*))?|${HOLE}`;
const WRITES: Array<{ verb: SqlWrite['verb']; pattern: RegExp }> = [
  { verb: 'insert', pattern: new RegExp(String.raw`\binsert\s+into\s+(${IDENT})`, 'gi') },
  // `update <table> [[as] alias] set`: a row lock (`for update of c`) and an upsert's
  // `do update set` name no table and are not matched.
  {
    verb: 'update',
    pattern: new RegExp(String.raw`\bupdate\s+(?:only\s+)?(?!set\b)(${IDENT})(?:\s+(?:as\s+)?(?!set\b)[a-z_][a-z0-9_]*)?\s+set\b`, 'gi'),
  },
  { verb: 'delete', pattern: new RegExp(String.raw`\bdelete\s+from\s+(?:only\s+)?(${IDENT})`, 'gi') },
  { verb: 'merge', pattern: new RegExp(String.raw`\bmerge\s+into\s+(${IDENT})`, 'gi') },
  { verb: 'truncate', pattern: new RegExp(String.raw`\btruncate\s+(?:table\s+)?(?:only\s+)?(${IDENT})`, 'gi') },
  { verb: 'copy', pattern: new RegExp(String.raw`\bcopy\s+(${IDENT})\s*(?:\([^)]*\))?\s*from\b`, 'gi') },
];

function tableName(raw: string): string | null {
  if (raw.includes(HOLE)) return null;
  const last = raw.split('.').pop()!;
  return last.replace(/"/g, '').toLowerCase();
}

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (source.charCodeAt(i) === 10) line += 1;
  return line;
}

/** Every table write in one source file. */
export function findSqlWrites(source: string): SqlWrite[] {
  const { literals, comments } = scanLiterals(source);
  const writes: SqlWrite[] = [];
  for (const literal of literals) {
    for (const { verb, pattern } of WRITES) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(literal.text); match; match = pattern.exec(literal.text)) {
        writes.push({
          table: tableName(match[1]!),
          verb,
          line: lineAt(source, literal.offset + match.index),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: how the report shows an interpolation
          excerpt: match[0].replace(/\s+/g, ' ').replace(HOLE, '${…}'),
        });
      }
    }
  }
  // Db.copyRows(table, rows): the table is the call's first argument.
  let code = source;
  for (const [start, end] of comments) code = code.slice(0, start) + code.slice(start, end).replace(/[^\n]/g, ' ') + code.slice(end);
  const copyCall = /\.copyRows\(\s*(?:(['"])([a-z_][a-z0-9_]*)\1)?/g;
  for (let match = copyCall.exec(code); match; match = copyCall.exec(code)) {
    writes.push({ table: match[2] ?? null, verb: 'copy', line: lineAt(source, match.index), excerpt: match[0] });
  }
  // scrubColumn(tx, { table: '<table>', … }) (src/db/scrub.ts): erasure in the table named.
  const scrubCall = /\bscrubColumn\(\s*\w+,\s*\{\s*table:\s*(?:(['"])([a-z_][a-z0-9_]*)\1)?/g;
  for (let match = scrubCall.exec(code); match; match = scrubCall.exec(code)) {
    writes.push({ table: match[2] ?? null, verb: 'update', line: lineAt(source, match.index), excerpt: match[0].replace(/\s+/g, ' ') });
  }
  return writes.sort((a, b) => a.line - b.line);
}
