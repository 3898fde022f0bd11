/** The editor's `defaults` of a node, drawn from its settings schema. */
import { VERSION_KEY, type Setting, type SettingsSchema } from '../nodes/schema';
import type { EditorNode, EditorProperty } from './red';

/**
 * Each setting's default, and for settings that can be wrong a validator that runs the
 * runtime's own reader: the dialog refuses exactly what a deploy would refuse. The message
 * is the catalogue's `<catalogue>.errors.<setting>`.
 */
export function editorDefaults(
  schema: SettingsSchema<Record<string, Setting<unknown>>>,
  catalogue: string,
): Record<string, EditorProperty> {
  const defaults: Record<string, EditorProperty> = {};
  for (const [key, setting] of Object.entries(schema.settings)) {
    const property: EditorProperty = { value: setting.value };
    if (setting.required) property.required = true;
    if (setting.checked) {
      const check = setting.check ?? ((value: unknown, name: string): unknown => setting.read(value, name));
      // Two parameters: the editor shows a returned text as the reason only from a validator that declares both.
      property.validate = function (this: EditorNode, value: unknown, _options: unknown): boolean | string {
        try {
          check(value, key);
          return true;
        } catch {
          return typeof this._ === 'function' ? this._(`${catalogue}.errors.${key}`) : false;
        }
      };
    }
    defaults[key] = property;
  }
  for (const [key, ref] of Object.entries(schema.configNodes))
    defaults[key] = { type: ref.configType, required: ref.required };
  // Nodes saved before versions lack it; the runtime reads them as version 1.
  defaults[VERSION_KEY] = { value: schema.version };
  return defaults;
}

/** The editor's `credentials` of a node, from its settings schema. */
export function editorCredentials(
  schema: SettingsSchema<Record<string, Setting<unknown>>>,
): Record<string, { type: 'text' | 'password' }> {
  return Object.fromEntries(Object.entries(schema.credentials).map(([key, type]) => [key, { type }]));
}
