// Packet captures: a server-side paged, sorted table kept live by the controller's event stream, a packet-rate
// sparkline per running capture, stop / delete / download, and the ARM create form with the API's validation
// errors shown at the field they name.
import { ArmError, arm, call } from './api.js';
import { $, $$, bytes, el, showAlert } from './dom.js';
import { RateHistory, sparkline } from './sparkline.js';
import { fleetVms } from './fleet.js';
import { number } from './forms.js';

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
    el('td', { class: 'status' }, row.status + (row.message ? ': ' + row.message : ''),
      row.files ? el('span', { class: 'ring muted', text: ` (files: ${row.files.written} written, ${row.files.onHost} on host,`
        + ` ${row.files.lost} lost)` }) : null),
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

let scaleSets = [];

/** The scale sets the session may read, from the ARM API (one list per subscription of the fleet). */
export async function loadScaleSets() {
  const subs = [...new Set(fleetVms().map((vm) => vm.subscriptionId))];
  const lists = await Promise.all(subs.map((sub) => call('GET',
    arm(`/subscriptions/${encodeURIComponent(sub)}/providers/Microsoft.Compute/virtualMachineScaleSets`))
    .then(({ json }) => json.value).catch(() => [])));
  scaleSets = lists.flat();
  fillTargets();
}

/** The network watcher of a resource's subscription and location: a fleet VM there names it. */
function watcherFor(id, location) {
  const sub = id.split('/')[2];
  const vm = fleetVms().find((v) => v.subscriptionId === sub && v.location === location && v.watcherId);
  return vm ? vm.watcherId : '';
}

export function fillTargets() {
  const select = $('#pc-target');
  const chosen = select.value;
  const sets = $('#pc-target-type').value === 'AzureVMSS';
  $('#pc-target-label').textContent = sets ? 'Target scale set' : 'Target VM';
  $$('#create .vmss-only').forEach((e) => { e.hidden = !sets; });
  select.replaceChildren(...(sets
    ? scaleSets.map((s) => el('option', { value: s.id, 'data-watcher': watcherFor(s.id, s.location) },
      `${s.name} (${s.id.split('/')[4]}, ${s.location}, ${s.sku ? s.sku.capacity : '?'} instances)`))
    : fleetVms().map((vm) => el('option', { value: vm.id, 'data-watcher': vm.watcherId || '' },
      `${vm.name} (${vm.resourceGroup}, ${vm.location})`))));
  if (chosen && Array.from(select.options).some((o) => o.value === chosen)) select.value = chosen;
}

/** The captureSettings fields show while the box is ticked; only then are they sent. */
function followSettings() {
  $$('#create .settings-only').forEach((e) => { e.hidden = !$('#pc-settings').checked; });
}

/** continuousCapture decides the storage field (docs/captures.md): filePath when absent, localPath when given. */
function followContinuous() {
  const given = $('#pc-continuous').value !== '';
  // a ring or a file set is what continuousCapture is chosen for: offer its settings (the box can be unticked)
  if (given) $('#pc-settings').checked = true;
  followSettings();
  const field = given ? 'localPath' : 'filePath';
  $('#pc-file-path').dataset.target = 'properties.storageLocation.' + field;
  $('#pc-file-path-label').textContent = `File path on the VM (storageLocation.${field})`;
}

const FILTER_FIELDS = [['localIPAddress', 'Local IP address'], ['remoteIPAddress', 'Remote IP address'],
  ['localPort', 'Local port'], ['remotePort', 'Remote port']];
let filterSerial = 0;

function addFilter() {
  const n = ++filterSerial;
  const row = el('div', { class: 'filter grid', role: 'group' },
    el('label', { for: `pc-filter-${n}-protocol` }, 'Protocol'),
    el('select', { id: `pc-filter-${n}-protocol`, 'data-field': 'protocol' },
      el('option', { value: '' }, 'Any (not sent)'), ...['Any', 'TCP', 'UDP'].map((p) => el('option', { value: p }, p))),
    ...FILTER_FIELDS.flatMap(([field, label]) => [el('label', { for: `pc-filter-${n}-${field}` }, label),
      el('input', { id: `pc-filter-${n}-${field}`, 'data-field': field })]),
    el('span'),
    el('button', { type: 'button', class: 'filter-remove', onclick: () => { row.remove(); numberFilters(); $('#pc-filter-add').focus(); } }, 'Remove filter'));
  $('#pc-filters').append(row);
  numberFilters();
  row.querySelector('select').focus();
}

/** Each row's fields carry their ARM path with the row's index, so an error on filters[i].x lands in row i. */
function numberFilters() {
  $$('#pc-filters .filter').forEach((row, i) => {
    row.setAttribute('aria-label', `Filter ${i + 1}`);
    row.querySelector('.filter-remove').setAttribute('aria-label', `Remove filter ${i + 1}`);
    row.querySelectorAll('[data-field]').forEach((f) => { f.dataset.target = `properties.filters[${i}].${f.dataset.field}`; });
  });
}

