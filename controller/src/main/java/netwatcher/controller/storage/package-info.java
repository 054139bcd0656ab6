/**
 * Storage accounts for capture files: the controller's local-directory account (default) and
 * Azure Blob accounts (Azure itself, or Azurite) configured with a connection string. Shown over
 * ARM as {@code Microsoft.Storage/storageAccounts}; generates {@code storagePath} the way Azure
 * does; receives agents' resumable uploads into local accounts and serves the files back with
 * HTTP range requests; hands agents short-lived SAS URLs for blob accounts.
 */
package netwatcher.controller.storage;
