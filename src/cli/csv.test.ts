import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from './csv.js';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('splits plain records, with or without a final line break, LF or CRLF', () => {
    expect(fields('a,b\n1,2\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(fields('a,b\r\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps empty fields (missing values) in place', () => {
    expect(fields('a,b,c\n,,\n1,,3\n')).toEqual([['a', 'b', 'c'], ['', '', ''], ['1', '', '3']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text = '"name, with comma","say ""hi""",x\n"multi\nline",2,"3"\n';
    const records = parseCsv(text);
    expect(records.map((r) => r.fields)).toEqual([
      ['name, with comma', 'say "hi"', 'x'],
      ['multi\nline', '2', '3'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2]);
  });

  it('skips blank lines and a UTF-8 BOM, and reports the starting line of each record', () => {
    const records = parseCsv('\uFEFFa,b\n\n1,2\n\r\n3,4\n');
    expect(records.map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    expect(records.map((r) => r.line)).toEqual([1, 3, 5]);
  });

  it('keeps a record of one empty quoted field (a single-column missing value)', () => {
    expect(fields('a\n""\n1\n')).toEqual([['a'], [''], ['1']]);
  });

  it('rejects malformed quoting with the line number', () => {
    expect(() => parseCsv('a,b\n"open,2\n')).toThrow(CsvError);
    expect(() => parseCsv('a,b\n"open,2\n')).toThrow(/line 2: unterminated/);
    expect(() => parseCsv('a,b\n"x"y,2\n')).toThrow(/line 2: unexpected character 'y'/);
    expect(() => parseCsv('a,b\n1,x"y\n')).toThrow(/line 2: quote inside an unquoted field/);
  });

  it('returns nothing for empty input', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\n\n')).toEqual([]);
  });
});
