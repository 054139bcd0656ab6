/**
 * Network-namespace fixtures for tests that need real interfaces and real traffic without touching
 * the host's network: {@link netwatcher.testing.netns.VethPair} creates two randomly named
 * namespaces ({@code nwt} + random hex) joined by a veth pair with addresses from the benchmark
 * range 198.18.0.0/15 (and 2001:2::/48), and removes exactly what it created on every exit path.
 *
 * <p>Work runs inside a namespace in one of two ways: in a subprocess through {@code ip netns exec}
 * ({@link netwatcher.testing.netns.VethPair.Namespace#exec}), or on a dedicated platform thread that
 * entered the namespace with {@code setns(2)} through the FFM API
 * ({@link netwatcher.testing.netns.Netns#call}). {@code setns} changes only the calling thread, and
 * threads it creates inherit the namespace, so the JVM's other threads stay in the host namespace.
 * Never use a virtual thread for this: it would move the carrier thread into the namespace. The
 * fixtures need root (CAP_SYS_ADMIN); tests using them carry {@code @Tag("netns")}.
 */
package netwatcher.testing.netns;
