/**
 * A small WebDriver BiDi client (W3C WebDriver BiDi) for driving a real Firefox in tests without geckodriver:
 * Firefox ESR 140 serves BiDi itself when started with {@code --remote-debugging-port}.
 *
 * <p>Layers, each testable on its own: {@link netwatcher.testing.bidi.BidiFrames} turns commands into text frames and
 * text frames into responses, errors and events (pure); {@link netwatcher.testing.bidi.RemoteValues} turns the
 * protocol's serialized script values into plain JSON and Java arguments into its local values (pure);
 * {@link netwatcher.testing.bidi.BidiClient} is the transport over {@code java.net.http.WebSocket}: one id and one
 * future per command, a timeout on each, event listeners, every pending command failed when the connection goes;
 * {@link netwatcher.testing.bidi.FirefoxProfile} writes a throwaway profile (preferences that keep the browser off
 * the network except loopback, and the test controller's CA trusted through NSS's {@code certutil});
 * {@link netwatcher.testing.bidi.Firefox} starts {@code firefox-esr --headless}, opens the session, offers the page
 * operations tests need (navigate, script, keyboard and pointer input, screenshots, console log entries) and on
 * close ends the browser, kills what is left of its process tree and deletes the profile, on every path.
 *
 * <p>Only the commands the console's tests use are here; anything else goes through
 * {@link netwatcher.testing.bidi.BidiClient#call}.
 */
package netwatcher.testing.bidi;
