// Connectivity: the ARM connectivityCheck form (every field of its body), run as the real operation with the
// session, its progress while it runs, and the answer as a hop diagram (hopdiagram.js) with a table of the hops as
// its text alternative, each issue a button that opens its evidence (the issue's context: rule text, counters or
// trace, route; and the probe packets that hop's host captured, downloaded through the link the API gives).
import { ArmError } from './api.js';
import { $, el, present, showAlert } from './dom.js';
import { clearFieldErrors, number, showFieldError } from './forms.js';
import { fleetCheckable, fleetVms } from './fleet.js';
import { contextOf, hopDiagram, issueLabel, rttInto, rttText } from './hopdiagram.js';
import { runAction, samePath } from './operations.js';

/** Milliseconds the last result took to draw (diagram, table, probes); read by the browser test. */
window.nwConsoleRenderMs = [];

function vmOption(vm) {
  return el('option', { value: vm.id, 'data-watcher': vm.watcherId || '' }, `${vm.name} (${vm.resourceGroup}, ${vm.location})`);
}

export function fillConnectivityVms() {
  for (const [id, withNone] of [['#cc-source', false], ['#cc-dest-vm', true]]) {
    const select = $(id);
    const chosen = select.value;
    select.replaceChildren(...(withNone ? [el('option', { value: '' }, '(none: use the address)')] : []), ...fleetVms().map(vmOption));
    if (chosen) select.value = chosen;
  }
  sourceChanged();
}

function sourceChanged() {
  const source = $('#cc-source').value;
  const allowed = !!source && fleetCheckable().some((id) => id.toLowerCase() === source.toLowerCase());
  $('#cc-submit').disabled = !allowed;
  $('#cc-permission').hidden = allowed || !source;
}

function protocolChanged() {
  const http = ['Http', 'Https'].includes($('#cc-protocol').value);
  $('#cc-http').disabled = !http;
}

/** The VM (from the fleet) that owns a hop: by its NIC's id, else by its address if one VM alone has it; else null. */
export function vmOfHop(hop) {
  const vms = fleetVms();
  const rid = (hop.resourceId || '').toLowerCase();
  const nic = /\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.network\/networkinterfaces\/([^/]+)/.exec(rid);
  if (nic) {
    const found = vms.find((vm) => vm.subscriptionId.toLowerCase() === nic[1] && vm.resourceGroup.toLowerCase() === nic[2]
      && vm.nics.some((n) => n.name.toLowerCase() === nic[3]));
    if (found) return found;
  }
  const vmMatch = /\/virtualmachines\/([^/]+)/.exec(rid);
  if (vmMatch) {
    const found = vms.find((vm) => vm.id.toLowerCase() === rid.slice(0, vmMatch.index + vmMatch[0].length));
    if (found) return found;
  }
  if (!hop.address) return null;
  // by address only when exactly one VM has it: address spaces may overlap, and a wrong host is worse than none
  const owners = vms.filter((vm) => vm.nics.some((n) => n.addresses.some((a) => a.split('/')[0] === hop.address)));
  return owners.length === 1 ? owners[0] : null;
}

function body() {
  const source = { resourceId: $('#cc-source').value };
  if ($('#cc-source-port').value.trim()) source.port = number($('#cc-source-port').value);
  const destination = {};
  if ($('#cc-dest-vm').value) destination.resourceId = $('#cc-dest-vm').value;
  if ($('#cc-dest-address').value.trim()) destination.address = $('#cc-dest-address').value.trim();
  if ($('#cc-dest-port').value.trim()) destination.port = number($('#cc-dest-port').value);
  const request = { source, destination, protocol: $('#cc-protocol').value };
  if ($('#cc-ip-version').value) request.preferredIPVersion = $('#cc-ip-version').value;
  if (!$('#cc-http').disabled) {
    const http = { method: $('#cc-http-method').value };
    const headers = $('#cc-http-headers').value.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
      const colon = line.indexOf(':');
      return colon < 0 ? { name: line, value: '' } : { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
    });
    if (headers.length) http.headers = headers;
    const codes = $('#cc-http-codes').value.split(/[\s,]+/).filter(Boolean).map(number);
    if (codes.length) http.validStatusCodes = codes;
    request.protocolConfiguration = { HTTPConfiguration: http };
  }
  return request;
}

function progress(op) {
  const p = op.properties || {};
  const parts = [`${op.status || 'InProgress'}`];
  if (op.percentComplete !== undefined) parts.push(`${op.percentComplete}%`);
  if (p.phase) parts.push(`phase ${p.phase}`);
  if (p.probesSent !== undefined) parts.push(`${p.probesSent} probes sent, ${p.probesFailed || 0} failed`);
  if (Array.isArray(p.hops) && p.hops.length) parts.push(`trace: ${p.hops.map((h) => h.address || '*').join(' → ')}`);
  $('#cc-status').textContent = 'Running: ' + parts.join('; ');
}

async function run(event) {
  event.preventDefault();
  const form = $('#cc-form');
  clearFieldErrors(form);
  showAlert('');
  const source = $('#cc-source');
  const watcher = source.selectedOptions[0] && source.selectedOptions[0].dataset.watcher;
  if (!watcher) { showFieldError(form, 'source.resourceId', 'Choose a VM whose location has a network watcher.'); return; }
  $('#cc-submit').disabled = true;
  $('#cc-result').hidden = true;
  $('#cc-status').textContent = 'Starting the check...';
  try {
    const result = await runAction(`${watcher}/connectivityCheck`, body(), progress);
    $('#cc-status').textContent = `Done: ${result.connectionStatus}.`;
    showResult(result);
  } catch (e) {
    $('#cc-status').textContent = '';
    if (!(e instanceof ArmError) || !showFieldError(form, e.target, e.message)) showAlert(`Connectivity check: ${e.code || ''} ${e.message}`);
  } finally {
    sourceChanged();
  }
}

