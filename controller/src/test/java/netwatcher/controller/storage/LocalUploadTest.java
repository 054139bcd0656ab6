package netwatcher.controller.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import netwatcher.arm.ArmException;
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
        StorageService.UploadProgress p = storage().append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, 999, 1000, new ByteArrayInputStream(data));
        assertTrue(p.complete());
        assertEquals(1000, p.received());
        assertArrayEquals(data, Files.readAllBytes(storage().localFile(account(), BLOB).orElseThrow()));
    }

    @Test
    void append_whenEveryByteHeldButNotCompleted_completesOnTheNextPut() throws Exception {
        StorageService s = storage();
        byte[] data = "0123456789".getBytes();
        assertFalse(s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, 4, 10, new ByteArrayInputStream(data, 0, 5)).complete());
        // the second half arrived, but its answer was lost and the partial file is complete on disk
        Path partial = s.partial(account(), "c-1");
        Files.write(partial, data);
        assertTrue(s.localFile(account(), BLOB).isEmpty());
        assertEquals(10, s.received(account(), BLOB, "c-1"));
        StorageService.UploadProgress again = s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 9, 9, 10, new ByteArrayInputStream(data, 9, 1));
        assertTrue(again.complete());
        assertArrayEquals(data, Files.readAllBytes(s.localFile(account(), BLOB).orElseThrow()));
    }

    @Test
    void append_whenAnotherUploadCommittedTheBlob_refusesAndLeavesItsFileAlone() throws Exception {
        StorageService s = storage();
        byte[] first = "first capture".getBytes();
        byte[] second = "second one!!!".getBytes();
        assertTrue(s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, first.length - 1, first.length, new ByteArrayInputStream(first)).complete());
        ArmException e = assertThrows(ArmException.class,
                () -> s.append(new StorageService.LocalTarget(account(), BLOB, "c-2"), 0, second.length - 1, second.length, new ByteArrayInputStream(second)));
        assertEquals(409, e.code().status());
        assertArrayEquals(first, Files.readAllBytes(s.localFile(account(), BLOB).orElseThrow()));
    }

    @Test
    void append_whenTwoUploadsRaceToTheSamePath_onlyTheFirstCommitWins() throws Exception {
        StorageService s = storage();
        byte[] a = "aaaaaaaaaa".getBytes();
        byte[] b = "bbbbbbbbbb".getBytes();
        // both collect their bytes before either completes: the partial files are their own
        assertFalse(s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, 4, 10, new ByteArrayInputStream(a, 0, 5)).complete());
        assertFalse(s.append(new StorageService.LocalTarget(account(), BLOB, "c-2"), 0, 4, 10, new ByteArrayInputStream(b, 0, 5)).complete());
        assertEquals(5, s.received(account(), BLOB, "c-2"));
        assertTrue(s.append(new StorageService.LocalTarget(account(), BLOB, "c-2"), 5, 9, 10, new ByteArrayInputStream(b, 5, 5)).complete());
        ArmException e = assertThrows(ArmException.class,
                () -> s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 5, 9, 10, new ByteArrayInputStream(a, 5, 5)));
        assertEquals(409, e.code().status());
        assertArrayEquals(b, Files.readAllBytes(s.localFile(account(), BLOB).orElseThrow()));
    }

    @Test
    void append_whenTheLastAnswerWasLost_theSameUploadCompletesAgain() throws Exception {
        StorageService s = storage();
        byte[] data = "0123456789".getBytes();
        assertTrue(s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, 9, 10, new ByteArrayInputStream(data)).complete());
        assertEquals(new StorageService.UploadProgress(10, true),
                s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 9, 9, 10, new ByteArrayInputStream(data, 9, 1)));
    }

    @Test
    void storedFiles_areNotReadableByOthers() throws Exception {
        StorageService s = storage();
        byte[] data = "0123456789".getBytes();
        s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, 9, 10, new ByteArrayInputStream(data));
        Path file = s.localFile(account(), BLOB).orElseThrow();
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        for (Path d = file.getParent(); !d.equals(dir); d = d.getParent()) {
            assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d.toString());
        }
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.partial(account(), "c-1").getParent())));
    }

    @Test
    void partialFiles_areNeverServedAsBlobs() throws Exception {
        StorageService s = storage();
        s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, 4, 10, new ByteArrayInputStream("01234".getBytes()));
        assertThrows(ArmException.class, () -> s.localFile(account(), StorageService.PARTIAL_DIR + "/c-1.partial"));
    }

    @Test
    void exists_seesBlobsAndWhatStandsInTheirWay() throws Exception {
        StorageService s = storage();
        s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, 4, 5, new ByteArrayInputStream("01234".getBytes()));
        assertTrue(s.exists(account(), BLOB));
        assertTrue(s.exists(account(), BLOB + "/under-a-file.cap"));
        assertTrue(s.exists(account(), "network-watcher-logs/subscriptions"));
        assertFalse(s.exists(account(), "network-watcher-logs/subscriptions/s/y.cap"));
    }

    @Test
    void readBack_hashesTheStoredFile() throws Exception {
        StorageService s = storage();
        s.append(new StorageService.LocalTarget(account(), BLOB, "c-1"), 0, 2, 3, new ByteArrayInputStream("abc".getBytes()));
        assertEquals(new StorageService.StoredObject(3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
                s.readBack(account(), BLOB).orElseThrow());
        assertTrue(s.readBack(account(), "network-watcher-logs/none.cap").isEmpty());
    }
}
