/**
 * Storage accounts for capture files: the controller's local-directory account (default) and
 * Azure Blob accounts (Azure itself, or Azurite) configured with a connection string. Shown over
 * ARM as {@code Microsoft.Storage/storageAccounts}; generates {@code storagePath} the way Azure
 * does; receives agents' resumable uploads into local accounts and serves the files back with
 * HTTP range requests; hands agents short-lived SAS URLs for blob accounts. A stored blob is never
 * overwritten: a local upload collects in a per-capture partial file outside every blob path and
 * becomes the blob by a create-only hard link; local files are 0640 in 0750 directories. Reads a
 * stored object back (streamed) to hash it for the capture's upload check. In cluster mode (a shared
 * database) a local account is one controller's disk: it is not offered ({@link StorageService#offered}) and
 * captures may not name it ({@link StorageService#refusal}); objects of another feature kept elsewhere (the
 * evidence in the database) are served through its download route by a mounted
 * {@link StorageService.ObjectSource}.
 */
package netwatcher.controller.storage;
