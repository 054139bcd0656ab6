// A connectivity result as a hop diagram in SVG, drawn here (no library): one node per hop with its type, host and
// address, a link to the next hop with its round-trip time, the hops and links an Error issue sits on marked, and
// each issue a badge (role=button, in the tab order, Enter or Space opens it). Pure apart from the DOM it returns.
const NS = 'http://www.w3.org/2000/svg';
const NODE_W = 160;
const NODE_H = 64;
const GAP = 105;
const BADGE_H = 22;
const PER_ROW = 5;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

/** An issue's context (ARM's list of {key, value}) as a Map. */
export function contextOf(issue) {
  const map = new Map();
  for (const entry of issue.context || []) {
    if (entry && entry.key !== undefined) map.set(entry.key, entry.value);
    else if (entry) for (const [k, v] of Object.entries(entry)) map.set(k, v);
  }
  return map;
}

/** The few words that name an issue's cause, as the CLI's table does: the rule, the route, the reason. */
export function issueLabel(issue) {
  const ctx = contextOf(issue);
  for (const key of ['RuleName', 'Route', 'Problem', 'Status', 'IcmpCode', 'HostName', 'Reason', 'Message']) {
    if (ctx.has(key)) return `${issue.type}: ${ctx.get(key)}`;
  }
  return issue.type;
}

/** What a badge can show in its width: the cause's name (rule, route, reason), else the issue's type. */
export function badgeLabel(issue) {
  const label = issueLabel(issue);
  return label.includes(': ') ? label.slice(label.indexOf(': ') + 2) : label;
}

/** Round-trip times of the link into hop {@code i} (ARM's previousLinks, or the previous hop's links). */
export function rttInto(hops, i) {
  const hop = hops[i];
  const link = (hop.previousLinks || [])[0]
    || (i > 0 ? (hops[i - 1].links || []).find((l) => l.nextHopId === hop.id) : null);
  const p = link && link.properties;
  if (!p || p.roundTripTimeAvg === undefined) return null;
  return { min: p.roundTripTimeMin, avg: p.roundTripTimeAvg, max: p.roundTripTimeMax };
}

export function rttText(rtt) {
  if (!rtt) return '';
  return rtt.min === rtt.max ? `${rtt.avg} ms` : `${rtt.avg} ms (${rtt.min}–${rtt.max})`;
}

const errors = (hop) => (hop.issues || []).filter((i) => i.severity !== 'Warning');

/** Whether the link from hop i to hop i+1 carries an Error issue (Outbound on i, Inbound on i+1). */
export function linkFails(hops, i) {
  return errors(hops[i]).some((x) => x.origin === 'Outbound') || errors(hops[i + 1]).some((x) => x.origin === 'Inbound');
}

function position(i) {
  const row = Math.floor(i / PER_ROW);
  const col = i % PER_ROW;
  return { x: 10 + col * (NODE_W + GAP), y: 10 + row * (NODE_H + 3 * BADGE_H + 70) };
}

