package netwatcher.agent.upload;

import netwatcher.agent.AgentConfig;
import netwatcher.agent.AgentJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blob uploads fit the agent's own heap: a child JVM started with the agent's JVM options (agent-jvm.options,
 * {@code -Xmx20m} and {@code -XX:+ExitOnOutOfMemoryError}) uploads three files of several default-sized (8 MiB)
 * blocks to a real Azurite at the same time, as a ring's closed files and a check's evidence may go out together.
 * Each blob must arrive whole, and the child prints its heap pools' peak and collections (the figures in
 * BlobUploader's comment).
 */
@Tag("external")
class BlobUploadHeapTest {
    @TempDir Path tmp;
    AzuriteBlobs blobs;

    @BeforeEach
    void startAzurite() throws IOException {
        blobs = AzuriteBlobs.start(tmp.resolve("azurite"));
    }

    @AfterEach
    void stopAzurite() {
        blobs.close();
    }

    @Test
    void threeUploadsOfDefaultBlocks_atOnce_fitTheAgentsHeap() throws Exception {
        int block = (int) AgentConfig.parseSize("upload-chunk-size", "8MiB"); // the agent's default (AgentConfig)
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(AgentJvm.options()); // the product's own (agent-jvm.options)
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), UploadUnderAgentHeap.class.getName(), String.valueOf(block)));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path file = tmp.resolve("ring_" + i + ".cap");
            byte[] data = new byte[3 * block + 4321 * (i + 1)];
            new Random(i).nextBytes(data);
            Files.write(file, data);
            files.add(file);
            command.add(file.toString());
            command.add(blobs.sasUrl("heap/ring_" + i + ".cap"));
        }
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        boolean ended = child.waitFor(5, TimeUnit.MINUTES);
        if (!ended) child.destroyForcibly();
        String log = Files.readString(tmp.resolve("child.log"));
        assertTrue(ended, "the uploads did not end within 5 minutes: " + log);
        assertEquals(0, child.exitValue(), "the child JVM with the agent's heap failed (3 = OutOfMemoryError): " + log);
        log.lines().filter(l -> l.startsWith("heap peak")).forEach(l -> System.out.println("BlobUploadHeapTest child: " + l));
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(Files.readAllBytes(files.get(i)), blobs.download("heap/ring_" + i + ".cap"), "blob " + i);
        }
    }
}
