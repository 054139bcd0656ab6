// The Azure SDK for JavaScript (@azure/arm-network + @azure/identity, unchanged) runs netwatcher's three
// checks as long-running operations: ipFlowVerify, nextHop, connectivityCheck (in that order; the
// Java side plays the agents). Run by netwatcher.controller.compat.AzureJsSdkTest with NODE_PATH
// pointing at the installed packages and NODE_EXTRA_CA_CERTS at the controller's CA.
// Input (environment): NW_BASE_URL, NW_SUBSCRIPTION, NW_CLIENT_ID, NW_CLIENT_SECRET, NW_SOURCE_VM_ID, NW_TARGET_VM_ID.
// Output: one JSON object per line, {"step": ..., ...}; exit 0 when every call returned, 1 otherwise.
'use strict';
const { env, out, networkClient } = require('./netwatcher-client.cjs');

async function main() {
  const rg = 'NetworkWatcherRG';
  const watcherName = 'NetworkWatcher_westeurope';
  const client = networkClient();

  const flow = await client.networkWatchers.beginVerifyIPFlowAndWait(rg, watcherName, {
    targetResourceId: env('NW_TARGET_VM_ID'),
    direction: 'Inbound',
    protocol: 'TCP',
    localPort: '80',
    remotePort: '*',
    localIPAddress: '198.18.1.11',
    remoteIPAddress: '198.18.1.10',
  });
  out('networkWatchers.beginVerifyIPFlowAndWait', { access: flow.access, ruleName: flow.ruleName });

  const hop = await client.networkWatchers.beginGetNextHopAndWait(rg, watcherName, {
    targetResourceId: env('NW_TARGET_VM_ID'),
    sourceIPAddress: '198.18.1.11',
    destinationIPAddress: '198.18.1.10',
  });
  out('networkWatchers.beginGetNextHopAndWait', { nextHopType: hop.nextHopType, nextHopIpAddress: hop.nextHopIpAddress });

  const check = await client.networkWatchers.beginCheckConnectivityAndWait(rg, watcherName, {
    source: { resourceId: env('NW_SOURCE_VM_ID') },
    destination: { resourceId: env('NW_TARGET_VM_ID'), port: 80 },
  });
  out('networkWatchers.beginCheckConnectivityAndWait', { connectionStatus: check.connectionStatus,
    hops: (check.hops || []).length, probesSent: check.probesSent, probesFailed: check.probesFailed });
}

main().then(() => out('done', {}), (e) => {
  out('error', { message: String(e && e.message), code: e && e.code, statusCode: e && e.statusCode });
  process.exitCode = 1;
});
