// Login with a configured OIDC provider (authorization code + PKCE, run by the controller: the page only links to
// /console/oidc/login/NAME), a bearer token (the admin token) or a service principal (client id + secret exchanged
// at the controller's own token endpoint); the session itself is an HttpOnly cookie the page never sees.
import { ArmError, call, servicePrincipalToken, useCsrfToken } from './api.js';
import { $, el, showAlert } from './dom.js';

// Why an OIDC login came back to the login page (?login=REASON, set by the controller's callback): fixed sentences,
// so a crafted link cannot put words of its own on the page.
const OIDC_FAILURES = {
  provider: 'The identity provider did not log you in',
  state: 'The login answer did not belong to the login this browser started (state mismatch); start again',
  expired: 'This login had expired or was already used; start again',
  exchange: 'The controller could not exchange the login code at the identity provider',
  token: 'The identity provider\'s ID token was not accepted (issuer, audience, signature, expiry or nonce)',
  unavailable: 'That identity provider is not available for login',
  busy: 'Too many logins are in progress on this controller; try again in a few minutes',
};

// Shows the providers the controller offers a login with, and the reason a login just failed, if one did.
async function offerOidc() {
  const params = new URLSearchParams(window.location.search);
  const failure = params.get('login');
  if (failure) {
    const error = params.get('error');
    showAlert('Login failed: ' + (OIDC_FAILURES[failure] || 'unknown reason') + (error && /^[a-z_]{1,40}$/.test(error) ? ' (' + error + ').' : '.'));
    window.history.replaceState(null, '', window.location.pathname + window.location.hash);
  }
  try {
    const { json } = await call('GET', '/console/api/logins');
    const links = $('#login-oidc-links');
    links.replaceChildren(...(json.oidc || []).map((p) => el('a', { class: 'download', id: 'login-oidc-' + p.name, href: p.login }, 'Log in with ' + p.name)));
    $('#login-oidc').hidden = links.childElementCount === 0;
  } catch (e) {
    // an older controller without OIDC login: the other methods remain
  }
}

export async function currentSession() {
  try {
    const { json } = await call('GET', '/console/api/session');
    useCsrfToken(json.csrfToken);
    return json;
  } catch (e) {
    if (e instanceof ArmError && e.status === 401) return null;
    throw e;
  }
}

async function open(token) {
  const { json } = await call('POST', '/console/api/session', { token });
  useCsrfToken(json.csrfToken);
  return json;
}

export function wireLogin(onLoggedIn) {
  offerOidc();
  $('#login-token').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      showAlert('');
      onLoggedIn(await open($('#token').value));
      $('#token').value = '';
    } catch (e) {
      showAlert('Login failed: ' + e.message);
    }
  });
  $('#login-sp').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      showAlert('');
      const token = await servicePrincipalToken($('#client-id').value.trim(), $('#client-secret').value);
      onLoggedIn(await open(token));
      $('#client-secret').value = '';
    } catch (e) {
      showAlert('Login failed: ' + e.message);
    }
  });
}

export async function logout() {
  try { await call('DELETE', '/console/api/session'); } finally { useCsrfToken(null); }
}
