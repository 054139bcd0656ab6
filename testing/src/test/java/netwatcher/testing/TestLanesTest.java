package netwatcher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The test lanes' convention, checked on the sources of every module: a test class that creates
 * network namespaces carries {@code @Tag("netns")}; one that runs a program outside its JVM (a
 * system tool such as tshark, tcpdump, tmux or mount; a client such as az or node; a server such
 * as PostgreSQL or Azurite; a child JVM or {@code nw}) carries {@code @Tag("external")} (or
 * {@code netns}); one that runs netwatcher's controller or agent in its JVM and talks to it over
 * the network ({@code TestController}, {@code TestAgent}, {@code FakeController}) carries
 * {@code @Tag("e2e")} (or one of the former); a Jazzer target carries {@code @Tag("fuzz")}; and no
 * other tag is used. The fast lane ({@code ./nw test --fast}, Maven profile {@code fast}) excludes
 * exactly these four tags, so an untagged heavy test would slip into it.
 *
 * <p>A class is heavy when its code (comments and string literals removed) uses a fixture or call
 * that does such work, or names a test-source helper that is heavy itself (transitively: a test
 * using {@code LabWorld} is as heavy as {@code LabWorld}, which holds a {@code LabExtension}).
 * {@code -Dsurefire.argLine=-Dnw.test.lanes.print=1} prints what it found for each heavy class.
 */
class TestLanesTest {
    /**
     * The documented tags (README, docs/architecture.md): each is excluded from the fast lane. {@code docs} marks
     * the documentation test, which runs in the cli module's own execution after packaging (it needs the launcher).
     */
    static final Set<String> LANE_TAGS = Set.of("netns", "external", "e2e", "fuzz", "docs");

    /** Uses that create network namespaces, veths or lab hosts. */
    static final Pattern NETNS = Pattern.compile("\\b(Netns|VethPair|LabExtension|LabHandle)\\b|\\bLab\\.\\w+\\(");
    /** Uses that run a program outside this JVM, or start an external server. */
    static final Pattern EXTERNAL = Pattern.compile(
            "\\bnew\\s+ProcessBuilder\\b|\\bRuntime\\.getRuntime\\(\\)\\.exec\\b|\\bProcesses\\.\\w+\\(|\\b(AzuriteServer|PostgresServer)\\b");
    /** Uses of netwatcher's own servers run in the test JVM: the controller, an agent, a controller fake for the agent. */
    static final Pattern E2E = Pattern.compile("\\b(TestController|TestAgent|FakeController)\\b");
    static final Pattern TEST_METHOD = Pattern.compile(
            "@(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate|DatabaseTest|FuzzTest)\\b");
    static final Pattern TAG = Pattern.compile("@Tag\\(\\s*\"([^\"]*)\"\\s*\\)");
    static final Pattern CLASS = Pattern.compile("^(?:public\\s+|final\\s+|abstract\\s+)*(?:class|record|interface|enum)\\s+\\w+",
            Pattern.MULTILINE);

    /**
     * Helpers whose external part is switched off in the fast lane by the helper itself, not by a
     * tag: {@code TestDatabase} starts PostgreSQL only for the {@code [POSTGRESQL]} invocations of
     * {@code @DatabaseTest}, which {@code DatabaseEngineExtension} skips when {@code nw.test.lane=fast}.
     */
    static final Set<String> SELF_GATED = Set.of("TestDatabase");

    /** What a class needs, lightest first; each tag also covers the lighter needs. */
    enum Need {
        NONE(Set.of()), E2E(Set.of("e2e", "external", "netns")), EXTERNAL(Set.of("external", "netns")), NETNS(Set.of("netns"));

        /** The tags any one of which puts a class with this need in its lane. */
        final Set<String> tags;

        Need(Set<String> tags) { this.tags = tags; }

        String tag() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** A test-source file: its code without comments and literals, and without comments only (for tags). */
    record Source(String key, Path path, String name, String code, String withStrings) {}

    @Test
    void everyHeavyTestClass_carriesItsLaneTag() {
        Map<String, Source> sources = testSources();
        Map<String, Need> needs = needs(sources);
        List<String> offenders = new ArrayList<>();
        for (Source source : sources.values()) {
            Need need = needs.get(source.key());
            if (need == Need.NONE || !TEST_METHOD.matcher(source.code()).find()) continue;
            Set<String> tags = classTags(source.withStrings());
            if (tags.stream().noneMatch(need.tags::contains)) {
                offenders.add(root().relativize(source.path()) + " needs @Tag(\"" + need.tag() + "\") on the class ("
                        + why(source, sources, needs) + ")");
            }
        }
        assertEquals(List.of(), offenders, "heavy test classes outside their lane: tag them, or the fast lane runs them");
    }

