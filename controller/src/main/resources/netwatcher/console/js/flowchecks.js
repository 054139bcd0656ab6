// IP flow verify and next hop: the ARM forms, run as the real operations with the session, and each answer shown
// against what the host has: the chains IP flow verify's evaluator walked (the deciding rule or policy marked,
// the rule's text) and the routes of the table next hop names (the route the kernel picked marked).
import { ArmError, arm, call } from './api.js';
import { $, el, present, showAlert } from './dom.js';
import { clearFieldErrors, showFieldError } from './forms.js';
import { fleetVms } from './fleet.js';
import { runAction } from './operations.js';

export function fillFlowVms() {
  for (const id of ['#fv-target', '#nh-target']) {
    const select = $(id);
    const chosen = select.value;
    select.replaceChildren(...fleetVms().map((vm) => el('option', { value: vm.id, 'data-watcher': vm.watcherId || '' },
      `${vm.name} (${vm.resourceGroup}, ${vm.location})`)));
    if (chosen) select.value = chosen;
  }
  suggestAddresses();
}

/** The target VM's addresses as suggestions for its local / source address. */
function suggestAddresses() {
  for (const [select, list] of [['#fv-target', '#fv-local-addresses'], ['#nh-target', '#nh-source-addresses']]) {
    const vm = fleetVms().find((v) => v.id === $(select).value);
    const addresses = vm ? vm.nics.flatMap((n) => n.addresses.map((a) => a.split('/')[0])) : [];
    $(list).replaceChildren(...addresses.map((a) => el('option', { value: a })));
  }
}

function watcherOf(select) {
  const option = $(select).selectedOptions[0];
  return option && option.dataset.watcher;
}

