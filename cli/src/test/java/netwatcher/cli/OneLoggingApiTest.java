package netwatcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build check behind "one logging API across modules": no main source outside the logging
 * module logs through {@code java.util.logging} or {@code System.Logger} (their events would still
 * arrive, bridged, but without key=value context); SLF4J is the API. The logging module itself
 * installs the JUL bridge.
 */
class OneLoggingApiTest {
    private static final Pattern OTHER_API = Pattern.compile("java\\.util\\.logging\\.|System\\.getLogger\\(|System\\.Logger\\b");

    @Test
    void mainSources_logThroughSlf4jOnly() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> sources;
        try (Stream<Path> modules = Files.list(root)) {
            sources = modules.filter(m -> Files.isDirectory(m.resolve("src/main/java")) && !m.getFileName().toString().equals("logging"))
                    .flatMap(m -> walk(m.resolve("src/main/java"))).filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 100, "found only " + sources.size() + " sources under " + root);
        List<String> offenders = sources.stream().filter(p -> OTHER_API.matcher(read(p)).find()).map(p -> root.relativize(p).toString()).toList();
        assertEquals(List.of(), offenders, "log through SLF4J (org.slf4j.Logger, fluent addKeyValue for context), not JUL or System.Logger");
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
