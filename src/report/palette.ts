/**
 * @module report/palette
 * Colours of the dashboard and report: the Okabe-Ito palette (Okabe & Ito, "Color Universal
 * Design", 2008), distinguishable under the common colour-vision deficiencies. The champion is
 * always the same colour (black, the reference line); challengers take the others in a fixed
 * order by system_id, so a challenger keeps its colour from one chart to the next.
 */
export const CHAMPION_COLOUR = '#000000';
const CHALLENGER_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#F0E442'] as const;

/** Colour of each system: the champion black, challengers in order (cycling beyond seven). */
export function systemColours(systemIds: readonly string[], championId: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  for (const id of systemIds) out[id] = id === championId ? CHAMPION_COLOUR : CHALLENGER_COLOURS[i++ % CHALLENGER_COLOURS.length]!;
  return out;
}

/** State colours, also Okabe-Ito; every state is printed as text beside its colour too. */
export const STATE_COLOURS: Record<string, string> = {
  HEALTHY: '#009E73',
  WATCH: '#F0E442',
  DEGRADING: '#E69F00',
  BLOCKED: '#D55E00',
  INSUFFICIENT_DATA: '#BBBBBB',
};
