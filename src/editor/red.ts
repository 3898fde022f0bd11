/**
 * The slice of the Node-RED editor's API the dialogs use, typed once. The editor provides `RED`
 * and jQuery's `$` as page globals (declared in globals.ts for the dialogs' own type check);
 * code that tests also run takes them as arguments instead.
 */

/** A node as the editor holds it: its saved properties plus the editor's own helpers. */
export interface EditorNode {
  id: string;
  name?: string;
  changed?: boolean;
  credentials?: Record<string, unknown>;
  /** Looks a message up in the node set's catalogue. */
  _(key: string, args?: Record<string, unknown>): string;
  [property: string]: unknown;
}

export interface EditorProperty {
  value?: unknown;
  type?: string;
  required?: boolean;
  validate?: (this: EditorNode, value: unknown, options: unknown) => boolean | string;
}

export interface EditorNodeDefinition {
  category: string;
  color?: string;
  defaults: Record<string, EditorProperty>;
  credentials?: Record<string, { type: 'text' | 'password' }>;
  inputs?: number;
  outputs?: number;
  icon: string;
  paletteLabel?: string;
  label?: (this: EditorNode) => string;
  labelStyle?: (this: EditorNode) => string;
  inputLabels?: (this: EditorNode) => string;
  /** Called once per output, with its index. */
  outputLabels?: (this: EditorNode, index: number) => string;
  oneditprepare?: (this: EditorNode) => void;
  oneditsave?: (this: EditorNode) => void;
  oneditcancel?: (this: EditorNode) => void;
}

export interface EditorRED {
  nodes: {
    registerType(type: string, definition: EditorNodeDefinition): void;
    node(id: string): EditorNode | null;
    getType(type: string): { _?: (key: string, args?: Record<string, unknown>) => string } | null;
  };
}

/** The part of jQuery's `$.ajax` the dialogs use. */
export interface AjaxOptions {
  url: string;
  type: 'POST';
  data: string;
  contentType: string;
  dataType: 'json';
  timeout: number;
  success: (reply: unknown) => void;
  error: (xhr: { status: number }, status: string) => void;
}

export type Ajax = (options: AjaxOptions) => void;
