// The console's entry point: log in (or resume the session), then show the fleet or the captures by hash.
import { $, showAlert } from './dom.js';
import { currentSession, logout, wireLogin } from './login.js';
import { loadFleet, wireFleet } from './fleet.js';
import { fillTargets, follow, loadCaptures, loadScaleSets, unfollow, wireCaptures } from './captures.js';
import { fillConnectivityVms, wireConnectivity } from './connectivity.js';
import { fillFlowVms, wireFlowChecks } from './flowchecks.js';

const SECTIONS = ['fleet', 'captures', 'connectivity', 'flows'];

let fleetTimer = null;

function show(section) {
  for (const id of ['login', ...SECTIONS]) $('#' + id).hidden = id !== section;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.getAttribute('href') === '#' + section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function route() {
  const section = SECTIONS.find((s) => location.hash === '#' + s) || 'fleet';
  show(section);
  try {
    await loadFleet();
    if (section === 'captures') {
      fillTargets();
      await Promise.all([loadScaleSets(), loadCaptures()]);
    }
    if (section === 'connectivity') fillConnectivityVms();
    if (section === 'flows') fillFlowVms();
  } catch (e) {
    showAlert(e.message);
  }
}

function loggedIn(session) {
  $('#who-name').textContent = `${session.name} (${session.kind.toLowerCase().replace('_', ' ')})`;
  $('#who').hidden = false;
  $('#nav').hidden = false;
  document.body.dataset.session = session.kind;
  follow();
  clearInterval(fleetTimer);
  fleetTimer = setInterval(() => { if (!$('#fleet').hidden) loadFleet().catch(() => {}); }, 10000);
  route();
}

function loggedOut() {
  unfollow();
  clearInterval(fleetTimer);
  $('#who').hidden = true;
  $('#nav').hidden = true;
  delete document.body.dataset.session;
  show('login');
}

async function start() {
  wireLogin(loggedIn);
  wireFleet();
  wireCaptures();
  wireConnectivity();
  wireFlowChecks();
  window.addEventListener('hashchange', () => { if (document.body.dataset.session) route(); });
  $('#logout').addEventListener('click', async () => {
    try { await logout(); } catch (e) { showAlert(e.message); }
    loggedOut();
  });
  try {
    const session = await currentSession();
    if (session) loggedIn(session); else loggedOut();
  } catch (e) {
    showAlert(e.message);
    loggedOut();
  }
}

start();
