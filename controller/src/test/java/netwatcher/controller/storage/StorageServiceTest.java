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

/** Resumable uploads into a local-directory storage account, on the real file system. */
class StorageServiceTest {
    @TempDir
    Path dir;

    @Test
    void append_whenChunksCompleteTheBlob_movesItIntoPlace() throws Exception {
        StorageAccount account = new StorageAccount(ArmResourceId.of("00000000-0000-0000-0000-000000000001", "rg",
                "Microsoft.Storage", "storageAccounts", "local1"), "local", StorageAccount.Kind.LOCAL, dir, null);
        StorageService storage = new StorageService(List.of(account), Clock.systemUTC());
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) i;

        var first = storage.append(new StorageService.LocalTarget(account, "c/x.cap", "c-1"), 0, 599, 1000, new ByteArrayInputStream(Arrays.copyOfRange(data, 0, 600)));
        assertEquals(new StorageService.UploadProgress(600, false), first);
        assertFalse(storage.localFile(account, "c/x.cap").isPresent());
        assertEquals(600, storage.received(account, "c/x.cap", "c-1"));

        var second = storage.append(new StorageService.LocalTarget(account, "c/x.cap", "c-1"), 600, 999, 1000, new ByteArrayInputStream(Arrays.copyOfRange(data, 600, 1000)));
        assertEquals(new StorageService.UploadProgress(1000, true), second);
        assertTrue(storage.localFile(account, "c/x.cap").isPresent());
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("c/x.cap")));
    }
}
