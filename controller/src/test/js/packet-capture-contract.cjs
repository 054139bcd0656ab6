// The Azure SDK for JavaScript (@azure/arm-network + @azure/identity, unchanged) sends the 2023-11-01
// packet-capture fields (continuousCapture, captureSettings, storageLocation.localPath, targetType, scope)
// to a netwatcher controller and reads them back. Run by netwatcher.controller.compat.AzureJsSdkTest.
// Input (environment): NW_BASE_URL, NW_SUBSCRIPTION, NW_CLIENT_ID, NW_CLIENT_SECRET, NW_VM_ID, NW_VM_NAME.
// Output: one JSON object per line, {"step": ..., ...}; exit 0 when every call returned as expected, 1 otherwise.
'use strict';
const { env, out, networkClient } = require('./netwatcher-client.cjs');
const fields = (p) => ({
  name: p.name,
  provisioningState: p.provisioningState,
  hasContinuousCapture: Object.prototype.hasOwnProperty.call(p, 'continuousCapture') && p.continuousCapture !== undefined,
  continuousCapture: p.continuousCapture,
  captureSettings: p.captureSettings,
  localPath: p.storageLocation && p.storageLocation.localPath,
  filePath: p.storageLocation && p.storageLocation.filePath,
  targetType: p.targetType,
  scope: p.scope,
});

async function main() {
  const rg = 'NetworkWatcherRG';
  const watcherName = 'NetworkWatcher_westeurope';
  const client = networkClient();

  const oneFile = {
    target: env('NW_VM_ID'),
    targetType: 'AzureVM',
    scope: { include: [env('NW_VM_NAME')] },
    continuousCapture: false,
    captureSettings: { fileCount: 1, fileSizeInBytes: 8192 },
    storageLocation: { localPath: '/var/captures/jsone.cap' },
  };
  const created = await client.packetCaptures.beginCreateAndWait(rg, watcherName, 'jsone', oneFile);
  out('create.oneFile', fields(created));
  out('get.oneFile', fields(await client.packetCaptures.get(rg, watcherName, 'jsone')));

  await client.packetCaptures.beginCreateAndWait(rg, watcherName, 'jsclassic', {
    target: env('NW_VM_ID'),
    storageLocation: { filePath: '/var/captures/jsclassic.cap' },
  });
  out('get.classic', fields(await client.packetCaptures.get(rg, watcherName, 'jsclassic')));

  // a ring: continuousCapture true with three files of 8 KiB
  out('create.ring', fields(await client.packetCaptures.beginCreateAndWait(rg, watcherName, 'jsring',
    { ...oneFile, continuousCapture: true, captureSettings: { fileCount: 3, fileSizeInBytes: 8192 },
      storageLocation: { localPath: '/var/captures/jsring.cap' } })));

  try {
    await client.packetCaptures.beginCreateAndWait(rg, watcherName, 'jsnofiles',
      { ...oneFile, captureSettings: { fileCount: 0 }, storageLocation: { localPath: '/var/captures/jsnofiles.cap' } });
    out('create.noFiles', { accepted: true });
  } catch (e) {
    const body = e && e.details && (e.details.error || e.details);
    out('create.noFiles', { code: e && e.code, statusCode: e && e.statusCode, target: body && body.target });
  }

  for (const name of ['jsone', 'jsclassic', 'jsring']) await client.packetCaptures.beginDeleteAndWait(rg, watcherName, name);
  out('deleted', {});
}

main().then(() => out('done', {}), (e) => {
  out('error', { message: String(e && e.message), code: e && e.code, statusCode: e && e.statusCode });
  process.exitCode = 1;
});
