import assert from 'node:assert/strict';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim';
import { SimClient } from './fixtures/sim-client';

describe('simulator: SCPI through scpi.exec', () => {
  let sim: MeterSimulator;
  let client: SimClient;
  let now: number;

  async function scpi(line: string): Promise<unknown> {
    return (await client.call({ sn: '00000004' }, 'scpi.exec', [line]))['result'];
  }

  beforeEach(async () => {
    now = 1_700_000_000_000;
    sim = await startSimulator({ clock: () => now, minDurationS: 0 });
    client = new SimClient(sim.url);
    await client.login();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('identifies the module', async () => {
    assert.equal(await scpi('*IDN?'), 'eGauge,PRM3,00000004,1.2\r\n');
    assert.equal(await scpi('*idn?'), 'eGauge,PRM3,00000004,1.2\r\n');
  });

  it('accepts short and long keywords in any case', async () => {
    for (const [line, baud] of [
      ['MODBus:BAUD 9600', 9600],
      ['MODB:BAUD 4800', 4800],
      ['modbus:baud 38400', 38400],
      ['ModB:Baud 115200', 115200],
      [':MODB:BAUD 1200', 1200],
      ['  MODB:BAUD   2400  ', 2400],
    ] as const) {
      assert.equal(await scpi(line), 'OK\r\n', line);
      assert.equal(sim.device('USB1').baud, baud);
    }
    assert.equal(await scpi('modb:baud?'), '2400\r\n');
    assert.equal(await scpi('MODBUS:BAUD?'), '2400\r\n');
  });

  it('starts at 19200 baud and refuses rates the module does not have', async () => {
    assert.equal(await scpi('MODBus:BAUD?'), '19200\r\n');
    for (const line of [
      'MODB:BAUD 9601',
      'MODB:BAUD',
      'MODB:BAUD nine',
      'MODB:BAUD 9600 1',
      'MODB:BAUD? 9600',
      'MODBU:BAUD 9600',
    ]) {
      assert.equal(await scpi(line), 'INVALID COMMAND\r\n', line);
    }
    assert.equal(sim.device('USB1').baud, 19200);
  });

  it('answers INVALID COMMAND to unknown commands, chaining and over-long lines', async () => {
    const longest = 'MODB:BAUD 9600'.padEnd(62, ' ');
    assert.equal(await scpi(longest), 'OK\r\n', '62 characters are fine');
    for (const line of ['FOO:BAR', '', '*RST', 'MODB:BAUD 9600;*IDN?', `${longest} `, 'MODB:BAUD\n9600']) {
      assert.equal(await scpi(line), 'INVALID COMMAND\r\n', JSON.stringify(line));
    }
  });

  it('takes a line that already ends in CR/LF', async () => {
    assert.equal(await scpi('*IDN?\r\n'), 'eGauge,PRM3,00000004,1.2\r\n');
  });

  it('drives the relays with the RELay commands', async () => {
    const module = sim.device('USB1');
    assert.equal(await scpi('RELay:MASK 5'), 'OK\r\n');
    assert.equal(module.mask, 5);
    assert.equal(await scpi('rel:mask?'), '5\r\n');
    assert.equal(await scpi('REL:SET 2'), 'OK\r\n');
    assert.equal(module.mask, 7);
    assert.equal(await scpi('RELAY:CLEAR 3'), 'OK\r\n');
    assert.equal(module.mask, 4);
    assert.equal(await scpi('REL:CLE 4'), 'OK\r\n');
    assert.equal(module.mask, 0);
    assert.equal(await scpi('REL:MASK 8'), 'INVALID COMMAND\r\n');
    assert.equal(await scpi('REL:SET?'), 'INVALID COMMAND\r\n', 'SET has no query form');
  });

  it('sets the minimum durations, which then hold the relays', async () => {
    const module = sim.device('USB1');
    assert.equal(await scpi('REL:MINO?'), '0\r\n');
    assert.equal(await scpi('RELay:MINOpen 30'), 'OK\r\n');
    assert.equal(await scpi('rel:minc 255'), 'OK\r\n');
    assert.equal(await scpi('REL:MINC 256'), 'INVALID COMMAND\r\n');
    assert.equal(module.minOpenS, 30);
    assert.equal(module.minCloseS, 255);
    assert.equal(await scpi('RELAY:MINCLOSE?'), '255\r\n');
    await scpi('REL:MASK 1');
    now += 1_000;
    await scpi('REL:MASK 0');
    assert.equal(module.mask, 1, 'held by the minimum close time');
  });
});
