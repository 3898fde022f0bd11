// The parts of node-red-node-test-helper the tests use.
declare module 'node-red-node-test-helper' {
  import type { EventEmitter } from 'node:events';

  interface Response {
    status: number;
    body: unknown;
    text: string;
  }
  /** supertest's request: chainable and awaitable. */
  interface Test extends PromiseLike<Response> {
    send(body: unknown): Test;
    set(field: string, value: string): Test;
  }

  type NodeModule = (RED: unknown) => void | Promise<void>;

  export interface TestNode extends EventEmitter {
    id: string;
    type: string;
    receive(msg: Record<string, unknown>): void;
    status: unknown;
    warn: unknown;
    error: unknown;
  }

  interface Helper {
    init(runtimePath?: string, userSettings?: Record<string, unknown>): void;
    load(
      nodes: NodeModule | NodeModule[],
      flow: Record<string, unknown>[],
      credentials?: Record<string, unknown>,
    ): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    clearFlows(): Promise<void>;
    startServer(done: (err?: unknown) => void): void;
    stopServer(done: (err?: unknown) => void): void;
    request(): {
      get(path: string): Test;
      post(path: string): Test;
    };
    settings(userSettings: Record<string, unknown>): Record<string, unknown>;
    log(): { args: unknown[][] };
  }
  const helper: Helper;
  export = helper;
}
