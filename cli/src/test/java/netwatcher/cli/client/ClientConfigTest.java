package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientConfigTest {
    @TempDir
    Path tmp;

    @Test
    void load_withoutLogin_usesLocalControllerFilesFromNwHome() throws Exception {
        Path data = Files.createDirectories(tmp.resolve(".nw-data/tls"));
        Files.writeString(data.getParent().resolve("admin.token"), "secret-token\n");
        Files.writeString(data.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        String before = System.getProperty("nw.home");
        System.setProperty("nw.home", tmp.toString());
        try {
            ClientConfig c = ClientConfig.load(tmp.resolve("no-such-config.json"));
            assertEquals("https://127.0.0.1:8443", c.endpoint());
            assertEquals("secret-token", c.token());
            assertEquals(data.resolve("ca.pem").toAbsolutePath().toString(), c.caFile());
        } finally {
            if (before == null) System.clearProperty("nw.home");
            else System.setProperty("nw.home", before);
        }
    }

    @Test
    void command_withoutLoginOrLocalController_exitsAuthWithHint() {
        var r = Cli.run("vm", "list", "--config", tmp.resolve("none.json").toString());
        assertEquals(ExitCodes.AUTH, r.exit(), r.toString());
        assertTrue(r.err().startsWith("ERROR: NotLoggedIn: "), r.err());
        assertTrue(r.err().contains("nw login"), r.err());
    }

    @Test
    void path_prefersNwConfigVariable() {
        assertEquals(Path.of("/x/c.json"), ClientConfig.path(Map.of("NW_CONFIG", "/x/c.json")));
        assertTrue(ClientConfig.path(Map.of()).endsWith(Path.of(".config/netwatcher/config.json")));
    }

    @Test
    void constructor_normalisesEndpointAndRejectsNonUrls() {
        ClientConfig c = new ClientConfig("https://h:1//", "t", null, null, null, null, null);
        assertEquals("https://h:1", c.endpoint());
        assertEquals("adfs", c.tenant());
        assertNull(c.subscription());
        assertEquals(ExitCodes.USAGE, assertThrows(CliException.class, () -> new ClientConfig("h:1", null, null, null, null, null, null)).exitCode());
    }
}
