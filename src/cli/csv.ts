/**
 * @module cli/csv
 * A small RFC 4180 CSV reader for CLI inputs: comma-separated, fields optionally in double
 * quotes (a quote inside is doubled, commas and line breaks inside are kept), LF or CRLF line
 * ends, a leading UTF-8 BOM and a final line break ignored. Blank lines are skipped. Malformed
 * quoting is an error naming the line, never a silently shifted column.
 */

export class CsvError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvError';
  }
}

export interface CsvRecord {
  /** 1-based line where the record starts (for error messages). */
  line: number;
  fields: string[];
}

/** Parse CSV text into records (header included, as the first record). */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  const n = src.length;

  while (i < n) {
    const startLine = line;
    const startsEmpty = src[i] === '\n' || src[i] === '\r';
    const fields: string[] = [];
    let atRecordEnd = false;
    while (!atRecordEnd) {
      let value = '';
      if (src[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const ch = src[i]!;
          if (ch === '"') {
            if (src[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (ch === '\n') line++;
          value += ch;
          i++;
        }
        if (!closed) throw new CsvError(startLine, 'unterminated quoted field');
        const next = src[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvError(line, `unexpected character '${next}' after a closing quote`);
        }
      } else {
        const start = i;
        while (i < n && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') {
          if (src[i] === '"') throw new CsvError(line, 'quote inside an unquoted field');
          i++;
        }
        value = src.slice(start, i);
      }
      fields.push(value);
      if (src[i] === ',') {
        i++;
        continue;
      }
      // end of line or input
      if (src[i] === '\r') i++;
      if (src[i] === '\n') i++;
      line++;
      atRecordEnd = true;
    }
    const blank = startsEmpty && fields.length === 1;
    if (!blank) records.push({ line: startLine, fields });
  }
  return records;
}
