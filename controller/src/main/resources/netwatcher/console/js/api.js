// The console's one way to the controller: same-origin fetch with the session cookie, the CSRF token on
// every state-changing request, ARM errors turned into ArmError (code, message, target).
export const API_VERSION = '2023-11-01';

let csrfToken = null;

export function useCsrfToken(token) { csrfToken = token; }

export class ArmError extends Error {
  constructor(status, code, message, target) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = target || null;
  }
}

export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const error = (json && json.error) || {};
    const message = error.message || (json && json.error_description) || text || response.statusText;
    throw new ArmError(response.status, error.code || (json && json.error) || String(response.status), message, error.target);
  }
  return { status: response.status, json, headers: response.headers };
}

/** An ARM path with the console's api-version. */
export function arm(path) {
  return path + (path.includes('?') ? '&' : '?') + 'api-version=' + API_VERSION;
}

/** A client-credentials token from the controller's own token endpoint. */
export async function servicePrincipalToken(clientId, clientSecret) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret,
    scope: location.origin + '/.default',
  });
  const response = await fetch('/adfs/oauth2/token', {
    method: 'POST', credentials: 'omit', cache: 'no-store',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString(),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok || !json.access_token) {
    throw new ArmError(response.status, json.error || 'invalid_client', json.error_description || 'The token endpoint refused the credentials.');
  }
  return json.access_token;
}
