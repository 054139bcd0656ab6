// A packet-rate sparkline: the last samples of one capture's packet counter as an SVG polyline.
const SVG = 'http://www.w3.org/2000/svg';
export const SAMPLES = 60;

/** Remembers (time, packets) samples per capture and derives packets per second. */
export class RateHistory {
  constructor() { this.samples = new Map(); }

  add(key, atMillis, packets) {
    const list = this.samples.get(key) || [];
    const last = list[list.length - 1];
    if (last && atMillis <= last.at) return;
    list.push({ at: atMillis, packets });
    while (list.length > SAMPLES + 1) list.shift();
    this.samples.set(key, list);
  }

  rates(key) {
    const list = this.samples.get(key) || [];
    const out = [];
    for (let i = 1; i < list.length; i++) {
      const seconds = (list[i].at - list[i - 1].at) / 1000;
      out.push(seconds > 0 ? Math.max(0, (list[i].packets - list[i - 1].packets) / seconds) : 0);
    }
    return out;
  }
}

export function sparkline(rates, label) {
  const width = 120; const height = 24;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('role', 'img');
  svg.setAttribute('class', 'sparkline');
  const title = document.createElementNS(SVG, 'title');
  const current = rates.length ? rates[rates.length - 1] : 0;
  title.textContent = `${label}: ${current.toFixed(1)} packets/s`;
  svg.append(title);
  svg.setAttribute('aria-label', title.textContent);
  const max = Math.max(1, ...rates);
  const step = width / Math.max(1, SAMPLES - 1);
  const points = rates.slice(-SAMPLES).map((r, i) => `${(i * step).toFixed(1)},${(height - 1 - (r / max) * (height - 2)).toFixed(1)}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.length ? points.join(' ') : `0,${height - 1} ${width},${height - 1}`);
  line.setAttribute('class', 'sparkline-line');
  svg.append(line);
  return svg;
}
