package netwatcher.agent.ring;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import netwatcher.agent.upload.AzuriteBlobs;
import netwatcher.agent.upload.BlobUploader;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.UploadTarget;
import netwatcher.testing.netns.VethPair;

/**
 * What the ring tests with real libpcap and a real Azurite share: the account ({@link AzuriteBlobs}), the agent's
 * upload service with the blob uploader (1 MiB blocks, retries every 100 ms to 1 s for 30 s), and numbered UDP
 * datagrams sent across the test's veth pair. {@link #close()} stops the uploads, then Azurite.
 */
final class RingBlobs implements AutoCloseable {
    /** The datagrams' port: no tshark dissector claims it, so the payload shows as data. */
    static final int PORT = 5007;

    final AzuriteBlobs blobs;
    final UploadService uploads;

    private RingBlobs(AzuriteBlobs blobs, UploadService uploads) {
        this.blobs = blobs;
        this.uploads = uploads;
    }

    static RingBlobs start(Path azuriteDirectory) throws IOException {
        AzuriteBlobs blobs = AzuriteBlobs.start(azuriteDirectory);
        return new RingBlobs(blobs, new UploadService(Map.of(UploadTarget.BLOB, new BlobUploader(1 << 20)), Duration.ofSeconds(30),
                Duration.ofMillis(100), Duration.ofSeconds(1), InstantSource.system()));
    }

    /** Sends datagrams {@code seq-<from>-...} to {@code seq-<to>-...} (200 bytes each) from the left end to the right one. */
    static void send(VethPair net, int from, int to) {
        net.left().bash("pad=$(printf '%0180d' 0); for i in $(seq " + from + " " + to + "); do echo \"seq-$i-$pad\" > /dev/udp/"
                + net.right().ipv4().getHostAddress() + "/" + PORT + "; done");
    }

    @Override
    public void close() {
        try {
            uploads.close();
        } finally {
            blobs.close();
        }
    }
}
