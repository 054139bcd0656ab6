// The Azure SDK for JavaScript (@azure/arm-network + @azure/identity, unchanged) drives a netwatcher
// controller through a packet capture's life. Run by netwatcher.controller.compat.AzureJsSdkTest with
// NODE_PATH pointing at the installed packages and NODE_EXTRA_CA_CERTS at the controller's CA.
// Input (environment): NW_BASE_URL, NW_SUBSCRIPTION, NW_CLIENT_ID, NW_CLIENT_SECRET, NW_VM_ID, NW_STORAGE_ID.
// Output: one JSON object per line, {"step": ..., ...}; exit 0 when every call returned, 1 otherwise.
'use strict';
const { env, out, networkClient } = require('./netwatcher-client.cjs');

async function main() {
  const rg = 'NetworkWatcherRG';
  const watcherName = 'NetworkWatcher_westeurope';
  const name = 'jspc';
  // ADFS authority: tenant "adfs", authority host = the controller; no instance discovery against Microsoft.
  const client = networkClient();

  const watcher = await client.networkWatchers.get(rg, watcherName);
  out('networkWatchers.get', { name: watcher.name, location: watcher.location, provisioningState: watcher.provisioningState });
  const all = [];
  for await (const w of client.networkWatchers.listAll()) all.push(w.name);
  out('networkWatchers.listAll', { names: all });

  const created = await client.packetCaptures.beginCreateAndWait(rg, watcherName, name, {
    target: env('NW_VM_ID'),
    storageLocation: { storageId: env('NW_STORAGE_ID'), filePath: '/var/captures/jspc.cap' },
    timeLimitInSeconds: 60,
    filters: [{ protocol: 'TCP', localPort: '80' }],
  });
  out('packetCaptures.beginCreateAndWait', { name: created.name, provisioningState: created.provisioningState,
    filePath: created.storageLocation && created.storageLocation.filePath });

  const got = await client.packetCaptures.get(rg, watcherName, name);
  out('packetCaptures.get', { name: got.name, provisioningState: got.provisioningState, target: got.target });

  const listed = [];
  for await (const p of client.packetCaptures.list(rg, watcherName)) listed.push(p.name);
  out('packetCaptures.list', { names: listed });

  const status = await client.packetCaptures.beginGetStatusAndWait(rg, watcherName, name);
  out('packetCaptures.beginGetStatusAndWait', { packetCaptureStatus: status.packetCaptureStatus, name: status.name });

  await client.packetCaptures.beginStopAndWait(rg, watcherName, name);
  out('packetCaptures.beginStopAndWait', {});

  const stopped = await client.packetCaptures.beginGetStatusAndWait(rg, watcherName, name);
  out('packetCaptures.beginGetStatusAndWait', { packetCaptureStatus: stopped.packetCaptureStatus,
    stopReason: stopped.stopReason });

  await client.packetCaptures.beginDeleteAndWait(rg, watcherName, name);
  out('packetCaptures.beginDeleteAndWait', {});

  const after = [];
  for await (const p of client.packetCaptures.list(rg, watcherName)) after.push(p.name);
  out('packetCaptures.list', { names: after });
}

main().then(() => out('done', {}), (e) => {
  out('error', { message: String(e && e.message), code: e && e.code, statusCode: e && e.statusCode });
  process.exitCode = 1;
});
