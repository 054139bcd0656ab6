package netwatcher.model.agent;

/**
 * Where a finished capture file goes besides the host.
 *
 * @param kind {@code local} (the controller's local-directory account: the agent PUTs the file to
 *             {@code url} on the controller with its own credential) or {@code blob} (Azure Blob:
 *             {@code url} is the blob URL including a SAS that allows create and write)
 * @param url  absolute URL to upload to
 * @param storagePath the blob path ARM shows as {@code storagePath}
 */
public record UploadTarget(String kind, String url, String storagePath) {
    public static final String LOCAL = "local";
    public static final String BLOB = "blob";
}
