import { clearScreenDown, moveCursor } from 'node:readline';
import { styleText } from 'node:util';
import { CliError, ExitCode } from './cli-error';

/** `table` and `plain` are for people (a terminal, a CI log); `json` and `jsonl` for scripts. */
export type OutputFormat = 'table' | 'plain' | 'json' | 'jsonl';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'plain', 'json', 'jsonl'];

export function outputFormat(option: string | undefined, isTerminal: boolean): OutputFormat {
  if (option === undefined) return isTerminal ? 'table' : 'plain';
  if (!OUTPUT_FORMATS.includes(option as OutputFormat)) {
    throw new CliError(`unknown output "${option}": use ${OUTPUT_FORMATS.join(', ')}`, ExitCode.Usage);
  }
  return option as OutputFormat;
}

type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'gray' | 'bold';

/** Writes to stdout in the chosen format; colours only on a terminal, and never under NO_COLOR. */
export class Output {
  private readonly hasColor: boolean;

  constructor(
    readonly format: OutputFormat,
    options: { isColorAllowed: boolean },
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {
    this.hasColor = Boolean(stream.isTTY) && format === 'table' && options.isColorAllowed;
  }

  get isLive(): boolean {
    return this.format === 'table' && Boolean(this.stream.isTTY);
  }

  get isMachine(): boolean {
    return this.format === 'json' || this.format === 'jsonl';
  }

  line(text = ''): void {
    this.stream.write(`${text}\n`);
  }

  color(text: string, color: Color): string {
    return this.hasColor ? styleText(color, text) : text;
  }

  /** One value: pretty JSON for `json`, one line for `jsonl`. */
  value(value: unknown): void {
    this.line(this.format === 'json' ? JSON.stringify(value, null, 2) : JSON.stringify(value));
  }

  /** A list: an array for `json`, a line per item for `jsonl`, else a table of `columns`. */
  list<T>(items: T[], columns: Record<string, (item: T) => unknown>, empty = '(none)'): void {
    if (this.format === 'json') return this.line(JSON.stringify(items, null, 2));
    if (this.format === 'jsonl') return items.forEach((item) => this.line(JSON.stringify(item)));
    if (items.length === 0) return this.line(empty);
    for (const row of table(columns, items)) this.line(row);
  }

  /** The colour of a workflow status or step lifecycle. */
  status(text: string): string {
    const color: Color | null =
      text === 'COMPLETED'
        ? 'green'
        : text === 'FAILED'
          ? 'red'
          : text === 'EXECUTING' || text === 'RUNNING'
            ? 'cyan'
            : text === 'CANCELLED'
              ? 'yellow'
              : null;
    return color ? this.color(text, color) : text;
  }
}

/** Rows of columns padded to their widest cell, the header first. */
export function table<T>(columns: Record<string, (item: T) => unknown>, items: T[]): string[] {
  const names = Object.keys(columns);
  const cells = items.map((item) => names.map((name) => cellText(columns[name](item))));
  const widths = names.map((name, index) =>
    Math.max(name.length, ...cells.map((row) => visibleLength(row[index]))),
  );
  const pad = (row: string[]) =>
    row
      .map((cell, index) =>
        index === row.length - 1 ? cell : cell + ' '.repeat(widths[index] - visibleLength(cell)),
      )
      .join('  ')
      .trimEnd();
  return [pad(names.map((name) => name.toUpperCase())), ...cells.map(pad)];
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/**
 * A block of lines redrawn in place on a terminal (Node's readline moves the cursor; no more
 * is needed for a block that only grows or keeps its height). Lines are cut to the terminal's
 * width, so that none wraps and the cursor arithmetic stays right.
 */
export class LiveScreen {
  private height = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {}

  draw(lines: string[]): void {
    const width = this.stream.columns || 120;
    if (this.height > 0) {
      moveCursor(this.stream, 0, -this.height);
      this.stream.cursorTo?.(0);
    }
    clearScreenDown(this.stream);
    this.stream.write(lines.map((line) => cut(line, width)).join('\n') + '\n');
    this.height = lines.length;
  }
}

function cut(line: string, width: number): string {
  if (visibleLength(line) < width) return line;
  // Cut the visible text; a line with colours is cut without them.
  return line.replace(ANSI, '').slice(0, width - 1);
}
