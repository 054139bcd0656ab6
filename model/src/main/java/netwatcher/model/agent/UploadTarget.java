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

    /**
     * The target of one file of a ring capture, for which this target is the base: {@code name} is appended as one
     * more path segment to {@code url} (before its query, where a blob SAS sits) and to {@code storagePath}.
     *
     * @throws IllegalArgumentException when {@code name} is not a plain file name
     */
    public UploadTarget forFile(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,255}") || name.startsWith(".")) {
            throw new IllegalArgumentException("a ring file name must be a plain file name; was '" + name + "'");
        }
        int query = url.indexOf('?');
        String fileUrl = query < 0 ? url + "/" + name : url.substring(0, query) + "/" + name + url.substring(query);
        return new UploadTarget(kind, fileUrl, storagePath == null ? null : storagePath + "/" + name);
    }
}
