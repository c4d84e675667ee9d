/**
 * A small LaTeX arithmetic evaluator standing in for MATH-V's `eval(str(latex2sympy(text)))`: numbers,
 * + − × ÷ (`*`, `\times`, `\cdot`, `/`, `\div`), implicit products, `^`, parentheses and braces, `\frac`,
 * `\sqrt` (with an optional index) and `\pi`. Anything else (a letter, a comma, `\infty`, `%`) is not a
 * number, as in Python where evaluating a sympy symbol raises NameError and MATH-V's is_equal says "not equal".
 *
 * Values remember whether Python would hold an int or a float, because eval_tuple compares `str(round(v, 2))`
 * strings ("6" for an int, "6.0" for a float).
 */

export interface PythonNumber {
  value: number;
  /** true when Python's eval would produce an int (integer literals combined by + − × and non-negative ^). */
  integer: boolean;
}

class NotANumber extends Error {}

type Token =
  | { kind: 'number'; text: string }
  | { kind: 'command'; name: string }
  | { kind: 'symbol'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index] ?? '';
    // latex2sympy2 turns `$`, `~` into spaces before parsing.
    if (/\s/.test(character) || character === '$' || character === '~') {
      index += 1;
      continue;
    }
    const number = /^(\d+\.?\d*|\.\d+)/.exec(text.slice(index));
    if (number !== null) {
      tokens.push({ kind: 'number', text: number[0] });
      index += number[0].length;
      continue;
    }
    if (character === '\\') {
      const command = /^\\([a-zA-Z]+)/.exec(text.slice(index));
      if (command === null) {
        // `\,` `\;` `\!` `\ ` are spacing in LaTeX.
        if (/^\\[,;:! ]/.test(text.slice(index))) {
          index += 2;
          continue;
        }
        throw new NotANumber();
      }
      tokens.push({ kind: 'command', name: command[1] ?? '' });
      index += command[0].length;
      continue;
    }
    if ('+-*/^(){}[]'.includes(character)) {
      tokens.push({ kind: 'symbol', text: character });
      index += 1;
      continue;
    }
    throw new NotANumber();
  }
  return tokens;
}

const MULTIPLY_COMMANDS = new Set(['times', 'cdot', 'ast']);
const DIVIDE_COMMANDS = new Set(['div']);
const IGNORED_COMMANDS = new Set(['left', 'right', 'displaystyle', 'quad', 'qquad']);

class Parser {
  #position = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): PythonNumber {
    const value = this.#expression();
    if (this.#position !== this.tokens.length) throw new NotANumber();
    return value;
  }

  #peek(): Token | undefined {
    while (true) {
      const token = this.tokens[this.#position];
      if (token?.kind === 'command' && IGNORED_COMMANDS.has(token.name)) this.#position += 1;
      else return token;
    }
  }

