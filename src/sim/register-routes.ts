/** `GET /register`: the current time and the registers, with `rate` when asked for. */
import type { SimContext, SimRequest } from './context';
import { failure, ok, type Reply } from './reply';
import { selectRegisters } from './register-selection';

/** The meter writes its time as a decimal string of seconds. */
function timestamp(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export function registerRoute(request: SimRequest, ctx: SimContext): Reply {
  const params = new URLSearchParams(request.query);
  const all = ctx.registers.all();
  const selection = selectRegisters(
    params.get('reg'),
    all.map((register) => register.idx),
  );
  if ('error' in selection) return failure(selection.error);
  const ts = timestamp(ctx.clock());
  if (selection.indices.length === 0) return ok({ ts });
  const withRate = params.has('rate');
  const registers = selection.indices.flatMap((idx) => {
    const info = ctx.registers.byIndex(idx);
    if (info === undefined) return [];
    const { name, type, did } = info;
    return [withRate ? { name, type, idx, did, rate: ctx.registers.rate(name) } : { name, type, idx, did }];
  });
  return ok({ ts, registers });
}
