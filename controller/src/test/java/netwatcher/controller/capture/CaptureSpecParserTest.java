package netwatcher.controller.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.model.agent.RingOrder;
import netwatcher.arm.Json;
import netwatcher.model.agent.CaptureOrder.WireFilter;
import netwatcher.model.capture.BpfFilters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packet-capture PUT body parser without HTTP: every field's refusal (code, target, a message
 * naming the field), the defaults ARM documents, and the limits.
 */
class CaptureSpecParserTest {
    static final String VM = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
    static final String ACCOUNT = "/subscriptions/s2/resourceGroups/st/providers/Microsoft.Storage/storageAccounts/acct";

    /** A valid body's properties: a VM target and a file on the host; tests change one field. */
    private static Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", VM);
        p.put("storageLocation", new LinkedHashMap<>(Map.of("filePath", "/var/captures/a.cap")));
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> storage(Map<String, Object> properties) {
        return (Map<String, Object>) properties.get("storageLocation");
    }

    /** The newest api-version: every field of the 2026-01-01 spec. */
    static final ApiVersion NEW = ApiVersion.require("2026-01-01");
    /** The last api-version before continuousCapture, captureSettings and localPath (2023-11-01). */
    static final ApiVersion BEFORE_CONTINUOUS = ApiVersion.require("2023-09-01");
    /** The last api-version before targetType and scope (2022-01-01). */
    static final ApiVersion BEFORE_SCOPE = ApiVersion.require("2021-08-01");

    private static CaptureSpec parse(Map<String, Object> properties) {
        return parse(properties, NEW);
    }

    private static CaptureSpec parse(Map<String, Object> properties, ApiVersion version) {
        return CaptureSpecParser.parse(Json.write(Map.of("properties", properties)), version);
    }

    private static CaptureSpec parse(String json) {
        return CaptureSpecParser.parse(json.getBytes(StandardCharsets.UTF_8), NEW);
    }

    private static ArmException refused(ArmErrorCode code, String target, Map<String, Object> properties) {
        return refused(code, target, properties, NEW);
    }

