package netwatcher.logging;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd journal form, decided as systemd documents it: {@code JOURNAL_STREAM} holds the
 * device and inode of the stream stderr is connected to. A real child JVM whose stderr is a file
 * stands in for the journal's socket (same check: fstat of fd 2); JUL events arrive in the same form.
 */
@Tag("external")
class JournalFormTest {
    @TempDir
    Path dir;

    @Test
    void stderrIsTheJournal_linesLoseTheTimeAndCarryTheSyslogPriority() throws Exception {
        Path err = Files.createFile(dir.resolve("stderr"));
        List<String> lines = run(err, Files.getAttribute(err, "unix:dev") + ":" + Files.getAttribute(err, "unix:ino"));
        assertEquals(List.of("<6>INFO  JournalProbe hello vm=db", "<4>WARN  JournalProbe careful", "<6>INFO  Library from JUL"), lines);
    }

    @Test
    void journalStreamNamesAnotherStream_linesKeepTheTime() throws Exception {
        Path err = Files.createFile(dir.resolve("stderr"));
        List<String> lines = run(err, "1:1"); // inherited from a parent whose stderr was the journal
        assertEquals(3, lines.size(), lines.toString());
        for (String line : lines) assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (INFO |WARN ) \\S+ .*"), line);
    }

    private static List<String> run(Path stderr, String journalStream) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), JournalProbe.class.getName())
                .redirectError(stderr.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("JOURNAL_STREAM", journalStream);
        builder.environment().remove("NW_LOG_FORMAT");
        builder.environment().remove("NW_LOG_LEVELS");
        Process p = builder.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe hung");
        assertEquals(0, p.exitValue(), Files.readString(stderr));
        return Files.readAllLines(stderr);
    }
}
