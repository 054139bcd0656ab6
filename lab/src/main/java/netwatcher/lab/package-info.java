/**
 * The multi-host lab: a topology of hosts built as Linux network namespaces joined by veth pairs
 * and bridges, with routers that forward, nftables firewalls, a lab-only DNS resolver, small
 * HTTP/HTTPS/TCP servers and one netwatcher agent per agent host, reachable from the controller over
 * a separate management network. {@link netwatcher.lab.Topology} says what to build (JSON file
 * format in {@code docs/lab.md}), {@link netwatcher.lab.Lab#up} builds it from a
 * {@link netwatcher.lab.LabSpec} and returns a {@link netwatcher.lab.LabHandle} for commands
 * inside hosts and agent control, and {@link netwatcher.lab.Lab#down} removes exactly what the
 * lab recorded as created, also from another process after a crash.
 * {@link netwatcher.lab.LabExtension} gives a test class its own randomly named lab.
 *
 * <p>Everything the lab creates is named with the {@code nw} prefix and uses only the benchmarking
 * address space (198.18.0.0/15, 2001:2::/48); traffic never leaves the lab's namespaces and the
 * root namespace's management interface.
 *
 * <p>How the lab is made lives here too, behind {@code Lab}: the write-ahead record of created objects
 * ({@link netwatcher.lab.LabState}), the network build with batched {@code ip} commands
 * ({@link netwatcher.lab.NetworkBuilder}), the helper processes ({@link netwatcher.lab.ServiceLauncher}),
 * teardown in dependency order ({@link netwatcher.lab.Teardown}), process control by pid and start time
 * ({@link netwatcher.lab.Processes}) and the subprocess runner ({@link netwatcher.lab.Commands}). It was a
 * package {@code lab.internal} of its own, which needed the lab's types as much as the lab needed it (a
 * package cycle, now refused by {@code PackageCycleTest}).
 */
package netwatcher.lab;