function clip(text, max) {
  const t = String(text || '');
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

/**
 * The diagram of {@code result} (ConnectivityInformation).
 *
 * @param hostOf  a hop → the name of the VM that owns it, or '' when none does
 * @param onIssue called with (hop, issue, index) when a badge is activated
 */
export function hopDiagram(result, hostOf, onIssue) {
  const hops = result.hops || [];
  const rows = Math.max(1, Math.ceil(hops.length / PER_ROW));
  const width = 20 + Math.min(hops.length, PER_ROW) * (NODE_W + GAP) - GAP;
  // the last row is as tall as its badges need (a "+N more" line below three of them)
  const lastRow = hops.slice((rows - 1) * PER_ROW).map((h) => (h.issues || []).length);
  const height = 20 + (rows - 1) * (NODE_H + 3 * BADGE_H + 70) + NODE_H + Math.min(3, Math.max(0, ...lastRow)) * BADGE_H
    + (lastRow.some((n) => n > 3) ? 14 : 0);
  const root = svg('svg', { class: 'hops', viewBox: `0 0 ${Math.max(width, NODE_W + 20)} ${height}`, width: Math.max(width, NODE_W + 20),
    height, role: 'group', 'aria-label': `Hop diagram: ${hops.length} hops, ${result.connectionStatus}`, focusable: 'false' });
  const links = svg('g', { class: 'links' });
  const nodes = svg('g', { class: 'nodes' });
  root.append(links, nodes);
  hops.forEach((hop, i) => {
    const { x, y } = position(i);
    if (i + 1 < hops.length) {
      const next = position(i + 1);
      const fails = linkFails(hops, i);
      const x1 = x + NODE_W;
      const y1 = y + NODE_H / 2;
      const x2 = next.x;
      const y2 = next.y + NODE_H / 2;
      const sameRow = next.y === y;
      const rtt = rttText(rttInto(hops, i + 1));
      const bend = x1 + GAP / 2;
      const labelX = sameRow ? (x1 + x2) / 2 : next.x + NODE_W / 2 + 6;
      const labelY = sameRow ? y1 - 8 : next.y - 26;
      links.append(svg('g', { class: 'link' + (fails ? ' failing' : ''), 'data-from': i, 'data-to': i + 1 },
        sameRow ? svg('line', { x1, y1, x2, y2 }) : svg('path', { d: `M${x1} ${y1} H${bend} V${next.y - 20} H${next.x + NODE_W / 2} V${next.y}` }),
        rtt ? svg('text', { class: 'rtt', x: labelX, y: labelY, 'text-anchor': sameRow ? 'middle' : 'start', text: rtt }) : null,
        fails ? svg('text', { class: 'cut', x: labelX, y: sameRow ? y1 + 18 : next.y - 8, 'text-anchor': sameRow ? 'middle' : 'start',
          text: '✕ blocked' }) : null));
    }
    const host = hostOf(hop);
    const failing = errors(hop).length > 0;
    const warned = !failing && (hop.issues || []).length > 0;
    const node = svg('g', { class: 'hop' + (failing ? ' failing' : warned ? ' warned' : ''), 'data-index': i, 'data-host': host || null,
      'data-type': hop.type, 'data-address': hop.address || null },
    svg('title', { text: `Hop ${i + 1}: ${hop.type}${host ? ', ' + host : ''}${hop.address ? ', ' + hop.address : ''}` }),
    svg('rect', { x, y, width: NODE_W, height: NODE_H, rx: 6 }),
    svg('text', { class: 'hop-type', x: x + 8, y: y + 18, text: `${i + 1}. ${hop.type}` }),
    svg('text', { class: 'hop-host', x: x + 8, y: y + 36, text: clip(host || (hop.type === 'Unknown' ? '(silent hop)' : ''), 24) }),
    svg('text', { class: 'hop-address', x: x + 8, y: y + 54, text: clip(hop.address || 'no address', 24) }));
    (hop.issues || []).slice(0, 3).forEach((issue, k) => {
      const by = y + NODE_H + 4 + k * BADGE_H;
      const label = issueLabel(issue);
      const open = () => onIssue(hop, issue, i);
      node.append(svg('g', { class: 'badge ' + (issue.severity === 'Warning' ? 'badge-warning' : 'badge-error'), role: 'button', tabindex: '0',
        'data-issue-type': issue.type, 'aria-label': `${label} (${issue.severity}, ${issue.origin}) on hop ${i + 1}${host ? ' ' + host : ''}: open its evidence`,
        onclick: open, onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } } },
      svg('rect', { x, y: by, width: NODE_W, height: BADGE_H - 3, rx: 9 }),
      svg('text', { x: x + 8, y: by + 14, text: clip((issue.severity === 'Warning' ? '! ' : '✕ ') + badgeLabel(issue), 24) })));
    });
    if ((hop.issues || []).length > 3) {
      node.append(svg('text', { class: 'more', x, y: y + NODE_H + 4 + 3 * BADGE_H + 10, text: `+${hop.issues.length - 3} more in the table` }));
    }
    nodes.append(node);
  });
  return root;
}
