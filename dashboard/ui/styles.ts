/**
 * The panel's stylesheet, added to the page once. Colours come from the dashboard theme's
 * Vuetify variables, so a light or dark theme carries over.
 */
const CSS = `
.prm3-loads{--p3-fg:rgb(var(--v-theme-on-group-background,var(--v-theme-on-surface,33,33,33)));--p3-accent:rgb(var(--v-theme-primary,25,118,210));--p3-on:rgb(var(--v-theme-success,46,125,50));--p3-warn:rgb(var(--v-theme-warning,237,108,2));--p3-err:rgb(var(--v-theme-error,198,40,40));color:var(--p3-fg);font-size:14px;width:100%;min-width:0}
.prm3-loads--stale{filter:grayscale(1);opacity:.6}
.prm3-loads__stale{font-weight:600;padding:4px 8px;margin-bottom:6px;border:1px solid currentColor;border-radius:4px;text-align:center}
.prm3-loads__head{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;margin-bottom:4px}
.prm3-loads__now{font-size:1.25em;font-weight:600}
.prm3-loads__muted{opacity:.7;font-size:.9em}
.prm3-loads__alarm{color:var(--p3-err);font-weight:600}
.prm3-loads__chart{display:block;width:100%;height:90px;margin:2px 0 8px;border-bottom:1px solid color-mix(in srgb,var(--p3-fg) 25%,transparent)}
.prm3-loads__chart polyline,.prm3-loads__chart line{vector-effect:non-scaling-stroke;fill:none}
.prm3-loads__list{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.prm3-loads__load{border:1px solid color-mix(in srgb,var(--p3-fg) 20%,transparent);border-radius:6px;padding:6px 8px}
.prm3-loads__row{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px}
.prm3-loads__name{font-weight:600;flex:1 1 auto;min-width:6em}
.prm3-loads__state{font-weight:700;text-transform:uppercase;padding:1px 8px;border-radius:10px;border:1px solid currentColor}
.prm3-loads__state[data-state=on]{color:var(--p3-on)}
.prm3-loads__state[data-state=unknown]{opacity:.6}
.prm3-loads__note{color:var(--p3-warn);font-weight:600}
.prm3-loads__buttons{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}
.prm3-loads__buttons button,.prm3-loads__buttons select{font:inherit;color:inherit;background:transparent;border:1px solid color-mix(in srgb,var(--p3-fg) 45%,transparent);border-radius:4px;padding:4px 12px;min-height:32px;cursor:pointer}
.prm3-loads__buttons select option{color:#222}
.prm3-loads__buttons button:focus-visible,.prm3-loads__buttons select:focus-visible{outline:2px solid var(--p3-accent);outline-offset:2px}
.prm3-loads__buttons button[aria-pressed=true]{background:var(--p3-accent);color:#fff;border-color:var(--p3-accent)}
.prm3-loads__buttons button:disabled{cursor:not-allowed;opacity:.5}
`;

export function addStyles(doc: Document): void {
  if (doc.getElementById('prm3-loads-styles') !== null) return;
  const style = doc.createElement('style');
  style.id = 'prm3-loads-styles';
  style.textContent = CSS;
  doc.head.appendChild(style);
}
