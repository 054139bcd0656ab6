package netwatcher.controller.auth;


/**
 * Built-in roles, ordered by what they allow: each includes the ones before it.
 * <ul>
 * <li>{@link #READER}: GET/HEAD and the read-only POST actions ({@link Authorizer#READ_ONLY_ACTIONS});</li>
 * <li>{@link #CONTRIBUTOR}: everything a Reader may, plus PUT/PATCH/DELETE and other POST actions;</li>
 * <li>{@link #OWNER}: everything a Contributor may, plus managing role assignments under its scope
 * ({@code .../providers/Microsoft.Authorization/...}).</li>
 * </ul>
 */
public enum Role {
    READER("Reader"), CONTRIBUTOR("Contributor"), OWNER("Owner");

    private final String displayName;

    Role(String displayName) { this.displayName = displayName; }

    /** The Azure built-in role name: Reader, Contributor or Owner. */
    public String displayName() { return displayName; }

    /** Whether this role grants at least what {@code required} grants. */
    public boolean includes(Role required) { return compareTo(required) >= 0; }

    /** Parses a role name case-insensitively ({@code reader}, {@code Contributor}, {@code OWNER}). */
    public static Role of(String name) {
        if (name != null) {
            for (Role role : values()) {
                if (role.displayName.equalsIgnoreCase(name.strip())) {
                    return role;
                }
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "' (expected Reader, Contributor or Owner)");
    }

    @Override
    public String toString() { return displayName; }
}
