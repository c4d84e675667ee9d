import { mmevolveError } from '../../core/index.js';

/**
 * A data-only reader for Python pickles, written from the opcode table in CPython's Lib/pickletools.py.
 * REFER's `refs(unc).p` / `refs(umd).p` were written by Python 2 cPickle with protocol 2: PROTO, dicts and
 * lists built with MARK … SETITEMS / APPENDS, memo BINPUT/BINGET, BININT*, BINFLOAT, SHORT_BINSTRING (Python 2
 * `str`) and BINUNICODE. Python 3 re-dumps add MEMOIZE, FRAME and SHORT_BINUNICODE; those are read too.
 *
 * Opcodes that name or call Python code (GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ, BUILD, INST, OBJ…) are refused:
 * a dataset file never needs them, and honouring them is how pickles execute code.
 *
 * Python 2 byte strings are decoded as UTF-8 when valid, else as latin-1 (what `pickle.load(f,
 * encoding='latin1')` gives); dicts become plain objects (keys as strings), tuples become arrays.
 */
export type PickleValue = null | boolean | number | string | Uint8Array | PickleValue[] | { [key: string]: PickleValue };

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

export function readPickle(bytes: Uint8Array, source = 'pickle'): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let offset = 0;
  const fail = (message: string): never => {
    throw mmevolveError('invalid-dataset', `${source}: ${message} (byte ${offset})`, 'The file is not a data pickle of the expected kind; re-download it.');
  };
  const need = (count: number): number => {
    if (offset + count > bytes.length) fail('truncated pickle');
    const at = offset;
    offset += count;
    return at;
  };
  const u8 = (): number => bytes[need(1)] ?? 0;
  const u32 = (): number => view.getUint32(need(4), true);
  const slice = (length: number): Uint8Array => bytes.subarray(need(length), offset);
  const line = (): string => {
    const end = bytes.indexOf(0x0a, offset);
    if (end < 0) fail('unterminated text argument');
    const text = latin1(bytes.subarray(offset, end));
    offset = end + 1;
    return text;
  };
  const pop = (): PickleValue => {
    const item = stack.pop();
    if (item === undefined || item === MARK) return fail('stack underflow');
    return item as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('no MARK on the stack');
    const items = stack.splice(at) as PickleValue[];
    return items.slice(1);
  };
  const top = (): PickleValue => {
    const item = stack[stack.length - 1];
    if (item === undefined || item === MARK) return fail('stack underflow');
    return item as PickleValue;
  };
  const setItems = (target: PickleValue, items: PickleValue[]): void => {
    if (target === null || typeof target !== 'object' || Array.isArray(target) || target instanceof Uint8Array) fail('SETITEM(S) on a non-dict');
    const dict = target as Record<string, PickleValue>;
    for (let index = 0; index + 1 < items.length; index += 2) {
      const key = items[index];
      if (typeof key !== 'string' && typeof key !== 'number') fail(`dict key of type ${typeof key} (only str and int keys are read)`);
      // defineProperty: a key named "__proto__" stays a plain data key.
      Object.defineProperty(dict, String(key), { value: items[index + 1], enumerable: true, writable: true, configurable: true });
    }
  };
  const append = (target: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(target)) fail('APPEND(S) on a non-list');
    (target as PickleValue[]).push(...items);
  };
  const toNumber = (value: bigint): number => {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) fail(`integer ${value} is out of the safe range`);
    return Number(value);
  };
  const longLittleEndian = (data: Uint8Array): number => {
    let value = 0n;
    for (let index = data.length - 1; index >= 0; index -= 1) value = (value << 8n) | BigInt(data[index] ?? 0);
    if (data.length > 0 && ((data[data.length - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * data.length);
    return toNumber(value);
  };

  for (;;) {
    if (offset >= bytes.length) fail('missing STOP');
    const opcode = u8();
    switch (opcode) {
      case 0x80: u8(); break; // PROTO n
      case 0x95: need(8); break; // FRAME (protocol 4): only a read-ahead hint
      case 0x2e: { // STOP
        const result = pop();
        return result;
      }
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push({}); break; // EMPTY_DICT }
      case 0x5d: stack.push([]); break; // EMPTY_LIST ]
      case 0x29: stack.push([]); break; // EMPTY_TUPLE )
      case 0x64: { const dict = {}; setItems(dict, popMark()); stack.push(dict); break; } // DICT d
      case 0x6c: stack.push(popMark()); break; // LIST l
      case 0x74: stack.push(popMark()); break; // TUPLE t
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x73: { const value = pop(); const key = pop(); setItems(top(), [key, value]); break; } // SETITEM s
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS u
      case 0x61: { const value = pop(); append(top(), [value]); break; } // APPEND a
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS e
      case 0x30: pop(); break; // POP
      case 0x32: stack.push(top()); break; // DUP
      case 0x31: popMark(); break; // POP_MARK
      case 0x71: memo.set(u8(), top()); break; // BINPUT q
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT r
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x70: memo.set(Number(line()), top()); break; // PUT p
      case 0x68: case 0x6a: case 0x67: { // BINGET h, LONG_BINGET j, GET g
        const key = opcode === 0x68 ? u8() : opcode === 0x6a ? u32() : Number(line());
        const value = memo.get(key);
        if (value === undefined) fail(`memo key ${key} was never stored`);
        stack.push(value as PickleValue);
        break;
      }
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(view.getUint16(need(2), true)); break; // BININT2
      case 0x4a: stack.push(view.getInt32(need(4), true)); break; // BININT
      case 0x8a: stack.push(longLittleEndian(slice(u8()))); break; // LONG1
      case 0x8b: stack.push(longLittleEndian(slice(u32()))); break; // LONG4
      case 0x49: { // INT (text; "01"/"00" are the protocol-0 booleans)
        const text = line().trim();
        stack.push(text === '01' ? true : text === '00' ? false : toNumber(BigInt(text)));
        break;
      }
      case 0x4c: stack.push(toNumber(BigInt(line().trim().replace(/L$/, '')))); break; // LONG (text)
      case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x46: stack.push(Number(line())); break; // FLOAT (text)
      case 0x55: stack.push(python2String(slice(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(python2String(slice(u32()))); break; // BINSTRING
      case 0x58: stack.push(utf8(slice(u32()), fail)); break; // BINUNICODE
      case 0x8c: stack.push(utf8(slice(u8()), fail)); break; // SHORT_BINUNICODE
      case 0x8d: { const length = Number(view.getBigUint64(need(8), true)); stack.push(utf8(slice(length), fail)); break; } // BINUNICODE8
      case 0x43: stack.push(Uint8Array.from(slice(u8()))); break; // SHORT_BINBYTES
      case 0x42: stack.push(Uint8Array.from(slice(u32()))); break; // BINBYTES
      default: {
        const name = CODE_OPCODES[opcode];
        fail(name === undefined
          ? `unknown opcode 0x${opcode.toString(16).padStart(2, '0')}`
          : `opcode ${name} builds Python objects from code; a dataset pickle of plain lists, dicts, strings and numbers never needs it`);
      }
    }
  }
}

const CODE_OPCODES: Record<number, string> = {
  0x63: 'GLOBAL', 0x93: 'STACK_GLOBAL', 0x52: 'REDUCE', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x62: 'BUILD',
  0x69: 'INST', 0x6f: 'OBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x50: 'PERSID', 0x51: 'BINPERSID',
};

function python2String(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return latin1(data);
  }
}

/** Byte → code point (WHATWG's 'latin1' label is really cp1252, so no TextDecoder here). */
function latin1(data: Uint8Array): string {
  let text = '';
  for (const byte of data) text += String.fromCharCode(byte);
  return text;
}

function utf8(data: Uint8Array, fail: (message: string) => never): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return fail('BINUNICODE text is not valid UTF-8');
  }
}