function clearFieldErrors() {
  $$('#create [aria-invalid]').forEach((input) => {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  });
  $$('#create .field-error').forEach((e) => e.remove());
}

/** The visible field an error's target names: that field, else the nearest one above it, else the first below it. */
function fieldFor(target) {
  const fields = $$('#create [data-target]').filter((i) => !i.hidden);
  const find = (t) => fields.find((i) => i.dataset.target.toLowerCase() === t);
  let t = target.toLowerCase();
  while (t) {
    const input = find(t);
    if (input) return input;
    const up = t.replace(/(\[\d+\]|\.[^.[]+)$/, '');
    if (up === t || !/[.[]/.test(up)) break; // never the whole of properties
    t = up;
  }
  const wanted = target.toLowerCase();
  return fields.find((i) => i.dataset.target.toLowerCase().startsWith(wanted + '.') || i.dataset.target.toLowerCase().startsWith(wanted + '['));
}

function showFieldError(target, message) {
  const input = target ? fieldFor(target) : null;
  if (!input) return false;
  const id = input.id + '-error';
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
  input.after(el('span', { id, class: 'field-error', text: message }));
  return true;
}

/** A field's value when the user set one (a whole number as a number, anything else as typed for the API to judge). */
function setValue(id) {
  const t = $(id).value.trim();
  return t === '' ? undefined : number(t);
}

function list(id) {
  return $(id).value.split(',').map((s) => s.trim()).filter((s) => s);
}

/** The PUT body: only what the user set. Exposed for the browser test as window.nwConsoleLastCreate. */
function body(name) {
  const properties = { target: $('#pc-target').value };
  const targetType = $('#pc-target-type').value;
  if (targetType) properties.targetType = targetType;
  if (targetType === 'AzureVMSS') {
    const scope = {};
    if (list('#pc-scope-include').length) scope.include = list('#pc-scope-include');
    if (list('#pc-scope-exclude').length) scope.exclude = list('#pc-scope-exclude');
    if (Object.keys(scope).length) properties.scope = scope;
  }
  for (const [id, field] of [['#pc-bytes-per-packet', 'bytesToCapturePerPacket'], ['#pc-total-bytes', 'totalBytesPerSession'],
    ['#pc-time-limit', 'timeLimitInSeconds']]) {
    const v = setValue(id);
    if (v !== undefined) properties[field] = v;
  }
  const continuous = $('#pc-continuous').value;
  if (continuous) properties.continuousCapture = continuous === 'true';
  if ($('#pc-settings').checked) {
    const settings = {};
    for (const [id, field] of [['#pc-file-count', 'fileCount'], ['#pc-file-size', 'fileSizeInBytes'],
      ['#pc-session-limit', 'sessionTimeLimitInSeconds']]) {
      const v = setValue(id);
      if (v !== undefined) settings[field] = v;
    }
    properties.captureSettings = settings; // ticked: a file set or ring, {} at the API's defaults
  }
  const storage = {};
  const path = $('#pc-file-path').value.trim();
  if (path) storage[continuous ? 'localPath' : 'filePath'] = path;
  if ($('#pc-storage-id').value.trim()) storage.storageId = $('#pc-storage-id').value.trim();
  if ($('#pc-storage-path').value.trim()) storage.storagePath = $('#pc-storage-path').value.trim();
  properties.storageLocation = storage;
  const filters = $$('#pc-filters .filter').map((row) => {
    const filter = {};
    row.querySelectorAll('[data-field]').forEach((f) => { if (f.value.trim()) filter[f.dataset.field] = f.value.trim(); });
    return filter;
  });
  if (filters.length) properties.filters = filters;
  return { properties };
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
  if (!watcher) { showFieldError('properties.target', 'Choose a target whose location has a network watcher.'); return; }
  const request = body(name);
  window.nwConsoleLastCreate = request;
  try {
    status.textContent = `Creating ${name}...`;
    await call('PUT', arm(`${watcher}/packetCaptures/${encodeURIComponent(name)}`), request);
    status.textContent = `Capture ${name} created.`;
    await loadCaptures();
  } catch (e) {
    status.textContent = '';
    if (!(e instanceof ArmError) || !showFieldError(e.target, e.message)) showAlert(`Could not create ${name}: ${e.code || ''} ${e.message}`);
  }
}

export function wireCaptures() {
  $('#create').addEventListener('submit', create);
  $('#pc-target-type').addEventListener('change', fillTargets);
  $('#pc-continuous').addEventListener('change', followContinuous);
  $('#pc-settings').addEventListener('change', followSettings);
  $('#pc-filter-add').addEventListener('click', addFilter);
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
