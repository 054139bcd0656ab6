package netwatcher.docs;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import netwatcher.docs.MarkdownBlocks.Block;
import netwatcher.docs.MarkdownBlocks.Kind;
import org.junit.jupiter.api.Test;

/** The Markdown convention of the docs test, on the real documents and on small texts (pure, no shell). */
@Tag("netns")
class DocsClassificationTest {
    static final Path ROOT = DocsRunTest.repositoryRoot();

    @Test
    void everyBlockOfEveryDocument_isClassified() {
        List<String> unclassified = new ArrayList<>();
        for (Path doc : MarkdownBlocks.documents(ROOT)) {
            for (Block block : MarkdownBlocks.read(doc)) {
                if (block.kind() == Kind.UNCLASSIFIED) unclassified.add(block.where() + ": " + block.reason());
            }
        }
        assertEquals(List.of(), unclassified);
    }

    @Test
    void theOnlyCommandNotRun_isNwTest() {
        List<String> notRun = new ArrayList<>();
        for (Path doc : MarkdownBlocks.documents(ROOT)) {
            for (Block block : MarkdownBlocks.read(doc)) {
                if (block.kind() == Kind.NOT_RUN) notRun.add(block.body().strip());
            }
        }
        assertEquals(List.of("./nw test"), notRun, "only `./nw test` may stay unrun: it runs the docs test itself");
    }

    @Test
    void readmeStartsTheControllerAsAUserWould() {
        List<Block> readme = MarkdownBlocks.read(ROOT.resolve("README.md"));
        assertTrue(readme.stream().anyMatch(b -> b.kind() == Kind.BACKGROUND && b.body().strip().equals("./nw up")),
                "README's `./nw up` block must run (in the background, as a user leaves it in a terminal)");
    }

    @Test
    void parse_classifiesByInfoString_andReadsDirectives() {
        List<Block> blocks = MarkdownBlocks.parse(Path.of("x.md"), List.of(
                "```sh", "echo a", "```",
                "```text", "output", "```",
                "```", "bare", "```",
                "<!-- doc-test: background; ready: curl -sf http://x; true -->", "```sh", "./server", "```",
                "<!-- doc-test: not run; reason: runs this test -->", "```bash", "./nw test", "```",
                "- item", "  ```json", "  {\"a\": 1}", "  ```",
                "```console", "$ x", "```",
                "<!-- doc-test: background -->", "```sh", "./server", "```"));
        assertEquals(List.of(Kind.COMMAND, Kind.NOT_COMMAND, Kind.UNCLASSIFIED, Kind.BACKGROUND, Kind.NOT_RUN, Kind.NOT_COMMAND,
                Kind.UNCLASSIFIED, Kind.UNCLASSIFIED), blocks.stream().map(Block::kind).toList());
        assertEquals("ready: curl -sf http://x; true", blocks.get(3).ready());
        assertEquals("runs this test", blocks.get(4).reason());
        assertEquals("{\"a\": 1}\n", blocks.get(5).body());
        assertEquals(1, blocks.get(0).line());
        assertEquals(11, blocks.get(3).line());
    }
}
