// The fleet: every VM the session may read, those needing attention first, with a client-side filter.
import { call } from './api.js';
import { $, ago, el } from './dom.js';

let vms = [];
let checkable = [];

export async function loadFleet() {
  const { json } = await call('GET', '/console/api/fleet');
  vms = json.vms;
  checkable = json.checkable || [];
  const down = json.agentsDown;
  $('#fleet-summary').textContent = `${vms.length} VMs; ${down} agent${down === 1 ? '' : 's'} not connected;`
    + ` ${json.capturesFailed} capture${json.capturesFailed === 1 ? '' : 's'} in Error.`;
  render();
  return vms;
}

export function fleetVms() { return vms; }

/** The ids of the VMs this session may run a connectivity check from (the controller asks the API's own questions). */
export function fleetCheckable() { return checkable; }

function matches(vm, text) {
  if (!text) return true;
  const haystack = [vm.name, vm.resourceGroup, vm.subscriptionId, vm.location, vm.hostname, vm.health,
    ...vm.nics.flatMap((n) => [n.name, n.interfaceName, ...n.addresses])].join(' ').toLowerCase();
  return text.toLowerCase().split(/\s+/).every((word) => haystack.includes(word));
}

const HEALTH = { CONNECTED: 'connected', DISCONNECTED: 'disconnected', NOT_INSTALLED: 'no agent' };

function render() {
  const text = $('#fleet-search').value.trim();
  const rows = vms.filter((vm) => matches(vm, text)).map((vm) => el('tr', { 'data-vm': vm.name, class: vm.attention.length ? 'attention' : '' },
    el('th', { scope: 'row', text: vm.name }),
    el('td', {}, el('span', { class: 'muted', text: vm.subscriptionId }), el('br'), vm.resourceGroup),
    el('td', { text: vm.location }),
    el('td', {}, el('span', { class: 'health health-' + vm.health.toLowerCase(), text: HEALTH[vm.health] || vm.health })),
    el('td', { text: ago(vm.lastSeen), title: vm.lastSeen || '' }),
    el('td', { text: vm.agentVersion || '' }),
    el('td', { text: vm.capabilities.join(', ') }),
    el('td', {}, el('ul', { class: 'plain' }, vm.nics.map((n) => el('li', {}, el('strong', { text: n.interfaceName }), ' ',
      n.addresses.join(', '), n.macAddress ? el('span', { class: 'muted', text: ' ' + n.macAddress }) : null)))),
    el('td', { text: Object.entries(vm.captures).map(([status, n]) => `${n} ${status}`).join(', ') }),
    el('td', {}, vm.attention.join('; '), vm.problems.length ? el('ul', { class: 'plain problems' }, vm.problems.map((p) => el('li', { text: p }))) : null)));
  $('#fleet-table tbody').replaceChildren(...rows);
}

export function wireFleet() {
  $('#fleet-search').addEventListener('input', render);
}
