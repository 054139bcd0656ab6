package netwatcher.agent.ring;

import com.azure.storage.blob.BlobContainerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import netwatcher.agent.upload.AzuriteBlobs;
import netwatcher.agent.upload.BlobUploader;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.UploadTarget;
import netwatcher.testing.netns.VethPair;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the ring tests with real libpcap and a real Azurite share, per test (register it on an instance field with
 * {@code @RegisterExtension}): the account ({@link AzuriteBlobs}, in a temporary directory of its own), the agent's
 * upload service with the blob uploader (1 MiB blocks, retries every 100 ms to 1 s for 30 s), a ring's base target,
 * and numbered UDP datagrams sent across the test's veth pair. After each test the uploads stop, then Azurite, and
 * its directory is deleted.
 */
final class RingBlobs implements BeforeEachCallback, AfterEachCallback {
    /** The datagrams' port: no tshark dissector claims it, so the payload shows as data. */
    static final int PORT = 5007;

    private Path directory;
    private AzuriteBlobs blobs;
    private UploadService uploads;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        directory = Files.createTempDirectory("nw-ring-azurite-");
        blobs = AzuriteBlobs.start(directory.resolve("azurite"));
        uploads = new UploadService(Map.of(UploadTarget.BLOB, new BlobUploader(1 << 20)), Duration.ofSeconds(30),
                Duration.ofMillis(100), Duration.ofSeconds(1), InstantSource.system());
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            if (uploads != null) uploads.close();
        } finally {
            try {
                if (blobs != null) blobs.close();
            } finally {
                if (directory != null) {
                    try (Stream<Path> walk = Files.walk(directory)) {
                        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    BlobContainerClient container() {
        return blobs.container;
    }

    UploadService uploads() {
        return uploads;
    }

    /** A ring's base target as the controller makes it: the URL of directory {@code dir} with a container SAS. */
    UploadTarget base(String dir) {
        return blobs.directoryTarget(dir);
    }

    /** Sends datagrams {@code seq-<from>-...} to {@code seq-<to>-...} (200 bytes each) from the left end to the right one. */
    /**
     * Sends datagrams {@code seq-from} to {@code seq-to} from the left end to the right one; answers the numbers whose
     * send the sender's kernel refused (a datagram never sent cannot be asked of a capture).
     */
    static java.util.List<Integer> send(VethPair net, int from, int to) {
        String out = net.left().bash("pad=$(printf '%0180d' 0); for i in $(seq " + from + " " + to + "); do echo \"seq-$i-$pad\" > /dev/udp/"
                + net.right().ipv4().getHostAddress() + "/" + PORT + " || echo \"unsent $i\"; done; true").stdout();
        return out.lines().filter(l -> l.startsWith("unsent ")).map(l -> Integer.parseInt(l.substring(7).strip())).toList();
    }
}
