package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code operation-retention-hours} in controller.properties, as the README's settings table says. */
class OperationRetentionSettingTest {
    @TempDir Path dir;

    @Test
    void retention_defaultsToADayAndIsConfigurable() throws Exception {
        assertEquals(Duration.ofHours(24), ControllerConfig.load(dir, 0).operationRetention());
        Files.writeString(dir.resolve("controller.properties"), "operation-retention-hours=2\n");
        assertEquals(Duration.ofHours(2), ControllerConfig.load(dir, 0).operationRetention());
        assertEquals(Duration.ofHours(2), ControllerConfig.load(dir, 0).withPort(1).withAgentWait(Duration.ofSeconds(5)).operationRetention());
    }

    @Test
    void retention_mustBePositive() throws Exception {
        Files.writeString(dir.resolve("controller.properties"), "operation-retention-hours=0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControllerConfig.load(dir, 0));
        assertEquals("operation-retention-hours must be positive", e.getMessage());
    }
}
