/**
 * A streaming reader of the restricted XML a returns file is: a root element holding one
 * element per row (a record), whose child elements are the columns and hold text. Both
 * forms fit it: the flat one (`<Rows><Row><ActionId>…`) and impact.com's
 * (`<ModificationRequests><ModificationRequest><Oid>…`, with items either as `Sku1`,
 * `Quantity1`, … or as `<Items><Item><Sku>…</Item></Items>`, the n-th Item giving the
 * columns `Sku<n>`, `Category<n>`, `Quantity<n>` and `Amount<n>`). Names are compared
 * without their namespace prefix; attributes (xmlns) are ignored.
 *
 * Safe by construction: a DOCTYPE (and so any DTD or entity declaration) fails the file,
 * only the five predefined entities and character references are expanded, nesting
 * deeper than `maxXmlDepth` fails the file, and a record longer than `maxLineBytes` is
 * reported and skipped without being kept. Structure errors (a tag closed that was not
 * open, text after the root) fail the file; what is wrong inside one record (an unknown
 * entity, an element where text belongs) makes that record INVALID.
 */
import type { ReturnsLimits } from '../types.js';
import { ReturnsFileError } from './errors.js';

export interface XmlRecord {
  readonly cells: [string, string][];
  readonly problem?: { readonly column: string | null; readonly message: string };
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

function malformed(detail: string): ReturnsFileError {
  return new ReturnsFileError('XML_MALFORMED', `The XML is not well-formed: ${detail}.`);
}

export class XmlRecords {
  private buffer = '';
  /** Names of the open elements, outermost first (at most maxXmlDepth of them). */
  private readonly open: string[] = [];
  private rootClosed = false;
  private sawRoot = false;
  private recordNumber = 0;

  private cells: [string, string][] = [];
  private problem: XmlRecord['problem'];
  private recordLength = 0;
  private tooLong = false;
  /** In a record: the column element being read and its text; the item number inside `<Items>`. */
  private column: string | undefined;
  private itemNumber = 0;
  private inItems = false;
  private text = '';
  private raw = '';
  private textTooLong = false;

  constructor(
    private readonly limits: ReturnsLimits,
    private readonly emit: (record: XmlRecord) => void,
  ) {}

  feed(piece: string): void {
    this.buffer = this.buffer === '' ? piece : this.buffer + piece;
    this.consume(false);
  }

  end(): void {
    this.consume(true);
    if (this.buffer.trim() !== '') throw malformed('the file ends inside a tag');
    if (!this.sawRoot) throw new ReturnsFileError('NOT_XML', 'The XML file has no root element, so it holds no rows.');
    if (!this.rootClosed) throw malformed(`the file ends before the element <${this.open[0]}> is closed`);
  }

