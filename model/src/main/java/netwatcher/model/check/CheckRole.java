package netwatcher.model.check;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import netwatcher.model.wire.WireWords;

/**
 * An agent's part in a check (see {@link CheckOrder}); on the wire in lower case ({@code source}).
 */
public enum CheckRole {
    /** Resolves, probes, traces and explains its own part of the flow. */
    SOURCE,
    /** Watches while the source probes, then explains this host's part of the resolved flow. */
    OBSERVER,
    /** IP flow verify: evaluates the host firewall for the flow. */
    VERIFY,
    /** Next hop: the route the kernel picks for the flow. */
    NEXTHOP;

    /** The protocol's name of this role. */
    @JsonValue
    public String wire() {
        return WireWords.of(this);
    }

    /**
     * The role named {@code wire} on the protocol.
     *
     * @throws IllegalArgumentException naming the roles there are, when {@code wire} is none of them
     */
    @JsonCreator
    public static CheckRole fromWire(String wire) {
        return WireWords.parse(CheckRole.class, wire, "a check role");
    }
}
