import assert from 'node:assert/strict';
import { InputError } from '../src/errors';
import { normalizeMeterUrl } from '../src/webapi';

describe('webapi: meter URL normalisation', () => {
  const accepted: [string, string][] = [
    ['192.168.1.50', 'http://192.168.1.50/api'],
    ['192.168.1.50/', 'http://192.168.1.50/api'],
    ['192.168.1.50/api', 'http://192.168.1.50/api'],
    ['192.168.1.50/api/', 'http://192.168.1.50/api'],
    ['meter.local', 'http://meter.local/api'],
    ['host:8080', 'http://host:8080/api'],
    ['host:8080/api/', 'http://host:8080/api'],
    ['http://192.168.1.50', 'http://192.168.1.50/api'],
    ['http://192.168.1.50:80/', 'http://192.168.1.50/api'],
    ['https://DEV.egaug.es/', 'https://dev.egaug.es/api'],
    ['https://DEV.egaug.es/api', 'https://dev.egaug.es/api'],
    ['HTTPS://dev.egaug.es:8443/api/', 'https://dev.egaug.es:8443/api'],
    ['  meter.local  ', 'http://meter.local/api'],
    ['[::1]:8080', 'http://[::1]:8080/api'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts ${JSON.stringify(input)} as ${expected}`, () => {
      assert.equal(normalizeMeterUrl(input), expected);
    });
  }

  const rejected: [string, unknown][] = [
    ['empty', ''],
    ['blank', '   '],
    ['not a string', 42],
    ['ftp scheme', 'ftp://meter.local'],
    ['mailto scheme', 'mailto:owner@meter.local'],
    ['credentials', 'http://owner:secret@meter.local/'],
    ['user only', 'owner@meter.local'],
    ['query', 'http://meter.local/api?x=1'],
    ['empty query', 'meter.local/?'],
    ['fragment', 'meter.local/#top'],
    ['other path', 'http://meter.local/cgi-bin/egauge'],
    ['api sub-path', 'meter.local/api/ctrl'],
    ['inner space', 'meter .local'],
    ['bad port', 'meter.local:99999'],
    ['environment variable inside the address', 'http://${METER_HOST}:8080'],
  ];
  for (const [name, input] of rejected) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => normalizeMeterUrl(input),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.equal(error.field, 'url');
          assert.match(error.message, /192\.168\.1\.50/, 'the message shows the accepted forms');
          return true;
        },
      );
    });
  }

  it('never repeats a password given in the URL', () => {
    assert.throws(
      () => normalizeMeterUrl('http://owner:hunter2@meter.local/'),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
  });
});
