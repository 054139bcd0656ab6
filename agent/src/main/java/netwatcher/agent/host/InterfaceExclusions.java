package netwatcher.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import netwatcher.model.agent.HostNames;

/**
 * The interfaces an agent never registers nor captures on: those the {@code ignore-interfaces} setting
 * names (exact names, or patterns where {@code *} stands for any characters, e.g. {@code veth*}), and
 * those whose kernel alias starts with {@link HostNames#IGNORED_INTERFACE_ALIAS} (what the netwatcher lab
 * puts on every interface it creates that is not a lab host's NIC, so an agent on the same machine,
 * such as the local agent of {@code nw up --lab}, never takes the lab's management veth for a NIC).
 * The alias is read afresh on every question, from {@code /sys/class/net} of the caller's network
 * namespace. Immutable and thread-safe.
 */
public final class InterfaceExclusions {
    private static final Path SYS_CLASS_NET = Path.of("/sys/class/net");

    private final Set<String> names;
    private final List<Pattern> patterns;
    private final Path sysClassNet;

    private InterfaceExclusions(Set<String> settings, Path sysClassNet) {
        this.names = Set.copyOf(settings);
        List<Pattern> globs = new ArrayList<>();
        for (String s : settings) {
            if (s.contains("*")) {
                StringBuilder regex = new StringBuilder();
                for (String part : s.split("\\*", -1)) {
                    if (!regex.isEmpty()) regex.append(".*");
                    regex.append(Pattern.quote(part));
                }
                globs.add(Pattern.compile(regex.toString()));
            }
        }
        this.patterns = List.copyOf(globs);
        this.sysClassNet = sysClassNet;
    }

    /** Exclusions from the {@code ignore-interfaces} setting's entries, plus marked interfaces. */
    public static InterfaceExclusions of(Set<String> ignoreInterfaces) {
        return new InterfaceExclusions(ignoreInterfaces, SYS_CLASS_NET);
    }

    /** As {@link #of} with aliases read under {@code sysClassNet} instead of {@code /sys/class/net} (tests). */
    static InterfaceExclusions of(Set<String> ignoreInterfaces, Path sysClassNet) {
        return new InterfaceExclusions(ignoreInterfaces, sysClassNet);
    }

    /** Whether the agent must leave interface {@code name} alone. */
    public boolean excludes(String name) {
        if (names.contains(name)) return true;
        for (Pattern p : patterns) if (p.matcher(name).matches()) return true;
        return marked(name);
    }

    /** {@code interfaces} without the excluded ones, in order. */
    public List<String> keep(List<String> interfaces) {
        return interfaces.stream().filter(n -> !excludes(n)).toList();
    }

    private boolean marked(String name) {
        if (!HostNames.interfaceName(name)) return false; // never a path outside sysfs
        try {
            return Files.readString(sysClassNet.resolve(name).resolve("ifalias")).strip().startsWith(HostNames.IGNORED_INTERFACE_ALIAS);
        } catch (IOException | SecurityException e) {
            return false; // no alias file (not Linux, or the interface is gone): not marked
        }
    }
}
