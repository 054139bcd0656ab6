/**
 * Subscriptions, tenants and the cloud metadata endpoint: the ARM resources every client looks up
 * before it calls Network Watcher. A subscription is created by the admin (the first one on first
 * start); resource groups exist implicitly inside any known subscription.
 */
package netwatcher.controller.subscriptions;
