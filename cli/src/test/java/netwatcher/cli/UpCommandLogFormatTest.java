package netwatcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import netwatcher.logging.LogFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code nw up} takes its log format from: the flag, then controller.properties, then text. */
class UpCommandLogFormatTest {
    @TempDir Path dir;

    @Test
    void flagWins_thenTheDataDirectorysSetting_thenText() throws Exception {
        assertEquals(LogFormat.TEXT, UpCommand.logFormat(null, dir)); // NW_LOG_FORMAT is not set under the build
        Files.writeString(dir.resolve("controller.properties"), "port=9443\nlog-format = JSON \n");
        assertEquals(LogFormat.JSON, UpCommand.logFormat(null, dir));
        assertEquals(LogFormat.TEXT, UpCommand.logFormat("text", dir));
    }

    @Test
    void wrongValue_namesWhereItCameFrom() throws Exception {
        assertEquals("--log-format must be one of text, json; was 'yaml'",
                assertThrows(IllegalArgumentException.class, () -> UpCommand.logFormat("yaml", dir)).getMessage());
        Files.writeString(dir.resolve("controller.properties"), "log-format=xml\n");
        assertEquals("log-format in controller.properties must be one of text, json; was 'xml'",
                assertThrows(IllegalArgumentException.class, () -> UpCommand.logFormat(null, dir)).getMessage());
    }
}
