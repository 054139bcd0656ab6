package netwatcher.controller.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobServiceClientBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import netwatcher.arm.ArmResourceId;
import netwatcher.testing.azurite.AzuriteServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the controller learns of a blob account's objects (exists, read back and hashed), against a real Azurite. */
@Tag("external")
class BlobStorageCheckTest {
    @TempDir Path tmp;
    AzuriteServer azurite;
    StorageAccount account;
    StorageService storage;

    @BeforeEach
    void start() throws Exception {
        azurite = AzuriteServer.start(tmp.resolve("azurite"));
        account = new StorageAccount(ArmResourceId.of("s", "netwatcher-storage", "Microsoft.Storage", "storageAccounts", "blob1"),
                "local", StorageAccount.Kind.BLOB, null, azurite.connectionString());
        storage = new StorageService(List.of(account), Clock.systemUTC());
        storage.prepareContainer(account);
    }

    @AfterEach
    void stop() {
        azurite.stop();
    }

    @Test
    void existsAndReadBack_seeTheStoredBlob() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(data);
        new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                .httpClient(new com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder().build()).buildClient()
                .getBlobContainerClient(StorageService.CONTAINER).getBlobClient("a/b.cap").upload(BinaryData.fromBytes(data));

        assertTrue(storage.exists(account, StorageService.CONTAINER + "/a/b.cap"));
        assertFalse(storage.exists(account, StorageService.CONTAINER + "/a/c.cap"));
        StorageService.StoredObject stored = storage.readBack(account, StorageService.CONTAINER + "/a/b.cap").orElseThrow();
        assertEquals(data.length, stored.bytes());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data)), stored.sha256());
        assertTrue(storage.readBack(account, StorageService.CONTAINER + "/a/c.cap").isEmpty());
    }
}
