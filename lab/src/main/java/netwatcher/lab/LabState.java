package netwatcher.lab;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab's record of everything it created, kept in {@code dataDir/lab/state.json}. Each object is
 * recorded <em>before</em> it is created (write-ahead) and the file is replaced atomically on every
 * change, so after a crash at any point {@code down} finds a superset of what exists; removal
 * tolerates objects that were recorded but never made. {@code up} refuses to start when any name
 * it would use already exists, so the record never names something the lab did not make.
 *
 * <p>Thread-safe: every method synchronizes on this object.
 */
public final class LabState {
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** A kernel object that lives inside a namespace (a veth end, a bridge, an nftables table). */
    public record NamespacedObject(String namespace, String kind, String name) {}

    /**
     * A process the lab started.
     *
     * @param role         {@code agent}, {@code dns} or {@code servers}
     * @param startInstant the process start time (epoch ms) as the kernel reports it, to tell a reused pid apart
     */
    public record ProcessEntry(String role, String host, long pid, long startInstant) {}

    /** The file's content. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Snapshot(int format, String labName, long ownerPid, String managementNetwork, int controllerPort,
                           Topology topology, List<String> namespaces, List<String> rootLinks,
                           List<NamespacedObject> objects, List<String> netnsDirs, List<ProcessEntry> processes,
                           boolean complete) {
        public Snapshot {
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
            rootLinks = rootLinks == null ? List.of() : List.copyOf(rootLinks);
            objects = objects == null ? List.of() : List.copyOf(objects);
            netnsDirs = netnsDirs == null ? List.of() : List.copyOf(netnsDirs);
            processes = processes == null ? List.of() : List.copyOf(processes);
        }

        /** This snapshot with other lists and completeness; the lab's identity (format, name, owner, network, port, topology) stays. */
        Snapshot with(List<String> namespaces, List<String> rootLinks, List<NamespacedObject> objects, List<String> netnsDirs,
                      List<ProcessEntry> processes, boolean complete) {
            return new Snapshot(format, labName, ownerPid, managementNetwork, controllerPort, topology, namespaces, rootLinks, objects,
                    netnsDirs, processes, complete);
        }
    }

    private final Path file;
    private Snapshot snapshot;

    private LabState(Path file, Snapshot snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    /** Starts a new record; fails if {@code file} exists (a lab lives there). */
    public static LabState create(Path file, String labName, String managementNetwork, int controllerPort, Topology topology) {
        if (Files.exists(file)) {
            throw new LabException("a lab is already recorded in " + file + "; run `nw lab down` (Lab.down) first");
        }
        LabState state = new LabState(file, new Snapshot(1, labName, ProcessHandle.current().pid(), managementNetwork,
                controllerPort, topology, List.of(), List.of(), List.of(), List.of(), List.of(), false));
        state.save();
        return state;
    }

    /** Reads the record in {@code file}. */
    public static LabState load(Path file) {
        try {
            return new LabState(file, MAPPER.readValue(file.toFile(), Snapshot.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read lab state " + file, e);
        }
    }

    public synchronized Snapshot snapshot() {
        return snapshot;
    }

    public Path file() {
        return file;
    }

    public synchronized void addNamespace(String namespace) {
        snapshot = snapshot.with(append(snapshot.namespaces(), namespace), snapshot.rootLinks(), snapshot.objects(),
                snapshot.netnsDirs(), snapshot.processes(), snapshot.complete());
        save();
    }

    public synchronized void addRootLink(String link) {
        snapshot = snapshot.with(snapshot.namespaces(), append(snapshot.rootLinks(), link), snapshot.objects(),
                snapshot.netnsDirs(), snapshot.processes(), snapshot.complete());
        save();
    }

    public synchronized void addObject(String namespace, String kind, String name) {
        snapshot = snapshot.with(snapshot.namespaces(), snapshot.rootLinks(),
                append(snapshot.objects(), new NamespacedObject(namespace, kind, name)),
                snapshot.netnsDirs(), snapshot.processes(), snapshot.complete());
        save();
    }

    public synchronized void addNetnsDir(String dir) {
        snapshot = snapshot.with(snapshot.namespaces(), snapshot.rootLinks(), snapshot.objects(),
                append(snapshot.netnsDirs(), dir), snapshot.processes(), snapshot.complete());
        save();
    }

    public synchronized void addProcess(ProcessEntry process) {
        snapshot = snapshot.with(snapshot.namespaces(), snapshot.rootLinks(), snapshot.objects(),
                snapshot.netnsDirs(), append(snapshot.processes(), process), snapshot.complete());
        save();
    }

    public synchronized void removeProcess(long pid) {
        snapshot = snapshot.with(snapshot.namespaces(), snapshot.rootLinks(), snapshot.objects(), snapshot.netnsDirs(),
                snapshot.processes().stream().filter(p -> p.pid() != pid).toList(), snapshot.complete());
        save();
    }

    public synchronized void markComplete() {
        snapshot = snapshot.with(snapshot.namespaces(), snapshot.rootLinks(), snapshot.objects(), snapshot.netnsDirs(),
                snapshot.processes(), true);
        save();
    }

    /** Deletes the record: the lab is gone. */
    public synchronized void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete lab state " + file, e);
        }
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> copy = new ArrayList<>(list);
        if (!copy.contains(item)) copy.add(item);
        return copy;
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            MAPPER.writeValue(temporary.toFile(), snapshot);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write lab state " + file, e);
        }
    }
}
