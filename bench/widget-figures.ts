/** The relay widget's flood figures in bench/results.json (`widgetFlood`), written by `npm run bench:widget`. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface FrameFigures {
  frames: number;
  frameMsP50: number;
  frameMsP95: number;
  frameMsMax: number;
  longTasks: number;
  longTaskMs: number;
}

export interface WidgetFloodFigures {
  date: string;
  messagesPerSecond: number;
  seconds: number;
  messagesSent: number;
  quiet: FrameFigures;
  flood: FrameFigures;
}

/** The figures of the last widget run, which a full bench run keeps: it does not measure them itself. */
export function keptWidgetFlood(projectRoot: string): WidgetFloodFigures | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(projectRoot, 'bench', 'results.json'), 'utf8'));
    const value: unknown =
      typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'widgetFlood') : undefined;
    if (typeof value !== 'object' || value === null || typeof Reflect.get(value, 'messagesPerSecond') !== 'number')
      return undefined;
    return value as WidgetFloodFigures;
  } catch {
    return undefined;
  }
}