    private static ArmException refused(ArmErrorCode code, String target, Map<String, Object> properties, ApiVersion version) {
        ArmException e = assertThrows(ArmException.class, () -> parse(properties, version));
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(target, e.error().target(), e.getMessage());
        String field = target.substring(target.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
        assertTrue(e.error().message().contains(field), "the message names the field: " + e.error().message());
        return e;
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> p = properties();
        p.put(key, value);
        return p;
    }

    private static Map<String, Object> filter(String... keyValues) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) f.put(keyValues[i], keyValues[i + 1]);
        return f;
    }

    // ---- defaults

    @Test
    void parse_minimalBody_appliesArmDefaults() {
        CaptureSpec spec = parse(properties());

        assertEquals(VM, spec.target().toString());
        assertNull(spec.targetType());
        assertEquals(0, spec.bytesToCapturePerPacket(), "0: the whole packet");
        assertEquals(CaptureSpecParser.DEFAULT_TOTAL_BYTES, spec.totalBytesPerSession());
        assertEquals(1_073_741_824L, spec.totalBytesPerSession());
        assertEquals(CaptureSpecParser.MAX_TIME_LIMIT, spec.timeLimitInSeconds());
        assertEquals(18_000, spec.timeLimitInSeconds());
        assertEquals("/var/captures/a.cap", spec.filePath());
        assertNull(spec.storageId());
        assertNull(spec.storagePath());
        assertNull(spec.localPath());
        assertEquals(List.of(), spec.filters());
        assertEquals(List.of(), spec.scopeInclude());
    }

    @Test
    void parse_readsLimitsAndNumericStrings() {
        Map<String, Object> p = properties();
        p.put("bytesToCapturePerPacket", 96);
        p.put("totalBytesPerSession", "2048");
        p.put("timeLimitInSeconds", 60);
        CaptureSpec spec = parse(p);
        assertEquals(96, spec.bytesToCapturePerPacket());
        assertEquals(2048, spec.totalBytesPerSession());
        assertEquals(60, spec.timeLimitInSeconds());
    }

    @Test
    void parse_readsFieldNamesCaseInsensitively() {
        CaptureSpec spec = parse("{\"Properties\":{\"TARGET\":\"" + VM + "\",\"storagelocation\":{\"FilePath\":\"/var/captures/x.cap\"},"
                + "\"TimeLimitInSeconds\":5}}");
        assertEquals(5, spec.timeLimitInSeconds());
        assertEquals("/var/captures/x.cap", spec.filePath());
    }

    // ---- limits

    @Test
    void limits_acceptTheirBounds() {
        Map<String, Object> p = properties();
        p.put("bytesToCapturePerPacket", CaptureSpecParser.MAX_UINT32);
        p.put("totalBytesPerSession", 0);
        p.put("timeLimitInSeconds", CaptureSpecParser.MAX_TIME_LIMIT);
        CaptureSpec spec = parse(p);
        assertEquals(4_294_967_295L, spec.bytesToCapturePerPacket());
        assertEquals(0, spec.totalBytesPerSession());
        assertEquals(18_000, spec.timeLimitInSeconds());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytesToCapturePerPacket", "totalBytesPerSession", "timeLimitInSeconds"})
    void limits_whenNegativeOrPastTheMaximum_areInvalidParameter(String field) {
        refused(ArmErrorCode.InvalidParameter, "properties." + field, with(field, -1));
        long max = field.equals("timeLimitInSeconds") ? CaptureSpecParser.MAX_TIME_LIMIT : CaptureSpecParser.MAX_UINT32;
        ArmException e = refused(ArmErrorCode.InvalidParameter, "properties." + field, with(field, max + 1));
        assertTrue(e.error().message().contains("between 0 and " + max), e.error().message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytesToCapturePerPacket", "totalBytesPerSession", "timeLimitInSeconds"})
    void limits_whenNotIntegers_areInvalidRequestContent(String field) {
        refused(ArmErrorCode.InvalidRequestContent, "properties." + field, with(field, 1.5));
        refused(ArmErrorCode.InvalidRequestContent, "properties." + field, with(field, "many"));
        refused(ArmErrorCode.InvalidRequestContent, "properties." + field, with(field, true));
    }

    // ---- body and target

    @Test
    void properties_whenMissing_isInvalidRequestContent() {
        ArmException e = assertThrows(ArmException.class, () -> parse("{}"));
        assertEquals(ArmErrorCode.InvalidRequestContent, e.code());
        assertEquals("properties", e.error().target());
        assertThrows(ArmException.class, () -> parse("{\"properties\":[]}"));
    }

    @Test
    void target_whenMissingOrBlank_isInvalidRequestContent() {
        Map<String, Object> p = properties();
        p.remove("target");
        refused(ArmErrorCode.InvalidRequestContent, "properties.target", p);
        refused(ArmErrorCode.InvalidRequestContent, "properties.target", with("target", " "));
        refused(ArmErrorCode.InvalidRequestContent, "properties.target", with("target", 7));
    }

    @Test
    void target_whenNotAnId_orNotAVm_isInvalidParameter() {
        refused(ArmErrorCode.InvalidParameter, "properties.target", with("target", "vm1"));
        ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.target", with("target", ACCOUNT));
        assertTrue(e.error().message().contains("Microsoft.Storage/storageAccounts"), e.error().message());
    }

    @Test
    void targetType_azureVmInAnyCase_isNormalised() {
        assertEquals("AzureVM", parse(with("targetType", "azurevm")).targetType());
    }

    @Test
    void targetType_scaleSetOnAVm_isInvalidTarget_whenOther_isInvalidParameter() {
        refused(ArmErrorCode.InvalidParameter, "properties.target", with("targetType", "AzureVMSS"));
        refused(ArmErrorCode.InvalidParameter, "properties.targetType", with("targetType", "Container"));
    }

    @Test
    void scope_emptyLists_areAccepted_listsAreInvalidParameterForAVm() {
        assertEquals(List.of(), parse(with("scope", Map.of("include", List.of(), "exclude", List.of()))).scopeInclude());
        refused(ArmErrorCode.InvalidParameter, "properties.scope", with("scope", Map.of("include", List.of("0"))));
        refused(ArmErrorCode.InvalidParameter, "properties.scope", with("scope", Map.of("exclude", List.of("1"))));
        refused(ArmErrorCode.InvalidRequestContent, "properties.scope.include[0]", with("scope", Map.of("include", List.of(3))));
    }

    // ---- continuous capture

    @Test
    void continuousCapture_true_isARingOfTheDefaultSettings_boundedBySessionTimeNotByFileSize() {
        Map<String, Object> p = properties();
        storage(p).remove("filePath");
        storage(p).put("localPath", "/var/captures/ring.cap");
        p.put("continuousCapture", true);
        CaptureSpec spec = parse(p);
        assertEquals(new RingOrder(10, 104_857_600L, true), spec.ring());
        assertEquals(new CaptureSpec.Stop(0, 86_400), spec.stop(), "no byte limit: the ring replaces its files");
    }

    @Test
    void captureSettings_withSeveralFiles_isAFileSet_afterItsLimitsAreChecked() {
        CaptureSpec spec = parse(with("captureSettings", Map.of("fileCount", 2)));
        assertEquals(new RingOrder(2, 104_857_600L, false), spec.ring());
        refused(ArmErrorCode.InvalidParameter, "properties.captureSettings.fileCount", with("captureSettings", Map.of("fileCount", 10_001)));
        refused(ArmErrorCode.InvalidParameter, "properties.captureSettings.fileSizeInBytes",
                with("captureSettings", Map.of("fileSizeInBytes", -1)));
        refused(ArmErrorCode.InvalidParameter, "properties.captureSettings.sessionTimeLimitInSeconds",
                with("captureSettings", Map.of("sessionTimeLimitInSeconds", 604_801)));
    }

    @Test
    void continuousCapture_false_withLocalPath_beforeItsApiVersion_isASingleFileCapture() {
        Map<String, Object> p = properties();
        storage(p).remove("filePath");
        storage(p).put("localPath", "/var/captures/one.cap");
        p.put("continuousCapture", false);
        assertEquals("/var/captures/one.cap", parse(p, BEFORE_CONTINUOUS).localPath());
    }

    @Test
    void continuousCapture_givenWithFilePath_isInvalidParameter() {
        refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.filePath", with("continuousCapture", false));
    }

    @Test
    void continuousCapture_whenNotBoolean_isInvalidRequestContent() {
        refused(ArmErrorCode.InvalidRequestContent, "properties.continuousCapture", with("continuousCapture", "sometimes"));
    }


    // ---- the 2023-11-01 fields: continuousCapture, captureSettings, localPath (per api-version)

    /** A one-file capture in the 2023-11-01 spelling: continuousCapture false, one file, a localPath. */
    private static Map<String, Object> oneFile() {
        Map<String, Object> p = properties();
        storage(p).remove("filePath");
        storage(p).put("localPath", "/var/captures/one.cap");
        p.put("continuousCapture", false);
        p.put("captureSettings", new LinkedHashMap<>(Map.of("fileCount", 1)));
        return p;
    }

    @Test
    void continuousCapture_absent_staysAbsent_notFalse() {
        CaptureSpec spec = parse(properties());
        assertNull(spec.continuousCapture(), "absent is the spec's null, not false");
        assertNull(spec.captureSettings());
        assertEquals(Boolean.FALSE, parse(oneFile()).continuousCapture());
    }

    @Test
    void captureSettings_missingFields_takeTheSpecDefaults() {
        CaptureSpec spec = parse(oneFile());
        assertEquals(new CaptureSpec.CaptureSettings(1, 104_857_600L, 86_400), spec.captureSettings());
        assertEquals("/var/captures/one.cap", spec.localPath());
        assertNull(spec.filePath());
    }

    @Test
    void captureSettings_acceptTheirBounds() {
        Map<String, Object> p = oneFile();
        p.put("captureSettings", Map.of("fileCount", 1, "fileSizeInBytes", CaptureSpecParser.MAX_UINT32, "sessionTimeLimitInSeconds", 604_800));
        assertEquals(new CaptureSpec.CaptureSettings(1, 4_294_967_295L, 604_800), parse(p).captureSettings());
        p.put("captureSettings", Map.of("fileCount", 1, "fileSizeInBytes", 0, "sessionTimeLimitInSeconds", 0));
        assertEquals(new CaptureSpec.CaptureSettings(1, 0, 0), parse(p).captureSettings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fileCount", "fileSizeInBytes", "sessionTimeLimitInSeconds"})
    void captureSettings_pastTheirBounds_areInvalidParameter_notIntegers_InvalidRequestContent(String field) {
        long max = switch (field) {
            case "fileCount" -> 10_000;
            case "fileSizeInBytes" -> 4_294_967_295L;
            default -> 604_800;
        };
        for (Object bad : List.of(-1, max + 1)) {
            Map<String, Object> p = oneFile();
            p.put("captureSettings", Map.of(field, bad));
            ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.captureSettings." + field, p);
            assertTrue(e.error().message().contains("between 0 and " + max), e.error().message());
        }
        for (Object bad : List.of(1.5, "many", true)) {
            Map<String, Object> p = oneFile();
            p.put("captureSettings", Map.of(field, bad));
            refused(ArmErrorCode.InvalidRequestContent, "properties.captureSettings." + field, p);
        }
    }

    @Test
    void fileCount_otherThanOne_isAFileSet_theDefaultTen_too_zeroIsRefused() {
        for (int count : List.of(2, 10, 10_000)) {
            Map<String, Object> p = oneFile();
            p.put("captureSettings", Map.of("fileCount", count, "fileSizeInBytes", 8192, "sessionTimeLimitInSeconds", 60));
            CaptureSpec spec = parse(p);
            assertEquals(new RingOrder(count, 8192, false), spec.ring());
            assertEquals(new CaptureSpec.Stop(0, 60), spec.stop());
        }
        Map<String, Object> zero = oneFile();
        zero.put("captureSettings", Map.of("fileCount", 0));
        ArmException e = refused(ArmErrorCode.UnsupportedFeature, "properties.captureSettings.fileCount", zero);
        assertTrue(e.error().message().contains("fileCount' is 0"), e.error().message());
        Map<String, Object> noSettings = oneFile();
        noSettings.remove("captureSettings");
        assertEquals(new RingOrder(10, 104_857_600L, false), parse(noSettings).ring(), "continuousCapture false: 10 files by default");
        assertNull(parse(oneFile()).ring(), "fileCount 1 without continuousCapture true is the one file of old");
    }

    @Test
    void fileSet_fileSizeBelowFourKiB_isInvalidParameter_totalBytesGiven_boundsTheWholeSet() {
        Map<String, Object> p = oneFile();
        p.put("captureSettings", Map.of("fileCount", 3, "fileSizeInBytes", 4095));
        ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.captureSettings.fileSizeInBytes", p);
        assertTrue(e.error().message().contains("4096"), e.error().message());
        p.put("captureSettings", Map.of("fileCount", 3, "fileSizeInBytes", 4096));
        p.put("totalBytesPerSession", 100_000);
        assertEquals(100_000, parse(p).stop().bytes());
    }

    @Test
    void continuousCapture_true_withOneFile_isARingOfOne() {
        Map<String, Object> p = oneFile();
        p.put("continuousCapture", true);
        assertEquals(1, parse(p).ring().fileCount());
        assertTrue(parse(p).ring().continuous());
    }

    @Test
    void filePath_whenContinuousCaptureIsPresent_trueOrFalse_isInvalidParameter() {
        for (boolean value : List.of(true, false)) {
            Map<String, Object> p = oneFile();
            p.put("continuousCapture", value);
            storage(p).put("filePath", "/var/captures/one.cap");
            storage(p).remove("localPath");
            ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.filePath", p);
            assertTrue(e.error().message().contains("localPath"), e.error().message());
        }
    }

    @Test
    void localPath_whenContinuousCaptureIsAbsent_isInvalidParameter() {
        Map<String, Object> p = oneFile();
        p.remove("continuousCapture");
        ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.localPath", p);
        assertTrue(e.error().message().contains("filePath"), e.error().message());
    }

    @Test
    void continuousCapture_withNeitherStorageNorLocalPath_namesLocalPath() {
        Map<String, Object> p = oneFile();
        storage(p).remove("localPath");
        ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.storageLocation", p);
        assertTrue(e.error().message().contains("localPath"), e.error().message());
        p.put("storageLocation", Map.of("storageId", ACCOUNT));
        assertEquals(ACCOUNT, parse(p).storageId());
    }

    @Test
    void captureSettings_withoutContinuousCapture_oneFile_isAccepted_andGivenLimitsApplyFirstReached() {
        Map<String, Object> p = properties();
        p.put("totalBytesPerSession", 5_000);
        p.put("timeLimitInSeconds", 600);
        p.put("captureSettings", Map.of("fileCount", 1, "fileSizeInBytes", 4_000, "sessionTimeLimitInSeconds", 900));
        CaptureSpec spec = parse(p);
        assertNull(spec.continuousCapture());
        assertEquals(new CaptureSpec.Stop(4_000, 600), spec.stop(), "the first limit reached ends the file, the capture");
        p.put("totalBytesPerSession", 0);
        p.put("captureSettings", Map.of("fileCount", 1, "fileSizeInBytes", 4_000, "sessionTimeLimitInSeconds", 0));
        assertEquals(new CaptureSpec.Stop(4_000, 600), parse(p).stop(), "0 is no limit: the other one holds");
    }

    @Test
    void captureSettings_withoutClassicLimitsInTheBody_stopAtTheFilesOwnLimits_pastFiveHours() {
        Map<String, Object> p = oneFile();
        p.put("captureSettings", Map.of("fileCount", 1, "sessionTimeLimitInSeconds", 604_800));
        CaptureSpec spec = parse(p);
        assertEquals(new CaptureSpec.Stop(104_857_600L, 604_800), spec.stop());
        assertEquals(18_000, spec.timeLimitInSeconds(), "still returned at its default");
        assertEquals(new CaptureSpec.Stop(1_073_741_824L, 18_000), parse(properties()).stop(), "no captureSettings: the classic limits");
    }

    @Test
    void continuousFields_beforeTheirApiVersion_areRefusedAsBefore() {
        Map<String, Object> p = oneFile();
        ArmException e = refused(ArmErrorCode.UnsupportedFeature, "properties.captureSettings", p, BEFORE_CONTINUOUS);
        assertTrue(e.error().message().contains(CaptureSpecParser.CONTINUOUS_SINCE), e.error().message());
        p.put("continuousCapture", true);
        refused(ArmErrorCode.UnsupportedFeature, "properties.continuousCapture", p, BEFORE_CONTINUOUS);
        assertEquals(Boolean.FALSE, parse(oneFile(), ApiVersion.require(CaptureSpecParser.CONTINUOUS_SINCE)).continuousCapture());
    }

    @Test
    void scope_namingTheVmItself_isAcceptedAndKept_fromItsApiVersion() {
        for (String self : List.of("vm1", "VM1", VM)) {
            CaptureSpec spec = parse(with("scope", Map.of("include", List.of(self))));
            assertEquals(List.of(self), spec.scopeInclude());
            assertNull(spec.scope().exclude(), "exclude stays absent");
        }
        refused(ArmErrorCode.InvalidParameter, "properties.scope", with("scope", Map.of("include", List.of("vm1"))), BEFORE_SCOPE);
        assertEquals(List.of("vm1"), parse(with("scope", Map.of("include", List.of("vm1"))),
                ApiVersion.require(CaptureSpecParser.SCOPE_SINCE)).scopeInclude());
        refused(ArmErrorCode.InvalidParameter, "properties.scope", with("scope", Map.of("include", List.of("vm1", "vm2"))));
        refused(ArmErrorCode.InvalidParameter, "properties.scope", with("scope", Map.of("include", List.of("vm1"), "exclude", List.of("vm1"))));
    }

    @Test
    void scope_asGiven_emptyListsStayEmpty_absentStaysAbsent() {
        assertNull(parse(properties()).scope());
        CaptureSpec spec = parse(with("scope", Map.of("include", List.of())));
        assertEquals(List.of(), spec.scope().include());
        assertNull(spec.scope().exclude());
        assertNull(parse(with("scope", Map.of("include", List.of())), BEFORE_SCOPE).scope(), "not in that api-version's spec");
    }

    @Test
    void targetType_scaleSet_needsAScaleSetTarget_andTakesInstanceIdsInScope() {
        for (ApiVersion v : List.of(NEW, BEFORE_CONTINUOUS)) {
            refused(ArmErrorCode.InvalidParameter, "properties.target", with("targetType", "azurevmss"), v);
        }
        Map<String, Object> p = with("targetType", "azurevmss");
        String set = p.get("target").toString().replace("virtualMachines/", "virtualMachineScaleSets/");
        p.put("target", set);
        p.put("scope", Map.of("include", List.of("0", "1"), "exclude", List.of("1")));
        CaptureSpec spec = parse(p);
        assertEquals("AzureVMSS", spec.targetType());
        assertEquals(List.of("0", "1"), spec.scopeInclude());
        assertEquals(List.of("1"), spec.scopeExclude());
        p.put("scope", Map.of("include", List.of("db1")));
        refused(ArmErrorCode.InvalidParameter, "properties.scope.include[0]", p);
        assertEquals("AzureVM", parse(with("targetType", "AzureVM")).targetType());
    }

    // ---- storage location

    @Test
    void storageLocation_whenMissing_isInvalidRequestContent() {
        Map<String, Object> p = properties();
        p.remove("storageLocation");
        refused(ArmErrorCode.InvalidRequestContent, "properties.storageLocation", p);
    }

    @Test
    void storageLocation_whenEmptyOrBlank_isInvalidParameter() {
        refused(ArmErrorCode.InvalidParameter, "properties.storageLocation", with("storageLocation", Map.of()));
        refused(ArmErrorCode.InvalidParameter, "properties.storageLocation", with("storageLocation", Map.of("filePath", " ")));
    }

    @Test
    void storageId_accountOnly_isAccepted_andWrittenCanonically() {
        CaptureSpec spec = parse(with("storageLocation", Map.of("storageId", ACCOUNT.substring(1))));
        assertEquals(ACCOUNT, spec.storageId());
        assertNull(spec.filePath());
    }

    @Test
    void storageId_whenNotAnAccount_isInvalidParameter() {
        refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.storageId", with("storageLocation", Map.of("storageId", VM)));
        refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.storageId", with("storageLocation", Map.of("storageId", "acct")));
        refused(ArmErrorCode.InvalidRequestContent, "properties.storageLocation.storageId", with("storageLocation", Map.of("storageId", 1)));
    }

    @Test
    void storagePath_needsAStorageId_andAnAbsoluteHttpUrl() {
        refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.storagePath",
                with("storageLocation", Map.of("filePath", "/var/captures/a.cap", "storagePath", "https://acct.blob.example/c/a.cap")));
        for (String bad : List.of("c/a.cap", "ftp://acct/c/a.cap", "https:///nohost", "https://a b/c")) {
            ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.storagePath",
                    with("storageLocation", Map.of("storageId", ACCOUNT, "storagePath", bad)));
            assertTrue(e.error().message().contains(bad), e.error().message());
        }
        CaptureSpec spec = parse(with("storageLocation", Map.of("storageId", ACCOUNT, "storagePath", "https://acct.blob.example/c/a.cap")));
        assertEquals("https://acct.blob.example/c/a.cap", spec.storagePath());
    }

    @Test
    void filePath_andLocalPath_beforeLocalPathsApiVersion_mustNameTheSameFile() {
        CaptureSpec same = parse(with("storageLocation", Map.of("filePath", "/var/captures/a.cap", "localPath", "/var/captures/a.cap")),
                BEFORE_CONTINUOUS);
        assertEquals(same.filePath(), same.localPath());
        refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.localPath",
                with("storageLocation", Map.of("filePath", "/var/captures/a.cap", "localPath", "/var/captures/b.cap")), BEFORE_CONTINUOUS);
    }

    @Test
    void filePath_windowsSpelling_isReadAsTheLinuxPath() {
        assertEquals("/var/captures/pc1.cap", parse(with("storageLocation", Map.of("filePath", "\\var\\captures\\pc1.cap"))).filePath());
    }

    @Test
    void filePath_isTrimmed() {
        assertEquals("/var/captures/a.cap", parse(with("storageLocation", Map.of("filePath", " /var/captures/a.cap "))).filePath());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tmp/a.cap", "var/captures/a.cap", "/var/captures", "/var/captures/", "/var/captures/d/",
            "/var/captures/../etc/passwd", "/var/captures/./a.cap", "/var/captures//a.cap", "/var/captures/a\u0001.cap",
            "/var/captures/a\\b.cap", "/var/captures/d/..", "C:\\captures\\a.cap"})
    void hostPath_outsideTheCapturesDirectoryOrUnsafe_isInvalidParameter(String path) {
        for (String field : List.of("filePath", "localPath")) {
            ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.storageLocation." + field,
                    with("storageLocation", Map.of(field, path)));
            assertTrue(e.error().message().contains("was '" + path + "'"), e.error().message());
        }
    }

    @Test
    void hostPath_lengthLimits() {
        String longName = "/var/captures/" + "n".repeat(256);
        refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.filePath", with("storageLocation", Map.of("filePath", longName)));
        String okName = "/var/captures/" + "n".repeat(255);
        assertEquals(okName, parse(with("storageLocation", Map.of("filePath", okName))).filePath());
        String deep = "/var/captures/" + "d/".repeat(2100) + "a.cap";
        ArmException e = refused(ArmErrorCode.InvalidParameter, "properties.storageLocation.filePath",
                with("storageLocation", Map.of("filePath", deep)));
        assertTrue(e.error().message().contains("4096"), e.error().message());
    }

    // ---- filters

    @Test
    void filters_areNormalisedToWireNotation() {
        CaptureSpec spec = parse(with("filters", List.of(
                filter("protocol", "tcp", "localIPAddress", "198.18.1.10", "localPort", "80;443;"),
                filter("remoteIPAddress", "198.18.3.1-198.18.3.9", "remotePort", "1000-2000"))));
        assertEquals(2, spec.filters().size());
        WireFilter first = spec.filters().get(0);
        assertEquals("TCP", first.protocol());
        assertEquals("198.18.1.10", first.localIPAddress());
        assertNull(first.remoteIPAddress());
        WireFilter second = spec.filters().get(1);
        assertEquals("Any", second.protocol(), "protocol defaults to Any");
        assertEquals("198.18.3.1-198.18.3.9", second.remoteIPAddress());
        assertEquals("1000-2000", second.remotePort());
    }

    @Test
    void filters_whenNotObjects_areInvalidRequestContentByIndex() {
        refused(ArmErrorCode.InvalidRequestContent, "properties.filters", with("filters", "TCP"));
        refused(ArmErrorCode.InvalidRequestContent, "properties.filters[1]", with("filters", List.of(Map.of(), 5)));
        refused(ArmErrorCode.InvalidRequestContent, "properties.filters[0].localPort", with("filters", List.of(Map.of("localPort", 80))));
    }

    @Test
    void filters_badNotation_isInvalidParameterNamingTheFilterField() {
        refused(ArmErrorCode.InvalidParameter, "properties.filters[0].protocol", with("filters", List.of(filter("protocol", "SCTP"))));
        refused(ArmErrorCode.InvalidParameter, "properties.filters[1].localPort",
                with("filters", List.of(filter(), filter("localPort", "70000"))));
        refused(ArmErrorCode.InvalidParameter, "properties.filters[0].remotePort", with("filters", List.of(filter("remotePort", "1-2;3"))));
        refused(ArmErrorCode.InvalidParameter, "properties.filters[0].localIPAddress",
                with("filters", List.of(filter("localIPAddress", "198.18.1.300"))));
        refused(ArmErrorCode.InvalidParameter, "properties.filters[0].remoteIPAddress",
                with("filters", List.of(filter("remoteIPAddress", "198.18.1.9-198.18.1.1"))));
    }

    @Test
    void filters_count_atTheLimitIsAccepted_pastItIsFilterLimitExceeded() {
        List<Object> filters = new ArrayList<>();
        for (int i = 0; i < BpfFilters.MAX_FILTERS; i++) filters.add(filter("protocol", "TCP", "localPort", String.valueOf(1000 + i)));
        assertEquals(BpfFilters.MAX_FILTERS, parse(with("filters", filters)).filters().size());
        filters.add(filter("protocol", "UDP"));
        ArmException e = refused(ArmErrorCode.PacketCaptureFilterLimitExceeded, "properties.filters", with("filters", filters));
        assertTrue(e.error().message().contains("at most " + BpfFilters.MAX_FILTERS), e.error().message());
    }

    @Test
    void filters_whoseExpressionWouldBeTooLong_areFilterLimitExceeded() {
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < 1_000; i++) ports.append(1000 + 2 * i).append(';');
        ArmException e = refused(ArmErrorCode.PacketCaptureFilterLimitExceeded, "properties.filters",
                with("filters", List.of(filter("protocol", "TCP", "localPort", ports.toString()))));
        assertTrue(e.error().message().contains(String.valueOf(BpfFilters.MAX_EXPRESSION_CHARS)), e.error().message());
    }
}
