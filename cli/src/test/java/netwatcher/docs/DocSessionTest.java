package netwatcher.docs;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a document's blocks run, on small documents in this machine's own shell (no namespaces, no root). */
@Tag("external")
class DocSessionTest {
    @TempDir Path dir;

    private DocSession session() {
        return new DocSession(dir, List.of(), Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "HOME", dir.toString()),
                dir.resolve("logs"));
    }

    private static List<MarkdownBlocks.Block> doc(String... lines) {
        return MarkdownBlocks.parse(Path.of("doc.md"), List.of(lines));
    }

    @Test
    void blocks_runInOneShell_soVariablesAndFunctionsCarry() throws Exception {
        DocSession session = session();
        session.run(doc("```sh", "X=41; inc() { echo $(( $1 + 1 )); }", "```", "text", "```sh", "echo \"answer $(inc $X)\"", "```"));
        assertTrue(session.transcript().contains("answer 42"), session.transcript());
    }

    @Test
    void aFailingCommandInsideABlock_failsIt_namingDocLineBlockAndOutput() {
        AssertionError e = assertThrows(AssertionError.class, () -> session().run(doc(
                "```sh", "echo fine", "```",
                "```sh", "echo before", "false", "echo never", "```",
                "```sh", "echo not reached", "```")));
        assertTrue(e.getMessage().startsWith("doc.md:4: the block failed"), e.getMessage());
        assertTrue(e.getMessage().contains("echo never") && e.getMessage().contains("before"), e.getMessage());
        assertFalse(e.getMessage().contains("not reached\n--- output"), e.getMessage());
    }

    @Test
    void aBackgroundBlock_runsAside_untilReady_andIsStoppedWithCtrlC() throws Exception {
        Path marker = dir.resolve("stopped");
        DocSession session = session();
        session.run(doc(
                "<!-- doc-test: background; ready-output: listening -->",
                "```sh", "trap 'echo bye > " + marker + "; exit 0' INT TERM; echo listening; while :; do sleep 0.1; done", "```",
                "<!-- doc-test: background; ready: test -f " + dir.resolve("ready2") + " -->",
                "```sh", "sleep 1; touch " + dir.resolve("ready2") + "; while :; do sleep 0.1; done", "```",
                "```sh", "echo after", "```"));
        assertTrue(session.transcript().contains("after"), session.transcript());
        assertTrue(Files.exists(marker), "the background block should be stopped (SIGINT, or SIGTERM where SIGINT is ignored) at the end");
    }

    @Test
    void aBackgroundBlockThatExitsBeforeReady_failsTheRun() {
        AssertionError e = assertThrows(AssertionError.class, () -> session().run(doc(
                "<!-- doc-test: background; ready-output: never printed -->", "```sh", "echo oops; exit 3", "```")));
        assertTrue(e.getMessage().contains("stopped (exit 3) before it was ready") && e.getMessage().contains("oops"), e.getMessage());
    }
}