/** Draws {@code result} (ConnectivityInformation); exported so a result can be drawn without running a check. */
export function showResult(result) {
  const t0 = performance.now();
  const hops = result.hops || [];
  const hostOf = (hop) => { const vm = vmOfHop(hop); return vm ? vm.name : ''; };
  const reached = result.connectionStatus === 'Reachable';
  $('#cc-summary').replaceChildren(...present(
    el('strong', { class: reached ? 'ok' : 'bad', text: result.connectionStatus }), ` · ${hops.length} hops · `,
    `${result.probesSent} probes sent, ${result.probesFailed} failed`,
    result.avgLatencyInMs !== undefined ? ` · latency avg ${result.avgLatencyInMs} ms (min ${result.minLatencyInMs}, max ${result.maxLatencyInMs})` : ''));
  $('#cc-diagram').replaceChildren(hopDiagram(result, hostOf, (hop, issue, i) => openEvidence(result, hop, issue, i)));
  $('#cc-hops tbody').replaceChildren(...hops.map((hop, i) => el('tr', { 'data-index': i, 'data-host': hostOf(hop) || null,
    class: (hop.issues || []).some((x) => x.severity !== 'Warning') ? 'attention' : '' },
  el('th', { scope: 'row', text: String(i + 1) }),
  el('td', { text: hop.type }),
  el('td', { text: hostOf(hop) }),
  el('td', { text: hop.address || '' }),
  el('td', { text: i === 0 ? '' : rttText(rttInto(hops, i)) }),
  el('td', {}, (hop.issues || []).map((issue) => el('button', { type: 'button', class: 'issue ' + (issue.severity === 'Warning' ? 'warning' : 'error'),
    'data-issue-type': issue.type, onclick: () => openEvidence(result, hop, issue, i) }, `${issueLabel(issue)} (${issue.severity}, ${issue.origin})`))))));
  showProbes(result);
  $('#cc-evidence').hidden = true;
  $('#cc-result').hidden = false;
  window.nwConsoleRenderMs.push(performance.now() - t0);
}

function showProbes(result) {
  const stats = result.probeStatistics || {};
  const outcomes = Object.entries(stats.outcomes || {});
  const latency = Object.entries(stats.latencyPercentilesMs || {});
  $('#cc-probes').replaceChildren(...present(
    el('h4', { text: 'Probes' }),
    outcomes.length ? el('ul', { class: 'plain', id: 'cc-outcomes' }, outcomes.map(([what, n]) => el('li', { 'data-outcome': what },
      el('meter', { min: 0, max: Math.max(1, result.probesSent), value: n, 'aria-label': `${what} probes` }), ` ${what}: ${n}`)))
      : el('p', { text: 'No per-outcome breakdown in this answer.' }),
    latency.length ? el('p', { id: 'cc-latency', text: 'Latency percentiles: ' + latency.map(([p, ms]) => `${p} ${ms} ms`).join(', ') }) : null,
    stats.lastHttpStatus !== undefined ? el('p', { text: `Last HTTP status: ${stats.lastHttpStatus}` }) : null));
}

function evidenceOf(result, vm) {
  if (!vm) return null;
  return (result.evidence || []).find((e) => (e.vmId || '').toLowerCase() === vm.id.toLowerCase()) || null;
}

function openEvidence(result, hop, issue, index) {
  const vm = vmOfHop(hop);
  const ctx = contextOf(issue);
  const packets = evidenceOf(result, vm);
  const long = new Set(['RuleText', 'Route', 'Path', 'Counters', 'Trace', 'Flow', 'Rule', 'Detail', 'Reason']);
  const panel = $('#cc-evidence');
  panel.replaceChildren(...present(
    el('h4', { id: 'cc-evidence-title', tabindex: '-1', text: `${issueLabel(issue)} on hop ${index + 1}${vm ? ' (' + vm.name + ')' : ''}` }),
    el('p', { text: `${issue.severity}, origin ${issue.origin}` + (ctx.has('Evidence') ? `; evidence: ${ctx.get('Evidence')}` : '; no evidence named') }),
    el('dl', { class: 'context' }, [...ctx.entries()].filter(([k]) => k !== 'Evidence').flatMap(([k, v]) => [
      el('dt', { text: k }), el('dd', {}, long.has(k) || String(v).length > 60 ? el('pre', { text: String(v) }) : String(v))])),
    packets ? el('p', { class: 'packets' }, `Probe packets captured on ${vm.name}: ${packets.packets ?? 0} packets, ${packets.uploadState || packets.state}`,
      packets.reason ? ` (${packets.reason})` : '', ' ',
      packets.storagePath && packets.uploadState !== 'failed' && packets.uploadState !== 'none'
        ? el('a', { class: 'download', id: 'cc-evidence-download', href: samePath(packets.storagePath), download: `${vm.name}.pcap` }, `Download ${vm.name}.pcap`) : null)
      : el('p', { class: 'muted', text: 'No probe capture from this hop\'s host in this answer.' })));
  panel.hidden = false;
  $('#cc-evidence-title').focus();
}

export function wireConnectivity() {
  $('#cc-form').addEventListener('submit', run);
  $('#cc-source').addEventListener('change', sourceChanged);
  $('#cc-protocol').addEventListener('change', protocolChanged);
  protocolChanged();
}
