/** Waiting for a Node-RED child process to answer over HTTP. */
import type { ChildProcess } from 'node:child_process';
import { request } from 'undici';

const READY_TIMEOUT_MS = 60_000;

/** Resolves once `url` answers 200; rejects with the process's output if it exits or takes too long. */
export async function waitFor(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited with code ${child.exitCode}:\n${output()}`);
    try {
      const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Node-RED did not answer ${url} within ${timeoutMs / 1000} s:\n${output()}`);
}
