/** What travels between the node and the page. */
import type { PanelModel } from './model';

/** The socket event a button press sends: `(widget id, {key, state, forS})`. */
export const OVERRIDE_EVENT = 'prm3-loads:override';

/** Kept in the dashboard's data store: what a page gets when it loads. */
export interface StoredMessage {
  topic: 'state';
  payload: PanelModel;
}

/** Sent live to every open page: the model without its history, plus the newest chart point. */
export interface LiveMessage {
  topic: 'state';
  payload: Omit<PanelModel, 'history'>;
  point: [number, number] | null;
}