async function submit(event, form, build, show) {
  event.preventDefault();
  clearFieldErrors(form);
  showAlert('');
  const status = $('[role=status]', form);
  const button = $('button[type=submit]', form);
  const { watcher, action, request } = build();
  if (!watcher) { showFieldError(form, 'targetResourceId', 'Choose a VM whose location has a network watcher.'); return; }
  button.disabled = true;
  status.textContent = 'Running...';
  try {
    const answer = await runAction(`${watcher}/${action}`, request);
    status.textContent = 'Done.';
    await show(answer, request);
  } catch (e) {
    status.textContent = '';
    if (!(e instanceof ArmError) || !showFieldError(form, e.target, e.message)) showAlert(`${action}: ${e.code || ''} ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

function optional(request, field, value) {
  if (value.trim()) request[field] = value.trim();
  return request;
}

function ipFlowVerify() {
  const request = {
    targetResourceId: $('#fv-target').value, direction: $('#fv-direction').value, protocol: $('#fv-protocol').value,
    localIPAddress: $('#fv-local-ip').value.trim(), localPort: $('#fv-local-port').value.trim(),
    remoteIPAddress: $('#fv-remote-ip').value.trim(), remotePort: $('#fv-remote-port').value.trim(),
  };
  return { watcher: watcherOf('#fv-target'), action: 'ipFlowVerify', request: optional(request, 'targetNicResourceId', $('#fv-nic').value) };
}

/** The answer, and the chains the evaluator walked with the one that decided marked. */
function showVerdict(answer) {
  const ev = answer.evaluation || {};
  const path = (ev.Path || '').split('; ').filter(Boolean);
  const decidedBy = ev.DecidedBy === 'policy' ? `${ev.Table || ''} ${ev.Chain || ''}`.trim() : null;
  const decisive = (step, i) => (answer.ruleName ? step.endsWith(`(${answer.ruleName})`) : decidedBy ? step.startsWith(decidedBy + ':') && step.endsWith('(policy)')
    : false) && (answer.access === 'Deny' ? i === path.length - 1 : true);
  const rows = path.map((step, i) => {
    const mark = decisive(step, i);
    return el('li', { class: mark ? 'match' : '', 'aria-current': mark ? 'true' : null }, mark ? el('strong', { text: step + ' ← decided here' }) : step);
  });
  $('#fv-answer').replaceChildren(...present(
    el('p', {}, el('strong', { class: answer.access === 'Allow' ? 'ok' : 'bad', id: 'fv-access', text: answer.access }),
      answer.ruleName ? el('span', {}, ' by rule ', el('code', { id: 'fv-rule', text: answer.ruleName })) : ' (no rule matched: the chain policy or the kernel decided)'),
    ev.Hook ? el('p', { text: `Hooks evaluated: ${ev.Hook}` }) : null,
    rows.length ? el('ol', { class: 'chain-path', id: 'fv-path', 'aria-label': 'Chains evaluated, in order' }, rows) : null,
    ev.RuleText ? el('pre', { id: 'fv-rule-text', text: `${ev.Table || ''} chain ${ev.Chain || ''} handle ${ev.Handle || ''}:\n${ev.RuleText}` }) : null,
    ev.Detail ? el('p', { text: ev.Detail }) : null,
    ev.Assumed ? el('p', { class: 'muted', text: ev.Assumed }) : null,
    ev.Warning ? el('p', { class: 'muted', text: ev.Warning }) : null));
  $('#fv-answer').hidden = false;
}

function nextHop() {
  const request = {
    targetResourceId: $('#nh-target').value, sourceIPAddress: $('#nh-source-ip').value.trim(),
    destinationIPAddress: $('#nh-dest-ip').value.trim(),
  };
  return { watcher: watcherOf('#nh-target'), action: 'nextHop', request: optional(request, 'targetNicResourceId', $('#nh-nic').value) };
}

/** The route as `ip route` prints it → the prefix, gateway and device a route table resource lists. */
export function parseRoute(text) {
  const words = (text || '').split(/\s+/).filter(Boolean);
  if (['blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'anycast', 'multicast', 'nat'].includes(words[0])) words.shift();
  let prefix = words[0] || '';
  const v6 = prefix.includes(':') || (text || '').includes(' via ') && (text.split(' via ')[1] || '').includes(':');
  if (prefix === 'default') prefix = v6 ? '::/0' : '0.0.0.0/0';
  else if (prefix && !prefix.includes('/')) prefix += prefix.includes(':') ? '/128' : '/32';
  const after = (word) => { const i = words.indexOf(word); return i >= 0 ? words[i + 1] : null; };
  return { prefix, gateway: after('via'), device: after('dev'), metric: Number(after('metric') || 0) };
}

async function showNextHop(answer) {
  const box = $('#nh-answer');
  box.replaceChildren(...present(
    el('p', {}, el('strong', { id: 'nh-type', text: answer.nextHopType }),
      answer.nextHopIpAddress ? ` via ${answer.nextHopIpAddress}` : '', ' · route table ', el('code', { id: 'nh-table', text: answer.routeTableId || '' })),
    answer.route ? el('p', {}, 'The kernel picked: ', el('code', { id: 'nh-route', text: answer.route })) : null));
  box.hidden = false;
  if (!answer.routeTableId || answer.routeTableId === 'System Route') return;
  let table;
  try {
    table = (await call('GET', arm(answer.routeTableId))).json;
  } catch (e) {
    box.append(el('p', { class: 'muted', text: `The route table could not be read: ${e.message}` }));
    return;
  }
  const want = parseRoute(answer.route);
  const routes = (table.properties && table.properties.routes) || [];
  const score = (r) => {
    const p = r.properties || {};
    if ((p.addressPrefix || '').toLowerCase() !== want.prefix.toLowerCase()) return -1;
    return (want.device && p.device === want.device ? 2 : 0) + ((p.nextHopIpAddress || null) === (want.gateway || null) ? 2 : 0)
      + (Number(p.metric || 0) === want.metric ? 1 : 0);
  };
  const best = routes.reduce((b, r) => (score(r) > (b ? score(b) : -1) ? r : b), null);
  box.append(el('table', { id: 'nh-routes' },
    el('caption', { text: `Routes of ${table.name} (kernel table ${table.properties && table.properties.kernelTable}), the one used marked` }),
    el('thead', {}, el('tr', {}, ['Prefix', 'Next hop type', 'Next hop address', 'Kernel type', 'Device', 'Protocol', 'Metric']
      .map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, routes.map((r) => {
      const p = r.properties || {};
      const used = r === best;
      return el('tr', { class: used ? 'match' : '', 'aria-current': used ? 'true' : null, 'data-prefix': p.addressPrefix },
        el('th', { scope: 'row' }, p.addressPrefix, used ? el('strong', { text: ' ← used' }) : null),
        el('td', { text: p.nextHopType || '' }), el('td', { text: p.nextHopIpAddress || '' }), el('td', { text: p.routeType || '' }),
        el('td', { text: p.device || '' }), el('td', { text: p.protocol || '' }), el('td', { text: String(p.metric ?? '') }));
    }))));
}

export function wireFlowChecks() {
  const fv = $('#fv-form');
  const nh = $('#nh-form');
  fv.addEventListener('submit', (e) => submit(e, fv, ipFlowVerify, showVerdict));
  nh.addEventListener('submit', (e) => submit(e, nh, nextHop, showNextHop));
  $('#fv-target').addEventListener('change', suggestAddresses);
  $('#nh-target').addEventListener('change', suggestAddresses);
}