  #next(): Token {
    const token = this.#peek();
    if (token === undefined) throw new NotANumber();
    this.#position += 1;
    return token;
  }

  #isSymbol(token: Token | undefined, text: string): boolean {
    return token?.kind === 'symbol' && token.text === text;
  }

  #expect(text: string): void {
    if (!this.#isSymbol(this.#next(), text)) throw new NotANumber();
  }

  #expression(): PythonNumber {
    let left = this.#term();
    while (true) {
      const token = this.#peek();
      if (this.#isSymbol(token, '+')) {
        this.#position += 1;
        left = add(left, this.#term());
      } else if (this.#isSymbol(token, '-')) {
        this.#position += 1;
        left = add(left, negate(this.#term()));
      } else return left;
    }
  }

  #term(): PythonNumber {
    let left = this.#unary();
    while (true) {
      const token = this.#peek();
      if (token === undefined) return left;
      if (this.#isSymbol(token, '*') || (token.kind === 'command' && MULTIPLY_COMMANDS.has(token.name))) {
        this.#position += 1;
        left = multiply(left, this.#unary());
      } else if (this.#isSymbol(token, '/') || (token.kind === 'command' && DIVIDE_COMMANDS.has(token.name))) {
        this.#position += 1;
        left = divide(left, this.#unary());
      } else if (this.#startsPrimary(token)) {
        left = multiply(left, this.#power());
      } else return left;
    }
  }

  #startsPrimary(token: Token): boolean {
    if (token.kind === 'number') return true;
    if (token.kind === 'command') return ['frac', 'dfrac', 'tfrac', 'sqrt', 'pi'].includes(token.name);
    return token.text === '(' || token.text === '{';
  }

  #unary(): PythonNumber {
    const token = this.#peek();
    if (this.#isSymbol(token, '-')) {
      this.#position += 1;
      return negate(this.#unary());
    }
    if (this.#isSymbol(token, '+')) {
      this.#position += 1;
      return this.#unary();
    }
    return this.#power();
  }

  #power(): PythonNumber {
    const base = this.#primary();
    if (!this.#isSymbol(this.#peek(), '^')) return base;
    this.#position += 1;
    return power(base, this.#argument());
  }

  /** A braced group, or a single token: `\frac12`, `x^2`, `\sqrt2` take one digit. */
  #argument(): PythonNumber {
    const token = this.#peek();
    if (this.#isSymbol(token, '{')) return this.#primary();
    if (token?.kind === 'number') {
      this.#position += 1;
      const digit = token.text[0] ?? '';
      if (!/\d/.test(digit)) throw new NotANumber();
      const rest = token.text.slice(1);
      if (rest !== '') this.tokens.splice(this.#position, 0, { kind: 'number', text: rest });
      return { value: Number(digit), integer: true };
    }
    if (this.#isSymbol(token, '-')) {
      this.#position += 1;
      return negate(this.#argument());
    }
    return this.#primary();
  }

  #primary(): PythonNumber {
    const token = this.#next();
    if (token.kind === 'number') {
      const integer = !token.text.includes('.');
      return { value: Number(token.text), integer };
    }
    if (token.kind === 'symbol') {
      if (token.text === '(' || token.text === '{') {
        const inner = this.#expression();
        this.#expect(token.text === '(' ? ')' : '}');
        return inner;
      }
      throw new NotANumber();
    }
    switch (token.name) {
      case 'frac':
      case 'dfrac':
      case 'tfrac': {
        const numerator = this.#argument();
        return divide(numerator, this.#argument());
      }
      case 'sqrt': {
        let index: PythonNumber = { value: 2, integer: true };
        if (this.#isSymbol(this.#peek(), '[')) {
          this.#position += 1;
          index = this.#expression();
          this.#expect(']');
        }
        const radicand = this.#argument();
        if (radicand.value < 0) throw new NotANumber();
        return { value: index.value === 2 ? Math.sqrt(radicand.value) : radicand.value ** (1 / index.value), integer: false };
      }
      case 'pi':
        return { value: Math.PI, integer: false };
      default:
        throw new NotANumber();
    }
  }
}

function add(left: PythonNumber, right: PythonNumber): PythonNumber {
  return { value: left.value + right.value, integer: left.integer && right.integer };
}

function negate(value: PythonNumber): PythonNumber {
  return { value: -value.value, integer: value.integer };
}

function multiply(left: PythonNumber, right: PythonNumber): PythonNumber {
  return { value: left.value * right.value, integer: left.integer && right.integer };
}

function divide(left: PythonNumber, right: PythonNumber): PythonNumber {
  // Python's true division: always a float, and ZeroDivisionError (→ "not equal") on zero.
  if (right.value === 0) throw new NotANumber();
  return { value: left.value / right.value, integer: false };
}

function power(base: PythonNumber, exponent: PythonNumber): PythonNumber {
  const value = base.value ** exponent.value;
  if (!Number.isFinite(value) || Number.isNaN(value)) throw new NotANumber();
  return { value, integer: base.integer && exponent.integer && exponent.value >= 0 };
}

/** The number a LaTeX arithmetic expression denotes, or undefined when it is not one. */
export function evaluateLatex(text: string): PythonNumber | undefined {
  try {
    const tokens = tokenize(text);
    if (tokens.length === 0) return undefined;
    const result = new Parser(tokens).parse();
    return Number.isFinite(result.value) ? result : undefined;
  } catch (error) {
    if (error instanceof NotANumber) return undefined;
    throw error;
  }
}

/**
 * Python's `round(x, 2)`: correctly rounded to two decimals, ties to even. `toFixed` rounds the exact
 * binary value but breaks ties away from zero; ties exist only when 8·x is an odd integer.
 */
export function pythonRound2(value: number): number {
  if (!Number.isFinite(value)) return value;
  const eighths = value * 8;
  if (Number.isInteger(eighths) && Math.abs(eighths) % 2 === 1) {
    const hundredths = value * 100;
    const lower = Math.floor(hundredths);
    const even = lower % 2 === 0 ? lower : lower + 1;
    return even / 100;
  }
  return Number(value.toFixed(2));
}

/** Python's `str()` of an int or a float after round(·, 2) ("6", "6.0", "0.33"). */
export function pythonNumberString(number: PythonNumber): string {
  if (number.integer) return BigInt(Math.round(number.value)).toString();
  const value = number.value;
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value.toFixed(0)}.0`;
  return String(value);
}
