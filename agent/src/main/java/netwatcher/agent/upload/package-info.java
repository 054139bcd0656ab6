/**
 * Moving finished capture files to their storage account. An {@link
 * netwatcher.agent.upload.Uploader} makes one resumable attempt: {@link
 * netwatcher.agent.upload.LocalUploader} to the controller's local account (HEAD for the resume
 * point, PUT with Content-Range), {@link netwatcher.agent.upload.BlobUploader} to Azure Blob Storage
 * with the official SDK over the JDK HTTP client (staged blocks with deterministic ids, then a
 * commit). {@link netwatcher.agent.upload.UploadService} retries attempts with exponential backoff
 * for a bounded total time and tells the reconciler progress, success or the final failure. The
 * local file is never deleted.
 */
package netwatcher.agent.upload;
