package netwatcher.cli;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@code nw} launcher's Maven runs print no {@code sun.misc.Unsafe} warnings and no raw colour
 * codes into a pipe: its own {@code maven_quiet} function (taken from the script, not copied here)
 * sets up a real, offline Maven run of one module of this build on this JDK.
 */
@Tag("external")
class LauncherMavenOutputTest {
    @Test
    void mavenThroughTheLauncher_printsNoUnsafeWarningsAndNoEscapeCodes() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path nw = root.resolve("nw");
        assumeTrue(Files.isExecutable(nw) && new ProcessBuilder("bash", "-c", "command -v mvn").start().waitFor() == 0,
                "needs the launcher and a Maven on PATH");
        String script = "source <(sed -n '/^maven_quiet()/,/^}/p' " + nw + ") && maven_quiet"
                + " && mvn -B -q -o -Dstyle.color=never -f " + root.resolve("pom.xml") + " -pl model validate";
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // JDK 25, as the launcher finds
        builder.environment().remove("MAVEN_OPTS");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(120, TimeUnit.SECONDS), "maven hung");
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("sun.misc.Unsafe"), out);
        assertFalse(out.contains("\u001b["), "raw escape codes: " + out.replace("\u001b", "ESC"));
    }
}
