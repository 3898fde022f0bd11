/**
 * The test helper hands nodes a RED._ that returns the key itself. Node-RED looks the key up in
 * the catalogue of the node's set (src/nodes/<set>/locales/<language>/messages.json, which the
 * build copies to nodes/locales/); this gives the nodes under test that same look-up, with
 * Node-RED's own i18n, so tests read the texts a user reads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { i18n } from '@node-red/util';

/** `init` is missing from @node-red/util's published types; Node-RED's runtime calls it the same way. */
const withInit = i18n as unknown as { init(this: void, settings: { lang: string }): void };

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface PackageJson {
  name: string;
  'node-red': { nodes: Record<string, string> };
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;

/** A node set's namespace, as Node-RED names it: `<module>/<set>`. */
function namespace(set: string): string {
  return `${pkg.name}/${set}`;
}

let loaded: Promise<void> | undefined;

/** Registers the catalogue of every node set of the package, as Node-RED does when it loads them. */
export function loadCatalogues(): Promise<void> {
  loaded ??= (async () => {
    withInit.init({ lang: 'en-US' });
    await Promise.all(
      Object.keys(pkg['node-red'].nodes).map((set) =>
        i18n.registerMessageCatalog(namespace(set), path.join(ROOT, 'src', 'nodes', set, 'locales'), 'messages.json'),
      ),
    );
  })();
  return loaded;
}

/** Looks a key up as Node-RED's RED._ does for a node of `set` (after `loadCatalogues`). */
export function catalogueTexts(set: string): (key: string, values?: Record<string, string | number>) => string {
  return (key, values) => i18n._(key.includes(':') ? key : `${namespace(set)}:${key}`, values);
}

/** The node set's register function, given a RED whose `_` resolves keys as Node-RED's does. */
export function withCatalogue(set: string, register: (RED: unknown) => void): (RED: unknown) => void {
  const translate = catalogueTexts(set);
  return (RED) => {
    if (typeof RED !== 'object' || RED === null) throw new Error('RED must be an object');
    register(
      new Proxy(RED, { get: (target, name) => (name === '_' ? translate : (Reflect.get(target, name) as unknown)) }),
    );
  };
}
