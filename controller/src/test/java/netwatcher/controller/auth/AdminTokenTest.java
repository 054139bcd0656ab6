package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
    @TempDir Path dataDir;

    @Test
    void loadOrCreate_whenAbsent_writesOneUrlSafeLineOf256BitsWithMode0600() throws Exception {
        AdminToken token = AdminToken.loadOrCreate(dataDir);

        Path file = dataDir.resolve("admin.token");
        assertEquals(file, token.file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size());
        assertEquals(token.value(), lines.getFirst());
        assertTrue(token.value().matches("[A-Za-z0-9_-]+"), token.value());
        assertTrue(Base64.getUrlDecoder().decode(token.value()).length >= 32);
        assertFalse(token.toString().contains(token.value()));
    }

    @Test
    void loadOrCreate_whenPresent_loadsSameToken() {
        AdminToken first = AdminToken.loadOrCreate(dataDir);
        AdminToken second = AdminToken.loadOrCreate(dataDir);

        assertEquals(first.value(), second.value());
        assertTrue(second.matches(first.value()));
        assertFalse(second.matches(first.value() + "x"));
        assertFalse(second.matches(null));
    }

    @Test
    void loadOrCreate_whenReadableByOthers_refuses() throws Exception {
        AdminToken.loadOrCreate(dataDir);
        Files.setPosixFilePermissions(dataDir.resolve("admin.token"), PosixFilePermissions.fromString("rw-r--r--"));

        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> AdminToken.loadOrCreate(dataDir));
        assertTrue(failure.getMessage().contains("chmod 600"));
    }

    @Test
    void loadOrCreate_whenFileHasTwoLines_refuses() throws Exception {
        AdminToken.loadOrCreate(dataDir);
        Files.writeString(dataDir.resolve("admin.token"), "a".repeat(40) + "\n" + "b".repeat(40) + "\n");

        assertThrows(IllegalStateException.class, () -> AdminToken.loadOrCreate(dataDir));
    }
}
