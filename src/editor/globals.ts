/** The editor page's globals, for the dialogs' type check (tsconfig.editor.json) only. */
import type { EditorRED } from './red';

declare global {
  const RED: EditorRED;
}
