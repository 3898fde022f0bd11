/**
 * `${NAME}` as a whole setting: Node-RED puts the environment variable's value in its place in
 * a node's settings and credentials before the node is built. The editor's copy of the pattern
 * is checked against this one by the editor tests.
 */
import { InputError } from '../errors';
import type { NodeAPI } from './red';

/** Node-RED's own form: the whole value, no blanks in the name. */
export const ENV_REFERENCE = /^\$\{(\S+)\}$/;

export function envName(text: string): string | undefined {
  return ENV_REFERENCE.exec(text.trim())?.[1];
}

/** A reference Node-RED left in place because the variable is not set. */
export function unresolvedEnv(field: string, name: string): InputError {
  return new InputError(
    field,
    `the environment variable ${name} named in the ${field} setting is not set in the Node-RED process`,
  );
}

/**
 * The dialog's text with a `${NAME}` resolved as a deploy would, for the connection test before
 * deploy: the variables of the Node-RED process (and its global environment).
 */
export function resolveEnvText(RED: NodeAPI, text: string, field: string): string {
  const name = envName(text);
  if (name === undefined) return text;
  const value: unknown = RED.util.getSetting(
    undefined as unknown as Parameters<NodeAPI['util']['getSetting']>[0],
    name,
  );
  if (typeof value !== 'string') throw unresolvedEnv(field, name);
  return value;
}
