package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CapturePathsTest {
    @TempDir Path temp;
    Path root;
    CapturePaths paths;

    @BeforeEach
    void setUp() {
        root = temp.resolve("captures");
        paths = new CapturePaths(root);
    }

    private void assertRefused(String filePath, String reason) {
        CaptureException e = assertThrows(CaptureException.class, () -> paths.resolve(filePath));
        assertTrue(e.getMessage().contains(filePath), "message names the path: " + e.getMessage());
        assertTrue(e.getMessage().contains(reason), "message says '" + reason + "': " + e.getMessage());
    }

    @Test
    void resolve_whenFileUnderRoot_createsParentsAndReturnsPath() {
        Path resolved = paths.resolve(root + "/vm1/pc1.cap");
        assertEquals(root.resolve("vm1/pc1.cap"), resolved);
        assertTrue(Files.isDirectory(root.resolve("vm1")));
        assertFalse(Files.exists(resolved));
    }

    @Test
    void resolve_whenDotDotTraversal_refuses() {
        assertRefused(root + "/../etc/passwd", "'..'");
        assertRefused(root + "/a/../../x.cap", "'..'");
        assertFalse(Files.exists(temp.resolve("x.cap")));
    }

    @Test
    void resolve_whenOutsideRootOrRelative_refuses() {
        assertRefused("/etc/cron.d/evil", "under the captures root");
        assertRefused(root + "x/pc.cap", "under the captures root"); // sibling with a common prefix
        assertRefused("captures/pc.cap", "absolute");
    }

    @Test
    void resolve_whenDirectoryNamed_refuses() {
        assertRefused(root + "/", "names a directory");
        assertRefused(root.toString(), "under the captures root");
        assertRefused(root + "/sub/", "names a directory");
    }

    @Test
    void resolve_whenExistingFileOrDirectory_refuses() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("old.cap"), "x");
        assertRefused(root + "/old.cap", "already exists");
        assertRefused(root + "/d", "existing directory");
        assertEquals("x", Files.readString(root.resolve("old.cap")));
    }

    @Test
    void resolve_whenSymlinkedDirectoryEscapesRoot_refuses() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("link"), outside);
        assertRefused(root + "/link/pc.cap", "symbolic link");
        assertRefused(root + "/link/new/pc.cap", "symbolic link");
        assertFalse(Files.exists(outside.resolve("new")), "no directory created through the link");
    }

    @Test
    void resolve_whenFileIsSymlink_refuses() throws Exception {
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("pc.cap"), temp.resolve("target"));
        assertRefused(root + "/pc.cap", "symbolic link");
    }
}
