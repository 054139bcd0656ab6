package netwatcher.controller.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import netwatcher.arm.ArmResourceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resumable uploads into a local-directory storage account, on a real file system. */
class LocalUploadTest {
    static final String BLOB = "network-watcher-logs/subscriptions/s/x.cap";

    @TempDir
    Path dir;

    StorageService storage() {
        return new StorageService(List.of(account()), Clock.systemUTC());
    }

    StorageAccount account() {
        return new StorageAccount(ArmResourceId.of("s", "netwatcher-storage", "Microsoft.Storage", "storageAccounts", "local"), "local",
                StorageAccount.Kind.LOCAL, dir, null);
    }

    @Test
    void append_whenWholeFileInOneRange_completesAndTheBlobAppears() throws Exception {
        byte[] data = new byte[1000];
        Arrays.fill(data, (byte) 7);
        StorageService.UploadProgress p = storage().append(account(), BLOB, 0, 999, 1000, new ByteArrayInputStream(data));
        assertTrue(p.complete());
        assertEquals(1000, p.received());
        assertArrayEquals(data, Files.readAllBytes(storage().localFile(account(), BLOB).orElseThrow()));
    }

    @Test
    void append_whenEveryByteHeldButNotCompleted_completesOnTheNextPut() throws Exception {
        StorageService s = storage();
        byte[] data = "0123456789".getBytes();
        assertFalse(s.append(account(), BLOB, 0, 4, 10, new ByteArrayInputStream(data, 0, 5)).complete());
        // the second half arrived, but its answer was lost and the partial file is complete on disk
        Path partial = dir.resolve(BLOB + ".partial");
        Files.write(partial, data);
        assertTrue(s.localFile(account(), BLOB).isEmpty());
        assertEquals(10, s.received(account(), BLOB));
        StorageService.UploadProgress again = s.append(account(), BLOB, 9, 9, 10, new ByteArrayInputStream(data, 9, 1));
        assertTrue(again.complete());
        assertArrayEquals(data, Files.readAllBytes(s.localFile(account(), BLOB).orElseThrow()));
    }
}
