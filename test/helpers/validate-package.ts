/**
 * Runs `node-red-dev validate` on this package and fails on any failed check. The Node-RED
 * catalogue is not reachable from CI, so the two checks that read it (similar package names,
 * duplicate node type names) see an empty catalogue; every other check runs as published,
 * including those that ask the npm registry for Node-RED's current versions.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CATALOGUE = 'https://catalogue.nodered.org/';
/** Checks answered from the empty catalogue: reported, not trusted. */
export const CATALOGUE_CHECKS = ['P08', 'N01'];
/** Failures accepted on purpose, with the reason. */
export const ACCEPTED_FAILURES: Record<string, string> = {
  D03: 'undici 8 needs Node.js 22.19 or later; this package supports Node.js 20, so it stays on undici 7',
};

interface AxiosLike {
  interceptors: { request: { use(onRequest: (config: { url?: string; adapter?: unknown }) => unknown): void } };
}
interface ValidateCommandLike {
  run(argv: string[]): Promise<unknown>;
}

function devToolsRequire(id: string): unknown {
  const base = path.dirname(require.resolve('node-red-dev/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from node-red-dev's own dependencies
  return require(require.resolve(id, { paths: [base] }));
}

function answerCatalogueLocally(): void {
  const axios = devToolsRequire('axios') as AxiosLike;
  axios.interceptors.request.use((config) => {
    if (typeof config.url === 'string' && config.url.startsWith(CATALOGUE)) {
      config.adapter = () =>
        Promise.resolve({ data: { modules: [] }, status: 200, statusText: 'OK', headers: {}, config });
    }
    return config;
  });
}

export type Scorecard = Record<string, { test: boolean } & Record<string, unknown>>;

/** Check codes (P01, N02, D03…) that failed and are not accepted. */
export function failedChecks(scorecard: Scorecard): string[] {
  return Object.entries(scorecard)
    .filter(([check, result]) => /^[A-Z]\d\d$/.test(check) && !result.test && !(check in ACCEPTED_FAILURES))
    .map(([check]) => check);
}

export async function validatePackage(packageDir: string): Promise<Scorecard> {
  answerCatalogueLocally();
  const output = path.join(mkdtempSync(path.join(tmpdir(), 'validate-')), 'scorecard.json');
  const command = devToolsRequire('node-red-dev/src/commands/validate.js') as ValidateCommandLike;
  try {
    await command.run(['-p', packageDir, '-o', output]);
  } catch (error) {
    // The command ends by calling exit(0), which oclif raises as an error carrying the code.
    const exit: unknown = error instanceof Error ? Reflect.get(error, 'oclif') : undefined;
    if (typeof exit !== 'object' || exit === null || Reflect.get(exit, 'exit') !== 0) throw error;
  }
  return JSON.parse(readFileSync(output, 'utf8')) as Scorecard;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..', '..');
  validatePackage(root).then(
    (scorecard) => {
      const failed = failedChecks(scorecard);
      console.log(`answered from an empty catalogue: ${CATALOGUE_CHECKS.join(' ')}`);
      for (const [check, reason] of Object.entries(ACCEPTED_FAILURES)) console.log(`accepted: ${check}: ${reason}`);
      if (failed.length > 0) {
        console.error(`failed checks: ${failed.join(' ')}`);
        process.exitCode = 1;
      }
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
