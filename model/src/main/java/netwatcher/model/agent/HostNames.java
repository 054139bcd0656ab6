package netwatcher.model.agent;

import java.util.regex.Pattern;

/**
 * The names a {@link HostReport} may carry, shared by the agent (which leaves out what the controller
 * would refuse) and the controller (which refuses it). Stateless; thread-safe.
 */
public final class HostNames {
    /** Longest Linux interface name (IFNAMSIZ - 1). */
    public static final int MAX_INTERFACE_NAME = 15;

    /**
     * An interface whose kernel alias ({@code ip link set DEV alias ...}, {@code /sys/class/net/DEV/ifalias})
     * starts with this is never registered nor captured on by an agent: the netwatcher lab marks every
     * interface it creates that is not a lab host's NIC (management veths, fabric ends), and an
     * administrator can mark any other the same way.
     */
    public static final String IGNORED_INTERFACE_ALIAS = "netwatcher:ignore";

    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");

    private HostNames() {}

    /**
     * A Linux interface name that is also usable in an ARM resource name: 1-15 of
     * {@code A-Z a-z 0-9 _ . -}, not {@code .} or {@code ..} (so never '/', ':' or whitespace).
     */
    public static boolean interfaceName(String name) {
        return name != null && INTERFACE.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /** A host name: dot-separated labels of 1-63 letters, digits, '-' or '_', 253 characters in all. */
    public static boolean hostname(String name) {
        return name != null && HOSTNAME.matcher(name).matches();
    }
}
