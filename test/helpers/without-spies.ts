/** Node-RED as users run it, inside the test helper: for measuring speed and memory. */
import helper = require('node-red-node-test-helper');

/**
 * The test helper wraps every Node method in a recording spy; a deployed Node-RED does not.
 * Taking the spies off after loading measures the runtime users have, for both flows alike.
 * The runtime copies `send` onto each wired node when it is created, so those copies are
 * put back too.
 */
export function withoutSpies(nodeIds: readonly string[]): void {
  const sandbox: unknown = Reflect.get(helper, '_sandbox');
  const restore: unknown =
    typeof sandbox === 'object' && sandbox !== null ? Reflect.get(sandbox, 'restore') : undefined;
  if (typeof restore === 'function') restore.call(sandbox);
  const prototype: unknown = Reflect.get(helper, '_NodePrototype');
  const send: unknown =
    typeof prototype === 'object' && prototype !== null ? Reflect.get(prototype, 'send') : undefined;
  if (typeof send !== 'function') return;
  for (const id of nodeIds) {
    const node: unknown = helper.getNode(id);
    if (
      typeof node === 'object' &&
      node !== null &&
      Object.prototype.hasOwnProperty.call(node, 'send') &&
      'callCount' in Reflect.get(node, 'send')
    ) {
      Reflect.set(node, 'send', send);
    }
  }
}
