// Login with a bearer token (the admin token) or a service principal (client id + secret exchanged at the
// controller's own token endpoint); the session itself is an HttpOnly cookie the page never sees.
import { ArmError, call, servicePrincipalToken, useCsrfToken } from './api.js';
import { $, showAlert } from './dom.js';

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
