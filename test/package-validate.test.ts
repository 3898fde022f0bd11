import assert from 'node:assert/strict';
import path from 'node:path';
import { failedChecks, validatePackage } from './helpers/validate-package';

describe('package: node-red-dev validate', function () {
  this.timeout(60_000);

  it('passes every scorecard check', async function () {
    const scorecard = await validatePackage(path.resolve(__dirname, '..', '..'));
    assert.ok(Object.keys(scorecard).length > 8, 'the scorecard has its checks');
    assert.deepEqual(failedChecks(scorecard), [], JSON.stringify(scorecard));
  });
});