  private consume(final: boolean): void {
    const s = this.buffer;
    const n = s.length;
    const tagLimit = this.limits.maxLineBytes;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt === -1) {
        this.addRaw(s, i, n);
        i = n;
        break;
      }
      this.addRaw(s, i, lt);
      i = lt;
      if (!final && n - i < 9) break;
      const second = s.charCodeAt(i + 1);
      if (second === 0x21 /* ! */ && s.startsWith('<!--', i)) {
        const close = s.indexOf('-->', i + 4);
        if (close === -1) {
          if (n - i > tagLimit) throw malformed(`a comment is longer than ${tagLimit} characters`);
          if (final) throw malformed('a comment is never closed');
          break;
        }
        i = close + 3;
        continue;
      }
      if (second === 0x21 && s.startsWith('<![CDATA[', i)) {
        const close = s.indexOf(']]>', i + 9);
        if (close === -1) {
          if (n - i > tagLimit) throw malformed(`a CDATA section is longer than ${tagLimit} characters`);
          if (final) throw malformed('a CDATA section is never closed');
          break;
        }
        this.flushRaw();
        this.addText(s.slice(i + 9, close));
        i = close + 3;
        continue;
      }
      if (second === 0x21) {
        throw new ReturnsFileError(
          'XML_DTD',
          'XML with a DTD is not accepted (the file has a <!DOCTYPE …> or other declaration): remove it; a returns file needs none, and entities other than &lt; &gt; &amp; &quot; &apos; are not expanded.',
        );
      }
      const close = tagEnd(s, i + 1);
      if (close === -1) {
        if (n - i > tagLimit) throw malformed(`a tag is longer than ${tagLimit} characters`);
        if (final) throw malformed('the file ends inside a tag');
        break;
      }
      const tag = s.slice(i + 1, close);
      i = close + 1;
      if (second === 0x3f /* ? */) {
        if (!tag.endsWith('?')) throw malformed('a processing instruction (<?…?>) is not closed with ?>');
        continue;
      }
      this.countRecord(tag.length + 2);
      this.flushRaw();
      if (second === 0x2f /* / */) this.closeTag(tag.slice(1).trim());
      else {
        const selfClosing = tag.endsWith('/');
        const name = tagName(selfClosing ? tag.slice(0, -1) : tag);
        if (!NAME.test(name)) throw malformed(`<${tag.slice(0, 40)}> is not a tag`);
        this.openTag(name);
        if (selfClosing) this.closeTag(name);
      }
    }
    this.buffer = i >= n ? '' : s.slice(i);
  }

  private countRecord(length: number): void {
    if (this.open.length < 2) return;
    this.recordLength += length;
    if (!this.tooLong && this.recordLength > this.limits.maxLineBytes) {
      this.tooLong = true;
      this.cells = [];
    }
  }

  private addRaw(s: string, from: number, to: number): void {
    if (from === to) return;
    const depth = this.open.length;
    if (depth < 2 || this.column === undefined) {
      // Between elements only white space may stand (indentation).
      for (let k = from; k < to; k++) {
        const c = s.charCodeAt(k);
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          if (depth < 2) throw malformed(depth === 0 ? 'text stands outside the root element' : `text stands directly inside <${this.open[0]}>, where only row elements belong`);
          this.flag(null, 'the row holds text outside its column elements');
          break;
        }
      }
      return;
    }
    this.countRecord(to - from);
    if (this.tooLong || this.textTooLong) return;
    if (this.raw.length + this.text.length + (to - from) > this.limits.maxFieldBytes) {
      this.textTooLong = true;
      return;
    }
    this.raw += s.slice(from, to);
  }

  private addText(text: string): void {
    if (this.column === undefined) {
      if (this.open.length >= 2) this.flag(null, 'the row holds text outside its column elements');
      return;
    }
    this.countRecord(text.length);
    if (this.text.length + text.length > this.limits.maxFieldBytes) this.textTooLong = true;
    else if (!this.tooLong) this.text += text;
  }

  /** Expands the entities of the raw text read since the last tag. */
  private flushRaw(): void {
    if (this.raw === '') return;
    const raw = this.raw;
    this.raw = '';
    if (!raw.includes('&')) {
      this.text += raw;
      return;
    }
    this.text += raw.replace(/&([^;&\s]{0,12});?/g, (whole, name: string) => {
      const value = entityValue(whole, name);
      if (value === undefined) {
        this.flag(this.column ?? null, `"${whole.slice(0, 14)}" is not an entity this reader expands: write & as &amp; (only &lt; &gt; &amp; &quot; &apos; and character references like &#233; are read)`);
        return whole;
      }
      return value;
    });
  }

  private flag(column: string | null, message: string): void {
    if (!this.problem) this.problem = { column, message };
  }

  private openTag(qualified: string): void {
    const name = localName(qualified);
    const depth = this.open.length;
    if (depth >= this.limits.maxXmlDepth) {
      throw new ReturnsFileError('XML_TOO_DEEP', `The XML nests elements deeper than ${this.limits.maxXmlDepth} levels (the limit); a returns file needs 3 (root, row, column), or 5 with <Items><Item>.`);
    }
    if (depth === 0) {
      if (this.rootClosed) throw malformed(`a second root element <${qualified}> follows </${this.open[0] ?? 'root'}>`);
      this.sawRoot = true;
    } else if (depth === 1) {
      this.recordNumber++;
      this.cells = [];
      this.problem = undefined;
      this.recordLength = qualified.length + 2;
      this.tooLong = false;
    } else if (depth === 2) {
      if (name.toLowerCase() === 'items') {
        this.inItems = true;
        this.itemNumber = 0;
      } else this.startColumn(name);
    } else if (depth === 3 && this.inItems) {
      if (name.toLowerCase() === 'item') this.itemNumber++;
      else this.flag(name, `<Items> holds <Item> elements, not <${name}>`);
    } else if (depth === 4 && this.inItems && this.column === undefined) {
      this.startColumn(`${name}${this.itemNumber}`);
    } else {
      this.flag(this.column ?? name, `the column ${this.column ?? name} holds an element <${name}>; a column holds text`);
    }
    this.open.push(qualified);
  }

  private startColumn(name: string): void {
    this.column = name;
    this.text = '';
    this.raw = '';
    this.textTooLong = false;
  }

  private closeTag(qualified: string): void {
    const expected = this.open.pop();
    if (expected === undefined) throw malformed(`</${qualified}> closes an element that is not open`);
    if (expected !== qualified) throw malformed(`</${qualified}> closes <${expected}>${this.recordNumber ? ` (in row ${this.recordNumber})` : ''}`);
    const depth = this.open.length;
    if (depth === 0) this.rootClosed = true;
    else if (depth === 1) {
      this.emit(this.tooLong ? { cells: [], problem: { column: null, message: `the row is longer than ${this.limits.maxLineBytes} characters (the limit), so it was not read` } } : this.problem ? { cells: this.cells, problem: this.problem } : { cells: this.cells });
      this.cells = [];
      this.problem = undefined;
    } else if (this.column !== undefined && (depth === 2 || (depth === 4 && this.inItems))) {
      if (this.textTooLong) this.flag(this.column, `the value of ${this.column} is longer than ${this.limits.maxFieldBytes} characters (the limit)`);
      if (!this.tooLong) this.cells.push([this.column, this.text]);
      this.column = undefined;
      this.text = '';
    } else if (depth === 2 && this.inItems) this.inItems = false;
  }
}

function entityValue(whole: string, name: string): string | undefined {
  if (!whole.endsWith(';')) return undefined;
  const predefined = PREDEFINED[name];
  if (predefined !== undefined) return predefined;
  const reference = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
  if (!reference) return undefined;
  const code = reference[1] !== undefined ? Number.parseInt(reference[1], 16) : Number(reference[2]);
  const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? String.fromCodePoint(code) : undefined;
}

/** The index of the `>` that ends the tag starting at `from`, skipping quoted attribute values; -1 when not in `s` yet. */
function tagEnd(s: string, from: number): number {
  let quote = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return i;
  }
  return -1;
}

/** The element name at the start of a tag's text (up to white space: attributes follow it). */
function tagName(tag: string): string {
  for (let i = 0; i < tag.length; i++) {
    const c = tag.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return tag.slice(0, i);
  }
  return tag;
}
