package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ApiVersion: the accepted formats, the oldest version, ordering and the echo used in messages and URLs. */
class ApiVersionTest {

    private static ArmException refused(String value) {
        ArmException e = assertThrows(ArmException.class, () -> ApiVersion.require(value));
        assertEquals("api-version", e.error().target());
        assertEquals(400, e.status());
        return e;
    }

    @Test
    void require_readsDateAndNoSuffix() {
        ApiVersion v = ApiVersion.require("2025-05-01");
        assertEquals(LocalDate.of(2025, 5, 1), v.date());
        assertEquals("", v.suffix());
        assertEquals("2025-05-01", v.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"preview", "alpha", "beta", "rc", "privatepreview"})
    void require_acceptsEachSuffix(String suffix) {
        assertEquals(suffix, ApiVersion.require("2024-01-01-" + suffix).suffix());
    }

    @Test
    void require_lowerCasesTheSuffix_andToStringKeepsIt() {
        ApiVersion v = ApiVersion.require("2024-01-01-Preview");
        assertEquals("preview", v.suffix());
        assertEquals("2024-01-01-preview", v.toString());
    }

    @Test
    void require_acceptsTheFirstNetworkWatcherVersion_refusesTheDayBefore() {
        assertEquals(ApiVersion.FIRST, ApiVersion.require("2016-09-01").date());
        ArmException e = refused("2016-08-31");
        assertEquals(ArmErrorCode.InvalidApiVersionParameter, e.code());
        assertTrue(e.error().message().contains("2016-09-01 and later"), e.error().message());
    }

    @Test
    void require_withAnOlderFirst_acceptsResourcesVersions() {
        assertEquals(LocalDate.of(2016, 6, 1), ApiVersion.require("2016-06-01", ApiVersion.FIRST_RESOURCES).date());
        ArmException e = assertThrows(ArmException.class, () -> ApiVersion.require("2014-03-31", ApiVersion.FIRST_RESOURCES));
        assertEquals(ArmErrorCode.InvalidApiVersionParameter, e.code());
    }

    @Test
    void require_whenAbsentOrEmpty_isMissingApiVersionParameter() {
        assertEquals(ArmErrorCode.MissingApiVersionParameter, refused(null).code());
        assertEquals(ArmErrorCode.MissingApiVersionParameter, refused("").code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-5-1", "20250501", "2025-05-01-gamma", " 2025-05-01", "2025-05-01 ", "2025-05-01-", "latest",
            "2025-05-01-preview-preview", "２０２５-05-01"})
    void require_whenMalformed_isInvalidApiVersionParameter(String value) {
        ArmException e = refused(value);
        assertEquals(ArmErrorCode.InvalidApiVersionParameter, e.code());
        assertTrue(e.error().message().contains("YYYY-MM-DD"), e.error().message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-02-30", "2025-13-01", "2025-00-10"})
    void require_whenNoSuchDate_isInvalidApiVersionParameter(String value) {
        ArmException e = refused(value);
        assertEquals(ArmErrorCode.InvalidApiVersionParameter, e.code());
        assertTrue(e.error().message().contains("not a valid date"), e.error().message());
    }

    @Test
    void require_whenMalformed_echoesTheValueEncoded() {
        ArmException e = refused("2025 05<script>");
        assertTrue(e.error().message().contains("'2025%2005%3Cscript%3E'"), e.error().message());
    }

    @Test
    void echo_keepsUnreservedCharacters_encodesTheRest_andCutsAt40() {
        assertEquals("2025-05-01-preview", ApiVersion.echo("2025-05-01-preview"));
        assertEquals("a%20b%2A%2F", ApiVersion.echo("a b*/"));
        String longValue = "x".repeat(41);
        assertEquals("x".repeat(40) + "...", ApiVersion.echo(longValue));
        assertEquals("x".repeat(40), ApiVersion.echo("x".repeat(40)));
    }

    @Test
    void atLeast_comparesDatesInclusively() {
        ApiVersion v = ApiVersion.require("2018-04-01");
        assertTrue(v.atLeast("2018-04-01"));
        assertTrue(v.atLeast("2017-12-31"));
        assertFalse(v.atLeast("2018-04-02"));
    }

    @Test
    void compareTo_ordersByDate() {
        List<ApiVersion> versions = new ArrayList<>(List.of(ApiVersion.require("2025-05-01"), ApiVersion.require("2016-09-01"),
                ApiVersion.require("2020-11-01")));
        Collections.sort(versions);
        assertEquals(List.of("2016-09-01", "2020-11-01", "2025-05-01"), versions.stream().map(ApiVersion::toString).toList());
        assertEquals(0, ApiVersion.require("2024-01-01").compareTo(ApiVersion.require("2024-01-01-preview")),
                "a preview orders with its date");
    }
}
