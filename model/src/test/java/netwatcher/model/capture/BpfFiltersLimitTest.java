package netwatcher.model.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The filter limits as pure decisions: count, expression length, and the bound that avoids building huge text. */
class BpfFiltersLimitTest {
    private static final List<InetAddress> HOST = List.of(InetAddress.ofLiteral("198.18.0.2"));

    private static String ports(int n) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < n; i++) list.append(i % 65536).append(';');
        return list.toString();
    }

    private static List<CaptureFilter> udpFilters(int n) {
        List<CaptureFilter> filters = new ArrayList<>();
        for (int i = 0; i < n; i++) filters.add(CaptureFilter.parse("f", "UDP", null, null, null, null));
        return filters;
    }

    @Test
    void limitProblem_atTheFilterCount_isEmpty_andOneMoreNamesTheLimit() {
        assertEquals(Optional.empty(), BpfFilters.limitProblem(udpFilters(BpfFilters.MAX_FILTERS), HOST));
        assertEquals("has " + (BpfFilters.MAX_FILTERS + 1) + " filters; at most " + BpfFilters.MAX_FILTERS + " are allowed",
                BpfFilters.limitProblem(udpFilters(BpfFilters.MAX_FILTERS + 1), List.of()).orElseThrow());
        assertEquals(Optional.empty(), BpfFilters.countProblem(BpfFilters.MAX_FILTERS));
    }

    @Test
    void limitProblem_whenTextJustOverTheLimit_namesItsLength() {
        int n = 1;
        while (BpfFilters.compile(List.of(CaptureFilter.parse("f", "TCP", null, null, ports(n + 1), null)), HOST).length()
                <= BpfFilters.MAX_EXPRESSION_CHARS) n++;
        List<CaptureFilter> fits = List.of(CaptureFilter.parse("f", "TCP", null, null, ports(n), null));
        List<CaptureFilter> over = List.of(CaptureFilter.parse("f", "TCP", null, null, ports(n + 1), null));
        assertEquals(Optional.empty(), BpfFilters.limitProblem(fits, HOST));
        String problem = BpfFilters.limitProblem(over, HOST).orElseThrow();
        assertTrue(problem.startsWith("would produce a packet filter expression of "
                + BpfFilters.compile(over, HOST).length() + " characters; at most "), problem);
    }

    @Test
    void limitProblem_whenListsAreHuge_refusesWithoutNeedingTheText() {
        List<CaptureFilter> huge = List.of(CaptureFilter.parse("f", "Any", null, null, ports(200_000), ports(200_000)));
        assertEquals("would produce a packet filter expression of more than " + BpfFilters.MAX_EXPRESSION_CHARS
                + " characters (400000 address and port entries); at most " + BpfFilters.MAX_EXPRESSION_CHARS
                + " characters are allowed (use fewer filters, fewer list entries, or ranges that are aligned address blocks)",
                BpfFilters.limitProblem(huge, List.of()).orElseThrow());
    }

    @Test
    void limitProblem_whenOneFilterMatchesEverything_followsTheText() {
        // with no host addresses an empty filter matches everything, so the whole text is "" and fits
        List<CaptureFilter> filters = List.of(CaptureFilter.parse("f", "Any", null, null, null, null),
                CaptureFilter.parse("f", "Any", null, null, ports(5_000), null));
        assertEquals("", BpfFilters.compile(filters, List.of()));
        assertEquals(Optional.empty(), BpfFilters.limitProblem(filters, List.of()));
        // with a host address it does not: the port list counts
        assertTrue(BpfFilters.limitProblem(filters, HOST).orElseThrow().contains("more than"));
    }
}
