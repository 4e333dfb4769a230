/**
 * @module lifecycle/registry-file
 * Careful text edits of the two files operators commit: config/monthly-models.ts (the
 * MONTHLY_MODELS registry) and config/local.env. Works on strings only; the commands do the I/O.
 *
 * The registry is read with a small parser for plain object literals (strings, numbers, booleans,
 * null, arrays, objects, comments, trailing commas), never with eval. It keeps the source span of
 * every property, so an edit rewrites exactly one value (the entry's `enabled:`) and leaves every
 * other byte, comment and layout alone. Each edit re-parses the result with parseRegistry and
 * checks that nothing but the intended field changed before handing the text back.
 */
import { isDeepStrictEqual } from 'node:util';
import { PwError } from '../errors.js';
import { parseRegistry, type Registry } from '../../config/registry.js';

// --- literal parser -------------------------------------------------------------------------

type Scalar = string | number | boolean | null;

export type LiteralNode =
  | { kind: 'object'; start: number; end: number; props: LiteralProp[] }
  | { kind: 'array'; start: number; end: number; items: LiteralNode[] }
  | { kind: 'scalar'; start: number; end: number; value: Scalar };

export interface LiteralProp {
  key: string;
  keyStart: number;
  value: LiteralNode;
}

interface Token {
  type: 'punct' | 'string' | 'number' | 'ident';
  text: string;
  value: Scalar;
  start: number;
  end: number;
}

/** Habits from Python (the original system's registry was Python) and the literal they mean here. */
const PYTHONISMS: Record<string, string> = { True: 'true', False: 'false', None: 'null' };

/** A hint for a value or character the literal parser refused, or '' when there is none. */
export function registryHint(token: string): string {
  if (token in PYTHONISMS) return ` (hint: write ${PYTHONISMS[token]}, not Python's ${token}: this file is TypeScript)`;
  if (token === '#') return " (hint: comments start with //, not Python's #)";
  if (/^[A-Za-z_$][\w$]*$/.test(token)) return ' (hint: only literal values are allowed: quote strings, no variables or expressions)';
  return '';
}

/** Where the file's name goes in errors when the caller did not say (tests, snippets). */
const UNNAMED = '(registry file)';

/** A refused literal: position and reason; the one public entry point turns it into PW_ERR_REGISTRY with file:line. */
class LiteralSyntaxError extends Error {
  constructor(
    readonly pos: number,
    readonly what: string,
  ) {
    super(what);
  }
}

function syntaxError(_text: string, pos: number, what: string): LiteralSyntaxError {
  return new LiteralSyntaxError(pos, what);
}

/** `file:line:column` for a position. */
export function fileLineCol(file: string, text: string, pos: number): string {
  const before = text.slice(0, pos);
  return `${file}:${before.split('\n').length}:${pos - before.lastIndexOf('\n')}`;
}

function registrySyntaxError(file: string, text: string, err: LiteralSyntaxError): PwError {
  return new PwError('PW_ERR_REGISTRY', undefined, `at ${fileLineCol(file, text, err.pos)}`, `${err.what}; MONTHLY_MODELS must be a plain object literal`);
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };

