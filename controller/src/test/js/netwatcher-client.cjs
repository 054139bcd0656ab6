// What the SDK scripts share: reading their environment, printing a step, and the SDK's own client
// (@azure/arm-network with @azure/identity's ClientSecretCredential, unchanged) pointed at a netwatcher
// controller: NW_BASE_URL is the ARM endpoint and the token authority (tenant 'adfs'), NW_CLIENT_ID and
// NW_CLIENT_SECRET a service principal, NW_SUBSCRIPTION the subscription.
'use strict';
const { NetworkManagementClient } = require('@azure/arm-network');
const { ClientSecretCredential } = require('@azure/identity');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`missing ${name}`);
  return v;
};
const out = (step, value) => console.log(JSON.stringify({ step, ...value }));

function networkClient() {
  const base = env('NW_BASE_URL');
  const credential = new ClientSecretCredential('adfs', env('NW_CLIENT_ID'), env('NW_CLIENT_SECRET'), {
    authorityHost: base,
    disableInstanceDiscovery: true,
  });
  return new NetworkManagementClient(credential, env('NW_SUBSCRIPTION'), {
    endpoint: base,
    credentialScopes: [base + '/.default'],
  });
}

module.exports = { env, out, networkClient };