    @Test
    void everyFuzzTarget_isTaggedFuzz() {
        List<String> offenders = new ArrayList<>();
        for (Source source : testSources().values()) {
            if (source.code().contains("@FuzzTest") && !classTags(source.withStrings()).contains("fuzz")) {
                offenders.add(root().relativize(source.path()).toString());
            }
        }
        assertEquals(List.of(), offenders, "fuzz targets run in surefire's 'fuzz' execution only when tagged fuzz");
    }

    @Test
    void onlyTheDocumentedTagsAreUsed() {
        Set<String> unknown = new TreeSet<>();
        for (Source source : testSources().values()) {
            Matcher tag = TAG.matcher(source.withStrings());
            while (tag.find()) {
                if (!LANE_TAGS.contains(tag.group(1))) unknown.add(tag.group(1) + " in " + source.name());
            }
        }
        assertEquals(Set.of(), unknown, "tags other than " + new TreeSet<>(LANE_TAGS) + " select nothing; document a new one first");
    }

    @Test
    void fastProfile_excludesExactlyTheLaneTags() throws IOException {
        String pom = Files.readString(root().resolve("pom.xml"));
        Matcher profile = Pattern.compile("<id>fast</id>(.*?)</profile>", Pattern.DOTALL).matcher(pom);
        assertTrue(profile.find(), "the root pom has a 'fast' profile");
        Matcher excluded = Pattern.compile("<nw\\.test\\.excludedGroups>([^<]*)<").matcher(profile.group(1));
        assertTrue(excluded.find(), "the fast profile sets nw.test.excludedGroups");
        assertEquals(new TreeSet<>(LANE_TAGS), new TreeSet<>(List.of(excluded.group(1).split("\\s*,\\s*"))));
        assertTrue(profile.group(1).contains("<nw.test.lane>fast</nw.test.lane>"), "the fast profile tells self-gated helpers");
    }

    @Test
    void scanner_findsTheKnownHeavyHelpersAndLeavesPureTestsAlone() {
        Map<String, Need> needs = needs(testSources());
        // sanity: if the patterns stopped matching, every check above would pass vacuously
        assertEquals(Need.NETNS, needs.get("cli/LabWorld"));
        assertEquals(Need.NETNS, needs.get("agent/ThreeHosts"));
        assertEquals(Need.EXTERNAL, needs.get("cli/TmuxTerminal"));
        assertEquals(Need.EXTERNAL, needs.get("cli/ControllerProcess"));
        assertEquals(Need.EXTERNAL, needs.get("agent/PcapFilesTsharkTest"));
        assertEquals(Need.E2E, needs.get("controller/TestController"), "TestController names itself");
        assertEquals(Need.E2E, needs.get("controller/BadInputTest"));
        assertEquals(Need.E2E, needs.get("agent/AgentDaemonTest"));
        assertEquals(Need.NONE, needs.get("controller/InputPolicyTest"));
        assertEquals(Need.NONE, needs.get("controller/CaptureSpecParserTest"));
        assertEquals(Need.NONE, needs.get("testing/TestLanesTest"));
        assertEquals(Need.NONE, needs.get("agent/PcapFilesTest"));
        assertEquals(Need.NONE, needs.get("agent/IptablesSaveTest"), "naming a tool in a string is not running it");
        assertEquals(Need.NONE, needs.get("controller/DatabaseContractTest"), "PostgreSQL is gated by DatabaseEngineExtension");
    }

    @Test
    void codeOf_dropsCommentsAndStrings() {
        String code = codeOf("""
                /** uses {@link VethPair} */ int a = 1; // new ProcessBuilder
                String s = "Netns \\" LabExtension"; char c = '"';
                String t = \"""
                    AzuriteServer
                    \"""; Netns.call();
                """);
        assertTrue(!EXTERNAL.matcher(code).find() && !code.contains("VethPair") && !code.contains("LabExtension"), code);
        assertTrue(NETNS.matcher(code).find(), code);
    }

    // ---- the scan

