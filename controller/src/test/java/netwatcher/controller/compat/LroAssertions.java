package netwatcher.controller.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import netwatcher.controller.http.ServedTap.Served;

/**
 * What a recorded long-running operation must look like for the official clients to poll it
 * briefly: the start answered with the right status and headers, {@code Retry-After: 1} everywhere,
 * and a bounded number of polls of the URLs the controller handed out.
 */
final class LroAssertions {
    /** More polls than this means a client waited or looped instead of following Retry-After: 1. */
    static final int MAX_POLLS = 15;

    private LroAssertions() {}

    /** PUT create → 201 + Azure-AsyncOperation + Retry-After: 1, polls of that URL, then a GET of the capture. */
    static void createPolledBriefly(Recorder recorder, String captureName) {
        List<Served> all = recorder.all();
        String dump = recorder.dump();
        Served put = only(all, "PUT", "/packetCaptures/" + captureName, dump);
        assertEquals(201, put.status(), dump);
        String async = put.header("Azure-AsyncOperation");
        assertNotNull(async, "PUT must answer Azure-AsyncOperation\n" + dump);
        assertEquals("1", put.header("Retry-After"), dump);
        String opPath = URI.create(async).getPath();
        assertTrue(opPath.matches("/subscriptions/[^/]+/providers/Microsoft\\.Network/locations/[^/]+/operations/[^/]+"), async);
        int polls = polls(all, opPath);
        assertTrue(polls >= 1 && polls <= MAX_POLLS, "polls of " + opPath + ": " + polls + "\n" + dump);
        int lastPoll = lastIndex(all, opPath);
        boolean finalGet = all.subList(lastPoll + 1, all.size()).stream()
                .anyMatch(s -> s.method().equals("GET") && s.path().endsWith("/packetCaptures/" + captureName) && s.status() == 200);
        assertTrue(finalGet, "a final GET of the capture after the last poll\n" + dump);
        retryAfterAlwaysOne(all, dump);
    }

    /**
     * POST action or DELETE whose work the controller finishes quickly: answered synchronously with
     * {@code syncStatus} (no operation handed out, nothing polled) or, when the agent did not confirm
     * within the controller's wait, 202 and brief polling as {@link #actionPolledBriefly}.
     */
    static void actionAnswered(Recorder recorder, String method, String pathSuffix, int syncStatus) {
        List<Served> all = recorder.all();
        String dump = recorder.dump();
        Served start = only(all, method, pathSuffix, dump);
        if (start.status() == 202) {
            actionPolledBriefly(recorder, method, pathSuffix);
            return;
        }
        assertEquals(syncStatus, start.status(), dump);
        assertEquals(null, start.header("Location"), "a synchronous answer hands out no operation\n" + dump);
        assertEquals(null, start.header("Azure-AsyncOperation"), "a synchronous answer hands out no operation\n" + dump);
        int polls = (int) all.subList(all.indexOf(start) + 1, all.size()).stream()
                .filter(s -> s.method().equals("GET") && s.path().matches(".*/locations/[^/]+/operation(s|Results)/[^/]+")).count();
        assertEquals(0, polls, "nothing to poll after a synchronous answer\n" + dump);
    }

    /** POST action or DELETE → 202 with both Location and Azure-AsyncOperation, then brief polling. */
    static void actionPolledBriefly(Recorder recorder, String method, String pathSuffix) {
        List<Served> all = recorder.all();
        String dump = recorder.dump();
        Served start = only(all, method, pathSuffix, dump);
        assertEquals(202, start.status(), dump);
        String location = start.header("Location");
        String async = start.header("Azure-AsyncOperation");
        assertNotNull(location, "202 must carry Location\n" + dump);
        assertNotNull(async, "202 must carry Azure-AsyncOperation\n" + dump);
        assertEquals("1", start.header("Retry-After"), dump);
        assertTrue(URI.create(location).getPath().contains("/operationResults/"), location);
        assertTrue(URI.create(async).getPath().contains("/operations/"), async);
        int polls = polls(all, URI.create(location).getPath()) + polls(all, URI.create(async).getPath());
        assertTrue(polls >= 1 && polls <= MAX_POLLS, "polls: " + polls + "\n" + dump);
        retryAfterAlwaysOne(all, dump);
    }

    /**
     * Every Retry-After is 1, and every poll a client made again (so the answer was still in progress)
     * carried it: without it az and the Java SDK wait 30 s. Only each URL's last poll may lack it.
     */
    private static void retryAfterAlwaysOne(List<Served> all, String dump) {
        for (int i = 0; i < all.size(); i++) {
            Served s = all.get(i);
            String ra = s.header("Retry-After");
            if (ra != null) assertEquals("1", ra, s.method() + " " + s.path() + "\n" + dump);
            boolean operationPoll = s.method().equals("GET") && s.path().matches(".*/locations/[^/]+/operation(s|Results)/[^/]+");
            if (operationPoll && (s.status() == 202 || lastIndex(all, s.path()) != i)) {
                assertEquals("1", ra, "in-progress poll without Retry-After: 1: " + s.path() + "\n" + dump);
            }
        }
    }

    private static Served only(List<Served> all, String method, String suffix, String dump) {
        List<Served> m = all.stream().filter(s -> s.method().equals(method) && s.path().endsWith(suffix)).toList();
        assertEquals(1, m.size(), "exactly one " + method + " *" + suffix + "\n" + dump);
        return m.getFirst();
    }

    private static int polls(List<Served> all, String path) {
        return (int) all.stream().filter(s -> s.method().equals("GET") && s.path().equalsIgnoreCase(path)).count();
    }

    private static int lastIndex(List<Served> all, String path) {
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).method().equals("GET") && all.get(i).path().equalsIgnoreCase(path)) return i;
        }
        return -1;
    }
}