class Lexer {
  pos: number;
  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start;
  }

  private skipTrivia(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF') this.pos++;
      else if (c === '/' && t[this.pos + 1] === '/') {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else if (c === '/' && t[this.pos + 1] === '*') {
        const close = t.indexOf('*/', this.pos + 2);
        if (close < 0) throw syntaxError(t, this.pos, 'unterminated comment');
        this.pos = close + 2;
      } else return;
    }
  }

  next(): Token {
    this.skipTrivia();
    const t = this.text;
    const start = this.pos;
    const c = t[start];
    if (c === undefined) throw syntaxError(t, start, 'unexpected end of file');
    if ('{}[]:,'.includes(c)) {
      this.pos++;
      return { type: 'punct', text: c, value: null, start, end: this.pos };
    }
    if (c === "'" || c === '"') return this.string(c);
    if (c === '`') throw syntaxError(t, start, 'template literals are not supported');
    const num = /^-?(?:\d[\d_]*)?(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(t.slice(start, start + 64));
    if (num && /\d/.test(num[0])) {
      this.pos += num[0].length;
      const value = Number(num[0].replace(/_/g, ''));
      if (!Number.isFinite(value)) throw syntaxError(t, start, `bad number '${num[0]}'`);
      return { type: 'number', text: num[0], value, start, end: this.pos };
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(t.slice(start, start + 256));
    if (id) {
      this.pos += id[0].length;
      return { type: 'ident', text: id[0], value: id[0], start, end: this.pos };
    }
    throw syntaxError(t, start, `unexpected character '${c}'${registryHint(c)}`);
  }

  private string(quote: string): Token {
    const t = this.text;
    const start = this.pos;
    let out = '';
    let i = start + 1;
    for (;;) {
      const c = t[i];
      if (c === undefined || c === '\n') throw syntaxError(t, start, 'unterminated string');
      if (c === quote) break;
      if (c === '\\') {
        const e = t[i + 1];
        if (e === undefined) throw syntaxError(t, i, 'unterminated string');
        if (e === 'u') {
          const hex = /^[0-9a-fA-F]{4}/.exec(t.slice(i + 2, i + 6));
          if (!hex) throw syntaxError(t, i, 'bad \\u escape');
          out += String.fromCharCode(parseInt(hex[0], 16));
          i += 6;
          continue;
        }
        if (e === '\n') {
          i += 2; // line continuation
          continue;
        }
        out += ESCAPES[e] ?? e;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    this.pos = i + 1;
    return { type: 'string', text: t.slice(start, this.pos), value: out, start, end: this.pos };
  }
}

function parseValue(text: string, lx: Lexer, first?: Token): LiteralNode {
  const tok = first ?? lx.next();
  if (tok.type === 'punct' && tok.text === '{') return parseObject(text, lx, tok.start);
  if (tok.type === 'punct' && tok.text === '[') return parseArray(text, lx, tok.start);
  if (tok.type === 'string' || tok.type === 'number') return { kind: 'scalar', start: tok.start, end: tok.end, value: tok.value };
  if (tok.type === 'ident' && (tok.text === 'true' || tok.text === 'false')) return { kind: 'scalar', start: tok.start, end: tok.end, value: tok.text === 'true' };
  if (tok.type === 'ident' && tok.text === 'null') return { kind: 'scalar', start: tok.start, end: tok.end, value: null };
  throw syntaxError(text, tok.start, `unsupported value '${tok.text}'${registryHint(tok.text)}`);
}

function parseObject(text: string, lx: Lexer, start: number): LiteralNode {
  const props: LiteralProp[] = [];
  const seen = new Set<string>();
  for (;;) {
    const tok = lx.next();
    if (tok.type === 'punct' && tok.text === '}') return { kind: 'object', start, end: tok.end, props };
    if (tok.type === 'punct') throw syntaxError(text, tok.start, `expected a property name, got '${tok.text}'`);
    const key = String(tok.value);
    if (seen.has(key)) throw syntaxError(text, tok.start, `duplicate key '${key}'`);
    seen.add(key);
    const colon = lx.next();
    if (colon.text !== ':' || colon.type !== 'punct') throw syntaxError(text, colon.start, `expected ':' after '${key}'`);
    props.push({ key, keyStart: tok.start, value: parseValue(text, lx) });
    const sep = lx.next();
    if (sep.type === 'punct' && sep.text === '}') return { kind: 'object', start, end: sep.end, props };
    if (!(sep.type === 'punct' && sep.text === ',')) throw syntaxError(text, sep.start, `expected ',' or '}' after '${key}'`);
  }
}

function parseArray(text: string, lx: Lexer, start: number): LiteralNode {
  const items: LiteralNode[] = [];
  for (;;) {
    const tok = lx.next();
    if (tok.type === 'punct' && tok.text === ']') return { kind: 'array', start, end: tok.end, items };
    items.push(parseValue(text, lx, tok));
    const sep = lx.next();
    if (sep.type === 'punct' && sep.text === ']') return { kind: 'array', start, end: sep.end, items };
    if (!(sep.type === 'punct' && sep.text === ',')) throw syntaxError(text, sep.start, "expected ',' or ']'");
  }
}

/** Parse one plain literal starting at `start` (the position of its first character). */
export function parseLiteralAt(text: string, start: number, file: string = UNNAMED): LiteralNode {
  try {
    return parseValue(text, new Lexer(text, start));
  } catch (err) {
    if (err instanceof LiteralSyntaxError) throw registrySyntaxError(file, text, err);
    throw err;
  }
}

export function literalValue(node: LiteralNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'array') return node.items.map(literalValue);
  return Object.fromEntries(node.props.map((p) => [p.key, literalValue(p.value)]));
}

// --- the registry file ----------------------------------------------------------------------

const DECLARATION = /export\s+const\s+MONTHLY_MODELS\b[^=;{]*=\s*(?=\{)/;

/** The `{ … }` assigned to MONTHLY_MODELS, with spans. Errors name `file`, line and column. */
export function locateRegistry(text: string, file: string = UNNAMED): Extract<LiteralNode, { kind: 'object' }> {
  const m = DECLARATION.exec(text);
  if (!m) throw new PwError('PW_ERR_REGISTRY', undefined, `(${file})`, "no 'export const MONTHLY_MODELS … = {' declaration found");
  const node = parseLiteralAt(text, m.index + m[0].length, file);
  if (node.kind !== 'object') throw registrySyntaxError(file, text, syntaxError(text, node.start, 'MONTHLY_MODELS is not an object'));
  return node;
}

/** The registry as raw data (what the TypeScript module evaluates to). */
export function registryRawFromText(text: string, file: string = UNNAMED): Record<string, unknown> {
  return literalValue(locateRegistry(text, file)) as Record<string, unknown>;
}

/**
 * The registry file's text → validated Registry (parseRegistry). A syntax error names
 * `file:line:column` (with a hint for Python habits such as `True`/`None`); a schema error names
 * the entry, the field and the entry's `file:line`.
 */
export function parseRegistryText(text: string, file: string = UNNAMED): Registry {
  const root = locateRegistry(text, file);
  try {
    return parseRegistry(literalValue(root) as Record<string, unknown>);
  } catch (err) {
    if (!(err instanceof PwError) || err.code !== 'PW_ERR_REGISTRY') throw err;
    const where = root.props
      .filter((p) => err.message.includes(`${p.key}.`) || err.message.includes(`${p.key}:`))
      .map((p) => fileLineCol(file, text, p.keyStart).replace(/:\d+$/, ''));
    if (where.length === 0) throw err;
    throw new PwError('PW_ERR_REGISTRY', { cause: err }, `in ${where.join(', ')}`, err.message.replace(/^Invalid MONTHLY_MODELS registry entry /, ''));
  }
}

function lineStartOf(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

function lineEndOf(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text.length : nl;
}

/** One-line comment text: no line breaks, trimmed. */
export function commentText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

export interface RegistryEdit {
  text: string;
  /** 1-based line of the edited `enabled:` value in the NEW text. */
  line: number;
  /** The affected lines before and after, for a diff-like summary. */
  before: string[];
  after: string[];
}

/**
 * Set `enabled: false` on one entry and add `// <comment>` (trailing on that line when the value
 * ends it, else on its own line above). Throws PW_ERR_REGISTRY for an unknown entry, an entry
 * without a literal boolean `enabled`, or a result that does not re-parse to the same registry
 * with only that entry's `enabled` changed.
 */
export function disableEntry(text: string, systemId: string, comment: string): RegistryEdit {
  const root = locateRegistry(text);
  const entry = root.props.find((p) => p.key === systemId);
  if (!entry) throw new PwError('PW_ERR_REGISTRY', undefined, systemId, 'no such entry in MONTHLY_MODELS');
  if (entry.value.kind !== 'object') throw new PwError('PW_ERR_REGISTRY', undefined, systemId, 'entry is not an object literal');
  const enabled = entry.value.props.find((p) => p.key === 'enabled');
  if (!enabled || enabled.value.kind !== 'scalar' || typeof enabled.value.value !== 'boolean') {
    throw new PwError('PW_ERR_REGISTRY', undefined, systemId, "entry has no literal 'enabled: true|false'");
  }
  const note = commentText(comment);
  if (!note) throw new PwError('PW_ERR_REGISTRY', undefined, systemId, 'an edit needs a comment saying why');

  const { start: vStart, end: vEnd } = enabled.value;
  const lineStart = lineStartOf(text, vStart);
  const lineEnd = lineEndOf(text, vEnd);
  const rest = text.slice(vEnd, lineEnd);
  const oldLine = text.slice(lineStart, lineEnd);
  const valueEdited = text.slice(0, vStart) + 'false' + text.slice(vEnd);
  const delta = 'false'.length - (vEnd - vStart);
  let out: string;
  let after: string[];
  let editedLine: number;
  if (/^\s*,?\s*$/.test(rest)) {
    // `enabled: true,` ends the line: the reason goes right after it, as in the guide.
    const newLine = `${valueEdited.slice(lineStart, lineEnd + delta).trimEnd()} // ${note}`;
    out = valueEdited.slice(0, lineStart) + newLine + valueEdited.slice(lineEnd + delta);
    after = [newLine];
    editedLine = text.slice(0, lineStart).split('\n').length;
  } else {
    // Something else follows on the line (a comment, more properties): comment on its own line.
    const indent = /^[ \t]*/.exec(oldLine)![0];
    const commentLine = `${indent}// ${note}`;
    out = valueEdited.slice(0, lineStart) + commentLine + '\n' + valueEdited.slice(lineStart);
    after = [commentLine, valueEdited.slice(lineStart, lineEnd + delta)];
    editedLine = text.slice(0, lineStart).split('\n').length + 1;
  }

  // Prove the edit: still valid, and only this entry's `enabled` differs.
  const beforeReg = registryRawFromText(text) as Record<string, Record<string, unknown>>;
  let afterReg: Record<string, Record<string, unknown>>;
  try {
    parseRegistryText(out);
    afterReg = registryRawFromText(out) as Record<string, Record<string, unknown>>;
  } catch (err) {
    throw new PwError('PW_ERR_REGISTRY', { cause: err }, systemId, `the edited file would not parse: ${(err as Error).message}`);
  }
  const expected = { ...beforeReg, [systemId]: { ...beforeReg[systemId], enabled: false } };
  if (!isDeepStrictEqual(afterReg, expected)) {
    throw new PwError('PW_ERR_REGISTRY', undefined, systemId, 'the edit changed more than the enabled flag; file left untouched');
  }
  return { text: out, line: editedLine, before: [oldLine], after };
}

/**
 * Insert an entry snippet (registrySnippet output) before the closing brace of MONTHLY_MODELS:
 * what an operator does by hand after `evaluate`, used by tests and demos.
 */
export function insertEntry(text: string, snippet: string): string {
  const root = locateRegistry(text);
  let t = text;
  let close = root.end - 1; // position of '}'
  const last = root.props.at(-1);
  if (last && new Lexer(text, last.value.end).next().text !== ',') {
    t = t.slice(0, last.value.end) + ',' + t.slice(last.value.end);
    close += 1;
  }
  const head = t.slice(0, close).replace(/[ \t]*$/, '');
  const out = head + (head.endsWith('\n') ? '' : '\n') + snippet + t.slice(close);
  parseRegistryText(out);
  return out;
}

// --- env files ------------------------------------------------------------------------------

export interface EnvEdit {
  text: string;
  before: string | undefined;
  after: string;
}

/**
 * Set KEY=value in a dotenv file: replaces the (last) uncommented KEY= line, else appends one.
 * Other lines, comments and order are untouched.
 */
export function setEnvVar(text: string, key: string, value: string): EnvEdit {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new PwError('PW_ERR_CONFIG', undefined, `bad env variable name '${key}'`);
  if (/[\r\n]/.test(value)) throw new PwError('PW_ERR_CONFIG', undefined, `${key} value must be one line`);
  const lines = text.split('\n');
  const pattern = new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=`);
  let index = -1;
  lines.forEach((l, i) => {
    if (pattern.test(l)) index = i;
  });
  const after = `${key}=${value}`;
  if (index >= 0) {
    const before = lines[index];
    lines[index] = after;
    return { text: lines.join('\n'), before, after };
  }
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return { text: `${base}${after}\n`, before: undefined, after };
}

/** The value of an uncommented KEY= line (last wins), undefined when absent. */
export function getEnvVar(text: string, key: string): string | undefined {
  let value: string | undefined;
  const pattern = new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=(.*)$`);
  for (const l of text.split('\n')) {
    const m = pattern.exec(l);
    if (m) value = m[1]!.trim();
  }
  return value;
}
