import assert from 'node:assert/strict';
import { InputError } from '../src/errors';
import { ProtocolError } from '../src/webapi';
import { normalizeScpiReply, parseScpiInput, validateScpiLine } from '../src/prm3/scpi';

function refusal(field: string, pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('prm3 SCPI lines', () => {
  describe('validateScpiLine', () => {
    it('passes ordinary commands through', () => {
      assert.equal(validateScpiLine('*IDN?', 'msg.payload'), '*IDN?');
      assert.equal(validateScpiLine('MODBus:BAUD 9600', 'msg.payload'), 'MODBus:BAUD 9600');
      assert.equal(validateScpiLine(' MODB:BAUD?   ', 'msg.payload'), 'MODB:BAUD?');
    });

    it('accepts 62 characters and refuses 63, the PRM3 line being 64 bytes with CRLF', () => {
      assert.equal(validateScpiLine('A'.repeat(62), 'msg.payload').length, 62);
      assert.throws(
        () => validateScpiLine('A'.repeat(63), 'msg.payload'),
        refusal('msg.payload', /63 characters long; .*at most 62/),
      );
    });

    it('does not count surrounding spaces towards the length', () => {
      assert.equal(validateScpiLine(`${'A'.repeat(62)}   `, 'msg.payload').length, 62);
    });

    const badCharacters: Array<[string, string, RegExp]> = [
      ['carriage return', '*IDN?\r', /carriage return \(CR\) at position 6/],
      ['line feed', 'MODB:BAUD 9600\nMODB:BAUD 1200', /line feed \(LF\) at position 15/],
      ['CRLF', '*IDN?\r\n', /carriage return \(CR\) at position 6/],
      ['semicolon chaining', '*IDN?;MODB:BAUD 9600', /";" .*at position 6/],
      ['NUL', 'MODB\u0000:BAUD?', /NUL character at position 5/],
      ['tab', 'MODB:BAUD\t9600', /control character U\+0009 at position 10/],
      ['DEL', '*IDN?\u007f', /DEL character at position 6/],
      ['non-ASCII', 'MODB:BAUD 9600\u00e9', /non-ASCII character "é" \(U\+00E9\) at position 15/],
      ['emoji', '\u{1F600}', /non-ASCII character .* \(U\+1F600\) at position 1/],
    ];
    for (const [name, line, pattern] of badCharacters) {
      it(`refuses a ${name}, saying where it is`, () => {
        assert.throws(() => validateScpiLine(line, 'msg.payload'), refusal('msg.payload', pattern));
      });
    }

    it('refuses blank lines and values that are not text', () => {
      assert.throws(() => validateScpiLine('', 'command'), refusal('command', /blank/));
      assert.throws(() => validateScpiLine('    ', 'command'), refusal('command', /blank/));
      assert.throws(() => validateScpiLine(42, 'command'), refusal('command', /text.*number 42/));
      assert.throws(() => validateScpiLine(undefined, 'command'), refusal('command', /undefined/));
    });
  });

  describe('parseScpiInput', () => {
    it('takes one line or an array of lines', () => {
      assert.deepEqual(parseScpiInput('*IDN?', 'msg.payload'), ['*IDN?']);
      assert.deepEqual(parseScpiInput(['MODB:BAUD 9600', ' MODB:BAUD? '], 'msg.payload'), [
        'MODB:BAUD 9600',
        'MODB:BAUD?',
      ]);
      assert.equal(
        parseScpiInput(
          Array.from({ length: 32 }, () => '*IDN?'),
          'msg.payload',
        ).length,
        32,
      );
    });

    it('refuses the whole batch when any line is bad, naming that line', () => {
      assert.throws(
        () => parseScpiInput(['*IDN?', 'MODB:BAUD 9600;*RST'], 'msg.payload'),
        refusal('msg.payload[1]', /";"/),
      );
      assert.throws(() => parseScpiInput(['*IDN?', 7], 'msg.payload'), refusal('msg.payload[1]', /number 7/));
    });

    it('refuses empty, oversized and non-text input', () => {
      assert.throws(() => parseScpiInput([], 'msg.payload'), refusal('msg.payload', /empty array/));
      assert.throws(
        () =>
          parseScpiInput(
            Array.from({ length: 33 }, () => '*IDN?'),
            'msg.payload',
          ),
        refusal('msg.payload', /33 lines; at most 32/),
      );
      assert.throws(() => parseScpiInput({ command: '*IDN?' }, 'msg.payload'), refusal('msg.payload', /object/));
      assert.throws(() => parseScpiInput(null, 'msg.payload'), refusal('msg.payload', /null/));
    });
  });

  describe('normalizeScpiReply', () => {
    const replies: Array<[string, string, boolean]> = [
      ['9600\r\n', '9600', false],
      ['OK\n', 'OK', false],
      ['OK\r', 'OK', false],
      ['OK', 'OK', false],
      ['eGauge,PRM3,00000004,1.2  \r\n', 'eGauge,PRM3,00000004,1.2', false],
      ['INVALID COMMAND\r\n', 'INVALID COMMAND', true],
      ['invalid command', 'invalid command', true],
      ['INVALID COMMANDS\r\n', 'INVALID COMMANDS', false],
      ['', '', false],
    ];
    for (const [raw, text, invalid] of replies) {
      it(`reads ${JSON.stringify(raw)} as ${JSON.stringify(text)}${invalid ? ', an invalid command' : ''}`, () => {
        assert.deepEqual(normalizeScpiReply(raw), { text, invalid });
      });
    }

    it('treats a reply that is not text as a protocol error naming the device', () => {
      for (const raw of [undefined, 42, null, false, { reply: 'OK' }]) {
        assert.throws(
          () => normalizeScpiReply(raw, { device: '00000004' }),
          (error: unknown) => {
            assert.ok(error instanceof ProtocolError);
            assert.equal(error.operation, 'scpi.exec');
            assert.equal(error.device, '00000004');
            assert.match(error.message, /^scpi\.exec on 00000004 returned /);
            return true;
          },
        );
      }
    });
  });
});
