package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import netwatcher.controller.db.DatabaseConfig;
import netwatcher.controller.http.PublicUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster settings of controller.properties ({@code publicUrl}, {@code database.pool*}, key rotation), as docs/deployment.md lists them. */
class ClusterSettingsTest {
    @TempDir Path dir;

    @Test
    void defaults_noPublicUrl_poolOfTen_fiveSecondWait_monthlyKeys() throws Exception {
        ControllerConfig config = ControllerConfig.load(dir, 0);
        assertNull(config.identity().publicUrl());
        assertEquals(DatabaseConfig.DEFAULT_MAX_POOL_SIZE, config.database().maxPoolSize());
        assertEquals(10, config.database().maxPoolSize());
        assertEquals(Duration.ofSeconds(5), config.database().poolWait());
        assertEquals(Duration.ofDays(30), config.identity().signingKeyRotation());
    }

    @Test
    void settings_areReadAndKeptByTheCopyMethods() throws Exception {
        Files.writeString(dir.resolve("controller.properties"), """
                publicUrl=HTTPS://NW.Example:8443/
                database.poolSize=40
                database.poolWaitMillis=750
                auth.signingKeyRotationDays=7
                """);
        ControllerConfig config = ControllerConfig.load(dir, 0).withPort(1).withAgentWait(Duration.ofSeconds(5));
        assertEquals(new PublicUrl("https://nw.example:8443"), config.identity().publicUrl());
        assertEquals("nw.example", config.identity().publicUrl().host());
        assertEquals(40, config.database().maxPoolSize());
        assertEquals(Duration.ofMillis(750), config.database().poolWait());
        assertEquals(Duration.ofDays(7), config.identity().signingKeyRotation());
    }

    @Test
    void publicUrl_mustBeHttpsWithoutPath() {
        assertEquals("https://nw.example", new PublicUrl("https://nw.example:443").value());
        assertEquals("::1", new PublicUrl("https://[::1]:8443").host());
        for (String bad : new String[] {"http://nw.example", "https://nw.example/api", "https://nw.example?x=1", "nw.example", ""}) {
            assertThrows(IllegalArgumentException.class, () -> new PublicUrl(bad), bad);
        }
    }

    @Test
    void badValues_failNamingTheSetting() throws Exception {
        Files.writeString(dir.resolve("controller.properties"), "publicUrl=http://nw.example\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControllerConfig.load(dir, 0)).getMessage().contains("publicUrl"));
        Files.writeString(dir.resolve("controller.properties"), "database.poolSize=many\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControllerConfig.load(dir, 0)).getMessage().contains("database.poolSize"));
        Files.writeString(dir.resolve("controller.properties"), "database.poolSize=0\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControllerConfig.load(dir, 0)).getMessage().contains("maxPoolSize"));
        Files.writeString(dir.resolve("controller.properties"), "database.poolWaitMillis=10\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControllerConfig.load(dir, 0)).getMessage().contains("database.poolWaitMillis"));
    }
}
