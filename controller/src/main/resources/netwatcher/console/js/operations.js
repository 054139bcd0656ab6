// ARM actions that answer as long-running operations (connectivityCheck, ipFlowVerify, nextHop): POST, then poll
// the Azure-AsyncOperation status (its properties carry a check's progress) at the Retry-After the controller asks
// for, and GET the Location for the result. The URLs the controller gives are absolute (its public URL); the page
// asks its own origin for the same path, so the request carries the session and stays inside the CSP.
import { ArmError, arm, call } from './api.js';

/** The path and query of a URL the API gave, asked of this page's origin. */
export function samePath(url) {
  const u = new URL(url, location.origin);
  return u.pathname + u.search;
}

function retryAfter(headers) {
  const seconds = Number(headers && headers.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : 1000;
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * Runs {@code POST path} with {@code body} and resolves with the operation's result; {@code onProgress} gets each
 * status the controller reports while it runs. Rejects with the ArmError of the POST (validation: its target
 * names the field) or of the failed operation.
 */
export async function runAction(path, body, onProgress = () => {}) {
  const started = await call('POST', arm(path), body);
  if (started.status === 200) return started.json;
  const result = started.headers.get('Location');
  const status = started.headers.get('Azure-AsyncOperation');
  let wait = retryAfter(started.headers);
  for (;;) {
    await sleep(wait);
    if (status) {
      const polled = await call('GET', samePath(status));
      wait = retryAfter(polled.headers);
      const op = polled.json || {};
      onProgress(op);
      if (op.status === 'Failed' || op.status === 'Canceled') {
        const error = op.error || {};
        throw new ArmError(200, error.code || op.status, error.message || `The operation ended ${op.status}.`, error.target);
      }
      if (op.status !== 'Succeeded' || !result) continue;
    }
    const answer = await call('GET', samePath(result));
    if (answer.status === 200) return answer.json;
    wait = retryAfter(answer.headers);
  }
}
