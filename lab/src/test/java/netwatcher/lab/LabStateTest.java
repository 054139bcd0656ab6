package netwatcher.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's record of what it made: each change is saved at once, once per item, and the lab's identity never changes. */
class LabStateTest {
    @TempDir Path dir;

    @Test
    void changes_areRecordedOncePerItem_savedAtOnce_andKeepTheLabsIdentity() {
        Path file = dir.resolve("lab.json");
        LabState state = LabState.create(file, "nw-lab-t", "198.18.250.0/24", 8443, Topology.defaultLab());

        state.addNamespace("nw-lab-t-app");
        state.addNamespace("nw-lab-t-app");
        state.addRootLink("nwl-t-app");
        state.addObject("nw-lab-t-app", "nft-table", "inet nwlab");
        state.addNetnsDir("/etc/netns/nw-lab-t-app");
        state.addProcess(new LabState.ProcessEntry("agent", "app", 4242, 1L));
        state.addProcess(new LabState.ProcessEntry("dns", null, 4343, 2L));
        state.removeProcess(4242);
        state.markComplete();

        LabState.Snapshot saved = LabState.load(file).snapshot();
        assertEquals(state.snapshot(), saved);
        assertEquals(List.of("nw-lab-t-app"), saved.namespaces());
        assertEquals(List.of("nwl-t-app"), saved.rootLinks());
        assertEquals(1, saved.objects().size());
        assertEquals(List.of("/etc/netns/nw-lab-t-app"), saved.netnsDirs());
        assertEquals(List.of(4343L), saved.processes().stream().map(LabState.ProcessEntry::pid).toList());
        assertTrue(saved.complete());
        assertEquals("nw-lab-t", saved.labName());
        assertEquals("198.18.250.0/24", saved.managementNetwork());
        assertEquals(8443, saved.controllerPort());
        assertEquals(Topology.defaultLab(), saved.topology());
        assertEquals(ProcessHandle.current().pid(), saved.ownerPid());
    }

    @Test
    void aNewRecord_isIncompleteAndEmpty() {
        LabState state = LabState.create(dir.resolve("lab.json"), "nw-lab-u", "198.18.251.0/24", 0, Topology.defaultLab());

        assertFalse(state.snapshot().complete());
        assertEquals(List.of(), state.snapshot().namespaces());
        assertEquals(List.of(), state.snapshot().processes());
    }
}
