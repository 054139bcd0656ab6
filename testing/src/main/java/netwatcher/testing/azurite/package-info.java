/**
 * A real Azure Storage emulator for tests. {@link netwatcher.testing.azurite.AzuriteServer} runs
 * Microsoft's Azurite blob service (installed by npm into {@code ~/.cache/netwatcher/azurite}) as a
 * child process on a free loopback port with a temporary data directory, gives the well-known
 * development account's connection string and key, and can be stopped and started again on the same
 * port and data to simulate a storage outage. A missing installation fails the test with the command
 * that fixes it; it never skips.
 */
package netwatcher.testing.azurite;
