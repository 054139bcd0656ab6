// Packet captures: a server-side paged, sorted table kept live by the controller's event stream, a packet-rate
// sparkline per running capture, stop / delete / download, and the ARM create form with the API's validation
// errors shown at the field they name.
import { ArmError, arm, call } from './api.js';
import { $, $$, bytes, el, showAlert } from './dom.js';
import { RateHistory, sparkline } from './sparkline.js';
import { fleetVms } from './fleet.js';

const state = { sort: 'created', dir: 'desc', page: 0, size: 50, search: '', status: '' };
const rows = new Map(); // capture key -> row as last seen
const rates = new RateHistory();
/** Delays (ms) from the controller recording an agent's report to this page showing it; read by the browser test. */
const liveDelays = [];
window.nwConsoleLiveDelays = liveDelays;
// How often a running capture's row is updated: ms between two events of one capture arriving at the page (the browser
// test reads it: the "at least once a second").
const liveGaps = [];
const lastArrival = new Map();
window.nwConsoleLiveGaps = liveGaps;
let events = null;
let reloadTimer = null;

export async function loadCaptures() {
  const query = new URLSearchParams({ sort: state.sort, dir: state.dir, page: state.page, size: state.size });
  if (state.search) query.set('search', state.search);
  if (state.status) query.set('status', state.status);
  const { json } = await call('GET', '/console/api/captures?' + query);
  rows.clear();
  for (const row of json.items) {
    rows.set(row.key, row);
    sample(row);
  }
  const pages = Math.max(1, Math.ceil(json.total / json.size));
  $('#captures-page').textContent = `page ${json.page + 1} of ${pages}`;
  $('#captures-prev').disabled = json.page === 0;
  $('#captures-next').disabled = json.page + 1 >= pages;
  $('#captures-summary').textContent = `${json.total} captures; ${json.running} running; ${json.failed} in Error.`;
  $$('.sort').forEach((b) => {
    const th = b.closest('th');
    th.setAttribute('aria-sort', b.dataset.sort === state.sort ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  });
  render();
}

function sample(row) {
  if (row.reportedAt) rates.add(row.key, Date.parse(row.reportedAt), row.counters.packets);
}

function render() {
  $('#captures-table tbody').replaceChildren(...Array.from(rows.values()).map(renderRow));
}

function renderRow(row) {
  const c = row.counters;
  const why = row.canWrite ? null : 'You need the Contributor role on this capture to stop or delete it.';
  const upload = c.uploadState ? `${c.uploadState}${c.uploadedBytes ? ' (' + bytes(c.uploadedBytes) + ')' : ''}` : 'none';
  return el('tr', { 'data-key': row.key, 'data-name': row.name, 'data-status': row.status, class: row.status === 'Error' ? 'attention' : '' },
    el('th', { scope: 'row', text: row.name }),
    el('td', { text: row.vm }),
    el('td', { class: 'status', text: row.status + (row.message ? ': ' + row.message : '') }),
    el('td', { class: 'packets', text: String(c.packets) }),
    el('td', { class: 'bytes', text: bytes(c.bytes) }),
    el('td', { class: 'drops', text: `${c.kernelDrops} / ${c.interfaceDrops}` }),
    el('td', { class: 'upload', text: upload }),
    el('td', {}, row.status === 'Running' ? sparkline(rates.rates(row.key), 'Packet rate of ' + row.name) : null),
    el('td', { text: new Date(row.createdAt).toLocaleString() }),
    el('td', { class: 'actions' },
      el('button', { type: 'button', class: 'stop', disabled: !row.canWrite || row.status !== 'Running', title: why,
        'aria-label': 'Stop ' + row.name, onclick: () => act('POST', row.id + '/stop', 'stop ' + row.name) }, 'Stop'),
      el('button', { type: 'button', class: 'delete', disabled: !row.canWrite, title: why,
        'aria-label': 'Delete ' + row.name, onclick: () => act('DELETE', row.id, 'delete ' + row.name) }, 'Delete'),
      row.download ? el('a', { class: 'download', href: row.download, download: row.name + '.cap' }, 'Download') : null));
}

async function act(method, path, what) {
  try {
    showAlert('');
    await call(method, arm(path));
    await loadCaptures();
  } catch (e) {
    showAlert(`Could not ${what}: ${e instanceof ArmError ? e.code + ': ' : ''}${e.message}`);
  }
}

/** Follows the controller's event stream: every report recorded for a capture on this page updates its row. */
export function follow() {
  if (events) return;
  events = new EventSource('/console/api/events');
  events.addEventListener('capture', (message) => {
    const { capture, publishedAt } = JSON.parse(message.data);
    if (capture.reportedAt) liveDelays.push(Date.now() - Date.parse(capture.reportedAt));
    if (liveDelays.length > 1000) liveDelays.shift();
    if (capture.status === 'Running') {
      const now = Date.now();
      if (lastArrival.has(capture.key)) liveGaps.push(now - lastArrival.get(capture.key));
      lastArrival.set(capture.key, now);
      if (liveGaps.length > 1000) liveGaps.shift();
    }
    if (rows.has(capture.key)) {
      // a status change moves the totals (running, in Error): fetch them again, at most once a second
      if (rows.get(capture.key).status !== capture.status) scheduleReload();
      rows.set(capture.key, capture);
      sample(capture);
      const old = $(`#captures-table tr[data-key="${CSS.escape(capture.key)}"]`);
      if (old) old.replaceWith(renderRow(capture));
      document.body.dataset.lastEvent = publishedAt;
    } else {
      scheduleReload();
    }
  });
}

function scheduleReload() {
  if (reloadTimer) return;
  reloadTimer = setTimeout(() => { reloadTimer = null; loadCaptures().catch(() => {}); }, 1000);
}

export function unfollow() {
  if (events) events.close();
  events = null;
}

export function fillTargets() {
  const select = $('#pc-target');
  const chosen = select.value;
  select.replaceChildren(...fleetVms().map((vm) => el('option', { value: vm.id, 'data-watcher': vm.watcherId || '' },
    `${vm.name} (${vm.resourceGroup}, ${vm.location})`)));
  if (chosen) select.value = chosen;
}

function number(text) {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}

function clearFieldErrors() {
  $$('#create [aria-invalid]').forEach((input) => {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  });
  $$('#create .field-error').forEach((e) => e.remove());
}

function showFieldError(target, message) {
  let input = target ? $(`#create [data-target="${CSS.escape(target)}"]`) : null;
  if (!input && target) {
    // a target below a field we show (properties.storageLocation) or an array index we do not (filters[1])
    input = $$('#create [data-target]').find((i) => target.startsWith(i.dataset.target) || i.dataset.target.startsWith(target));
  }
  if (!input) return false;
  const id = input.id + '-error';
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
  input.after(el('span', { id, class: 'field-error', text: message }));
  return true;
}

async function create(event) {
  event.preventDefault();
  clearFieldErrors();
  showAlert('');
  const status = $('#create-status');
  const name = $('#pc-name').value.trim();
  const target = $('#pc-target');
  const watcher = target.selectedOptions[0] && target.selectedOptions[0].dataset.watcher;
  if (!name) { showFieldError('name', 'A capture needs a name.'); return; }
  if (!watcher) { showFieldError('properties.target', 'Choose a VM whose location has a network watcher.'); return; }
  const properties = {
    target: target.value,
    bytesToCapturePerPacket: number($('#pc-bytes-per-packet').value),
    totalBytesPerSession: number($('#pc-total-bytes').value),
    timeLimitInSeconds: number($('#pc-time-limit').value),
    storageLocation: {},
  };
  const filePath = $('#pc-file-path').value.trim() || `/var/captures/${name}.cap`;
  properties.storageLocation.filePath = filePath;
  if ($('#pc-storage-id').value.trim()) properties.storageLocation.storageId = $('#pc-storage-id').value.trim();
  if ($('#pc-storage-path').value.trim()) properties.storageLocation.storagePath = $('#pc-storage-path').value.trim();
  const filter = {};
  if ($('#pc-protocol').value !== 'Any') filter.protocol = $('#pc-protocol').value;
  for (const [id, field] of [['#pc-local-ip', 'localIPAddress'], ['#pc-remote-ip', 'remoteIPAddress'],
    ['#pc-local-port', 'localPort'], ['#pc-remote-port', 'remotePort']]) {
    if ($(id).value.trim()) filter[field] = $(id).value.trim();
  }
  if (Object.keys(filter).length) properties.filters = [filter];
  try {
    status.textContent = `Creating ${name}...`;
    await call('PUT', arm(`${watcher}/packetCaptures/${encodeURIComponent(name)}`), { properties });
    status.textContent = `Capture ${name} created.`;
    await loadCaptures();
  } catch (e) {
    status.textContent = '';
    if (!(e instanceof ArmError) || !showFieldError(e.target, e.message)) showAlert(`Could not create ${name}: ${e.code || ''} ${e.message}`);
  }
}

export function wireCaptures() {
  $('#create').addEventListener('submit', create);
  $$('.sort').forEach((b) => b.addEventListener('click', () => {
    state.dir = state.sort === b.dataset.sort && state.dir === 'asc' ? 'desc' : 'asc';
    state.sort = b.dataset.sort;
    state.page = 0;
    loadCaptures().catch((e) => showAlert(e.message));
  }));
  let searchTimer = null;
  $('#captures-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.search = $('#captures-search').value.trim();
      state.page = 0;
      loadCaptures().catch((e) => showAlert(e.message));
    }, 250);
  });
  $('#captures-status').addEventListener('change', () => {
    state.status = $('#captures-status').value;
    state.page = 0;
    loadCaptures().catch((e) => showAlert(e.message));
  });
  $('#captures-prev').addEventListener('click', () => { state.page = Math.max(0, state.page - 1); loadCaptures().catch((e) => showAlert(e.message)); });
  $('#captures-next').addEventListener('click', () => { state.page += 1; loadCaptures().catch((e) => showAlert(e.message)); });
}