    /** What each test-source class needs, with helpers' needs propagated to the classes that name them. */
    static Map<String, Need> needs(Map<String, Source> sources) {
        Map<String, Need> needs = new TreeMap<>();
        for (Source source : sources.values()) {
            needs.put(source.key(), direct(source));
        }
        Map<String, Set<String>> identifiers = new TreeMap<>();
        for (Source source : sources.values()) identifiers.put(source.key(), identifiers(source.code()));
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Source helper : sources.values()) {
                Need inherited = SELF_GATED.contains(helper.name()) ? Need.NONE : needs.get(helper.key());
                if (inherited == Need.NONE) continue;
                for (Source source : sources.values()) {
                    if (source == helper || inherited.compareTo(needs.get(source.key())) <= 0) continue;
                    if (identifiers.get(source.key()).contains(helper.name())) {
                        needs.put(source.key(), inherited);
                        changed = true;
                    }
                }
            }
        }
        if (System.getProperty("nw.test.lanes.print") != null) {
            needs.forEach((k, v) -> { if (v != Need.NONE) System.out.println("LANE " + v + " " + k); });
        }
        return needs;
    }

    private static Need direct(Source source) {
        if (NETNS.matcher(source.code()).find()) return Need.NETNS;
        if (EXTERNAL.matcher(source.code()).find()) return Need.EXTERNAL;
        if (E2E.matcher(source.code()).find()) return Need.E2E;
        return Need.NONE;
    }

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    private static Set<String> identifiers(String code) {
        Set<String> names = new java.util.HashSet<>();
        Matcher m = IDENTIFIER.matcher(code);
        while (m.find()) names.add(m.group());
        return names;
    }

    private static boolean mentions(String code, String name) {
        return Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(code).find();
    }

    private static String why(Source source, Map<String, Source> sources, Map<String, Need> needs) {
        if (direct(source) != Need.NONE) {
            Matcher m = switch (direct(source)) {
                case NETNS -> NETNS.matcher(source.code());
                case EXTERNAL -> EXTERNAL.matcher(source.code());
                default -> E2E.matcher(source.code());
            };
            m.find();
            return "uses " + m.group().trim();
        }
        return sources.values().stream()
                .filter(h -> h != source && !SELF_GATED.contains(h.name()) && needs.get(h.key()) == needs.get(source.key())
                        && mentions(source.code(), h.name()))
                .map(h -> "uses " + h.name()).findFirst().orElse("?");
    }

    /** Tags written before the first type declaration: the class's own tags. */
    static Set<String> classTags(String code) {
        Matcher type = CLASS.matcher(code);
        String head = type.find() ? code.substring(0, type.start()) : code;
        Set<String> tags = new TreeSet<>();
        Matcher tag = TAG.matcher(head);
        while (tag.find()) tags.add(tag.group(1));
        return tags;
    }

    /** Every Java file under a module's {@code src/test/java}, keyed {@code module/SimpleName}. */
    static Map<String, Source> testSources() {
        Map<String, Source> scanned = cache;
        if (scanned == null) cache = scanned = scan();
        return scanned;
    }

    private static volatile Map<String, Source> cache;

    private static Map<String, Source> scan() {
        Map<String, Source> sources = new LinkedHashMap<>();
        try (Stream<Path> modules = Files.list(root())) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/test/java"))).sorted().toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/test/java"))) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                        String name = file.getFileName().toString().replace(".java", "");
                        String raw = Files.readString(file);
                        sources.put(module.getFileName() + "/" + name, new Source(module.getFileName() + "/" + name, file, name, codeOf(raw, false), codeOf(raw, true)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sources;
    }

    /** Java source without comments, string, text-block and character literals. */
    static String codeOf(String source) {
        return codeOf(source, false);
    }

    /** Java source without comments and, unless {@code keepStrings}, without its literals. */
    static String codeOf(String source, boolean keepStrings) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                while (i < n && source.charAt(i) != '\n') i++;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                while (end > 0 && source.charAt(end - 1) == '\\') end = source.indexOf("\"\"\"", end + 1);
                int stop = end < 0 ? n : end + 3;
                out.append(keepStrings ? source.substring(i, stop) : "\"\"");
                i = stop;
            } else if (c == '"' || c == '\'') {
                int start = i++;
                while (i < n && source.charAt(i) != c && source.charAt(i) != '\n') i += source.charAt(i) == '\\' ? 2 : 1;
                i = Math.min(n, i + 1);
                out.append(keepStrings ? source.substring(start, i) : String.valueOf(c) + c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The repository root: the nearest directory up from the module that holds the {@code nw} launcher. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("nw")) && Files.isRegularFile(dir.resolve("pom.xml")))) {
            dir = dir.getParent();
        }
        if (dir == null) throw new IllegalStateException("no repository root (with nw and pom.xml) above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
