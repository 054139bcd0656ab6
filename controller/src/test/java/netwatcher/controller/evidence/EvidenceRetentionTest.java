package netwatcher.controller.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.compute.ComputeRepository;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;

/** Bounded evidence on the controller: count limit and age limit, files and rows together, on H2 and PostgreSQL. */
class EvidenceRetentionTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final ArmResourceId VM = ArmResourceId.of("s", "lab", "Microsoft.Compute", "virtualMachines", "app");

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = T0;

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    @DatabaseTest
    void collectExpired_keepsTheNewestChecks_andNoneOlderThanTheRetention(Database db) throws Exception {
        Path dir = Files.createTempDirectory("nw-evidence-");
        try {
            MovableClock clock = new MovableClock();
            StorageAccount account = new StorageAccount(ArmResourceId.of("s", "netwatcher-storage", "Microsoft.Storage", "storageAccounts",
                    "netwatcherlocal"), "local", StorageAccount.Kind.LOCAL, dir, null);
            EvidenceService evidence = new EvidenceService(db, new EvidenceRepository(),
                    new EvidenceService.Destination(new StorageService(List.of(account), clock), account),
                    new ComputeService(db, new ComputeRepository(), clock),
                    new EvidenceService.Settings(256, 1 << 20, 120, Duration.ofSeconds(1), Duration.ofDays(1), 2), clock);
            List<String> keys = List.of("k-1", "k-2", "k-3");
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                Instant at = T0.plus(Duration.ofHours(i));
                db.inTransaction(h -> {
                    evidence.record(h, key, "https://127.0.0.1:8443", at);
                    return null;
                });
                Path file = dir.resolve(EvidenceService.blobPath(key, VM));
                Files.createDirectories(file.getParent());
                Files.write(file, new byte[24]);
            }
            clock.now = T0.plus(Duration.ofHours(3));

            assertEquals(1, evidence.collectExpired(), "beyond the newest 2");
            assertFalse(evidence.storedFile("k-1", VM).isPresent());
            assertTrue(evidence.storedFile("k-2", VM).isPresent());
            assertTrue(evidence.storedFile("k-3", VM).isPresent());
            assertEquals(0, evidence.collectExpired(), "nothing more to do");

            clock.now = T0.plus(Duration.ofDays(2));
            assertEquals(2, evidence.collectExpired(), "older than the retention");
            assertFalse(evidence.storedFile("k-3", VM).isPresent());
            assertFalse(Files.exists(dir.resolve("network-watcher-logs/connectivity-evidence/k-3")));
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @DatabaseTest
    void inTheDatabase_uploadResumes_servesTheFile_andRetentionDeletesFilesWithRows(Database db) throws Exception {
        MovableClock clock = new MovableClock();
        StorageAccount account = new StorageAccount(ArmResourceId.of("s", "netwatcher-storage", "Microsoft.Storage", "storageAccounts",
                "netwatcherlocal"), "local", StorageAccount.Kind.LOCAL, Path.of("/nonexistent-nw-evidence"), null);
        StorageService storage = new StorageService(List.of(account), clock);
        EvidenceService evidence = new EvidenceService(db, new EvidenceRepository(), new EvidenceService.Destination(storage, account, true),
                new ComputeService(db, new ComputeRepository(), clock),
                new EvidenceService.Settings(256, 1 << 20, 120, Duration.ofSeconds(1), Duration.ofDays(1), 1), clock);
        assertTrue(evidence.shared());
        byte[] data = new byte[5000];
        new java.util.Random(7).nextBytes(data);
        for (String key : List.of("k-1", "k-2")) {
            db.inTransaction(h -> {
                evidence.record(h, key, "https://nw.example:8443", T0);
                return null;
            });
            String blob = EvidenceService.blobPath(key, VM);
            var target = new StorageService.LocalTarget(account, blob, "ev-" + key);
            var first = evidence.files().append(key, target, new EvidenceFiles.Chunk(0, 1999, data.length),
                    new java.io.ByteArrayInputStream(data, 0, 2000));
            assertFalse(first.complete());
            assertEquals(2000, evidence.files().received(key, blob, "ev-" + key));
            assertTrue(evidence.storedSize(key, VM).isEmpty(), "not stored before complete");
            assertTrue(storage.open(account, blob).isEmpty(), "nothing to download before complete");
            var wrong = org.junit.jupiter.api.Assertions.assertThrows(netwatcher.arm.ArmException.class, () -> evidence.files().append(key,
                    target, new EvidenceFiles.Chunk(0, 1999, data.length), new java.io.ByteArrayInputStream(data, 0, 2000)));
            assertEquals(netwatcher.arm.ArmErrorCode.RangeNotSatisfiable, wrong.code());
            var rest = evidence.files().append(key, target, new EvidenceFiles.Chunk(2000, data.length - 1, data.length),
                    new java.io.ByteArrayInputStream(data, 2000, data.length - 2000));
            assertTrue(rest.complete());
            assertEquals(data.length, evidence.storedSize(key, VM).getAsLong());
            assertEquals(null, evidence.verifyStored(key, VM, data.length, null));
            try (var in = storage.open(account, blob).orElseThrow().open()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(data, in.readAllBytes());
            }
        }
        clock.now = T0.plus(Duration.ofHours(1));
        assertEquals(1, evidence.collectExpired(), "beyond the newest 1");
        clock.now = T0.plus(Duration.ofDays(2));
        assertEquals(1, evidence.collectExpired(), "older than the retention");
        assertTrue(evidence.storedSize("k-2", VM).isEmpty());
        assertEquals(0L, db.queryOne("SELECT COUNT(*) AS n FROM nw_evidence_file", r -> r.getLong("n")).orElseThrow());
    }
}
