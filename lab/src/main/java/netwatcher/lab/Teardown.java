package netwatcher.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import netwatcher.lab.LabState.NamespacedObject;
import netwatcher.lab.LabState.ProcessEntry;
import netwatcher.lab.LabState.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes exactly what a {@link LabState} records, in the order that frees each object: processes
 * (the recorded ones by pid and start time, then anything still inside a lab namespace), nftables
 * tables, veths and bridges, the root management veth, the namespaces, the {@code /etc/netns}
 * directories. Every step tolerates objects that are already gone, so it can run twice and after a
 * crash half-way through {@code up}. The state file is deleted only when nothing recorded is left.
 *
 * <p>Stateless and thread-safe; callers serialize teardowns of the same lab.
 */
public final class Teardown {
    private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);

    private Teardown() {}

    /** Removes everything {@code state} records; throws naming what could not be removed. */
    public static void run(LabState state) {
        Snapshot snapshot = state.snapshot();
        List<String> problems = new ArrayList<>();

        List<ProcessHandle> processes = new ArrayList<>();
        for (ProcessEntry entry : snapshot.processes()) {
            Processes.find(entry.pid(), entry.startInstant()).ifPresent(processes::add);
        }
        for (ProcessHandle survivor : Processes.stop(processes)) {
            problems.add("process " + survivor.pid() + " survived SIGKILL");
        }
        Set<String> existing = existingNamespaces();
        for (String namespace : snapshot.namespaces()) {
            if (!existing.contains(namespace)) continue;
            for (ProcessHandle survivor : Processes.stop(Processes.inNamespace(namespace))) {
                problems.add("process " + survivor.pid() + " in " + namespace + " survived SIGKILL");
            }
        }

        for (NamespacedObject object : snapshot.objects().reversed()) {
            if (!existing.contains(object.namespace())) continue;
            List<String> command = switch (object.kind()) {
                case "nftables" -> Commands.inNamespace(object.namespace(),
                        List.of("nft", "delete", "table", object.name().split(" ")[0], object.name().split(" ")[1]));
                default -> List.of("ip", "-n", object.namespace(), "link", "del", object.name());
            };
            // Absent objects are fine: they were recorded before creation or went with a peer.
            Commands.run(command);
        }

        Set<String> rootLinks = existingRootLinks();
        for (String link : snapshot.rootLinks()) {
            if (!rootLinks.contains(link)) continue;
            var result = Commands.run(List.of("ip", "link", "del", link));
            if (!result.succeeded() && existingRootLinks().contains(link)) {
                problems.add("root link " + link + ": " + result.stderr().strip());
            }
        }

        for (String namespace : snapshot.namespaces().reversed()) {
            if (!existing.contains(namespace)) continue;
            var result = Commands.run(List.of("ip", "netns", "del", namespace));
            if (!result.succeeded() && existingNamespaces().contains(namespace)) {
                problems.add("namespace " + namespace + ": " + result.stderr().strip());
            }
        }

        for (String dir : snapshot.netnsDirs().reversed()) {
            try {
                if (Path.of(dir).equals(NetworkBuilder.NETNS_ETC)) {
                    deleteIfEmpty(NetworkBuilder.NETNS_ETC);
                } else if (Path.of(dir).getParent().equals(NetworkBuilder.NETNS_ETC)) {
                    deleteTree(Path.of(dir));
                } else {
                    problems.add(dir + " is not under " + NetworkBuilder.NETNS_ETC + "; not removed");
                }
            } catch (UncheckedIOException e) {
                problems.add(dir + ": " + e.getCause().getMessage());
            }
        }

        Set<String> leftNamespaces = existingNamespaces();
        snapshot.namespaces().stream().filter(leftNamespaces::contains).forEach(n -> problems.add("namespace " + n + " still exists"));
        Set<String> leftLinks = existingRootLinks();
        snapshot.rootLinks().stream().filter(leftLinks::contains).forEach(l -> problems.add("root link " + l + " still exists"));
        if (!problems.isEmpty()) {
            throw new LabException("lab " + snapshot.labName() + " was not fully removed (state kept in " + state.file()
                    + ", run down again): " + String.join("; ", problems));
        }
        state.delete();
        LOG.atDebug().addKeyValue("lab", snapshot.labName()).log("lab removed");
    }

    /** Names from {@code ip netns list}. */
    public static Set<String> existingNamespaces() {
        var result = Commands.run(List.of("ip", "netns", "list"));
        Set<String> names = new HashSet<>();
        for (String line : result.stdout().split("\n")) {
            if (!line.isBlank()) names.add(line.trim().split("\\s+")[0]);
        }
        return names;
    }

    /** Interface names in the root namespace. */
    public static Set<String> existingRootLinks() {
        var result = Commands.run(List.of("ip", "-o", "link", "show"));
        Set<String> names = new HashSet<>();
        for (String line : result.stdout().split("\n")) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2) names.add(parts[1].split("@")[0].trim());
        }
        return names;
    }

    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // another lab's directories are in it
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
