package netwatcher.cli.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import netwatcher.cli.client.CliException;
import netwatcher.cli.client.ClientConfig;
import netwatcher.cli.discovery.ControllerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's files as earlier releases wrote them (Jackson data binding: pretty-printed, nulls left
 * out, ISO-8601 times with fractions) still read field for field; what this release writes reads back
 * equal, mode 0600, with nulls left out; a damaged file is named in the error.
 */
class PrivateFilesFormatTest {
    @TempDir Path dir;

    @Test
    void controllerRecord_asEarlierReleasesWroteIt_readsFieldForField() throws Exception {
        Files.writeString(dir.resolve("controller.json"), """
                {
                  "url" : "https://127.0.0.1:9443",
                  "caFile" : "/d/tls/ca.pem",
                  "tokenFile" : "/d/admin.token",
                  "pid" : 4242,
                  "startedAt" : "2026-12-03T08:00:00.123456789Z",
                  "version" : "0.1.0",
                  "stoppedAt" : "2026-12-03T09:00:00Z",
                  "addedByALaterRelease" : {"x": 1}
                }""");

        ControllerRecord r = ControllerRecord.read(dir).orElseThrow();

        assertEquals(new ControllerRecord("https://127.0.0.1:9443", "/d/tls/ca.pem", "/d/admin.token", 4242,
                Instant.parse("2026-12-03T08:00:00.123456789Z"), "0.1.0", Instant.parse("2026-12-03T09:00:00Z")), r);
    }

    @Test
    void controllerRecord_withoutOptionalFields_roundTripsWithNullsLeftOut() throws Exception {
        ControllerRecord r = new ControllerRecord("http://127.0.0.1:8080", null, "/d/admin.token", 7,
                Instant.parse("2026-12-03T08:00:00Z"), null, null);
        r.write(dir);

        String text = Files.readString(dir.resolve("controller.json"));
        assertEquals(r, ControllerRecord.read(dir).orElseThrow());
        assertTrue(!text.contains("caFile") && !text.contains("stoppedAt") && !text.contains("null"), text);
        assertTrue(text.contains("\"pid\" : 7"), "pid stays a number: " + text);
    }

    @Test
    void controllerRecord_damaged_isNamedWithTheField() throws Exception {
        Path file = dir.resolve("controller.json");
        Files.writeString(file, "{\"url\":\"https://127.0.0.1:9443\",\"tokenFile\":\"/t\",\"pid\":\"x\",\"startedAt\":\"2026-12-03T08:00:00Z\"}");
        IllegalStateException notANumber = assertThrows(IllegalStateException.class, () -> ControllerRecord.read(dir));
        assertTrue(notANumber.getMessage().contains(file.toString()) && notANumber.getMessage().contains("pid"),
                notANumber.getMessage());

        Files.writeString(file, "{\"url\":\"https://127.0.0.1:9443\",\"tokenFile\":\"/t\",\"pid\":1,\"startedAt\":\"yesterday\"}");
        assertThrows(IllegalStateException.class, () -> ControllerRecord.read(dir));
        Files.writeString(file, "[1, 2]");
        assertThrows(IllegalStateException.class, () -> ControllerRecord.read(dir));
    }

    @Test
    void login_asEarlierReleasesWroteIt_readsAndRoundTrips() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, """
                {
                  "endpoint" : "https://127.0.0.1:8443",
                  "clientId" : "app",
                  "clientSecret" : "s3cret",
                  "tenant" : "adfs",
                  "caFile" : "/d/tls/ca.pem",
                  "subscription" : "00000000-0000-0000-0000-000000000001"
                }""");

        ClientConfig read = ClientConfig.load(file);
        assertEquals(new ClientConfig("https://127.0.0.1:8443", null, "app", "s3cret", "adfs", "/d/tls/ca.pem",
                "00000000-0000-0000-0000-000000000001"), read);
        assertTrue(read.servicePrincipal());

        Path again = dir.resolve("sub/config.json");
        read.withSubscription(null).save(again);
        assertEquals(read.withSubscription(null), ClientConfig.load(again));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(again)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(again.getParent())));
        assertNull(ClientConfig.load(again).token());
        assertTrue(!Files.readString(again).contains("subscription"), Files.readString(again));
    }

    @Test
    void login_damaged_isNamed() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"endpoint\": ");
        CliException e = assertThrows(CliException.class, () -> ClientConfig.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
