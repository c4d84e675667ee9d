import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPickle } from './pickle.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '__fixtures__');
const golden = JSON.parse(readFileSync(path.join(fixtures, 'pickle-golden.json'), 'utf8')) as { expected: unknown; python: Record<string, string> };

describe('readPickle', () => {
  it('reads the Python-2-style protocol-2 refs(unc).p fixture to the same data Python loads', () => {
    const refs = readPickle(readFileSync(path.join(fixtures, 'refer', 'refcoco', 'refs(unc).p')));
    expect(refs, 'refs(unc).p decoded differently from pickle.loads').toEqual(golden.expected);
  });

  it.each(Object.keys(golden.python))('reads the same refs as Python 3 pickles them with protocol %s', (protocol) => {
    const bytes = Buffer.from(golden.python[protocol] ?? '', 'base64');
    expect(readPickle(bytes), `protocol ${protocol} pickle decoded differently`).toEqual(golden.expected);
  });

  it('reads negative and large integers, floats, booleans, None and tuples', () => {
    // Python 3.11: pickle.dumps((-5, 70000, -2**40, 1.5, True, None, b'ab'), protocol=3).hex()
    const bytes = Buffer.from('8003284afbffffff4a701101008a060000000000ff473ff8000000000000884e4302616271007471012e', 'hex');
    expect(readPickle(bytes)).toEqual([-5, 70000, -(2 ** 40), 1.5, true, null, Uint8Array.from([0x61, 0x62])]);
  });

  it('refuses opcodes that would call Python code, naming the opcode', () => {
    // pickle.dumps(os.system) would start with GLOBAL: c posix\nsystem\n
    const bytes = Buffer.from('800263706f7369780a73797374656d0a2e', 'hex');
    expect(() => readPickle(bytes, 'evil.p'), 'a GLOBAL opcode was not refused').toThrow(/evil\.p: opcode GLOBAL builds Python objects/);
  });

  it('reports a truncated file with its name', () => {
    expect(() => readPickle(Buffer.from('80025d7100284b01', 'hex'), 'cut.p')).toThrow(/cut\.p: (truncated pickle|missing STOP)/);
  });
});
