package netwatcher.agent.upload;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import netwatcher.model.agent.UploadTarget;
import netwatcher.testing.azurite.AzuriteServer;

/**
 * A real Azurite with the capture container ({@code network-watcher-logs}) created, and the upload targets the
 * controller would give an agent: a blob's (or a ring directory's) URL with a one-hour SAS (create, write, read). For
 * the blob upload and ring tests.
 * {@link #close()} stops Azurite.
 */
public final class AzuriteBlobs implements AutoCloseable {
    public final AzuriteServer azurite;
    public final BlobContainerClient container;

    private AzuriteBlobs(AzuriteServer azurite, BlobContainerClient container) {
        this.azurite = azurite;
        this.container = container;
    }

    /** Starts Azurite with its data in {@code dir} and creates the container. */
    public static AzuriteBlobs start(Path dir) throws IOException {
        AzuriteServer azurite = AzuriteServer.start(dir);
        try {
            BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                    .httpClient(new JdkHttpClientBuilder().build()).buildClient()
                    .getBlobContainerClient("network-watcher-logs");
            container.create();
            return new AzuriteBlobs(azurite, container);
        } catch (RuntimeException e) {
            azurite.stop();
            throw e;
        }
    }

    /** The blob's URL with a SAS that lets an agent create and write it. */
    public String sasUrl(String name) {
        BlobClient blob = container.getBlobClient(name);
        return blob.getBlobUrl() + "?" + blob.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                new BlobSasPermission().setCreatePermission(true).setWritePermission(true).setReadPermission(true)));
    }

    /** A blob upload target for {@code name}, as an order carries it. */
    public UploadTarget target(String name) {
        return new UploadTarget(UploadTarget.BLOB, sasUrl(name), container.getBlobClient(name).getBlobUrl());
    }

    /** A ring's base target as the controller makes it: the URL of directory {@code dir} with a container SAS. */
    public UploadTarget directoryTarget(String dir) {
        String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                new BlobContainerSasPermission().setCreatePermission(true).setWritePermission(true).setReadPermission(true)));
        return new UploadTarget(UploadTarget.BLOB, container.getBlobContainerUrl() + "/" + dir + "?" + sas,
                container.getBlobContainerUrl() + "/" + dir);
    }

    /** The blob's content. */
    public byte[] download(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        container.getBlobClient(name).downloadStream(out);
        return out.toByteArray();
    }

    @Override
    public void close() {
        azurite.stop();
    }
}
